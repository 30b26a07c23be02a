import { describe, expect, it } from 'vitest';
import type { AttachmentInfo, Comment, Conversation, Message } from '../../src/domain/model.ts';
import {
  IMPORT_MARKER,
  MAX_REQUEST_BYTES,
  POST_MARKDOWN_MAX_CHARS,
  SMS_TEXT_MAX_CHARS,
  type EncodedFile,
  type SmsContext,
  commentChunkLengths,
  commentPostPayloads,
  stateKeepingReopen,
  countCommentPosts,
  emailLookupPath,
  planSmsParts,
  requestByteLength,
  smsMessagePayload,
} from '../../src/domain/import/missive-payloads.ts';
import { FLAGS } from '../../src/domain/import/reasons.ts';
import { base64Length } from '../../src/domain/import/text.ts';

// The reference's illustrative SMS (front-export.md §7), normalised to the model (times in ms).
const smsConversation: Conversation = {
  id: 'cnv_3b9xk2',
  seen: true,
  subject: '',
  status: 'archived',
  type: 'conversation',
  createdAt: 1701300000000,
  inboxKeys: ['inb_sms'],
  tags: [],
  assigneeName: null,
  recipientHandle: '+14155550123',
};

function sms(overrides: Partial<Message> = {}): Message {
  return {
    id: 'msg_4k2p9s',
    conversationId: 'cnv_3b9xk2',
    kind: 'sms',
    frontType: 'sms',
    isInbound: true,
    isDraft: false,
    createdAt: 1701300000250,
    subject: '',
    body: 'Running 10 min late',
    text: 'Running 10 min late',
    authorName: null,
    recipients: [
      { handle: '+14155550123', name: null, role: 'from' },
      { handle: '+14155559876', name: null, role: 'to' },
    ],
    attachments: [],
    messageId: null,
    inReplyTo: null,
    references: [],
    eml: null,
    ...overrides,
  };
}

function file(filename: string, size: number, inExport = true): AttachmentInfo {
  return {
    id: null,
    filename,
    contentType: 'image/jpeg',
    size,
    inline: false,
    cid: null,
    ref: inExport ? { source: 'zip1', path: `attachments/msg_4k2p9s/${filename}`, size } : null,
  };
}

const MB = 1_000_000;

const ctx: SmsContext = {
  account: 'fbf74c47-acct',
  channelMessageType: 'text',
  organization: 'org-1',
  team: null,
  sharedLabelIds: [],
  placement: 'closed',
  thread: { missiveConversationId: null, firstOfConversation: true },
};

const htmlCtx: SmsContext = { ...ctx, channelMessageType: 'html' };

function comment(overrides: Partial<Comment> = {}): Comment {
  return {
    id: 'com_1ywg3f2',
    conversationId: 'cnv_yo1kg5q',
    authorName: 'Sam Lee',
    authorEmail: 'sam@acme.com',
    body: '@alex can you check the billing system?',
    postedAt: 1701292690112,
    attachments: [],
    isPinned: false,
    ...overrides,
  };
}

const postCtx = { organization: 'org-1', reopen: false, commentMode: 'per-comment' as const };
const target = { missiveConversationId: 'mconv-9' };

/** Encoded files of the right base64 length for a part (content does not matter to sizes). */
function encode(files: readonly AttachmentInfo[]): EncodedFile[] {
  return files.map((f) => ({ filename: f.filename, base64: 'A'.repeat(base64Length(f.size)) }));
}

describe('smsMessagePayload', () => {
  it('maps the reference inbound SMS exactly (first of its conversation, kept closed)', () => {
    expect(smsMessagePayload(sms(), smsConversation, ctx)).toStrictEqual({
      messages: {
        account: 'fbf74c47-acct',
        body: 'Running 10 min late',
        from_field: { id: '+14155550123', username: '+14155550123', name: '+14155550123' },
        to_fields: [{ id: '+14155559876', username: '+14155559876', name: '+14155559876' }],
        delivered_at: 1701300000,
        external_id: 'msg_4k2p9s',
        references: ['front-cnv_3b9xk2'],
        conversation_subject: 'SMS with +14155550123',
        organization: 'org-1',
        close: true,
        add_to_inbox: false,
      },
    });
  });

  it('uses contact names when Front left the recipient unnamed', () => {
    const payload = smsMessagePayload(sms(), smsConversation, {
      ...ctx,
      contactNames: new Map([['+14155550123', 'Pat Customer']]),
    });
    expect(payload.messages.from_field).toStrictEqual({
      id: '+14155550123',
      username: '+14155550123',
      name: 'Pat Customer',
    });
    expect(payload.messages.conversation_subject).toBe('SMS with Pat Customer');
  });

  it('maps an outbound SMS: the teammate named with our number, to the customer; later SMS append by conversation ID', () => {
    const outbound = sms({
      id: 'msg_out1',
      isInbound: false,
      authorName: 'Sam Lee',
      createdAt: 1701300600999,
      text: 'See you soon',
      body: 'See you soon',
      recipients: [
        { handle: '+14155559876', name: null, role: 'from' },
        { handle: '+14155550123', name: 'Pat Customer', role: 'to' },
      ],
    });
    const payload = smsMessagePayload(outbound, smsConversation, {
      ...ctx,
      team: 'team-7',
      sharedLabelIds: ['label-front'],
      placement: 'inbox',
      thread: { missiveConversationId: 'mconv-1', firstOfConversation: false },
    });
    expect(payload).toStrictEqual({
      messages: {
        account: 'fbf74c47-acct',
        body: 'See you soon',
        from_field: {
          id: '+14155559876',
          username: '+14155559876',
          name: 'Sam Lee (sent from +14155559876)',
        },
        to_fields: [{ id: '+14155550123', username: '+14155550123', name: 'Pat Customer' }],
        delivered_at: 1701300600,
        external_id: 'msg_out1',
        conversation: 'mconv-1',
        organization: 'org-1',
        team: 'team-7',
        add_shared_labels: ['label-front'],
        add_to_inbox: true,
        add_to_team_inbox: true,
      },
    });
  });

  it('threads a later SMS by the shared reference while the Missive conversation ID is unknown', () => {
    const payload = smsMessagePayload(sms({ id: 'msg_2' }), smsConversation, {
      ...ctx,
      thread: { missiveConversationId: null, firstOfConversation: false },
    });
    expect(payload.messages.references).toStrictEqual(['front-cnv_3b9xk2']);
    expect(payload.messages).not.toHaveProperty('conversation');
    expect(payload.messages).not.toHaveProperty('conversation_subject');
  });

  it('keeps the Front subject when there is one', () => {
    const payload = smsMessagePayload(sms(), { ...smsConversation, subject: 'Delivery' }, ctx);
    expect(payload.messages.conversation_subject).toBe('Delivery');
  });

  it('Text channel: the body as written (line breaks kept, nothing escaped), unicode and emoji', () => {
    const text = 'Café ☕ 👍🏽 <b>not bold</b> & "quotes" I\'m late\nLine 2\r\nLine 3';
    const payload = smsMessagePayload(sms({ text, body: text }), smsConversation, ctx);
    expect(payload.messages.body).toBe('Café ☕ 👍🏽 <b>not bold</b> & "quotes" I\'m late\nLine 2\nLine 3');
    expect(requestByteLength(payload)).toBe(Buffer.byteLength(JSON.stringify(payload), 'utf8'));
  });

  it('HTML channel: escapes markup, line breaks as <br>, unicode and emoji kept', () => {
    const text = 'Café ☕ 👍🏽 <b>not bold</b> & "quotes" I\'m late\nLine 2\r\nLine 3';
    const payload = smsMessagePayload(sms({ text, body: text }), smsConversation, htmlCtx);
    expect(payload.messages.body).toBe(
      'Café ☕ 👍🏽 &lt;b&gt;not bold&lt;/b&gt; &amp; &quot;quotes&quot; I&#39;m late<br>Line 2<br>Line 3',
    );
    expect(requestByteLength(payload)).toBe(Buffer.byteLength(JSON.stringify(payload), 'utf8'));
  });

  it('falls back to the HTML body as plain text when Front has no text version', () => {
    const message = sms({ text: '', body: '<p>Hi &amp; bye<br>x</p>' });
    expect(smsMessagePayload(message, smsConversation, ctx).messages.body).toBe('Hi & bye\nx');
    expect(smsMessagePayload(message, smsConversation, htmlCtx).messages.body).toBe('Hi &amp; bye<br>x');
  });

  it('sizes requests for the larger of both message types (HTML escaping only grows a body)', () => {
    const text = '<&>"\'\n'.repeat(1000);
    const message = sms({ text, body: text, attachments: [file('x.bin', 7_400_000)] });
    const { parts } = planSmsParts(message, smsConversation);
    for (const context of [ctx, htmlCtx]) {
      for (const part of parts) {
        const payload = smsMessagePayload(message, smsConversation, context, {
          part,
          files: encode(part.attachments),
        });
        expect(requestByteLength(payload)).toBeLessThanOrEqual(MAX_REQUEST_BYTES);
      }
    }
  });

  it('never sends an empty bubble: "(no text)" unless files carry the message', () => {
    expect(smsMessagePayload(sms({ text: '', body: '' }), smsConversation, ctx).messages.body).toBe(
      '(no text)',
    );
    const photoOnly = sms({ text: '', body: '', attachments: [file('p.jpg', 3)] });
    const [part] = planSmsParts(photoOnly, smsConversation).parts;
    const files = [{ filename: 'p.jpg', base64: 'AQID' }];
    expect(smsMessagePayload(photoOnly, smsConversation, ctx, { part: part!, files }).messages.body).toBe('');
  });

  it('truncates an over-long text, says so in the message, and reports it', () => {
    const long = 'a'.repeat(SMS_TEXT_MAX_CHARS + 10_000);
    const message = sms({ text: long, body: long });
    const payload = smsMessagePayload(message, smsConversation, ctx);
    expect(payload.messages.body.startsWith('a'.repeat(SMS_TEXT_MAX_CHARS) + '\n\n[')).toBe(true);
    expect(payload.messages.body).toContain(`${FLAGS.smsTruncated}: 10000 characters not shown`);
    expect(planSmsParts(message, smsConversation).truncatedChars).toBe(10_000);
  });

  it('sends MMS files as base64 attachments', () => {
    const message = sms({ attachments: [file('photo.jpg', 3)] });
    const { parts, droppedFiles } = planSmsParts(message, smsConversation);
    expect(droppedFiles).toStrictEqual([]);
    expect(parts).toHaveLength(1);
    const payload = smsMessagePayload(message, smsConversation, ctx, {
      part: parts[0]!,
      files: [{ filename: 'photo.jpg', base64: 'AQID' }],
    });
    expect(payload.messages.attachments).toStrictEqual([{ base64_data: 'AQID', filename: 'photo.jpg' }]);
    expect(payload.messages.body).toBe('Running 10 min late');
  });

  it('refuses to build an MMS without exactly its files', () => {
    const message = sms({ attachments: [file('photo.jpg', 3), file('b.jpg', 3)] });
    expect(() => smsMessagePayload(message, smsConversation, ctx)).toThrow(
      /expected files \[photo.jpg, b.jpg\]/,
    );
    const [part] = planSmsParts(message, smsConversation).parts;
    const one = [{ filename: 'photo.jpg', base64: 'AQID' }];
    expect(() => smsMessagePayload(message, smsConversation, ctx, { part: part!, files: one })).toThrow();
    // Files that cannot be sent at all are not expected: the text still goes, with a note.
    const missing = sms({ attachments: [file('gone.jpg', 3, false)] });
    expect(smsMessagePayload(missing, smsConversation, ctx).messages).not.toHaveProperty('attachments');
  });
});

describe('planSmsParts: every request under 10 MB', () => {
  it('splits files that do not fit together over several messages of the same conversation', () => {
    const files = [file('a.jpg', 3 * MB), file('b.jpg', 3 * MB), file('c.jpg', 3 * MB)];
    const message = sms({ attachments: files });
    const { parts, droppedFiles } = planSmsParts(message, smsConversation);
    expect(droppedFiles).toStrictEqual([]);
    expect(parts.map((p) => p.attachments.map((a) => a.filename))).toStrictEqual([
      ['a.jpg', 'b.jpg'],
      ['c.jpg'],
    ]);
    expect(parts.map((p) => p.externalId)).toStrictEqual(['msg_4k2p9s', 'msg_4k2p9s:part-2']);

    const second = smsMessagePayload(message, smsConversation, ctx, {
      part: parts[1]!,
      files: encode(parts[1]!.attachments),
    });
    expect(second.messages.body).toBe('More files of the SMS of Wed 29 Nov 2023, 23:20 UTC (part 2 of 2)');
    expect(second.messages.external_id).toBe('msg_4k2p9s:part-2');
    expect(second.messages.delivered_at).toBe(1701300000);
    expect(second.messages.references).toStrictEqual(['front-cnv_3b9xk2']);
    expect(second.messages).not.toHaveProperty('conversation_subject');
    for (const part of parts) {
      const payload = smsMessagePayload(message, smsConversation, ctx, {
        part,
        files: encode(part.attachments),
      });
      expect(requestByteLength(payload)).toBeLessThanOrEqual(MAX_REQUEST_BYTES);
    }
  });

  it('drops a file whose zip entry declares more than a request holds, whatever Front says its size is', () => {
    const bomb: AttachmentInfo = {
      ...file('photo.jpg', 1000),
      ref: { source: 'zip1', path: 'attachments/msg_4k2p9s/photo.jpg', size: 4 * 1024 * MB },
    };
    const { parts, droppedFiles } = planSmsParts(
      sms({ attachments: [bomb, file('ok.jpg', 1000)] }),
      smsConversation,
    );
    expect(droppedFiles).toStrictEqual([{ filename: 'photo.jpg', size: 1000, reason: FLAGS.fileTooLarge }]);
    expect(parts.flatMap((p) => p.attachments.map((a) => a.filename))).toStrictEqual(['ok.jpg']);
  });

  it('drops and reports a file too large for any request, and a file missing from the export', () => {
    const message = sms({
      attachments: [file('huge.mov', 8 * MB), file('gone.jpg', 1000, false), file('ok.jpg', 1000)],
    });
    const { parts, droppedFiles } = planSmsParts(message, smsConversation);
    expect(droppedFiles).toStrictEqual([
      { filename: 'huge.mov', size: 8 * MB, reason: FLAGS.fileTooLarge },
      { filename: 'gone.jpg', size: 1000, reason: FLAGS.fileMissing },
    ]);
    expect(parts).toHaveLength(1);
    expect(parts[0]!.attachments.map((a) => a.filename)).toStrictEqual(['ok.jpg']);
    const payload = smsMessagePayload(message, smsConversation, ctx, {
      part: parts[0]!,
      files: encode(parts[0]!.attachments),
    });
    expect(payload.messages.body).toBe(
      `Running 10 min late\n\n[File not imported: huge.mov (${FLAGS.fileTooLarge})]\n\n` +
        `[File not imported: gone.jpg (${FLAGS.fileMissing})]`,
    );
    const html = smsMessagePayload(message, smsConversation, htmlCtx, {
      part: parts[0]!,
      files: encode(parts[0]!.attachments),
    });
    expect(html.messages.body).toBe(
      `Running 10 min late<br><br>[File not imported: huge.mov (${FLAGS.fileTooLarge})]<br><br>` +
        `[File not imported: gone.jpg (${FLAGS.fileMissing})]`,
    );
  });

  it('accepts the largest file that fits and no larger, wasting little of the 10 MB', () => {
    const keeps = (size: number) =>
      planSmsParts(sms({ attachments: [file('x.bin', size)] }), smsConversation).droppedFiles.length === 0;
    let lo = 7 * MB;
    let hi = 8 * MB;
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (keeps(mid)) lo = mid;
      else hi = mid;
    }
    const message = sms({ attachments: [file('x.bin', lo)] });
    const { parts } = planSmsParts(message, smsConversation);
    const last = parts[parts.length - 1]!;
    const bytes = requestByteLength(
      smsMessagePayload(
        message,
        smsConversation,
        { ...ctx, team: 'team-7', sharedLabelIds: ['l1'] },
        {
          part: last,
          files: encode(last.attachments),
        },
      ),
    );
    expect(bytes).toBeLessThanOrEqual(MAX_REQUEST_BYTES);
    expect(MAX_REQUEST_BYTES - bytes).toBeLessThan(70_000);
  });

  it('keeps every part under the limit for many random file sets', () => {
    let seed = 42;
    const rng = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let run = 0; run < 12; run++) {
      const files = Array.from({ length: 1 + Math.floor(rng() * 6) }, (_, i) =>
        file(`f${i}-é.jpg`, Math.floor(rng() * 7.4 * MB)),
      );
      const message = sms({ attachments: files });
      const { parts, droppedFiles } = planSmsParts(message, smsConversation);
      expect(droppedFiles).toStrictEqual([]);
      expect(parts.flatMap((p) => p.attachments)).toStrictEqual(files);
      for (const part of parts) {
        const payload = smsMessagePayload(message, smsConversation, ctx, {
          part,
          files: encode(part.attachments),
        });
        expect(requestByteLength(payload)).toBeLessThanOrEqual(MAX_REQUEST_BYTES);
      }
    }
  });
});

describe('commentPostPayloads', () => {
  it('maps the reference comment to one post exactly', () => {
    expect(commentPostPayloads([comment()], target, postCtx)).toStrictEqual([
      {
        commentIds: ['com_1ywg3f2'],
        body: {
          posts: {
            conversation: 'mconv-9',
            username: 'Sam Lee',
            markdown:
              '**Imported from Front**\n\n' +
              '**Sam Lee** · Wed 29 Nov 2023, 21:18 UTC (2023-11-29T21:18:10Z)\n\n' +
              '@alex can you check the billing system?',
            notification: {
              title: 'Imported from Front',
              body: 'Comment by Sam Lee, Wed 29 Nov 2023, 21:18 UTC',
            },
            attachments: [{ footer: 'Front comment com_1ywg3f2', timestamp: 1701292690 }],
            organization: 'org-1',
          },
        },
      },
    ]);
  });

  it('never closes; sends `reopen: true` only when asked (the value that keeps the state)', () => {
    const [plain] = commentPostPayloads([comment()], target, postCtx);
    const [flagged] = commentPostPayloads([comment()], target, { ...postCtx, reopen: true });
    expect(plain!.body.posts).not.toHaveProperty('close');
    expect(plain!.body.posts).not.toHaveProperty('reopen');
    expect(flagged!.body.posts).not.toHaveProperty('close');
    expect(flagged!.body.posts.reopen).toBe(true);
    expect(stateKeepingReopen('flag-keeps-closed')).toStrictEqual({ reopen: true });
    expect(stateKeepingReopen('flag-reopens')).toStrictEqual({});
  });

  it('escapes Markdown and HTML, keeps line breaks, and lists file names (posts cannot carry files)', () => {
    const [post] = commentPostPayloads(
      [
        comment({
          authorName: 'Ann_Lee*',
          body: '*bold* _it_ [link](http://x) #tag <b>hi</b> & co\n- item\n1. one\n> quote\n\n    code `x`',
          attachments: [file('in_voice*.pdf', 10), file('scan (1).png', 10)],
        }),
      ],
      target,
      postCtx,
    );
    expect(post!.body.posts.markdown).toBe(
      '**Imported from Front**\n\n' +
        '**Ann\\_Lee\\*** · Wed 29 Nov 2023, 21:18 UTC (2023-11-29T21:18:10Z)\n\n' +
        '\\*bold\\* \\_it\\_ \\[link\\]\\(http://x\\) \\#tag &lt;b&gt;hi&lt;/b&gt; &amp; co  \n' +
        '\\- item  \n' +
        '1\\. one  \n' +
        '&gt; quote\n' +
        '\n' +
        '&nbsp;&nbsp;&nbsp;&nbsp;code \\`x\\`\n\n' +
        '_Files (not imported: Missive posts cannot carry files):_ in\\_voice\\*.pdf, scan \\(1\\).png',
    );
    expect(post!.body.posts.username).toBe('Ann_Lee*');
    expect(post!.body.posts).not.toHaveProperty('close');
  });

  it('keeps unicode and emoji as they are', () => {
    const [post] = commentPostPayloads(
      [comment({ authorName: 'Zoë 🚀', body: 'Merci ✅ 日本' })],
      target,
      postCtx,
    );
    expect(post!.body.posts.markdown).toContain('**Zoë 🚀** · ');
    expect(post!.body.posts.markdown.endsWith('\n\nMerci ✅ 日本')).toBe(true);
  });

  it('splits a comment too long for one post, each part under the limit and self-describing', () => {
    const words = Array.from({ length: 4000 }, (_, i) => `word${i}`).join(' ');
    const long = comment({ body: words });
    const posts = commentPostPayloads([long], target, postCtx);
    expect(posts.length).toBe(countCommentPosts([commentChunkLengths(long)], 'per-comment'));
    expect(posts.length).toBeGreaterThan(1);
    posts.forEach((post, i) => {
      const { markdown, attachments } = post.body.posts;
      expect(markdown.length).toBeLessThanOrEqual(POST_MARKDOWN_MAX_CHARS);
      expect(markdown.startsWith(`${IMPORT_MARKER}\n\n**Sam Lee** · `)).toBe(true);
      expect(markdown).toContain(` · part ${i + 1} of ${posts.length}\n\n`);
      expect(attachments).toStrictEqual([
        { footer: `Front comment com_1ywg3f2, part ${i + 1} of ${posts.length}`, timestamp: 1701292690 },
      ]);
    });
    const text = posts.map((p) => p.body.posts.markdown.split('\n\n').slice(2).join('\n\n')).join(' ');
    expect(text).toBe(words);
  });

  it('per conversation: all comments oldest first in one post, each with author and date', () => {
    const comments = [
      comment({ id: 'com_3', authorName: 'Cy', body: 'third', postedAt: 1701292690112 + 120_000 }),
      comment({ id: 'com_1', authorName: 'Ann', body: 'first' }),
      comment({ id: 'com_2', authorName: 'Bo', body: 'second', postedAt: 1701292690112 + 60_000 }),
    ];
    const posts = commentPostPayloads(comments, target, { ...postCtx, commentMode: 'per-conversation' });
    expect(posts).toHaveLength(1);
    const { posts: fields } = posts[0]!.body;
    expect(posts[0]!.commentIds).toStrictEqual(['com_1', 'com_2', 'com_3']);
    expect(fields.username).toBe('Front');
    expect(fields.markdown).toBe(
      '**Imported from Front**\n\n' +
        '**Ann** · Wed 29 Nov 2023, 21:18 UTC (2023-11-29T21:18:10Z)\n\nfirst\n\n---\n\n' +
        '**Bo** · Wed 29 Nov 2023, 21:19 UTC (2023-11-29T21:19:10Z)\n\nsecond\n\n---\n\n' +
        '**Cy** · Wed 29 Nov 2023, 21:20 UTC (2023-11-29T21:20:10Z)\n\nthird',
    );
    expect(fields.notification).toStrictEqual({
      title: 'Imported from Front',
      body: '3 comments, from Wed 29 Nov 2023, 21:18 UTC',
    });
    expect(fields.attachments).toStrictEqual([
      { footer: 'Front comment com_1', timestamp: 1701292690 },
      { footer: 'Front comment com_2', timestamp: 1701292750 },
      { footer: 'Front comment com_3', timestamp: 1701292810 },
    ]);
  });

  it('per conversation: splits into several posts when the Markdown would exceed 8,000 characters', () => {
    const comments = Array.from({ length: 12 }, (_, i) =>
      comment({ id: `com_${i}`, postedAt: 1701292690112 + i * 1000, body: `${i} `.repeat(750) }),
    );
    const mode = 'per-conversation' as const;
    const posts = commentPostPayloads(comments, target, { ...postCtx, commentMode: mode });
    expect(posts.length).toBe(countCommentPosts(comments.map(commentChunkLengths), mode));
    expect(posts.length).toBe(3);
    expect(posts.flatMap((p) => p.commentIds)).toStrictEqual(comments.map((c) => c.id));
    for (const post of posts)
      expect(post.body.posts.markdown.length).toBeLessThanOrEqual(POST_MARKDOWN_MAX_CHARS);
    expect(posts[0]!.body.posts.username).toBe('Sam Lee');
  });

  it('marks an empty comment rather than posting nothing', () => {
    const [post] = commentPostPayloads([comment({ body: '   ' })], target, postCtx);
    expect(post!.body.posts.markdown.endsWith('\n\n_(no text)_')).toBe(true);
  });
});

describe('never a draft, never anything outbound', () => {
  it('builds only messages and posts bodies, with no send fields', () => {
    const bodies = [
      smsMessagePayload(sms(), smsConversation, ctx),
      ...commentPostPayloads([comment()], target, postCtx).map((p) => p.body),
    ];
    for (const body of bodies) {
      expect(['messages', 'posts']).toContain(Object.keys(body).join());
      expect(JSON.stringify(body)).not.toMatch(/"(drafts|send|send_at|auto_followup)"/);
    }
  });
});

describe('emailLookupPath', () => {
  it('encodes the Message-ID as a query value', () => {
    expect(emailLookupPath('<a+b@mail.example.com>')).toBe(
      '/messages?email_message_id=%3Ca%2Bb%40mail.example.com%3E',
    );
  });
});
