/**
 * Parses one JSON entry of the export into normalised Front objects. Accepts a single object, a
 * top-level array, `{"_results": [...]}` envelopes and combined per-conversation files (a
 * conversation with embedded `messages`/`comments`, or `{conversation, messages, comments}`).
 * Each object is classified by ID prefix, confirmed by shape, validated, then normalised; every
 * object that cannot be used is reported with a reason, never dropped silently.
 */
import type { z } from 'zod';
import type { UnrecognizedEntry } from '../model.ts';
import type { ParsedEntry } from './contract.ts';
import {
  linkedConversationId,
  toChannel,
  toComment,
  toContact,
  toConversation,
  toInbox,
  toMessage,
  toTeammate,
} from './normalize.ts';
import { conversationIdFromPath, conversationInboxKeysFromPath, frontIdPrefix, splitPath } from './paths.ts';
import {
  channelSchema,
  commentSchema,
  contactSchema,
  conversationSchema,
  inboxSchema,
  messageSchema,
  teammateObjectSchema,
} from './schemas.ts';

export interface JsonEntryContext {
  /** Source zip file name as dropped. */
  source: string;
  /** Entry path inside the zip. */
  path: string;
}

/** Containers nest at most this deep (array → combined conversation → its messages, with room to spare). */
const MAX_CONTAINER_DEPTH = 3;
const MAX_ISSUES_SHOWN = 3;
const MAX_KEYS_SHOWN = 5;
const ZOD_MESSAGE_PREFIX = /^Invalid input: /;
/** Identifies a top-level object without `id` from its file name (front-export.md §8 rule 4). */
const OBJECT_ID_IN_FILE_NAME = /(?:^|[^A-Za-z0-9])((?:cnv|msg|com)_[A-Za-z0-9]+)\.json$/i;

/**
 * Known Front objects that the import does not use: counted by kind in the summary ("Front objects not
 * used by the import"), so nothing disappears silently, but not listed as unrecognised.
 */
const UNUSED_OBJECT_KINDS: Readonly<Record<string, string>> = {
  fil: 'attachment',
  tag: 'tag',
  top: 'link',
  grp: 'contact list',
  sts: 'ticket status',
  tim: 'team',
  jen: 'team',
  rul: 'rule',
  exp: 'analytics export',
};

type JsonRecord = Record<string, unknown>;

/** Per-entry state; path-derived values are computed once, on first use. */
class EntryScope {
  readonly result: ParsedEntry = { objects: [], unrecognized: [] };
  private folderConversation: string | null | undefined;
  private conversationInboxKeys: string[] | undefined;

  constructor(private readonly context: JsonEntryContext) {}

  report(reason: string): void {
    const entry: UnrecognizedEntry = { source: this.context.source, path: this.context.path, reason };
    this.result.unrecognized.push(entry);
  }

  /** The enclosing `cnv_…` folder: a message's fallback parent. */
  folderConversationId(): string | null {
    if (this.folderConversation === undefined) {
      this.folderConversation = conversationIdFromPath(this.context.path);
    }
    return this.folderConversation;
  }

  /** A fresh array per conversation: callers may extend it when merging. */
  inboxKeysForConversation(): string[] {
    this.conversationInboxKeys ??= conversationInboxKeysFromPath(this.context.path);
    return this.conversationInboxKeys.slice();
  }

  objectIdFromFileName(): string | null {
    const name = splitPath(this.context.path).pop() ?? '';
    return OBJECT_ID_IN_FILE_NAME.exec(name)?.[1] ?? null;
  }
}

function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describeValueType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

/** ` at [3].messages[0]` for nested objects, '' for the entry's own object. */
function at(where: string): string {
  return where === '' ? '' : ` at ${where}`;
}

/** Location of a named field below `where`: `messages`, `[2].messages`. */
function child(where: string, key: string): string {
  return where === '' ? key : `${where}.${key}`;
}

function formatIssuePath(path: readonly PropertyKey[]): string {
  let formatted = '';
  for (const key of path) {
    formatted += typeof key === 'number' ? `[${key}]` : formatted === '' ? String(key) : `.${String(key)}`;
  }
  return formatted === '' ? '(object)' : formatted;
}

/** `created_at: missing timestamp; recipients[0].handle: expected string, received number`. */
export function summarizeIssues(
  issues: readonly { path: readonly PropertyKey[]; message: string }[],
): string {
  const shown = issues
    .slice(0, MAX_ISSUES_SHOWN)
    .map((issue) => `${formatIssuePath(issue.path)}: ${issue.message.replace(ZOD_MESSAGE_PREFIX, '')}`);
  if (issues.length > MAX_ISSUES_SHOWN) shown.push(`(+${issues.length - MAX_ISSUES_SHOWN} more)`);
  return shown.join('; ');
}

function validate<T>(
  scope: EntryScope,
  schema: z.ZodType<T>,
  value: JsonRecord,
  kind: string,
  id: string,
  where: string,
): T | null {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  scope.report(`invalid ${kind}: ${id}${at(where)}: ${summarizeIssues(parsed.error.issues)}`);
  return null;
}

/** True when the object has at least one of the fields that characterise its type. */
function hasShape(value: JsonRecord, fields: readonly string[]): boolean {
  return fields.some((field) => value[field] !== undefined);
}

const CONVERSATION_SHAPE = ['status', 'subject'] as const;
const MESSAGE_SHAPE = ['type', 'recipients'] as const;
const COMMENT_SHAPE = ['posted_at', 'author'] as const;

function reportShapeMismatch(
  scope: EntryScope,
  kind: string,
  id: string,
  fields: readonly string[],
  where: string,
) {
  scope.report(`shape mismatch: ${id}${at(where)} has a ${kind} ID but none of ${fields.join(', ')}`);
}

function visitItems(
  scope: EntryScope,
  items: readonly unknown[],
  where: string,
  parent: string | null,
  depth: number,
): void {
  if (depth >= MAX_CONTAINER_DEPTH) {
    scope.report(`nested too deeply: list${at(where)} is ${depth + 1} containers deep`);
    return;
  }
  for (let index = 0; index < items.length; index++) {
    visitValue(scope, items[index], `${where}[${index}]`, parent, depth + 1);
  }
}

/** `messages` / `comments` embedded in a conversation: a list or a `_results` envelope. */
function visitEmbedded(
  scope: EntryScope,
  value: unknown,
  where: string,
  parent: string | null,
  depth: number,
) {
  if (value === undefined || value === null) return;
  if (Array.isArray(value)) return visitItems(scope, value, where, parent, depth);
  if (isRecord(value) && Array.isArray(value._results)) {
    return visitItems(scope, value._results, child(where, '_results'), parent, depth);
  }
  // Conversation objects from the API carry URLs here; only report values that are neither.
  if (typeof value !== 'string') scope.report(`not a list: ${where} is ${describeValueType(value)}`);
}

function isCombinedConversation(value: JsonRecord): boolean {
  return isRecord(value.conversation) || Array.isArray(value.messages) || Array.isArray(value.comments);
}

/** `{conversation, messages, comments}`: the embedded objects belong to that conversation. */
function visitCombined(
  scope: EntryScope,
  value: JsonRecord,
  where: string,
  parent: string | null,
  depth: number,
) {
  let conversationId = parent;
  const conversation = value.conversation;
  if (isRecord(conversation)) {
    visitValue(scope, conversation, child(where, 'conversation'), parent, depth + 1);
    if (typeof conversation.id === 'string') conversationId = conversation.id;
  }
  visitEmbedded(scope, value.messages, child(where, 'messages'), conversationId, depth);
  visitEmbedded(scope, value.comments, child(where, 'comments'), conversationId, depth);
}

function visitValue(
  scope: EntryScope,
  value: unknown,
  where: string,
  parent: string | null,
  depth: number,
): void {
  if (Array.isArray(value)) return visitItems(scope, value, where, parent, depth);
  if (!isRecord(value)) {
    scope.report(`not an object: ${where === '' ? 'the entry' : where} is ${describeValueType(value)}`);
    return;
  }
  const id = value.id;
  if (typeof id === 'string') return visitFrontObject(scope, value, id, where, parent, depth);
  if (id !== undefined && id !== null) {
    scope.report(`unknown object: id${at(where)} is ${describeValueType(id)}, not a Front ID`);
    return;
  }
  if (Array.isArray(value._results))
    return visitItems(scope, value._results, child(where, '_results'), parent, depth);
  if (isCombinedConversation(value)) return visitCombined(scope, value, where, parent, depth);
  const idFromName = where === '' ? scope.objectIdFromFileName() : null;
  if (idFromName !== null)
    return visitFrontObject(scope, { ...value, id: idFromName }, idFromName, where, parent, depth);
  const keys = Object.keys(value);
  const shownKeys = keys.slice(0, MAX_KEYS_SHOWN).join(', ') + (keys.length > MAX_KEYS_SHOWN ? ', …' : '');
  scope.report(`unknown object: no id field${at(where)} (keys: ${shownKeys || 'none'})`);
}

function visitFrontObject(
  scope: EntryScope,
  value: JsonRecord,
  id: string,
  where: string,
  parent: string | null,
  depth: number,
): void {
  const prefix = frontIdPrefix(id);
  switch (prefix) {
    case 'cnv':
      return visitConversation(scope, value, id, where, depth);
    case 'msg':
      return visitMessage(scope, value, id, where, parent);
    case 'com':
      return visitComment(scope, value, id, where, parent);
    case 'inb': {
      const inbox = validate(scope, inboxSchema, value, 'inbox', id, where);
      if (inbox) scope.result.objects.push({ type: 'inbox', inbox: toInbox(inbox) });
      return;
    }
    case 'cha': {
      const channel = validate(scope, channelSchema, value, 'channel', id, where);
      if (channel) scope.result.objects.push({ type: 'channel', channel: toChannel(channel) });
      return;
    }
    case 'tea': {
      const teammate = validate(scope, teammateObjectSchema, value, 'teammate', id, where);
      if (teammate) scope.result.objects.push({ type: 'teammate', teammate: toTeammate(teammate) });
      return;
    }
    case 'crd': {
      const contact = validate(scope, contactSchema, value, 'contact', id, where);
      if (contact) scope.result.objects.push({ type: 'contact', contact: toContact(contact) });
      return;
    }
  }
  const unusedKind = prefix === null ? undefined : UNUSED_OBJECT_KINDS[prefix];
  if (unusedKind !== undefined)
    scope.result.objects.push({ type: 'unused', unused: { id, kind: unusedKind } });
  else scope.report(`unknown object: id "${id}"${at(where)} has no known Front prefix`);
}

function visitConversation(scope: EntryScope, value: JsonRecord, id: string, where: string, depth: number) {
  if (!hasShape(value, CONVERSATION_SHAPE))
    return reportShapeMismatch(scope, 'conversation', id, CONVERSATION_SHAPE, where);
  const raw = validate(scope, conversationSchema, value, 'conversation', id, where);
  if (raw) {
    const conversation = toConversation(raw, scope.inboxKeysForConversation());
    scope.result.objects.push({ type: 'conversation', conversation });
  }
  // A combined file may embed the conversation's messages and comments; the ID is enough to place them.
  visitEmbedded(scope, value.messages, child(where, 'messages'), id, depth);
  visitEmbedded(scope, value.comments, child(where, 'comments'), id, depth);
}

/** `_links.related.conversation` first, then the enclosing object, then the `cnv_…` folder. */
function resolveParent(
  scope: EntryScope,
  link: string | null | undefined,
  parent: string | null,
): string | null {
  return linkedConversationId(link) ?? parent ?? scope.folderConversationId();
}

function visitMessage(
  scope: EntryScope,
  value: JsonRecord,
  id: string,
  where: string,
  parent: string | null,
) {
  if (!hasShape(value, MESSAGE_SHAPE)) return reportShapeMismatch(scope, 'message', id, MESSAGE_SHAPE, where);
  const raw = validate(scope, messageSchema, value, 'message', id, where);
  if (!raw) return;
  const conversationId = resolveParent(scope, raw._links?.related?.conversation, parent);
  if (conversationId === null) return scope.report(`orphan: no conversation (message ${id}${at(where)})`);
  scope.result.objects.push({ type: 'message', message: toMessage(raw, conversationId) });
}

function visitComment(
  scope: EntryScope,
  value: JsonRecord,
  id: string,
  where: string,
  parent: string | null,
) {
  if (!hasShape(value, COMMENT_SHAPE)) return reportShapeMismatch(scope, 'comment', id, COMMENT_SHAPE, where);
  const raw = validate(scope, commentSchema, value, 'comment', id, where);
  if (!raw) return;
  const conversationId = resolveParent(scope, raw._links?.related?.conversation, parent);
  if (conversationId === null) return scope.report(`orphan: no conversation (comment ${id}${at(where)})`);
  const comment = toComment(raw, conversationId);
  if (comment === null)
    return scope.report(`invalid comment: ${id}${at(where)}: posted_at: missing timestamp`);
  scope.result.objects.push({ type: 'comment', comment });
}

/** Parses one JSON entry; never throws on bad input (it is reported in `unrecognized`). */
export function parseJsonEntry(context: JsonEntryContext, text: string): ParsedEntry {
  const scope = new EntryScope(context);
  let root: unknown;
  try {
    // A UTF-8 byte-order mark is valid in files but not in JSON.parse.
    root = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (error) {
    scope.report(`malformed JSON: ${error instanceof Error ? error.message : String(error)}`);
    return scope.result;
  }
  visitValue(scope, root, '', null, 0);
  return scope.result;
}
