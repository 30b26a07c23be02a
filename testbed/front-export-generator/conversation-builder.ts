/**
 * Builds one conversation with its messages, comments, attachment bytes and .eml files, as Front's
 * API would return them. Pure: the same plan and random stream always give the same objects.
 */
import {
  makeAttachment,
  pickEmailAttachmentKind,
  uniqueFilename,
  type AttachmentKind,
} from './attachments.ts';
import type { Filler } from './binary-files.ts';
import {
  COMPANY,
  DISCUSSION_SUBJECTS,
  NASTY_HTML_SNIPPETS,
  botCommentBody,
  commentBody,
  fillTemplate,
  closingLine,
  greeting,
  largeHtmlTable,
  pickTopic,
  signOff,
  tinyCommentBody,
  type Topic,
} from './content.ts';
import { buildEml, type EmlAddress } from './eml.ts';
import type {
  FrontAttachment,
  FrontComment,
  FrontConversation,
  FrontMessage,
  FrontRecipient,
  FrontTeammate,
} from './front-types.ts';
import type { Rng } from './random.ts';
import { API_BASE, TIMELINE, type Contact, type World, type WorldInbox } from './world.ts';

export type ConversationRole =
  'regular' | 'deleted' | 'commentOnly' | 'shared' | 'split' | 'arrayVariant' | 'longSms' | 'largeBody';

export interface ConversationPlan {
  index: number;
  role: ConversationRole;
  /** Inbox folders the conversation appears in: one, or two for a shared conversation. */
  inboxes: WorldInbox[];
  /** Extra one-word comments (the `tinyFiles` hard case). */
  tinyComments: number;
  /** Attachments whose bytes are left out although attachments were requested. */
  attachmentsWithoutBytes: number;
}

export type MessageKind = 'sms' | 'email' | 'other';

export interface BuiltAttachment {
  meta: FrontAttachment;
  bytes: Buffer;
  /** Packed under attachments/{msg id}/: false when attachments were not requested or left out. */
  exported: boolean;
  compress: boolean;
}

export interface BuiltMessage {
  json: FrontMessage;
  kind: MessageKind;
  /** An email's RFC 5322 Message-ID, whether or not the export carries it. */
  messageId?: string;
  eml: Buffer | null;
  attachments: BuiltAttachment[];
}

export interface BuiltConversation {
  plan: ConversationPlan;
  conversation: FrontConversation;
  messages: BuiltMessage[];
  comments: FrontComment[];
}

export interface BuildSettings {
  includeEml: boolean;
  includeAttachments: boolean;
}

type Flavor = 'email' | 'sms' | 'whatsapp' | 'custom' | 'emailWithCall' | 'smsWithWhatsapp' | 'discussion';

/** Everything the message builders share for one conversation. */
interface Thread {
  world: World;
  rng: Rng;
  filler: Filler;
  settings: BuildSettings;
  plan: ConversationPlan;
  home: WorldInbox;
  conversationId: string;
  contact: Contact;
  topic: Topic;
  subject: string;
  /** Message-IDs of the emails so far, oldest first (In-Reply-To / References). */
  emailIds: string[];
  previous: { id: string; text: string; fromName: string; atSeconds: number } | null;
  attachmentsSoFar: number;
  bytesToLeaveOut: number;
}

export function buildConversation(
  world: World,
  plan: ConversationPlan,
  rng: Rng,
  filler: Filler,
  settings: BuildSettings,
): BuiltConversation {
  const home = plan.inboxes[0];
  if (!home) throw new Error('a conversation needs an inbox');
  const contact = world.contact(rng);
  const topic = pickTopic(rng, home.preferFrench);
  const thread: Thread = {
    world,
    rng,
    filler,
    settings,
    plan,
    home,
    conversationId: world.ids.next('cnv'),
    contact,
    topic,
    subject: fillTemplate(rng, rng.pick(topic.subjects), contact.business),
    emailIds: [],
    previous: null,
    attachmentsSoFar: 0,
    bytesToLeaveOut: settings.includeAttachments ? plan.attachmentsWithoutBytes : 0,
  };
  const flavor = chooseFlavor(plan, home, rng);
  // A 400-SMS thread runs for weeks: start it early enough to end before the export was made.
  const latestStart = TIMELINE.lastConversationSeconds - (plan.role === 'longSms' ? 200 * 86400 : 0);
  const startMs = rng.int(TIMELINE.firstConversationSeconds, latestStart) * 1000;
  const messages = flavor === 'discussion' ? [] : buildMessages(thread, flavor, startMs);
  const lastMessageMs = messages.reduce((latest, m) => Math.max(latest, m.json.created_at * 1000), startMs);
  const comments = buildComments(thread, flavor, startMs, lastMessageMs);
  const conversation = conversationObject(thread, flavor, messages, comments, startMs);
  return { plan, conversation, messages, comments };
}

function chooseFlavor(plan: ConversationPlan, home: WorldInbox, rng: Rng): Flavor {
  if (plan.role === 'commentOnly') return 'discussion';
  if (plan.role === 'longSms') return 'sms';
  if (plan.role === 'largeBody' || plan.attachmentsWithoutBytes > 0) return 'email';
  if (home.primaryKind === 'custom') return 'custom';
  if (home.primaryKind === 'sms') return rng.chance(0.04) ? 'smsWithWhatsapp' : 'sms';
  if (home.secondaryKind === 'whatsapp' && rng.chance(0.05)) return 'whatsapp';
  if (home.secondaryKind === 'custom') {
    if (rng.chance(0.04)) return 'custom';
    if (rng.chance(0.03)) return 'emailWithCall';
  }
  return 'email';
}

// ---------------------------------------------------------------------------------------------
// Messages

function buildMessages(thread: Thread, flavor: Flavor, startMs: number): BuiltMessage[] {
  const { rng, plan } = thread;
  const count =
    plan.role === 'longSms'
      ? rng.int(420, 470)
      : plan.role === 'largeBody'
        ? rng.int(1, 2)
        : flavor === 'sms' || flavor === 'smsWithWhatsapp'
          ? rng.weighted([
              [1, 2],
              [2, 3],
              [4, 3],
              [8, 2],
              [14, 1],
            ] as const)
          : rng.weighted([
              [1, 3],
              [2, 4],
              [3, 3],
              [4, 2],
              [6, 1],
            ] as const);
  // Sales reaches out first now and then; customers start almost everything else.
  let inbound = !(thread.home.spec.name === 'Sales' && rng.chance(0.3)) && rng.chance(0.88);
  let atMs = startMs;
  const messages: BuiltMessage[] = [];
  for (let i = 0; i < count; i++) {
    const kind = messageTypeAt(flavor, i, count);
    const large = plan.role === 'largeBody' && i === 0;
    messages.push(buildMessage(thread, kind, inbound, atMs, i === 0, large));
    atMs +=
      kind === 'email' ? rng.logUniform(5 * 60_000, 3 * 86_400_000) : rng.logUniform(15_000, 8 * 3_600_000);
    // Replies mostly alternate; sometimes one side writes twice in a row.
    if (rng.chance(0.8)) inbound = !inbound;
  }
  return messages;
}

function messageTypeAt(
  flavor: Flavor,
  index: number,
  count: number,
): 'email' | 'sms' | 'whatsapp' | 'custom' {
  switch (flavor) {
    case 'emailWithCall':
      return index === Math.floor(count / 2) && count > 1 ? 'custom' : 'email';
    case 'smsWithWhatsapp':
      return index === count - 1 && count > 1 ? 'whatsapp' : 'sms';
    case 'discussion':
    case 'email':
      return 'email';
    default:
      return flavor;
  }
}

function buildMessage(
  thread: Thread,
  type: 'email' | 'sms' | 'whatsapp' | 'custom',
  inbound: boolean,
  atMs: number,
  first: boolean,
  large: boolean,
): BuiltMessage {
  if (type === 'email') return buildEmail(thread, inbound, atMs, first, large);
  return buildPhoneMessage(thread, type, inbound, atMs);
}

/** Front timestamps: seconds, as an integer or with a millisecond fraction (`1701292702.51`). */
function frontTimestamp(ms: number, rng: Rng): number {
  return rng.chance(0.45) ? Math.floor(ms / 1000) : Math.floor(ms) / 1000;
}

function messageLinks(thread: Thread, id: string): FrontMessage['_links'] {
  const related: FrontMessage['_links']['related'] = {
    conversation: `${API_BASE}/conversations/${thread.conversationId}`,
    message_seen: `${API_BASE}/messages/${id}/seen`,
  };
  if (thread.previous) related.message_replied_to = `${API_BASE}/messages/${thread.previous.id}`;
  return { self: `${API_BASE}/messages/${id}`, related };
}

function customerRecipient(contact: Contact, handle: string, role: FrontRecipient['role']): FrontRecipient {
  return {
    _links: { related: { contact: `${API_BASE}/contacts/${contact.id}` } },
    name: contact.name,
    handle,
    role,
  };
}

function teamRecipient(handle: string, name: string | null, role: FrontRecipient['role']): FrontRecipient {
  return { _links: { related: { contact: null } }, name, handle, role };
}

function pickAuthor(thread: Thread, inbound: boolean): FrontTeammate | null {
  if (inbound) return null;
  // Some outbound messages are sent by rules or the API: no teammate author.
  return thread.rng.chance(0.06) ? null : thread.rng.pick(thread.home.members);
}

function blurbOf(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 120 ? `${flat.slice(0, 119)}…` : flat;
}

function buildPhoneMessage(
  thread: Thread,
  type: 'sms' | 'whatsapp' | 'custom',
  inbound: boolean,
  atMs: number,
): BuiltMessage {
  const { rng, contact, topic, home } = thread;
  const id = thread.world.ids.next('msg');
  const createdAt = frontTimestamp(atMs, rng);
  const channelType = type === 'sms' ? 'twilio' : type === 'whatsapp' ? 'twilio_whatsapp' : 'custom';
  const ownNumber = home.channels.find((channel) => channel.type === channelType)?.address ?? home.address;
  let text =
    type === 'custom' && rng.chance(0.4)
      ? rng.pick([
          `Missed call from ${contact.phone}`,
          `Call recording (${rng.int(0, 9)}m ${rng.int(10, 59)}s)`,
          'Voicemail: please call me back',
        ])
      : fillTemplate(rng, rng.pick(inbound ? topic.smsFromCustomer : topic.smsFromTeam), contact.business);
  const author = pickAuthor(thread, inbound);
  const attachments: BuiltAttachment[] = [];
  if (type !== 'custom' && rng.chance(0.08)) {
    attachments.push(attachmentFor(thread, id, 'mms', atMs, false, new Set()));
    if (rng.chance(0.2)) text = ''; // picture-only MMS
  }
  const recipients = inbound
    ? [customerRecipient(contact, contact.phone, 'from'), teamRecipient(ownNumber, null, 'to')]
    : [teamRecipient(ownNumber, null, 'from'), customerRecipient(contact, contact.phone, 'to')];
  const json: FrontMessage = {
    _links: messageLinks(thread, id),
    id,
    message_uid: rng.hex(32),
    type,
    is_inbound: inbound,
    draft_mode: null,
    error_type: null,
    version: null,
    created_at: createdAt,
    subject: '',
    blurb: blurbOf(text),
    author,
    recipients,
    body: text,
    text,
    attachments: attachments.map((a) => a.meta),
    metadata:
      type === 'custom' ? { external_id: rng.hex(16), headers: { 'x-call-provider': 'aircall' } } : {},
  };
  thread.previous = { id, text, fromName: contact.name ?? contact.phone, atSeconds: createdAt };
  return { json, kind: type === 'sms' ? 'sms' : 'other', eml: null, attachments };
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function paragraphsToHtml(paragraphs: string[]): string {
  return paragraphs.map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>')}</p>`).join('\n');
}

/** Gmail-, Outlook- and Apple-style Message-IDs for customers; the team's own for outbound mail. */
function newMessageId(rng: Rng, inbound: boolean, customerDomain: string): string {
  if (!inbound) return `<${rng.hex(24)}@${COMPANY.domain}>`;
  return rng.weighted<() => string>([
    [() => `<CA${rng.base36(22)}+${rng.base36(10)}@mail.gmail.com>`, 5],
    [() => `<${rng.hex(8).toUpperCase()}.${rng.hex(6)}@${customerDomain}>`, 3],
    [
      () =>
        `<${rng.hex(8)}-${rng.hex(4)}-${rng.hex(4)}-${rng.hex(4)}-${rng.hex(12)}@${customerDomain}>`.toUpperCase(),
      2,
    ],
  ])();
}

interface EmailBody {
  html: string;
  text: string;
}

function emailBody(
  thread: Thread,
  inbound: boolean,
  first: boolean,
  author: FrontTeammate | null,
  large: boolean,
): EmailBody {
  const { rng, topic, contact } = thread;
  if (large) return largeHtmlTable(rng, rng.int(2_500_000, 5_000_000));
  const pool = inbound ? (first ? topic.customerOpeners : topic.customerFollowUps) : topic.agentReplies;
  const paragraphs = [
    greeting(topic, inbound ? null : contact.name),
    fillTemplate(rng, rng.pick(pool), contact.business),
  ];
  if (rng.chance(0.4)) paragraphs.push(closingLine(topic, inbound));
  paragraphs.push(
    signOff(topic, inbound ? contact.name : author ? author.first_name : thread.home.spec.name),
  );
  let html = paragraphsToHtml(paragraphs);
  let text = paragraphs.join('\n\n');
  if (!inbound)
    html += `\n<div class="signature"><b>${escapeHtml(COMPANY.name)}</b> · roasting since 2009 ☕</div>`;
  // Hostile markup only arrives from outside.
  if (inbound && rng.chance(0.08)) html += `\n${rng.pick(NASTY_HTML_SNIPPETS)}`;
  const previous = thread.previous;
  if (previous && rng.chance(0.7)) {
    const quotedText = previous.text
      .split('\n')
      .map((line) => `> ${line}`)
      .join('\n');
    text += `\n\nOn ${new Date(previous.atSeconds * 1000).toUTCString()}, ${previous.fromName} wrote:\n${quotedText}`;
    html += `\n<div class="front-quote"><blockquote>${paragraphsToHtml(previous.text.split('\n\n'))}</blockquote></div>`;
  }
  return { html: `<div dir="ltr">${html}</div>`, text };
}

function buildEmail(
  thread: Thread,
  inbound: boolean,
  atMs: number,
  first: boolean,
  large: boolean,
): BuiltMessage {
  const { rng, contact, home } = thread;
  const id = thread.world.ids.next('msg');
  const createdAt = frontTimestamp(atMs, rng);
  const author = pickAuthor(thread, inbound);
  const subject = first
    ? thread.subject
    : `${thread.topic.language === 'fr' && rng.chance(0.3) ? 'RE' : 'Re'}: ${thread.subject}`;
  const body = emailBody(thread, inbound, first, author, large);
  const attachments = emailAttachments(thread, id, inbound, atMs);
  const inlineLogo = attachments.find((a) => a.meta.metadata.is_inline);
  if (inlineLogo)
    body.html = body.html.replace(
      /<\/div>$/,
      `<img src="cid:${inlineLogo.meta.metadata.cid}" alt="logo"></div>`,
    );

  const customer: EmlAddress = { name: contact.name, address: contact.email };
  const team: EmlAddress = {
    name: author ? `${author.first_name} ${author.last_name}` : home.spec.name,
    address: home.address,
  };
  const cc: EmlAddress[] = rng.chance(0.1)
    ? [{ name: null, address: `accounts@${contact.email.split('@')[1]}` }]
    : [];
  const from = inbound ? customer : team;
  const to = inbound ? team : customer;
  const recipients: FrontRecipient[] = inbound
    ? [customerRecipient(contact, contact.email, 'from'), teamRecipient(home.address, null, 'to')]
    : [teamRecipient(home.address, team.name, 'from'), customerRecipient(contact, contact.email, 'to')];
  for (const copy of cc)
    recipients.push({ _links: { related: { contact: null } }, name: null, handle: copy.address, role: 'cc' });

  const messageId = newMessageId(rng, inbound, contact.email.split('@')[1] ?? 'example.com');
  const inReplyTo = thread.emailIds[thread.emailIds.length - 1] ?? null;
  const references = [...thread.emailIds];
  // Most exports carry the RFC 5322 IDs in metadata.headers; some messages lack them entirely.
  const metadata = rng.chance(0.85) ? { headers: { message_id: messageId, in_reply_to: inReplyTo } } : {};
  const json: FrontMessage = {
    _links: messageLinks(thread, id),
    id,
    message_uid: rng.hex(32),
    type: 'email',
    is_inbound: inbound,
    draft_mode: null,
    error_type: null,
    version: rng.hex(32),
    created_at: createdAt,
    subject,
    blurb: blurbOf(body.text),
    author,
    recipients,
    body: body.html,
    text: body.text,
    attachments: attachments.map((a) => a.meta),
    metadata,
  };
  if (!inbound && author && rng.chance(0.4)) {
    json.signature = {
      id: `sig_${rng.base36(6)}`,
      name: `${author.first_name}'s signature`,
      body: `<p>${escapeHtml(author.first_name)} · ${escapeHtml(COMPANY.name)}</p>`,
      sender_info: null,
      is_visible_for_all_teammate_channels: false,
      is_default: true,
      is_private: true,
      channel_ids: [home.channels[0]?.id ?? ''],
    };
  }
  const eml = thread.settings.includeEml
    ? buildEml({
        from,
        to: [to],
        cc,
        replyTo: null,
        subject,
        sentAt: createdAt,
        utcOffsetMinutes: inbound ? rng.pick([-480, -300, 0, 60, 120, 330, 540]) : 60,
        messageId,
        inReplyTo,
        references,
        text: body.text,
        html: body.html,
        // The .eml carries the attachments the export actually packed.
        attachments: attachments
          .filter((a) => a.exported)
          .map((a) => ({
            filename: a.meta.filename,
            contentType: a.meta.content_type,
            bytes: a.bytes,
            inline: a.meta.metadata.is_inline,
            cid: a.meta.metadata.cid ?? null,
          })),
        traceHeaders: inbound
          ? [
              [
                'Received',
                `from mx.${contact.email.split('@')[1]} by mx.${COMPANY.domain} with ESMTPS id ${rng.hex(12)}; ${new Date(createdAt * 1000).toUTCString()}`,
              ],
            ]
          : [['X-Mailer', 'Front']],
        boundaryToken: rng.hex(16),
      })
    : null;
  thread.emailIds.push(messageId);
  thread.previous = {
    id,
    text: body.text.split('\n\nOn ')[0] ?? body.text,
    fromName: from.name ?? from.address,
    atSeconds: createdAt,
  };
  return { json, kind: 'email', messageId, eml, attachments };
}

function emailAttachments(
  thread: Thread,
  messageId: string,
  inbound: boolean,
  atMs: number,
): BuiltAttachment[] {
  const { rng, plan } = thread;
  const taken = new Set<string>();
  const attachments: BuiltAttachment[] = [];
  // The missing-bytes hard case needs enough attachments to leave out.
  const wanted = Math.max(
    rng.chance(0.22) ? rng.int(1, 2) : 0,
    plan.attachmentsWithoutBytes - thread.attachmentsSoFar,
  );
  for (let i = 0; i < wanted; i++) {
    attachments.push(
      attachmentFor(thread, messageId, pickEmailAttachmentKind(rng, inbound), atMs, false, taken),
    );
  }
  if (!inbound && rng.chance(0.1))
    attachments.push(attachmentFor(thread, messageId, 'logo', atMs, true, taken));
  thread.attachmentsSoFar += attachments.length;
  leaveOutBytes(thread, attachments);
  return attachments;
}

/**
 * The missing-bytes hard case: the JSON lists the attachment, the zip (and the .eml, built after
 * this) lacks its bytes.
 */
function leaveOutBytes(thread: Thread, attachments: BuiltAttachment[]): void {
  for (const attachment of attachments) {
    if (thread.bytesToLeaveOut === 0 || !attachment.exported) return;
    if (attachment.meta.metadata.is_inline) continue;
    attachment.exported = false;
    thread.bytesToLeaveOut--;
  }
}

function attachmentFor(
  thread: Thread,
  messageId: string,
  kind: AttachmentKind,
  atMs: number,
  inline: boolean,
  taken: Set<string>,
): BuiltAttachment {
  const { rng } = thread;
  const file = makeAttachment(kind, {
    rng,
    filler: thread.filler,
    title: thread.subject || 'Acme Roasters',
    atSeconds: Math.floor(atMs / 1000),
    french: thread.topic.language === 'fr',
  });
  const id = thread.world.ids.next('fil');
  const metadata: FrontAttachment['metadata'] = { is_inline: inline };
  if (inline || rng.chance(0.5)) metadata.cid = rng.hex(32);
  return {
    meta: {
      id,
      filename: uniqueFilename(file.filename, taken),
      url: `${API_BASE}/download/${id}`,
      content_type: file.contentType,
      size: file.bytes.length,
      metadata,
    },
    bytes: file.bytes,
    exported: thread.settings.includeAttachments,
    compress: file.compress,
  };
}

// ---------------------------------------------------------------------------------------------
// Comments

function buildComments(
  thread: Thread,
  flavor: Flavor,
  startMs: number,
  lastMessageMs: number,
): FrontComment[] {
  const { rng, plan } = thread;
  const regular = flavor === 'discussion' ? rng.int(2, 6) : rng.chance(0.35) ? rng.int(1, 3) : 0;
  const spanMs = Math.max(lastMessageMs - startMs, 3_600_000) + 86_400_000;
  const comments: FrontComment[] = [];
  const atRandomTime = (): number => startMs + rng.int(60_000, spanMs);
  for (let i = 0; i < regular; i++) comments.push(comment(thread, atRandomTime(), 'regular', comments));
  for (let i = 0; i < plan.tinyComments; i++)
    comments.push(comment(thread, atRandomTime(), 'tiny', comments));
  return comments;
}

function comment(
  thread: Thread,
  atMs: number,
  style: 'regular' | 'tiny',
  earlier: FrontComment[],
): FrontComment {
  const { rng, world } = thread;
  const id = world.ids.next('com');
  const members = thread.plan.inboxes.flatMap((inbox) => inbox.members);
  const byBot = style === 'regular' && rng.chance(0.08);
  const author = byBot ? rng.pick(world.bots) : rng.pick(members);
  const others = world.teammates.filter((t) => t.id !== author.id).map((t) => t.username);
  const body =
    style === 'tiny' ? tinyCommentBody(rng) : byBot ? botCommentBody(rng) : commentBody(rng, others);
  const repliedTo = earlier.length > 0 && rng.chance(0.1) ? rng.pick(earlier) : null;
  return {
    _links: {
      self: `${API_BASE}/comments/${id}`,
      related: {
        conversation: `${API_BASE}/conversations/${thread.conversationId}`,
        mentions: `${API_BASE}/comments/${id}/mentions`,
        comment_replied_to: repliedTo ? `${API_BASE}/comments/${repliedTo.id}` : null,
      },
    },
    id,
    author,
    body,
    posted_at: frontTimestamp(atMs, rng),
    attachments: [],
    is_pinned: rng.chance(0.04),
  };
}

// ---------------------------------------------------------------------------------------------
// The conversation object

function conversationObject(
  thread: Thread,
  flavor: Flavor,
  messages: BuiltMessage[],
  comments: FrontComment[],
  startMs: number,
): FrontConversation {
  const { rng, world, plan, contact, conversationId: id } = thread;
  const lastMessage = messages[messages.length - 1];
  const lastInbound = [...messages].reverse().find((m) => m.json.is_inbound);
  const times = [...messages.map((m) => m.json.created_at), ...comments.map((c) => c.posted_at)];
  // reduce, not Math.min(...times): a conversation may hold tens of thousands of comments.
  const createdAt = messages[0]?.json.created_at ?? times.reduce((a, b) => Math.min(a, b), startMs / 1000);
  const status: FrontConversation['status'] =
    plan.role === 'deleted'
      ? 'deleted'
      : rng.weighted([
          ['archived', 55],
          ['assigned', 20],
          ['unassigned', 25],
        ] as const);
  const assignee =
    status === 'assigned' || (status === 'archived' && rng.chance(0.5))
      ? rng.pick(thread.home.members)
      : null;
  const related: FrontConversation['_links']['related'] = {
    events: `${API_BASE}/conversations/${id}/events`,
    followers: `${API_BASE}/conversations/${id}/followers`,
    messages: `${API_BASE}/conversations/${id}/messages`,
    comments: `${API_BASE}/conversations/${id}/comments`,
    inboxes: `${API_BASE}/conversations/${id}/inboxes`,
  };
  if (lastMessage) related.last_message = `${API_BASE}/messages/${lastMessage.json.id}?referer=conversation`;
  const recipientMessage = lastInbound ?? lastMessage;
  const conversation: FrontConversation = {
    _links: { self: `${API_BASE}/conversations/${id}`, related },
    id,
    type: flavor === 'discussion' ? 'discussion' : 'conversation',
    subject:
      flavor === 'discussion' ? rng.pick(DISCUSSION_SUBJECTS) : isPhoneFlavor(flavor) ? '' : thread.subject,
    status,
    ticket_ids: rng.chance(0.1) ? [`TICKET-${rng.int(1, 9999)}`] : [],
    assignee,
    recipient: recipientMessage
      ? customerRecipient(contact, recipientMessage.kind === 'email' ? contact.email : contact.phone, 'from')
      : null,
    tags: rng.chance(0.4) ? rng.sample(world.tags, rng.int(1, 2)) : [],
    links: [],
    custom_fields: rng.chance(0.15) ? { 'Order ID': `A-${rng.int(10000, 99999)}` } : {},
    created_at: createdAt,
    updated_at: times.reduce((a, b) => Math.max(a, b), createdAt),
    is_private: plan.inboxes.every((inbox) => inbox.inbox.is_private),
    scheduled_reminders: [],
    metadata: {},
  };
  if (status === 'unassigned' && lastInbound) conversation.waiting_since = lastInbound.json.created_at;
  return conversation;
}

function isPhoneFlavor(flavor: Flavor): boolean {
  return flavor === 'sms' || flavor === 'smsWithWhatsapp' || flavor === 'whatsapp' || flavor === 'custom';
}
