/** JMAP sandbox: Mailbox/get|query|set and Email/import|get, receivedAt, threads, the duplicate policy. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startJmapSandbox, type JmapSandbox } from '../../testbed/jmap-sandbox/server.ts';

const USING = ['urn:ietf:params:jmap:core', 'urn:ietf:params:jmap:mail'];

type Invocation = [string, Record<string, unknown>, string];

function rfc822(fields: Record<string, string>, body = 'Hello from Front.'): string {
  const head = Object.entries(fields).map(([name, value]) => `${name}: ${value}`);
  return [...head, '', body, ''].join('\r\n');
}

function frontMessage(n: number, extra: Record<string, string> = {}): string {
  const id = (k: number) => `<conv-9.msg-${k}@import.example.com>`;
  const reply: Record<string, string> =
    n === 0
      ? {}
      : { 'In-Reply-To': id(n - 1), References: Array.from({ length: n }, (_, k) => id(k)).join(' ') };
  return rfc822({
    From: 'Ada <ada@customer.example>',
    To: 'Support <support@team.example>',
    Subject: n === 0 ? 'Broken login' : 'Re: Broken login',
    Date: 'Wed, 29 Nov 2023 21:17:19 +0000',
    'Message-ID': id(n),
    ...reply,
    ...extra,
  });
}

describe('JMAP sandbox: mailboxes and Email/import', () => {
  let sandbox: JmapSandbox;

  beforeAll(async () => {
    sandbox = await startJmapSandbox();
  });
  afterAll(() => sandbox.close());
  beforeEach(() => {
    sandbox.reset();
    sandbox.setOptions({ duplicates: 'allow' });
  });

  async function api(methodCalls: Invocation[]): Promise<Invocation[]> {
    const response = await fetch(sandbox.apiUrl, {
      method: 'POST',
      headers: { Authorization: `Bearer ${sandbox.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ using: USING, methodCalls }),
    });
    expect(response.status).toBe(200);
    return ((await response.json()) as { methodResponses: Invocation[] }).methodResponses;
  }

  async function call(name: string, args: Record<string, unknown>): Promise<Record<string, unknown>> {
    const [response] = await api([[name, { accountId: sandbox.accountId, ...args }, '0']]);
    return response?.[1] ?? {};
  }

  async function upload(raw: string): Promise<string> {
    const response = await fetch(`${sandbox.origin}/jmap/upload/${sandbox.accountId}/`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${sandbox.token}`, 'Content-Type': 'message/rfc822' },
      body: raw,
    });
    return ((await response.json()) as { blobId: string }).blobId;
  }

  async function createMailbox(name: string): Promise<string> {
    const result = await call('Mailbox/set', { create: { mb: { name } } });
    return (result.created as Record<string, { id: string }>).mb?.id ?? '';
  }

  async function importEmails(emails: Record<string, Record<string, unknown>>) {
    return (await call('Email/import', { emails })) as {
      created: Record<string, { id: string; blobId: string; threadId: string; size: number }> | null;
      notCreated: Record<string, { type: string; existingId?: string; properties?: string[] }> | null;
      oldState: string;
      newState: string;
    };
  }

  describe('mailboxes', () => {
    it('gets the default mailboxes with roles and finds the inbox by role', async () => {
      const { list } = (await call('Mailbox/get', { ids: null })) as {
        list: { name: string; role: string | null }[];
      };
      expect(list.map((m) => m.role)).toEqual(['inbox', 'archive', 'drafts', 'sent', 'junk', 'trash']);
      const { ids } = (await call('Mailbox/query', { filter: { role: 'inbox' } })) as { ids: string[] };
      expect(ids).toEqual([sandbox.mailboxes()[0]?.id]);
    });

    it('creates "Front import/Support" as one name, or nested with parentId through a creation reference', async () => {
      const flat = await call('Mailbox/set', { create: { a: { name: 'Front import/Support' } } });
      expect(flat.created).toMatchObject({
        a: { id: expect.any(String), totalEmails: 0, myRights: { mayAddItems: true } },
      });

      const nested = await call('Mailbox/set', {
        create: { parent: { name: 'Front import' }, child: { name: 'Support', parentId: '#parent' } },
      });
      const created = nested.created as Record<string, { id: string }>;
      const child = sandbox.mailboxes().find((m) => m.id === created.child?.id);
      expect(child).toMatchObject({ name: 'Support', parentId: created.parent?.id });

      const query = (await call('Mailbox/query', { filter: { parentId: created.parent?.id } })) as {
        ids: string[];
      };
      expect(query.ids).toEqual([created.child?.id]);
    });

    it('refuses a sibling with the same name, a second inbox role and an unknown parent', async () => {
      await createMailbox('Front import');
      const result = await call('Mailbox/set', {
        create: {
          same: { name: 'Front import' },
          role: { name: 'Other', role: 'inbox' },
          orphan: { name: 'Orphan', parentId: 'nope' },
        },
      });
      expect(result.created).toBeNull();
      expect(result.notCreated).toMatchObject({
        same: { type: 'invalidProperties', properties: ['name'] },
        role: { type: 'invalidProperties', properties: ['role'] },
        orphan: { type: 'invalidProperties', properties: ['parentId'] },
      });
    });
  });

  describe('Email/import', () => {
    it('imports a blob into a mailbox with keywords and receivedAt; Email/get reads it back', async () => {
      const mailboxId = await createMailbox('Front import/Support');
      const blobId = await upload(frontMessage(0));
      const result = await importEmails({
        c1: {
          blobId,
          mailboxIds: { [mailboxId]: true },
          keywords: { $Seen: true },
          receivedAt: '2023-11-29T21:17:19Z',
        },
      });
      expect(result.notCreated).toBeNull();
      expect(result.newState).not.toBe(result.oldState);
      const created = result.created?.c1;
      expect(created).toMatchObject({ id: expect.any(String), blobId, threadId: expect.any(String) });

      const { list } = (await call('Email/get', {
        ids: [created?.id],
        properties: ['messageId', 'receivedAt', 'mailboxIds', 'keywords', 'subject', 'from', 'sentAt'],
      })) as { list: Record<string, unknown>[] };
      expect(list[0]).toEqual({
        id: created?.id,
        messageId: ['conv-9.msg-0@import.example.com'],
        receivedAt: '2023-11-29T21:17:19Z',
        mailboxIds: { [mailboxId]: true },
        keywords: { $seen: true },
        subject: 'Broken login',
        from: [{ name: 'Ada', email: 'ada@customer.example' }],
        sentAt: '2023-11-29T21:17:19Z',
      });
    });

    it('defaults receivedAt to the newest Received header, else the import time', async () => {
      let clock = Date.parse('2024-05-01T08:00:00Z');
      const clocked = await startJmapSandbox({ now: () => clock });
      try {
        const inbox = clocked.mailboxes()[0]?.id ?? '';
        const withReceived = rfc822({
          Received: 'from mx.example by mail.example; Thu, 30 Nov 2023 09:00:00 +0000',
          'Message-ID': '<r@x.example>',
          Subject: 'R',
        });
        const uploadTo = async (raw: string) => {
          const response = await fetch(`${clocked.origin}/jmap/upload/${clocked.accountId}/`, {
            method: 'POST',
            headers: { Authorization: `Bearer ${clocked.token}`, 'Content-Type': 'message/rfc822' },
            body: raw,
          });
          return ((await response.json()) as { blobId: string }).blobId;
        };
        const emails = {
          a: { blobId: await uploadTo(withReceived), mailboxIds: { [inbox]: true } },
          b: {
            blobId: await uploadTo(rfc822({ 'Message-ID': '<n@x.example>', Subject: 'N' })),
            mailboxIds: { [inbox]: true },
          },
        };
        clock += 1000;
        await fetch(clocked.apiUrl, {
          method: 'POST',
          headers: { Authorization: `Bearer ${clocked.token}`, 'Content-Type': 'application/json' },
          body: JSON.stringify({
            using: USING,
            methodCalls: [['Email/import', { accountId: clocked.accountId, emails }, '0']],
          }),
        });
        const stored = clocked.emails();
        expect(stored.map((e) => [e.receivedAt, e.receivedAtFrom])).toEqual([
          ['2023-11-30T09:00:00Z', 'receivedHeader'],
          ['2024-05-01T08:00:01Z', 'importTime'],
        ]);
      } finally {
        await clocked.close();
      }
    });

    it('answers SetErrors for an unknown blob, no mailbox, a bad receivedAt, a bad keyword and a non-message', async () => {
      const inbox = sandbox.mailboxes()[0]?.id ?? '';
      const blobId = await upload(frontMessage(0));
      const notMessage = await upload('just some words, no header block');
      const result = await importEmails({
        blob: { blobId: 'Gdoesnotexist', mailboxIds: { [inbox]: true } },
        none: { blobId, mailboxIds: {} },
        unknownMailbox: { blobId, mailboxIds: { nope: true } },
        date: { blobId, mailboxIds: { [inbox]: true }, receivedAt: '2023-11-29 21:17:19' },
        keyword: { blobId, mailboxIds: { [inbox]: true }, keywords: { 'bad keyword': true } },
        invalid: { blobId: notMessage, mailboxIds: { [inbox]: true } },
      });
      expect(result.created).toBeNull();
      expect(result.notCreated).toMatchObject({
        blob: { type: 'invalidProperties', properties: ['blobId'] },
        none: { type: 'invalidProperties', properties: ['mailboxIds'] },
        unknownMailbox: { type: 'invalidProperties', properties: ['mailboxIds'] },
        date: { type: 'invalidProperties', properties: ['receivedAt'] },
        keyword: { type: 'invalidProperties', properties: ['keywords'] },
        invalid: { type: 'invalidEmail' },
      });
      expect(sandbox.emails()).toHaveLength(0);
    });

    it('threads replies that reference an earlier email with the same base subject', async () => {
      const inbox = sandbox.mailboxes()[0]?.id ?? '';
      const result = await importEmails({
        m0: { blobId: await upload(frontMessage(0)), mailboxIds: { [inbox]: true } },
        m1: { blobId: await upload(frontMessage(1)), mailboxIds: { [inbox]: true } },
        other: {
          blobId: await upload(frontMessage(1, { Subject: 'Re: Different' })),
          mailboxIds: { [inbox]: true },
        },
      });
      const created = result.created ?? {};
      expect(created.m1?.threadId).toBe(created.m0?.threadId);
      expect(created.other?.threadId).not.toBe(created.m0?.threadId);
    });
  });

  describe('duplicate policy', () => {
    async function importTwice(firstRaw: string, secondRaw: string) {
      const inbox = sandbox.mailboxes()[0]?.id ?? '';
      const first = await importEmails({
        c: { blobId: await upload(firstRaw), mailboxIds: { [inbox]: true } },
      });
      const second = await importEmails({
        c: { blobId: await upload(secondRaw), mailboxIds: { [inbox]: true } },
      });
      return { firstId: first.created?.c?.id, second };
    }

    it("'allow' (default) stores a second copy under a new id", async () => {
      const { firstId, second } = await importTwice(frontMessage(0), frontMessage(0));
      expect(second.created?.c?.id).toBeDefined();
      expect(second.created?.c?.id).not.toBe(firstId);
      expect(sandbox.emails()).toHaveLength(2);
    });

    it("'rejectSameMessageId' answers alreadyExists with existingId, even for different bytes", async () => {
      sandbox.setOptions({ duplicates: 'rejectSameMessageId' });
      const { firstId, second } = await importTwice(
        frontMessage(0),
        frontMessage(0, { 'X-Front-Retry': '1' }),
      );
      expect(second.created).toBeNull();
      expect(second.notCreated?.c).toMatchObject({ type: 'alreadyExists', existingId: firstId });
      expect(sandbox.emails()).toHaveLength(1);
    });

    it("'rejectSameContent' refuses identical bytes only", async () => {
      sandbox.setOptions({ duplicates: 'rejectSameContent' });
      const same = await importTwice(frontMessage(0), frontMessage(0));
      expect(same.second.notCreated?.c).toMatchObject({ type: 'alreadyExists', existingId: same.firstId });
      const changed = await importEmails({
        c: {
          blobId: await upload(frontMessage(0, { 'X-Front-Retry': '1' })),
          mailboxIds: { [sandbox.mailboxes()[0]?.id ?? '']: true },
        },
      });
      expect(changed.created?.c).toBeDefined();
    });
  });
});
