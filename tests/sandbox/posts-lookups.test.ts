import { describe, expect, it } from 'vitest';
import { call, comment, get, message, post, sandbox } from './helpers.ts';

describe('POST /posts', () => {
  it('requires notification {title, body} and one of text, markdown, attachments', async () => {
    const box = await sandbox();
    const noNotification = await post(box, '/posts', { posts: { text: 'x' } });
    const halfNotification = await comment(box, { notification: { title: 'only a title' } });
    const noContent = await post(box, '/posts', { posts: { notification: { title: 't', body: 'b' } } });
    expect([noNotification.status, halfNotification.status, noContent.status]).toEqual([400, 400, 400]);
    expect(noNotification.json.error).toMatch(/notification/);
    expect(noContent.json.error).toMatch(/text, markdown or attachments/);
    const attachmentsOnly = await comment(box, {
      markdown: undefined,
      attachments: [{ footer: 'Front comment com_1' }],
    });
    expect(attachmentsOnly.status).toBe(201);
  });

  it('posts into `conversation`, answering {posts: {id, conversation}}; unknown conversation is 404', async () => {
    const box = await sandbox();
    const conversation = box.seedEmail({ messageId: '<a@mail.example>', subject: 'Invoice' });
    const answer = await comment(box, { conversation, close: true });
    expect(answer.status).toBe(201);
    expect(answer.json).toEqual({ posts: { id: expect.any(String), conversation } });
    const state = box.snapshot();
    expect(state.conversations[0]).toMatchObject({ id: conversation, closed: true });
    expect(state.conversations[0]?.posts.map((p) => p.id)).toEqual([answer.json.posts.id]);
    expect((await comment(box, { conversation: 'nope' })).status).toBe(404);
  });

  it('finds the conversation of a seeded email by reference, chevrons optional', async () => {
    const box = await sandbox();
    const conversation = box.seedEmail({ messageId: '<b@mail.example>' });
    const withChevrons = await comment(box, { references: ['<b@mail.example>'] });
    const without = await comment(box, { references: ['b@mail.example'] });
    expect(withChevrons.json.posts.conversation).toBe(conversation);
    expect(without.json.posts.conversation).toBe(conversation);
  });

  it("never joins a custom message's conversation by its references or external_id (email Message-IDs only)", async () => {
    const box = await sandbox();
    const sms = await message(box, { references: ['front-cnv_42'], external_id: 'msg_42' });
    const byReference = await comment(box, { references: ['front-cnv_42'] });
    const byExternalId = await comment(box, { references: ['msg_42'] });
    expect(byReference.json.posts.conversation).not.toBe(sms.json.messages.conversation.id);
    expect(byExternalId.json.posts.conversation).not.toBe(sms.json.messages.conversation.id);
    expect(box.snapshot().conversations).toHaveLength(3);
  });

  it('starts an orphan conversation when no reference matches; references with whitespace are ignored', async () => {
    const box = await sandbox();
    const conversation = box.seedEmail({ messageId: 'c@mail.example' });
    const orphan = await comment(box, { references: ['<unknown@mail.example>'] });
    const spaced = await comment(box, { references: ['c@mail.example with spaces'] });
    expect(orphan.json.posts.conversation).not.toBe(conversation);
    expect(spaced.json.posts.conversation).not.toBe(conversation);
    expect(box.snapshot().conversations).toHaveLength(3);
  });

  it('truncates text and markdown past the post text limit and says so in the snapshot', async () => {
    const box = await sandbox({ postTextLimit: 10 });
    await comment(box, { markdown: 'x'.repeat(25), text: 'short' });
    const stored = box.snapshot().posts[0];
    expect(stored).toMatchObject({ markdown: 'x'.repeat(10), text: 'short', truncated: ['markdown'] });
  });

  it('deletes posts with DELETE /posts/:id', async () => {
    const box = await sandbox();
    const id = (await comment(box)).json.posts.id;
    expect((await call(box, 'DELETE', `/posts/${id}`)).status).toBe(200);
    expect((await call(box, 'DELETE', `/posts/${id}`)).status).toBe(404);
    expect(box.snapshot().posts).toHaveLength(0);
    expect(box.snapshot().conversations[0]?.posts).toHaveLength(0);
  });
});

describe('lookups', () => {
  it('finds seeded emails by email_message_id, chevrons optional', async () => {
    const box = await sandbox();
    const conversation = box.seedEmail({ messageId: '<d@mail.example>', subject: 'Refund' });
    for (const id of ['<d@mail.example>', 'd@mail.example']) {
      const answer = await get(box, `/messages?email_message_id=${encodeURIComponent(id)}`);
      expect(answer.status).toBe(200);
      expect(answer.json.messages).toEqual([
        expect.objectContaining({
          id: expect.any(String),
          email_message_id: '<d@mail.example>',
          subject: 'Refund',
          conversation: expect.objectContaining({
            id: conversation,
            subject: 'Refund',
            web_url: expect.any(String),
          }),
        }),
      ]);
    }
    expect((await get(box, '/messages?email_message_id=none@mail.example')).json).toEqual({ messages: [] });
    expect((await get(box, '/messages')).status).toBe(400);
  });

  it('returns the latest 10 emails when a Message-ID was reused', async () => {
    const box = await sandbox();
    for (let i = 0; i < 12; i++) box.seedEmail({ messageId: 'reused@mail.example', subject: `copy ${i}` });
    const answer = await get(box, '/messages?email_message_id=reused@mail.example');
    expect(answer.json.messages.map((m: { subject: string }) => m.subject)).toEqual(
      Array.from({ length: 10 }, (_, i) => `copy ${11 - i}`),
    );
  });

  it('seeds into a given conversation id, creating it if needed', async () => {
    const box = await sandbox();
    expect(box.seedEmail({ messageId: 'e1@x', conversationId: 'conv-fixed' })).toBe('conv-fixed');
    expect(box.seedEmail({ messageId: 'e2@x', conversationId: 'conv-fixed' })).toBe('conv-fixed');
    expect(box.snapshot().conversations[0]?.emails).toHaveLength(2);
  });

  it('gets messages by id (one → object, several → array) and conversations by id', async () => {
    const box = await sandbox();
    const a = (await message(box, { external_id: 'a' })).json.messages;
    const b = (await message(box, { external_id: 'b' })).json.messages;
    const one = await get(box, `/messages/${a.id}`);
    expect(one.json.messages).toMatchObject({ id: a.id, external_id: 'a', body: 'Hello' });
    const several = await get(box, `/messages/${a.id},${b.id}`);
    expect(several.json.messages.map((m: { id: string }) => m.id)).toEqual([a.id, b.id]);
    expect((await get(box, `/messages/${a.id},nope`)).status).toBe(404);
    const conversation = await get(box, `/conversations/${a.conversation.id}`);
    expect(conversation.json.conversations).toEqual([
      expect.objectContaining({ id: a.conversation.id, messages_count: 1, web_url: expect.any(String) }),
    ]);
    expect((await get(box, '/conversations/nope')).status).toBe(404);
  });

  it('pages conversation messages newest first, 10 at most, with `until`', async () => {
    const box = await sandbox();
    const conversation = box.seedEmail({ messageId: 'thread@x' }); // delivered now: the newest
    for (let i = 0; i < 14; i++) {
      await message(box, { conversation, external_id: `m${i}`, delivered_at: 1_700_000_000 + i });
    }
    const first = await get(box, `/conversations/${conversation}/messages`);
    const ids = (page: { json: { messages: { external_id?: string; type: string }[] } }) =>
      page.json.messages.map((m) => m.external_id ?? m.type);
    expect(ids(first)).toEqual(['email', 'm13', 'm12', 'm11', 'm10', 'm9', 'm8', 'm7', 'm6', 'm5']);
    const until = first.json.messages.at(-1).delivered_at;
    const second = await get(box, `/conversations/${conversation}/messages?until=${until}`);
    expect(ids(second)).toEqual(['m4', 'm3', 'm2', 'm1', 'm0']);
    const small = await get(box, `/conversations/${conversation}/messages?limit=3&until=${until}`);
    expect(ids(small)).toEqual(['m4', 'm3', 'm2']);
    const capped = await get(box, `/conversations/${conversation}/messages?limit=50`);
    expect(capped.json.messages).toHaveLength(10);
  });

  it('pages posts newest first, keeping posts of the same second together', async () => {
    const box = await sandbox();
    const conversation = box.seedEmail({ messageId: 'posts@x' });
    for (let i = 0; i < 12; i++) await comment(box, { conversation, markdown: `comment ${i}` });
    const page = await get(box, `/conversations/${conversation}/posts`);
    const texts: string[] = page.json.posts.map((p: { markdown: string }) => p.markdown);
    // Twelve posts created within a second or two: a page may hold more than `limit` (documented).
    expect(texts[0]).toBe('comment 11');
    expect(texts.length).toBeGreaterThanOrEqual(10);
    const until = page.json.posts.at(-1).created_at;
    const rest = await get(box, `/conversations/${conversation}/posts?until=${until}`);
    const all = [...texts, ...rest.json.posts.map((p: { markdown: string }) => p.markdown)];
    expect(all).toEqual(Array.from({ length: 12 }, (_, i) => `comment ${11 - i}`));
    expect((await get(box, `/conversations/${conversation}/comments`)).json).toEqual({ comments: [] });
  });
});

describe('listings, contacts and labels', () => {
  it('lists organizations, teams, shared labels and contact books in their envelopes', async () => {
    const box = await sandbox();
    const organizations = (await get(box, '/organizations')).json.organizations;
    expect(organizations).toEqual([{ id: box.organizationId, name: expect.any(String) }]);
    const teams = (await get(box, `/teams?organization=${box.organizationId}`)).json.teams;
    expect(teams.length).toBeGreaterThan(0);
    expect(teams[0]).toMatchObject({
      id: expect.any(String),
      name: expect.any(String),
      organization: box.organizationId,
    });
    expect((await get(box, '/teams?organization=other')).json.teams).toEqual([]);
    const labels = (await get(box, '/shared_labels')).json.shared_labels;
    expect(labels[0]).toMatchObject({ id: expect.any(String), name_with_parent_names: expect.any(String) });
    const books = (await get(box, '/contact_books')).json.contact_books;
    expect(books[0]).toMatchObject({ id: expect.any(String), name: expect.any(String) });
  });

  it('paginates with limit and offset, capping limit at 200', async () => {
    const box = await sandbox();
    const users = (await get(box, '/users?limit=1&offset=1')).json.users;
    expect(users).toHaveLength(1);
    expect(users[0].me).toBe(false);
    expect((await get(box, '/users?limit=1000')).json.users).toHaveLength(3);
    expect((await get(box, '/users?limit=abc')).status).toBe(400);
  });

  it('creates contacts in bulk and finds them by search', async () => {
    const box = await sandbox();
    const book = box.snapshot().contactBooks[0]?.id;
    const created = await post(box, '/contacts', {
      contacts: [
        {
          contact_book: book,
          first_name: 'Ada',
          infos: [{ kind: 'email', label: 'work', value: 'ada@ex.com' }],
        },
        { contact_book: book, first_name: 'Bob', infos: [{ kind: 'phone_number', value: '+15550003' }] },
      ],
    });
    expect(created.status).toBe(201);
    expect(
      created.json.contacts.map((c: { id: string; first_name: string }) => [typeof c.id, c.first_name]),
    ).toEqual([
      ['string', 'Ada'],
      ['string', 'Bob'],
    ]);
    const found = await get(box, `/contacts?contact_book=${book}&search=ADA@EX`);
    expect(found.json.contacts.map((c: { first_name: string }) => c.first_name)).toEqual(['Ada']);
    expect((await get(box, `/contacts?contact_book=${book}&limit=1&offset=1`)).json.contacts).toHaveLength(1);
    expect((await get(box, '/contacts')).status).toBe(400);
    expect((await get(box, '/contacts?contact_book=nope')).status).toBe(404);
  });

  it('refuses contacts without an existing contact_book, creating none of the batch', async () => {
    const box = await sandbox();
    const book = box.snapshot().contactBooks[0]?.id;
    const answer = await post(box, '/contacts', {
      contacts: [{ contact_book: book, first_name: 'Ok' }, { first_name: 'No book' }],
    });
    expect(answer.status).toBe(400);
    expect(answer.json.error).toMatch(/contact_book/);
    expect((await post(box, '/contacts', { contacts: [{ contact_book: 'nope' }] })).status).toBe(400);
    expect(
      (
        await post(box, '/contacts', {
          contacts: [{ contact_book: book, infos: [{ kind: 'fax', value: '1' }] }],
        })
      ).status,
    ).toBe(400);
    expect(box.snapshot().contacts).toHaveLength(0);
  });

  it('creates shared labels from an array', async () => {
    const box = await sandbox();
    const created = await post(box, '/shared_labels', {
      shared_labels: [
        { name: 'Front: urgent', organization: box.organizationId, color: '#ff0000' },
        { name: 'Front: later', organization: box.organizationId },
      ],
    });
    expect(created.status).toBe(201);
    expect(created.json.shared_labels.map((l: { name: string }) => l.name)).toEqual([
      'Front: urgent',
      'Front: later',
    ]);
    const listed = (await get(box, '/shared_labels')).json.shared_labels.map((l: { name: string }) => l.name);
    expect(listed).toEqual(expect.arrayContaining(['Front: urgent', 'Front: later']));
    expect((await post(box, '/shared_labels', { shared_labels: [{ name: 'x' }] })).status).toBe(400);
    expect((await post(box, '/shared_labels', { shared_labels: { name: 'x' } })).status).toBe(400);
    const labelId = created.json.shared_labels[0].id;
    expect((await message(box, { add_shared_labels: [labelId] })).status).toBe(201);
  });
});
