import { describe, expect, it } from 'vitest';
import type { MissiveSandbox } from '../../testbed/missive-sandbox/server.ts';
import { comment, get, message, sandbox } from './helpers.ts';

/** One SMS conversation whose last activity is `at` (Unix seconds); returns its id. */
async function conversationAt(box: MissiveSandbox, at: number, fields: Record<string, unknown> = {}) {
  const answer = await message(box, { delivered_at: at, ...fields });
  expect(answer.status).toBe(201);
  return answer.json.messages.conversation.id as string;
}

function ids(answer: { json: { conversations: { id: string }[] } }): string[] {
  return answer.json.conversations.map((c) => c.id);
}

function fixtureIds(box: MissiveSandbox) {
  const state = box.snapshot();
  return {
    vip: state.sharedLabels[0]!.id,
    billing: state.sharedLabels[1]!.id,
    support: state.teams[0]!.id,
    sales: state.teams[1]!.id,
    teammate: state.users[1]!.id,
  };
}

describe('GET /conversations: filters', () => {
  it('must be filtered: 400 without a filter, with two, or with a mailbox not set to true', async () => {
    const box = await sandbox();
    const none = await get(box, '/conversations');
    expect(none.status).toBe(400);
    expect(none.json.error).toMatch(/inbox, all, assigned.*shared_label, team_inbox/);
    expect((await get(box, '/conversations?limit=10&organization=' + box.organizationId)).status).toBe(400);
    expect((await get(box, '/conversations?inbox=true&closed=true')).status).toBe(400);
    expect((await get(box, '/conversations?inbox=false')).json.error).toMatch(/inbox must be true/);
    expect((await get(box, '/conversations?shared_label=')).status).toBe(400);
    for (const name of ['inbox', 'all', 'assigned', 'closed', 'snoozed', 'flagged', 'trashed', 'junked']) {
      const answer = await get(box, `/conversations?${name}=true`);
      expect(answer.status, name).toBe(200);
      expect(answer.json).toEqual({ conversations: [] });
    }
    expect((await get(box, '/conversations?drafts=true')).status).toBe(200);
  });

  it('answers 404 for a shared label or team that does not exist', async () => {
    const box = await sandbox();
    expect((await get(box, '/conversations?shared_label=nope')).status).toBe(404);
    for (const name of ['team_inbox', 'team_closed', 'team_all']) {
      const answer = await get(box, `/conversations?${name}=nope`);
      expect(answer.status, name).toBe(404);
      expect(answer.json.error).toMatch(/team nope not found/);
    }
  });

  it('lists the conversations labelled by add_shared_labels on messages and on posts', async () => {
    const box = await sandbox();
    const { vip, billing } = fixtureIds(box);
    const bySms = await conversationAt(box, 1_700_000_100, { add_shared_labels: [vip] });
    const other = await conversationAt(box, 1_700_000_200, { add_shared_labels: [billing] });
    const email = box.seedEmail({ messageId: '<e@mail.example>', subject: 'Invoice' });
    expect((await comment(box, { conversation: email, add_shared_labels: [vip] })).status).toBe(201);
    const labelled = await get(box, `/conversations?shared_label=${vip}`);
    expect(labelled.status).toBe(200);
    // The post is the newest activity (dated now), then the SMS of 2023.
    expect(ids(labelled)).toEqual([email, bySms]);
    expect(ids(await get(box, `/conversations?shared_label=${billing}`))).toEqual([other]);
    // A label removed by a later post no longer lists the conversation.
    await comment(box, { conversation: bySms, remove_shared_labels: [vip] });
    expect(ids(await get(box, `/conversations?shared_label=${vip}`))).toEqual([email]);
  });

  it('filters by mailbox, team and organization as the token owner sees them', async () => {
    const box = await sandbox();
    const { support, sales, teammate } = fixtureIds(box);
    const org = box.organizationId;
    const open = await conversationAt(box, 1_700_000_100, { organization: org, team: support });
    const closed = await conversationAt(box, 1_700_000_200, {
      organization: org,
      team: support,
      close: true,
    });
    const mine = await conversationAt(box, 1_700_000_300, {
      organization: org,
      add_assignees: [box.userId],
      add_to_inbox: false,
    });
    const theirs = await conversationAt(box, 1_700_000_400, {
      organization: org,
      team: sales,
      add_assignees: [teammate],
    });
    const personal = await conversationAt(box, 1_700_000_500);
    const list = async (query: string) => ids(await get(box, `/conversations?${query}`));
    expect(await list('all=true')).toEqual([personal, theirs, mine, closed, open]);
    expect(await list('inbox=true')).toEqual([personal, theirs, open]);
    expect(await list('closed=true')).toEqual([closed]);
    expect(await list('assigned=true')).toEqual([mine]);
    expect(await list(`team_all=${support}`)).toEqual([closed, open]);
    expect(await list(`team_inbox=${support}`)).toEqual([open]);
    expect(await list(`team_closed=${support}`)).toEqual([closed]);
    expect(await list(`team_inbox=${sales}`)).toEqual([theirs]);
    expect(await list(`all=true&organization=${org}`)).toEqual([theirs, mine, closed, open]);
    expect(await list('all=true&organization=other-org')).toEqual([]);
  });
});

describe('GET /conversations: fields and paging', () => {
  it('shows the documented conversation fields', async () => {
    const box = await sandbox();
    const { vip, support } = fixtureIds(box);
    const id = await conversationAt(box, 1_700_000_000, {
      subject: 'Order 42',
      organization: box.organizationId,
      team: support,
      add_shared_labels: [vip],
      add_assignees: [box.userId],
      conversation_color: '#ff0000',
    });
    const [conversation] = (await get(box, `/conversations?shared_label=${vip}`)).json.conversations;
    expect(conversation).toMatchObject({
      id,
      created_at: expect.any(Number),
      subject: 'Order 42',
      latest_message_subject: 'Order 42',
      organization: { id: box.organizationId, name: expect.any(String) },
      team: { id: support, name: 'Support' },
      color: '#ff0000',
      assignees: [{ id: box.userId }],
      users: [expect.objectContaining({ id: box.userId, assigned: true, closed: false })],
      authors: expect.any(Array),
      messages_count: 1,
      last_activity_at: 1_700_000_000,
      web_url: `https://mail.missiveapp.com/#inbox/conversations/${id}`,
      app_url: expect.stringContaining(id),
      shared_labels: [expect.objectContaining({ id: vip, name: 'VIP' })],
    });
  });

  it('lists newest activity first, 25 by default, at most 50', async () => {
    const box = await sandbox();
    const { vip } = fixtureIds(box);
    const created: string[] = [];
    for (let i = 0; i < 60; i++) {
      created.push(await conversationAt(box, 1_700_000_000 + i * 60, { add_shared_labels: [vip] }));
    }
    const newestFirst = [...created].reverse();
    const byDefault = await get(box, `/conversations?shared_label=${vip}`);
    expect(ids(byDefault)).toEqual(newestFirst.slice(0, 25));
    const times = byDefault.json.conversations.map((c: { last_activity_at: number }) => c.last_activity_at);
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(ids(await get(box, `/conversations?shared_label=${vip}&limit=10`))).toEqual(
      newestFirst.slice(0, 10),
    );
    expect(ids(await get(box, `/conversations?shared_label=${vip}&limit=200`))).toEqual(
      newestFirst.slice(0, 50),
    );
    expect((await get(box, `/conversations?shared_label=${vip}&limit=0`)).status).toBe(400);
  });

  it('pages with until = the oldest last_activity_at of the previous page (exclusive, seconds)', async () => {
    const box = await sandbox();
    const { vip } = fixtureIds(box);
    const created: string[] = [];
    for (let i = 0; i < 7; i++) {
      created.push(await conversationAt(box, 1_700_000_000 + i, { add_shared_labels: [vip] }));
    }
    const first = await get(box, `/conversations?shared_label=${vip}&limit=3`);
    expect(ids(first)).toEqual([created[6], created[5], created[4]]);
    const oldest = Math.min(
      ...first.json.conversations.map((c: { last_activity_at: number }) => c.last_activity_at),
    );
    expect(oldest).toBe(1_700_000_004);
    const second = await get(box, `/conversations?shared_label=${vip}&limit=3&until=${oldest}`);
    expect(ids(second)).toEqual([created[3], created[2], created[1]]);
    const last = await get(box, `/conversations?shared_label=${vip}&limit=3&until=1700000001`);
    expect(ids(last)).toEqual([created[0]]);
    expect(ids(await get(box, `/conversations?shared_label=${vip}&until=1700000000`))).toEqual([]);
    expect((await get(box, `/conversations?shared_label=${vip}&until=soon`)).status).toBe(400);
    const millis = await get(box, `/conversations?shared_label=${vip}&until=${oldest * 1000}`);
    expect(millis.status).toBe(400);
    expect(millis.json.error).toMatch(/seconds/);
  });

  it('extends a page to every conversation sharing its boundary timestamp, so paging loses none', async () => {
    const box = await sandbox();
    const { vip } = fixtureIds(box);
    const created: string[] = [];
    // Activity times: 5 at t+9, then 4 sharing t+5, then 3 at t+1..t+3.
    const times = [9, 9, 9, 9, 9, 5, 5, 5, 5, 3, 2, 1].map((s) => 1_700_000_000 + s);
    for (const at of times) created.push(await conversationAt(box, at, { add_shared_labels: [vip] }));
    const page1 = await get(box, `/conversations?shared_label=${vip}&limit=3`);
    expect(page1.json.conversations).toHaveLength(5); // all five of t+9
    const seen: string[] = [];
    let until: number | null = null;
    for (let pages = 0; pages < 10; pages++) {
      const query: string =
        `/conversations?shared_label=${vip}&limit=3` + (until === null ? '' : `&until=${until}`);
      const page = (await get(box, query)).json.conversations as { id: string; last_activity_at: number }[];
      if (page.length === 0) break;
      seen.push(...page.map((c) => c.id));
      until = Math.min(...page.map((c) => c.last_activity_at));
    }
    expect(seen).toHaveLength(created.length);
    expect(new Set(seen)).toEqual(new Set(created));
  });

  it('counts against the rate limits and needs the token, like every /v1 request', async () => {
    const box = await sandbox();
    const { vip } = fixtureIds(box);
    const res = await fetch(`${box.url}/conversations?shared_label=${vip}`);
    expect(res.status).toBe(401);
    const answer = await get(box, `/conversations?shared_label=${vip}`);
    expect(answer.headers.get('x-ratelimit-remaining')).not.toBeNull();
    expect(box.requests().at(-1)).toMatchObject({ method: 'GET', path: '/v1/conversations' });
  });
});
