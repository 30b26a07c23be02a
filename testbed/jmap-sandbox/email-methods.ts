/** Email/import, Email/query and Email/get (RFC 8621 §4). */
import type { EmailToImport } from './account.ts';
import {
  checkIfInState,
  idsArgument,
  isObject,
  isUtcDate,
  objectMap,
  pick,
  propertiesArgument,
  resolveCreationId,
  type JsonObject,
} from './args.ts';
import type { MethodContext, MethodHandler } from './dispatch.ts';
import {
  MethodError,
  accountReadOnly,
  invalidArguments,
  invalidProperties,
  type SetError,
} from './errors.ts';
import { nullIfEmpty } from './mailbox-methods.ts';
import { containsText, runQuery, type Conditions } from './query.ts';
import { asUtcDate, parseMessage } from './rfc5322.ts';
import type { HeaderMatch, StoredJmapEmail } from './types.ts';

// ── Email/import ──────────────────────────────────────────────────────────────────────────────

const IMPORT_PROPERTIES = new Set(['blobId', 'mailboxIds', 'keywords', 'receivedAt']);
/** RFC 8621 §4.1.1 keyword: 1–255 of %x21-%x7e except ( ) { ] % * " \ */
const KEYWORD = /^[\x21-\x7e]{1,255}$/;
const KEYWORD_FORBIDDEN = /[(){\]%*"\\]/;

type Checked<T> = { ok: true; value: T } | { ok: false; error: SetError };
const refuse = <T>(properties: string[], description: string): Checked<T> => ({
  ok: false,
  error: invalidProperties(properties, description),
});

function checkMailboxIds(value: unknown, context: MethodContext): Checked<Record<string, true>> {
  if (!isObject(value) || Object.keys(value).length === 0) {
    return refuse(['mailboxIds'], 'At least one mailbox is required');
  }
  const resolved: Record<string, true> = {};
  for (const [rawId, flag] of Object.entries(value)) {
    const id = resolveCreationId(rawId, context.createdIds);
    if (flag !== true || id === null || !context.account.mailbox(id)) {
      return refuse(['mailboxIds'], `No such mailbox: ${rawId}`);
    }
    resolved[id] = true;
  }
  return { ok: true, value: resolved };
}

/** Keywords are case-insensitive and stored lower-cased (RFC 8621 §4.1.1). */
function checkKeywords(value: unknown): Checked<Record<string, true>> {
  if (value === undefined || value === null) return { ok: true, value: {} };
  if (!isObject(value)) return refuse(['keywords'], 'keywords must be a String[Boolean] map');
  const keywords: Record<string, true> = {};
  for (const [keyword, flag] of Object.entries(value)) {
    if (flag !== true || !KEYWORD.test(keyword) || KEYWORD_FORBIDDEN.test(keyword)) {
      return refuse(['keywords'], `Invalid keyword: ${keyword}`);
    }
    keywords[keyword.toLowerCase()] = true;
  }
  return { ok: true, value: keywords };
}

async function checkImport(input: unknown, context: MethodContext): Promise<Checked<EmailToImport>> {
  if (!isObject(input)) return refuse([], 'Expected an EmailImport object');
  const unknown = Object.keys(input).filter((name) => !IMPORT_PROPERTIES.has(name));
  if (unknown.length > 0) return refuse(unknown, 'Unknown EmailImport properties');
  const blob = typeof input.blobId === 'string' ? context.account.blob(input.blobId) : undefined;
  if (!blob) return refuse(['blobId'], 'Blob not found (upload it first)');
  const mailboxIds = checkMailboxIds(input.mailboxIds, context);
  if (!mailboxIds.ok) return mailboxIds;
  const keywords = checkKeywords(input.keywords);
  if (!keywords.ok) return keywords;
  if (input.receivedAt !== undefined && !isUtcDate(input.receivedAt)) {
    return refuse(['receivedAt'], 'receivedAt must be a UTCDate such as 2023-11-29T21:17:19Z');
  }
  const parsed = await parseMessage(blob.bytes);
  if (!parsed)
    return { ok: false, error: { type: 'invalidEmail', description: 'The blob is not an RFC 5322 message' } };
  const received = defaultReceivedAt(input.receivedAt, parsed.lastReceivedAt, context.now());
  return {
    ok: true,
    value: { blob, parsed, mailboxIds: mailboxIds.value, keywords: keywords.value, ...received },
  };
}

/** Given, else the newest Received header's date, else the import time (RFC 8621 §4.8). */
function defaultReceivedAt(given: unknown, lastReceived: number | null, now: number) {
  if (typeof given === 'string') return { receivedAt: given, receivedAtFrom: 'import' as const };
  if (lastReceived !== null)
    return { receivedAt: asUtcDate(lastReceived) ?? '', receivedAtFrom: 'receivedHeader' as const };
  return { receivedAt: asUtcDate(now) ?? '', receivedAtFrom: 'importTime' as const };
}

export const emailImport: MethodHandler = async (args, context) => {
  const { account, limits } = context;
  if (context.readOnly) throw accountReadOnly();
  const emails = objectMap(args.emails, 'emails');
  if (Object.keys(emails).length > limits.maxObjectsInSet) {
    throw new MethodError(
      'requestTooLarge',
      `More than ${limits.maxObjectsInSet} emails in one Email/import`,
    );
  }
  checkIfInState(args.ifInState, account.state('Email'));
  const oldState = account.state('Email');
  const created: JsonObject = {};
  const notCreated: JsonObject = {};
  for (const [creationId, input] of Object.entries(emails)) {
    const checked = await checkImport(input, context);
    const refusal = checked.ok ? context.takeImportRefusal() : null;
    const result = !checked.ok
      ? checked.error
      : refusal
        ? importRefused(refusal)
        : account.importEmail(checked.value, context.duplicates);
    if ('type' in result) {
      notCreated[creationId] = result;
      continue;
    }
    context.createdIds.set(creationId, result.id);
    created[creationId] = {
      id: result.id,
      blobId: result.blobId,
      threadId: result.threadId,
      size: result.size,
    };
  }
  return {
    accountId: account.accountId,
    oldState,
    newState: account.state('Email'),
    created: nullIfEmpty(created),
    notCreated: nullIfEmpty(notCreated),
  };
};

/** The SetErrors RFC 8620 §5.3 defines for a server that will not store the email now. */
function importRefused(type: 'rateLimit' | 'overQuota'): SetError {
  return type === 'rateLimit'
    ? { type, description: 'Too many emails created recently; it may work if tried again later.' }
    : { type, description: 'The account has no space left for this email.' };
}

// ── Email/query ───────────────────────────────────────────────────────────────────────────────

function headerValues(email: StoredJmapEmail, name: unknown): string[] {
  if (typeof name !== 'string') throw invalidArguments('header condition: [name, value?]');
  return email.headers
    .filter((header) => header.name.toLowerCase() === name.toLowerCase())
    .map((header) => header.value);
}

/** Letters and digits runs, lower-cased: the "words" a whole-word matcher compares. */
function words(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

/** Every word of the query is a word of the value, in any order (RFC 8621 §4.4.1 allows this). */
function containsWords(value: string, query: unknown): boolean {
  if (typeof query !== 'string') throw invalidArguments('text conditions take a string');
  const have = new Set(words(value));
  return words(query).every((word) => have.has(word));
}

/** RFC 8621 §4.4.1 `header`: [name] matches presence, [name, text] a value matching text. */
function headerMatcher(match: HeaderMatch) {
  return (email: StoredJmapEmail, value: unknown): boolean => {
    if (!Array.isArray(value) || value.length < 1 || value.length > 2) {
      throw invalidArguments('header must be [name] or [name, value]');
    }
    const values = headerValues(email, value[0]);
    if (value.length === 1) return values.length > 0;
    return values.some((text) =>
      match === 'wholeWord' ? containsWords(text, value[1]) : containsText(text, value[1]),
    );
  };
}

function addressText(list: StoredJmapEmail['from']): string {
  return (list ?? []).map((address) => `${address.name ?? ''} <${address.email}>`).join(', ');
}

const EMAIL_CONDITIONS: Conditions<StoredJmapEmail> = {
  inMailbox: (email, value) => typeof value === 'string' && email.mailboxIds[value] === true,
  inMailboxOtherThan: (email, value) =>
    Array.isArray(value) && Object.keys(email.mailboxIds).some((id) => !value.includes(id)),
  before: (email, value) => isUtcDate(value) && Date.parse(email.receivedAt) < Date.parse(value),
  after: (email, value) => isUtcDate(value) && Date.parse(email.receivedAt) >= Date.parse(value),
  minSize: (email, value) => typeof value === 'number' && email.size >= value,
  maxSize: (email, value) => typeof value === 'number' && email.size < value,
  hasKeyword: (email, value) => typeof value === 'string' && email.keywords[value.toLowerCase()] === true,
  notKeyword: (email, value) => typeof value === 'string' && email.keywords[value.toLowerCase()] !== true,
  header: headerMatcher('substring'),
  subject: (email, value) => containsText(email.subject, value),
  from: (email, value) => containsText(addressText(email.from), value),
  to: (email, value) => containsText(addressText(email.to), value),
  cc: (email, value) => containsText(addressText(email.cc), value),
  text: (email, value) =>
    [email.subject, email.preview, addressText(email.from), addressText(email.to)].some((part) =>
      containsText(part, value),
    ),
};

const compareText = (a: string | null, b: string | null) => (a ?? '').localeCompare(b ?? '');

export const emailQuery: MethodHandler = (args, { account, headerMatch, indexDelayMs, now }) => {
  // The search index lags behind imports: an email is found only once indexed.
  const indexed = account.emails().filter((email) => email.importedAt + indexDelayMs <= now());
  const emails = args.collapseThreads === true ? firstOfEachThread(indexed) : indexed;
  const conditions = { ...EMAIL_CONDITIONS, header: headerMatcher(headerMatch) };
  const page = runQuery(emails, args, conditions, {
    receivedAt: (a, b) => compareText(a.receivedAt, b.receivedAt),
    sentAt: (a, b) => compareText(a.sentAt, b.sentAt),
    size: (a, b) => a.size - b.size,
    subject: (a, b) => compareText(a.subject, b.subject),
  });
  return {
    accountId: account.accountId,
    queryState: account.state('Email'),
    canCalculateChanges: false,
    collapseThreads: args.collapseThreads === true,
    position: page.position,
    ids: page.ids,
    ...(args.calculateTotal === true ? { total: page.total } : {}),
  };
};

function firstOfEachThread(emails: StoredJmapEmail[]): StoredJmapEmail[] {
  const seen = new Set<string>();
  return emails.filter((email) => !seen.has(email.threadId) && seen.add(email.threadId));
}

// ── Email/get ─────────────────────────────────────────────────────────────────────────────────

/** The metadata properties; body properties (textBody, bodyValues, …) are not modelled. */
const EMAIL_PROPERTIES = [
  'id',
  'blobId',
  'threadId',
  'mailboxIds',
  'keywords',
  'size',
  'receivedAt',
  'messageId',
  'inReplyTo',
  'references',
  'sender',
  'from',
  'to',
  'cc',
  'bcc',
  'replyTo',
  'subject',
  'sentAt',
  'hasAttachment',
  'preview',
];
/** `header:Name`, optionally `:asRaw` / `:asText` / `:asMessageIds`, optionally `:all`. */
const HEADER_PROPERTY = /^header:([^:]+)(?::(asRaw|asText|asMessageIds))?(:all)?$/;

function isEmailProperty(name: string): boolean {
  return EMAIL_PROPERTIES.includes(name) || HEADER_PROPERTY.test(name);
}

function headerProperty(email: StoredJmapEmail, property: string): unknown {
  const [, name = '', form = 'asRaw', all] = HEADER_PROPERTY.exec(property) ?? [];
  const values = headerValues(email, name).map((value) =>
    form === 'asMessageIds' ? messageIdsOf(value) : form === 'asRaw' ? ` ${value}` : value,
  );
  return all ? values : (values.at(-1) ?? null);
}

function messageIdsOf(value: string): string[] | null {
  const ids = [...value.matchAll(/<([^<>\s]+@[^<>\s]+)>/g)].map((match) => match[1] ?? '');
  return ids.length > 0 ? ids : null;
}

function emailJson(email: StoredJmapEmail, properties: string[]): JsonObject {
  const {
    raw: _raw,
    headers: _headers,
    lineEndings: _endings,
    importedAt: _at,
    receivedAtFrom: _from,
    ...plain
  } = email;
  const json = pick(
    plain as JsonObject,
    properties.filter((name) => !name.startsWith('header:')),
  );
  for (const name of properties.filter((property) => property.startsWith('header:'))) {
    json[name] = headerProperty(email, name);
  }
  return json;
}

export const emailGet: MethodHandler = (args, { account, limits }) => {
  const ids =
    idsArgument(args.ids, limits.maxObjectsInGet) ?? allIds(account.emails(), limits.maxObjectsInGet);
  const properties = propertiesArgument(args.properties, isEmailProperty, EMAIL_PROPERTIES);
  const found = ids.map((id) => account.email(id)).filter((email) => email !== undefined);
  return {
    accountId: account.accountId,
    state: account.state('Email'),
    list: found.map((email) => emailJson(email, properties)),
    notFound: ids.filter((id) => !account.email(id)),
  };
};

/** `ids: null` means all, only while that fits maxObjectsInGet (RFC 8620 §5.1). */
function allIds(emails: StoredJmapEmail[], max: number): string[] {
  if (emails.length > max) throw new MethodError('requestTooLarge', `More than ${max} emails; pass ids`);
  return emails.map((email) => email.id);
}
