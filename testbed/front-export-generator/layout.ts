/**
 * Where things go in the zips (reference section 2, Front's sample exporter):
 *
 *   export/{inbox folder}/{cnv id}/{cnv id}.json
 *   export/{inbox folder}/{cnv id}/{created_at}-message-{msg id}.json   (+ .eml beside emails)
 *   export/{inbox folder}/{cnv id}/{posted_at}-comment-{com id}.json
 *   export/{inbox folder}/{cnv id}/attachments/{msg id}/{filename}
 *   export/_meta/{inboxes,channels,teammates,tags}.json                 {"_results": [...]}
 *
 * and the array variant (quack79/front-exporter): `export/{inbox folder}/{inbox id}.json` lists
 * the inbox's conversations (a top-level array or a `_results` envelope), with
 * `{cnv id}/messages.json` and `{cnv id}/comments.json` instead of one file per object.
 */
import type { BuiltConversation, BuiltMessage } from './conversation-builder.ts';
import type { FrontComment, FrontConversation } from './front-types.ts';
import type { PlannedConversation } from './plan.ts';
import type { World, WorldInbox } from './world.ts';

export interface ExportEntry {
  zip: number;
  path: string;
  data: Buffer;
  compress: boolean;
}

/** One copy of a conversation folder and the zips its parts go to. */
export interface Placement {
  inbox: WorldInbox;
  conversationZip: number;
  messagesZip: number;
  commentsZip: number;
}

export function placementsFor(plan: PlannedConversation, zipCount: number): Placement[] {
  const base = plan.index % zipCount;
  const together = (inbox: WorldInbox, zip: number): Placement => ({
    inbox,
    conversationZip: zip,
    messagesZip: zip,
    commentsZip: zip,
  });
  const [home] = plan.inboxes;
  if (!home) throw new Error('a conversation needs an inbox');
  switch (plan.role) {
    case 'shared':
      // Each inbox's copy in its own zip (when there are several): de-duplication must work across zips.
      return plan.inboxes.map((inbox, copy) => together(inbox, (base + copy) % zipCount));
    case 'split':
      return [
        {
          inbox: home,
          conversationZip: base,
          messagesZip: (base + 1) % zipCount,
          commentsZip: zipCount >= 3 ? (base + 2) % zipCount : base,
        },
      ];
    case 'arrayVariant':
      // Its conversation object sits in the inbox's list file, written once into the first zip.
      return [together(home, 0)];
    default:
      return [together(home, base)];
  }
}

export function conversationFolder(inbox: WorldInbox, conversationId: string): string {
  return `export/${inbox.folder}/${conversationId}`;
}

export function messageFileStem(message: BuiltMessage['json']): string {
  return `${message.created_at}-message-${message.id}`;
}

function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value), 'utf8');
}

/** The entries of one conversation in the per-object layout, or the array variant's message/comment lists. */
export function conversationEntries(
  built: BuiltConversation,
  placement: Placement,
  arrayVariant: boolean,
): ExportEntry[] {
  const folder = conversationFolder(placement.inbox, built.conversation.id);
  const entries: ExportEntry[] = [];
  if (!arrayVariant) {
    entries.push({
      zip: placement.conversationZip,
      path: `${folder}/${built.conversation.id}.json`,
      data: json(built.conversation),
      compress: true,
    });
  }
  entries.push(...messageEntries(built.messages, folder, placement.messagesZip, arrayVariant));
  entries.push(...commentEntries(built.comments, folder, placement.commentsZip, arrayVariant));
  return entries;
}

function messageEntries(
  messages: BuiltMessage[],
  folder: string,
  zip: number,
  arrayVariant: boolean,
): ExportEntry[] {
  const entries: ExportEntry[] = [];
  if (arrayVariant && messages.length > 0) {
    const envelope = { _pagination: { next: null }, _results: messages.map((m) => m.json) };
    entries.push({ zip, path: `${folder}/messages.json`, data: json(envelope), compress: true });
  }
  for (const message of messages) {
    const stem = messageFileStem(message.json);
    if (!arrayVariant)
      entries.push({ zip, path: `${folder}/${stem}.json`, data: json(message.json), compress: true });
    if (message.eml) entries.push({ zip, path: `${folder}/${stem}.eml`, data: message.eml, compress: true });
    for (const attachment of message.attachments) {
      if (!attachment.exported) continue;
      entries.push({
        zip,
        path: `${folder}/attachments/${message.json.id}/${attachment.meta.filename}`,
        data: attachment.bytes,
        compress: attachment.compress,
      });
    }
  }
  return entries;
}

function commentEntries(
  comments: FrontComment[],
  folder: string,
  zip: number,
  arrayVariant: boolean,
): ExportEntry[] {
  if (arrayVariant) {
    // The API lists comments newest first; this variant keeps that order in a bare array.
    const newestFirst = [...comments].sort((a, b) => b.posted_at - a.posted_at);
    return comments.length > 0
      ? [{ zip, path: `${folder}/comments.json`, data: json(newestFirst), compress: true }]
      : [];
  }
  return comments.map((comment) => ({
    zip,
    path: `${folder}/${comment.posted_at}-comment-${comment.id}.json`,
    data: json(comment),
    compress: true,
  }));
}

/**
 * The array variant's per-inbox conversation lists. Inboxes alternate between a bare top-level
 * array and an API envelope, so the parser meets both containers.
 */
export function arrayVariantListEntries(
  world: World,
  byInbox: Map<WorldInbox, FrontConversation[]>,
): ExportEntry[] {
  const entries: ExportEntry[] = [];
  for (const [inbox, conversations] of byInbox) {
    const envelope = world.inboxes.indexOf(inbox) % 2 === 1;
    const body = envelope ? { _pagination: { next: null }, _results: conversations } : conversations;
    entries.push({
      zip: 0,
      path: `export/${inbox.folder}/${inbox.inbox.id}.json`,
      data: Buffer.from(JSON.stringify(body, null, 2), 'utf8'),
      compress: true,
    });
  }
  return entries;
}

export function metaEntries(world: World): ExportEntry[] {
  const results = (items: unknown[]): Buffer => json({ _pagination: { next: null }, _results: items });
  return [
    {
      zip: 0,
      path: 'export/_meta/inboxes.json',
      data: results(world.inboxes.map((i) => i.inbox)),
      compress: true,
    },
    {
      zip: 0,
      path: 'export/_meta/channels.json',
      data: results(world.inboxes.flatMap((i) => i.channels)),
      compress: true,
    },
    {
      zip: 0,
      path: 'export/_meta/teammates.json',
      data: results([...world.teammates, ...world.bots]),
      compress: true,
    },
    { zip: 0, path: 'export/_meta/tags.json', data: results(world.tags), compress: true },
  ];
}

/** Directory-walk order: what a zipper walking the export folder would produce. */
export function sortEntries(entries: ExportEntry[]): ExportEntry[] {
  return [...entries].sort((a, b) => a.zip - b.zip || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
