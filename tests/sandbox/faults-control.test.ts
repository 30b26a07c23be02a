import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { comment, control, get, message, sandbox, tally } from './helpers.ts';

async function statusOrNetworkError(request: Promise<{ status: number }>): Promise<number | 'network'> {
  try {
    return (await request).status;
  } catch (error) {
    expect(error).toBeInstanceOf(TypeError); // what fetch gives the app for a dropped connection
    return 'network';
  }
}

describe('faults', () => {
  it('adds latency while the request holds its slot', async () => {
    const box = await sandbox({ faults: { latencyMs: 120, jitterMs: 30 } });
    await get(box, '/users');
    const [entry] = box.requests();
    expect((entry?.endedAt ?? 0) - (entry?.startedAt ?? 0)).toBeGreaterThanOrEqual(115);
  });

  it('answers 502/503 at serverErrorRate, before the write by default share', async () => {
    const box = await sandbox({ faults: { serverErrorRate: 1, faultAfterWriteRate: 0 } });
    const statuses = [];
    for (let i = 0; i < 10; i++) statuses.push((await message(box)).status);
    expect(statuses.every((s) => s === 502 || s === 503)).toBe(true);
    expect(box.snapshot().messages).toHaveLength(0);
    expect(box.requests().every((r) => r.outcome === 'server-error')).toBe(true);
  });

  it('can fail after the write: the client sees 5xx but the message exists', async () => {
    const box = await sandbox({ faults: { serverErrorRate: 1, faultAfterWriteRate: 1 } });
    expect([502, 503]).toContain((await message(box, { external_id: 'ghost' })).status);
    box.setFaults({});
    expect(box.snapshot().messages.map((m) => m.external_id)).toEqual(['ghost']);
  });

  it('drops connections at dropRate: a network error for the client, status 0 in the log', async () => {
    const box = await sandbox({ faults: { dropRate: 1, faultAfterWriteRate: 0 } });
    expect(await statusOrNetworkError(get(box, '/users'))).toBe('network');
    expect(await statusOrNetworkError(comment(box))).toBe('network');
    expect(box.snapshot().posts).toHaveLength(0);
    expect(box.requests().map((r) => [r.status, r.outcome])).toEqual([
      [0, 'dropped'],
      [0, 'dropped'],
    ]);
    expect(box.snapshot().rate.inFlight).toBe(0);
    box.setFaults({ dropRate: 1, faultAfterWriteRate: 1 });
    expect(await statusOrNetworkError(comment(box))).toBe('network');
    expect(box.snapshot().posts).toHaveLength(1); // written, then the connection died
  });

  it('repeats the same faults for the same seed', async () => {
    const run = async () => {
      const box = await sandbox({ seed: 7, faults: { serverErrorRate: 0.5 } });
      const statuses = [];
      for (let i = 0; i < 20; i++) statuses.push((await get(box, '/users')).status);
      return statuses;
    };
    const first = await run();
    expect(await run()).toEqual(first);
    expect(Object.keys(tally(first)).length).toBeGreaterThan(1);
  });

  it('rejects impossible fault settings', async () => {
    const box = await sandbox();
    expect(() => box.setFaults({ serverErrorRate: 2 })).toThrow(/serverErrorRate/);
  });
});

describe('injected responses', () => {
  it('answers a queued 429 storm on matching paths only, then behaves normally', async () => {
    const box = await sandbox();
    box.injectResponses({ status: 429, retryAfter: 2, count: 3, paths: /^\/v1\/posts$/ });
    const users = await get(box, '/users');
    const storm = [];
    for (let i = 0; i < 4; i++) storm.push(await comment(box));
    expect(users.status).toBe(200);
    expect(storm.map((a) => a.status)).toEqual([429, 429, 429, 201]);
    expect(storm[0]?.headers.get('retry-after')).toBe('2');
    expect(storm[0]?.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(box.snapshot().posts).toHaveLength(1);
    expect(box.snapshot().rate).toMatchObject({ injected429: 3, rejected429: 0 });
  });

  it('comes before auth, can drop connections, and can answer after the write', async () => {
    const box = await sandbox();
    box.injectResponses({ status: 503, count: 1 });
    expect((await fetch(`${box.url}/users`)).status).toBe(503); // no token at all
    box.injectResponses({ status: 0, count: 1 });
    expect(await statusOrNetworkError(get(box, '/users'))).toBe('network');
    box.injectResponses({ status: 502, count: 1, afterWrite: true });
    expect((await get(box, '/users')).status).toBe(200); // reads are not writes
    expect((await comment(box)).status).toBe(502);
    expect(box.snapshot().posts).toHaveLength(1);
  });
});

describe('control API over HTTP', () => {
  it('exposes info, state and the request log', async () => {
    const box = await sandbox();
    const info = await control(box, 'GET', 'info');
    expect(info.json).toMatchObject({ url: box.url, token: box.token, accountId: box.accountId });
    await get(box, '/users');
    await get(box, '/organizations');
    const state = await control(box, 'GET', 'state');
    expect(state.json).toMatchObject({
      accountId: box.accountId,
      requestCount: 2,
      rate: { acceptedTotal: 2 },
    });
    const log = await control(box, 'GET', 'requests?since=1');
    expect(log.json.requests.map((r: { path: string }) => r.path)).toEqual(['/v1/organizations']);
    expect(log.json.next).toBe(2);
    expect(box.requests()).toHaveLength(2); // control calls are not logged
  });

  it('seeds emails, sets faults and options, injects, revokes and resets', async () => {
    const box = await sandbox();
    const seeded = await control(box, 'POST', 'seed-email', { messageId: '<ctl@x>', subject: 'Hi' });
    expect(seeded.status).toBe(201);
    const found = await get(box, '/messages?email_message_id=ctl@x');
    expect(found.json.messages[0].conversation.id).toBe(seeded.json.conversationId);

    await control(box, 'POST', 'options', { messagesResponse: 'empty' });
    expect((await message(box)).text).toBe('');

    await control(box, 'POST', 'faults', { serverErrorRate: 1, faultAfterWriteRate: 0 });
    expect([502, 503]).toContain((await get(box, '/users')).status);
    await control(box, 'POST', 'faults', {});

    await control(box, 'POST', 'inject', { status: 429, retryAfter: 1, count: 1, paths: '^/v1/users' });
    expect((await get(box, '/users')).status).toBe(429);

    await control(box, 'POST', 'revoke-token');
    expect((await get(box, '/users')).status).toBe(401);

    await control(box, 'POST', 'reset');
    expect((await get(box, '/users')).status).toBe(200);
    const state = box.snapshot();
    expect([state.conversations.length, state.messages.length, state.requestCount]).toEqual([0, 0, 1]);
  });

  it('refuses bad control input with 400 and unknown routes with 404', async () => {
    const box = await sandbox();
    expect((await control(box, 'POST', 'seed-email', { subject: 'no id' })).status).toBe(400);
    expect((await control(box, 'POST', 'options', { messagesResponse: 'xml' })).status).toBe(400);
    expect((await control(box, 'POST', 'inject', { status: 429, count: 0 })).status).toBe(400);
    expect((await control(box, 'GET', 'nothing')).status).toBe(404);
  });
});

describe('loopback only', () => {
  it('refuses to listen on a non-loopback host', async () => {
    await expect(sandbox({ host: '0.0.0.0' })).rejects.toThrow(/loopback/);
  });
});

describe('cli', () => {
  /** Resolves with everything printed once `marker` appears (a persistent listener loses nothing). */
  function outputUntil(child: ChildProcess, marker: RegExp): Promise<string> {
    return new Promise((resolve, reject) => {
      let output = '';
      child.stdout?.setEncoding('utf8');
      child.stdout?.on('data', (chunk: string) => {
        output += chunk;
        if (marker.test(output)) resolve(output);
      });
      child.once('exit', (code) => reject(new Error(`cli exited early (${code}): ${output}`)));
    });
  }

  it('starts, prints URL, token and account id, and stops on SIGINT', async () => {
    // One process (no npx wrapper), so the signal reaches the sandbox itself.
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'testbed/missive-sandbox/cli.ts', '--port', '0', '--quiet'],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const exited = once(child, 'exit');
    try {
      const output = await outputUntil(child, /Ctrl-C/);
      const url = /API base URL:\s+(\S+)/.exec(output)?.[1];
      const token = /API token:\s+(\S+)/.exec(output)?.[1];
      expect(output).toMatch(/Custom channel account ID:\s+\S+/);
      const res = await fetch(`${url}/users`, { headers: { Authorization: `Bearer ${token}` } });
      expect(res.status).toBe(200);
    } finally {
      child.kill('SIGINT');
    }
    const [code] = (await exited) as [number | null];
    expect(code).toBe(0);
  }, 30_000);
});
