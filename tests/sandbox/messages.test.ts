import http from 'node:http';
import { describe, expect, it } from 'vitest';
import { call, control, get, message, post, sandbox } from './helpers.ts';

describe('POST /messages threading', () => {
  it('starts a new conversation when nothing matches, and answers 201 with the message', async () => {
    const box = await sandbox();
    const answer = await message(box, { external_id: 'msg_1', references: ['front-cnv_1'] });
    expect(answer.status).toBe(201);
    expect(answer.json.messages).toMatchObject({
      external_id: 'msg_1',
      conversation: { id: expect.any(String) },
    });
    expect(answer.json.messages.conversation.web_url).toContain(answer.json.messages.conversation.id);
    const state = box.snapshot();
    expect(state.conversations).toHaveLength(1);
    expect(state.conversations[0]?.messages.map((m) => m.external_id)).toEqual(['msg_1']);
  });

  it('appends by references matching an earlier external_id or reference, first match wins', async () => {
    const box = await sandbox();
    const first = (await message(box, { external_id: 'msg_a', references: ['front-cnv_A'] })).json.messages;
    const other = (await message(box, { external_id: 'msg_b', references: ['front-cnv_B'] })).json.messages;
    const byExternalId = (await message(box, { external_id: 'msg_c', references: ['msg_a'] })).json.messages;
    const byReference = (await message(box, { external_id: 'msg_d', references: ['front-cnv_B'] })).json
      .messages;
    const firstMatch = (await message(box, { references: ['unknown', 'front-cnv_B', 'front-cnv_A'] })).json
      .messages;
    expect(byExternalId.conversation.id).toBe(first.conversation.id);
    expect(byReference.conversation.id).toBe(other.conversation.id);
    expect(firstMatch.conversation.id).toBe(other.conversation.id);
    expect(box.snapshot().conversations.map((c) => c.messages.length)).toEqual([2, 3]);
  });

  it('appends to `conversation`, which overrides references; unknown conversations are 404', async () => {
    const box = await sandbox();
    const a = (await message(box, { references: ['ref-a'] })).json.messages.conversation.id;
    const b = (await message(box, { references: ['ref-b'] })).json.messages.conversation.id;
    const appended = await message(box, { conversation: b, references: ['ref-a'] });
    expect(appended.json.messages.conversation.id).toBe(b);
    expect(a).not.toBe(b);
    const missing = await message(box, { conversation: 'no-such-conversation' });
    expect(missing.status).toBe(404);
    expect(missing.json.error).toMatch(/Conversation/);
  });

  it('only writes into the custom channel account', async () => {
    const box = await sandbox({ accountId: 'my-custom-channel' });
    const wrong = await message(box, { account: 'some-gmail-account' });
    expect(wrong.status).toBe(404);
    expect(wrong.json.error).toMatch(/custom channel/);
    const missing = await post(box, '/messages', { messages: { body: 'x' } });
    expect(missing.status).toBe(400);
    expect(missing.json.error).toMatch(/account/);
    expect((await message(box)).status).toBe(201);
  });

  it('starts a new conversation past the cap, and later messages follow it there', async () => {
    const box = await sandbox({ conversationCap: 3 });
    const conversations = [];
    for (let i = 0; i < 7; i++) {
      const answer = await message(box, { external_id: `m${i}`, references: ['front-cnv_long'] });
      conversations.push(answer.json.messages.conversation.id);
    }
    const [first, second, third] = [...new Set(conversations)];
    expect(conversations).toEqual([first, first, first, second, second, second, third]);
    const state = box.snapshot();
    expect(state.conversations.find((c) => c.id === first)?.continued_in).toBe(second);
    expect(state.conversations.find((c) => c.id === second)?.continued_in).toBe(third);
  });

  it('counts seeded emails against the cap but not posts', async () => {
    const box = await sandbox({ conversationCap: 2 });
    const conversation = box.seedEmail({ messageId: 'seed@example.com' });
    await post(box, '/posts', {
      posts: { conversation, text: 'x', notification: { title: 't', body: 'b' } },
    });
    const inside = await message(box, { conversation });
    const outside = await message(box, { conversation });
    expect(inside.json.messages.conversation.id).toBe(conversation);
    expect(outside.json.messages.conversation.id).not.toBe(conversation);
  });
});

describe('POST /messages storage and answers', () => {
  it('stores delivered_at, external_id, attachments (decoded size), flags, labels, team and organization', async () => {
    const box = await sandbox();
    const state0 = box.snapshot();
    const label = state0.sharedLabels[0]?.id;
    const team = state0.teams[0]?.id;
    const answer = await message(box, {
      external_id: 'msg_full',
      delivered_at: 1_600_000_000,
      attachments: [{ base64_data: Buffer.from('hello world').toString('base64'), filename: 'a.txt' }],
      close: true,
      add_to_inbox: false,
      add_shared_labels: [label],
      organization: box.organizationId,
      team,
      conversation_subject: 'SMS with +1 555 0001',
      labels: ['not-a-field'],
    });
    expect(answer.status).toBe(201);
    const stored = box.snapshot().messages[0];
    expect(stored).toMatchObject({
      external_id: 'msg_full',
      delivered_at: 1_600_000_000,
      attachments: [{ filename: 'a.txt', size: 11 }],
      close: true,
      add_to_inbox: false,
      add_shared_labels: [label],
      organization: box.organizationId,
      team,
      ignored_fields: ['labels'],
    });
    const conversation = box.snapshot().conversations[0];
    expect(conversation).toMatchObject({
      closed: true,
      in_inbox: false,
      shared_labels: [label],
      team,
      organization: box.organizationId,
      subject: 'SMS with +1 555 0001',
      last_activity_at: 1_600_000_000,
    });
  });

  it('defaults delivered_at to the request time', async () => {
    const box = await sandbox();
    const before = Math.floor(Date.now() / 1000);
    await message(box, { delivered_at: undefined });
    const deliveredAt = box.snapshot().messages[0]?.delivered_at ?? 0;
    expect(deliveredAt).toBeGreaterThanOrEqual(before);
    expect(deliveredAt).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000));
  });

  it('keeps a past delivered_at by default; "ignored" (set through the control API) dates it now', async () => {
    const box = await sandbox();
    await message(box, { external_id: 'kept', delivered_at: 1_600_000_000 });
    expect((await control(box, 'POST', 'options', { deliveredAt: 'ignored' })).status).toBeLessThan(300);
    const before = Math.floor(Date.now() / 1000);
    await message(box, { external_id: 'now', delivered_at: 1_600_000_000 });
    const dates = new Map(box.snapshot().messages.map((m) => [m.external_id, m.delivered_at]));
    expect(dates.get('kept')).toBe(1_600_000_000);
    expect(dates.get('now')).toBeGreaterThanOrEqual(before);
    expect((await control(box, 'POST', 'options', { deliveredAt: 'sometimes' })).status).toBe(400);
  });

  it.each([
    [{ delivered_at: '2023-01-01' }, /delivered_at/],
    [{ delivered_at: 1_701_292_690_000 }, /milliseconds/],
    [{ body: 42 }, /body/],
    [{ from_field: 'Customer' }, /from_field/],
    [{ to_fields: { id: '1' } }, /to_fields/],
    [{ attachments: [{ filename: 'a.txt' }] }, /base64_data/],
    [{ attachments: [{ base64_data: 'aGk=' }] }, /filename/],
    [{ attachments: [{ base64_data: 'not base64!', filename: 'a' }] }, /base64/],
    [{ references: 'front-cnv_1' }, /references/],
    [{ close: 'yes' }, /close/],
    [{ add_assignees: ['x'] }, /organization/],
    [{ add_to_team_inbox: true }, /team/],
    [{ conversation_color: 'purple' }, /conversation_color/],
    [{ add_shared_labels: ['no-such-label'] }, /shared label/],
    [{ team: 'no-such-team' }, /team/],
  ])('refuses %j with 400', async (fields, error) => {
    const box = await sandbox();
    const answer = await message(box, fields);
    expect(answer.status).toBe(400);
    expect(answer.json.error).toMatch(error);
    expect(box.snapshot().messages).toHaveLength(0);
  });

  it('refuses bodies without the envelope', async () => {
    const box = await sandbox();
    const answer = await post(box, '/messages', { account: box.accountId, body: 'x' });
    expect(answer.status).toBe(400);
    expect(answer.json.error).toMatch(/"messages"/);
  });

  it('answers 201 with an empty body in messagesResponse "empty" mode, switchable at runtime', async () => {
    const box = await sandbox({ messagesResponse: 'empty' });
    const empty = await message(box);
    expect(empty.status).toBe(201);
    expect(empty.text).toBe('');
    box.setOptions({ messagesResponse: 'body' });
    const full = await message(box);
    expect(full.json.messages.id).toEqual(expect.any(String));
    expect(box.snapshot().messages).toHaveLength(2);
  });

  it('accepts a repeated external_id by default and refuses it with 422 in "reject" mode', async () => {
    const box = await sandbox();
    expect((await message(box, { external_id: 'dup' })).status).toBe(201);
    expect((await message(box, { external_id: 'dup' })).status).toBe(201);
    box.setOptions({ duplicateExternalId: 'reject' });
    const refused = await message(box, { external_id: 'dup' });
    expect(refused.status).toBe(422);
    expect(refused.json.error).toMatch(/external_id/);
    expect(box.snapshot().messages).toHaveLength(2);
  });
});

describe('request bodies', () => {
  it('refuses POST bodies that are not Content-Type: application/json with 415', async () => {
    const box = await sandbox();
    const res = await fetch(`${box.url}/messages`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${box.token}`, 'Content-Type': 'text/plain' },
      body: JSON.stringify({ messages: { account: box.accountId } }),
    });
    expect(res.status).toBe(415);
    expect((await res.json()).error).toMatch(/application\/json/);
  });

  it('refuses malformed JSON with 400', async () => {
    const box = await sandbox();
    const res = await fetch(`${box.url}/posts`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${box.token}`, 'Content-Type': 'application/json; charset=utf-8' },
      body: '{"posts": ',
    });
    expect(res.status).toBe(400);
  });

  it('refuses payloads over maxBodyBytes with 413 (by Content-Length)', async () => {
    const box = await sandbox({ faults: { maxBodyBytes: 2000 } });
    const big = Buffer.alloc(3000, 1).toString('base64');
    const answer = await message(box, { attachments: [{ base64_data: big, filename: 'big.bin' }] });
    expect(answer.status).toBe(413);
    expect(box.snapshot().messages).toHaveLength(0);
    expect((await message(box)).status).toBe(201);
  });

  it('refuses streamed payloads over maxBodyBytes with 413 (no Content-Length)', async () => {
    const box = await sandbox({ faults: { maxBodyBytes: 2000 } });
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request(`${box.url}/messages`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${box.token}`, 'Content-Type': 'application/json' },
      });
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      for (let i = 0; i < 10; i++) req.write('x'.repeat(500));
      req.end();
    });
    expect(status).toBe(413);
  });

  it('survives a client that gives up mid-upload, freeing its slot', async () => {
    const box = await sandbox();
    const req = http.request(`${box.url}/messages`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${box.token}`,
        'Content-Type': 'application/json',
        'Content-Length': '5000',
      },
    });
    req.on('error', () => undefined);
    req.write('{"messages": {"account": "');
    await new Promise((resolve) => setTimeout(resolve, 50));
    req.destroy();
    await expect.poll(() => box.requests()[0]?.endedAt ?? null).not.toBeNull();
    expect(box.snapshot().rate.inFlight).toBe(0);
    expect((await message(box)).status).toBe(201);
  });

  it('accepts a payload of the default 10 MB limit minus a margin', async () => {
    const box = await sandbox();
    const data = Buffer.alloc(7 * 1024 * 1024, 7).toString('base64');
    const answer = await message(box, { attachments: [{ base64_data: data, filename: 'scan.pdf' }] });
    expect(answer.status).toBe(201);
    expect(box.snapshot().messages[0]?.attachments[0]?.size).toBe(7 * 1024 * 1024);
    const logged = box.requests().at(-1)?.body as { messages: { attachments: { base64_data: string }[] } };
    expect(logged.messages.attachments[0]?.base64_data).toMatch(/elided/);
  });

  it('answers unknown routes with 404 JSON', async () => {
    const box = await sandbox();
    const drafts = await call(box, 'POST', '/drafts', { drafts: { send: true } });
    expect(drafts.status).toBe(404);
    expect(drafts.json.error).toMatch(/drafts/);
    expect((await get(box, '/nothing/here')).status).toBe(404);
    const outside = await fetch(`${box.origin}/v2/users`);
    expect(outside.status).toBe(404);
  });
});
