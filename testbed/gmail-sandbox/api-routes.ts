/**
 * The Gmail endpoints relay mode uses: a table of routes, each with its quota cost and accepted
 * scopes as Google documents them, over the mailbox. Auth, quota and faults happen in server.ts.
 */
import type { IncomingMessage } from 'node:http';
import { GmailApiError, invalidArgument } from './google-errors.ts';
import {
  METADATA_SLACK_BYTES,
  decodeJsonRaw,
  decodeMedia,
  decodeMultipart,
  decodeResumableStart,
  tooLargeForJson,
  tooLargeForUpload,
  type ImportPayload,
} from './import-request.ts';
import type { GmailMailbox, ImportRules, LabelInput } from './mailbox.ts';
import { importedMessageJson, isMessageFormat, listedMessageJson, messageJson } from './present.ts';
import type { UploadSessions } from './resumable.ts';
import { readHeaders } from './rfc822.ts';
import { GMAIL_SCOPES as S } from './types.ts';

export interface Operation {
  name: string;
  /** Quota units (https://developers.google.com/gmail/api/reference/quota). */
  cost: number;
  /** Any one of these scopes allows the call (the method's reference page). */
  scopes: readonly string[];
  /** A write can half-happen (fault after write). */
  write: boolean;
  /** Resumable PUTs: the session URI is the credential. */
  sessionAuthorised?: boolean;
}

const READ_SCOPES = [S.mail, S.modify, S.readonly, S.metadata];

export const OPERATIONS = {
  import: { name: 'messages.import', cost: 25, scopes: [S.mail, S.modify, S.insert], write: true },
  uploadBytes: {
    name: 'messages.import (resumable bytes)',
    cost: 0,
    scopes: [],
    write: true,
    sessionAuthorised: true,
  },
  list: { name: 'messages.list', cost: 5, scopes: READ_SCOPES, write: false },
  get: { name: 'messages.get', cost: 5, scopes: READ_SCOPES, write: false },
  threadGet: { name: 'threads.get', cost: 10, scopes: READ_SCOPES, write: false },
  labelsList: { name: 'labels.list', cost: 1, scopes: [...READ_SCOPES, S.labels], write: false },
  labelsGet: { name: 'labels.get', cost: 1, scopes: [...READ_SCOPES, S.labels], write: false },
  labelsCreate: { name: 'labels.create', cost: 5, scopes: [S.mail, S.modify, S.labels], write: true },
  getProfile: {
    name: 'getProfile',
    cost: 1,
    scopes: [S.mail, S.modify, S.compose, S.readonly, S.metadata],
    write: false,
  },
} satisfies Record<string, Operation>;

export interface RouteSettings extends ImportRules {
  maxMessageBytes: number;
  searchIndexLagMs: number;
  /** Counted down as sessions open (the sandbox's own settings object). */
  expireUploadSessions: { status: 404 | 410; count: number } | null;
}

export interface ApiContext {
  req: IncomingMessage;
  url: URL;
  /** Route parameters after the user id (e.g. the message id). */
  params: string[];
  mailbox: GmailMailbox;
  sessions: UploadSessions;
  settings: RouteSettings;
  /** Scopes of the caller's token (empty for session-authorised PUTs). */
  scopes: readonly string[];
  now(): number;
  newUploadId(): string;
  /** Reads the body, throwing `tooLarge()` past `maxBytes`. */
  readBody(maxBytes: number, tooLarge: () => GmailApiError): Promise<Buffer>;
}

export interface ApiResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

type Handler = (context: ApiContext) => Promise<ApiResult>;

interface Route {
  method: string;
  /** Segments after /gmail/v1/users/{userId} (or /upload/gmail/v1/users/{userId}); ':' is a parameter. */
  pattern: string[];
  upload: boolean;
  operation: Operation;
  handler: Handler;
}

const ok = (body: unknown, headers?: Record<string, string>): ApiResult => ({ status: 200, body, headers });

// ── Import ────────────────────────────────────────────────────────────────────────────────────

const BOOLEAN_PARAMS = ['neverMarkSpam', 'processForCalendar', 'deleted'];

function checkImportParams(query: URLSearchParams): void {
  const source = query.get('internalDateSource');
  if (source !== null && source !== 'dateHeader' && source !== 'receivedTime') {
    throw invalidArgument(`Invalid value at 'internal_date_source' (${source})`);
  }
  for (const name of BOOLEAN_PARAMS) {
    const value = query.get(name);
    if (value !== null && value !== 'true' && value !== 'false')
      throw invalidArgument(`Invalid value for ${name}: ${value}`);
  }
}

async function storeImport(
  context: ApiContext,
  payload: ImportPayload,
  params: URLSearchParams,
): Promise<ApiResult> {
  const headers = await readHeaders(payload.raw);
  if (!headers) throw invalidArgument('Invalid RFC822 message: it does not start with header fields');
  const message = context.mailbox.importMessage({ ...payload, headers, params }, context.settings);
  return ok(importedMessageJson(message));
}

const importViaUpload: Handler = async (context) => {
  const { url, req, settings } = context;
  checkImportParams(url.searchParams);
  const max = settings.maxMessageBytes;
  const uploadType = url.searchParams.get('uploadType');
  if (uploadType === 'multipart') {
    const body = await context.readBody(max + METADATA_SLACK_BYTES, () => tooLargeForUpload(max));
    return storeImport(context, decodeMultipart(body, req.headers['content-type'], max), url.searchParams);
  }
  if (uploadType === 'media') {
    const body = await context.readBody(max, () => tooLargeForUpload(max));
    return storeImport(context, decodeMedia(body, req.headers['content-type']), url.searchParams);
  }
  if (uploadType === 'resumable') return openUploadSession(context);
  throw invalidArgument(
    `uploadType must be multipart, media or resumable on /upload URIs (got ${uploadType ?? 'none'})`,
  );
};

async function openUploadSession(context: ApiContext): Promise<ApiResult> {
  const { req, url, settings } = context;
  const declared = req.headers['x-upload-content-length'];
  const declaredLength = declared === undefined ? null : Number(declared);
  if (declaredLength !== null && !(Number.isInteger(declaredLength) && declaredLength >= 0)) {
    throw invalidArgument(`Invalid X-Upload-Content-Length: ${String(declared)}`);
  }
  if (declaredLength !== null && declaredLength > settings.maxMessageBytes) {
    throw tooLargeForUpload(settings.maxMessageBytes);
  }
  const body = await context.readBody(METADATA_SLACK_BYTES, () => tooLargeForJson(METADATA_SLACK_BYTES));
  const uploadContentType = req.headers['x-upload-content-type'];
  const metadata = decodeResumableStart(
    body,
    typeof uploadContentType === 'string' ? uploadContentType : undefined,
  );
  const expiry = settings.expireUploadSessions;
  const expired = expiry && expiry.count > 0 ? expiry.status : null;
  if (expiry && expired !== null) expiry.count -= 1;
  const session = context.sessions.open(
    context.newUploadId(),
    metadata,
    url.searchParams,
    declaredLength,
    expired,
  );
  const location = new URL(url.pathname, url);
  location.search = url.searchParams.toString();
  location.searchParams.set('upload_id', session.id);
  return ok(undefined, { Location: location.href, 'X-GUploader-UploadID': session.id });
}

const resumeUpload: Handler = async (context) => {
  const { url, req, settings } = context;
  const session = context.sessions.get(url.searchParams.get('upload_id'));
  const max = settings.maxMessageBytes;
  const body = await context.readBody(max, () => tooLargeForUpload(max));
  const outcome = context.sessions.put(session, body, req.headers['content-range']);
  if (!outcome.complete) {
    const range = outcome.received > 0 ? { Range: `bytes=0-${outcome.received - 1}` } : undefined;
    return { status: 308, headers: range };
  }
  if (outcome.raw.length > max) throw tooLargeForUpload(max);
  const payload: ImportPayload = { ...session.metadata, raw: outcome.raw, uploadForm: 'resumable' };
  return storeImport(context, payload, session.params);
};

const importViaJson: Handler = async (context) => {
  const { url, settings } = context;
  checkImportParams(url.searchParams);
  const max = settings.maxMessageBytes;
  // base64 grows the message by a third.
  const body = await context.readBody(Math.ceil((max * 4) / 3) + METADATA_SLACK_BYTES, () =>
    tooLargeForJson(max),
  );
  return storeImport(context, decodeJsonRaw(body, max), url.searchParams);
};

// ── Reads ─────────────────────────────────────────────────────────────────────────────────────

function onlyMetadataScope(scopes: readonly string[]): boolean {
  return (
    scopes.includes(S.metadata) && ![S.mail, S.modify, S.readonly].some((scope) => scopes.includes(scope))
  );
}

/** Only `rfc822msgid:` is modelled: it is the one search relay mode makes. */
function parseSearchQuery(q: string | null): string | null {
  if (q === null || q.trim() === '') return null;
  const match = /^\s*rfc822msgid:\s*"?(<?[^\s"]+>?)"?\s*$/i.exec(q);
  if (!match?.[1]) throw invalidArgument(`The sandbox understands only q=rfc822msgid:<id> (got ${q})`);
  return match[1];
}

function integerParam(
  query: URLSearchParams,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const raw = query.get(name);
  if (raw === null || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw invalidArgument(`Invalid value for ${name}: ${raw}`);
  return Math.min(value, max);
}

const listMessages: Handler = async ({ url, mailbox, scopes, settings, now }) => {
  const query = url.searchParams;
  if (query.has('q') && onlyMetadataScope(scopes)) {
    throw new GmailApiError(403, "Metadata scope does not support 'q' parameter", 'forbidden');
  }
  const found = mailbox.search({
    rfc822msgid: parseSearchQuery(query.get('q')),
    labelIds: query.getAll('labelIds'),
    includeSpamTrash: query.get('includeSpamTrash') === 'true',
    indexedBefore: now() - settings.searchIndexLagMs,
  });
  const maxResults = integerParam(query, 'maxResults', 100, 1, 500);
  const offset = integerParam(query, 'pageToken', 0, 0, Number.MAX_SAFE_INTEGER);
  const page = found.slice(offset, offset + maxResults);
  const body: Record<string, unknown> = { resultSizeEstimate: found.length };
  // Gmail leaves `messages` out entirely when nothing matches.
  if (page.length > 0) body.messages = page.map(listedMessageJson);
  if (offset + maxResults < found.length) body.nextPageToken = String(offset + maxResults);
  return ok(body);
};

function requestedFormat(query: URLSearchParams, scopes: readonly string[]) {
  const format = query.get('format') ?? 'full';
  if (!isMessageFormat(format)) throw invalidArgument(`Invalid value for format: ${format}`);
  if ((format === 'raw' || format === 'full') && onlyMetadataScope(scopes)) {
    throw new GmailApiError(403, `Metadata scope doesn't allow format ${format.toUpperCase()}`, 'forbidden');
  }
  return format;
}

const getMessage: Handler = async ({ url, params, mailbox, scopes }) => {
  const format = requestedFormat(url.searchParams, scopes);
  const message = mailbox.message(params[0] ?? '');
  return ok(messageJson(message, format, url.searchParams.getAll('metadataHeaders')));
};

const getThread: Handler = async ({ url, params, mailbox, scopes }) => {
  const format = requestedFormat(url.searchParams, scopes);
  const messages = mailbox.thread(params[0] ?? '');
  const historyId = messages.reduce(
    (latest, m) => (Number(m.historyId) > Number(latest) ? m.historyId : latest),
    '0',
  );
  const json = messages.map((message) =>
    messageJson(message, format, url.searchParams.getAll('metadataHeaders')),
  );
  return ok({ id: params[0], historyId, messages: json });
};

// ── Labels and profile ────────────────────────────────────────────────────────────────────────

const LABEL_FIELDS = new Set([
  'id',
  'name',
  'type',
  'messageListVisibility',
  'labelListVisibility',
  'messagesTotal',
  'messagesUnread',
  'threadsTotal',
  'threadsUnread',
  'color',
]);

function labelInput(body: Buffer): LabelInput {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    throw invalidArgument('Invalid JSON payload received. Unexpected token.');
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw invalidArgument('Expected a Label object');
  const fields = json as Record<string, unknown>;
  const unknown = Object.keys(fields).find((name) => !LABEL_FIELDS.has(name));
  if (unknown)
    throw invalidArgument(`Invalid JSON payload received. Unknown name "${unknown}": Cannot find field.`);
  if (typeof fields.name !== 'string') throw invalidArgument('Invalid label name');
  return {
    name: fields.name,
    messageListVisibility: fields.messageListVisibility as LabelInput['messageListVisibility'],
    labelListVisibility: fields.labelListVisibility as LabelInput['labelListVisibility'],
  };
}

const listLabels: Handler = async ({ mailbox }) => ok({ labels: mailbox.labels() });

const createLabel: Handler = async (context) => {
  const body = await context.readBody(64 * 1024, () => invalidArgument('Label too large'));
  return ok(context.mailbox.createLabel(labelInput(body)));
};

const getLabel: Handler = async ({ params, mailbox }) => {
  const label = mailbox.label(params[0] ?? '');
  const messages = mailbox.messages().filter((message) => message.labelIds.includes(label.id));
  const unread = messages.filter((message) => message.labelIds.includes('UNREAD'));
  return ok({
    ...label,
    messagesTotal: messages.length,
    messagesUnread: unread.length,
    threadsTotal: new Set(messages.map((message) => message.threadId)).size,
    threadsUnread: new Set(unread.map((message) => message.threadId)).size,
  });
};

const getProfile: Handler = async ({ mailbox }) => ok(mailbox.profile());

// ── Table ─────────────────────────────────────────────────────────────────────────────────────

const ROUTES: Route[] = [
  {
    method: 'POST',
    upload: true,
    pattern: ['messages', 'import'],
    operation: OPERATIONS.import,
    handler: importViaUpload,
  },
  {
    method: 'PUT',
    upload: true,
    pattern: ['messages', 'import'],
    operation: OPERATIONS.uploadBytes,
    handler: resumeUpload,
  },
  {
    method: 'POST',
    upload: false,
    pattern: ['messages', 'import'],
    operation: OPERATIONS.import,
    handler: importViaJson,
  },
  { method: 'GET', upload: false, pattern: ['messages'], operation: OPERATIONS.list, handler: listMessages },
  {
    method: 'GET',
    upload: false,
    pattern: ['messages', ':'],
    operation: OPERATIONS.get,
    handler: getMessage,
  },
  {
    method: 'GET',
    upload: false,
    pattern: ['threads', ':'],
    operation: OPERATIONS.threadGet,
    handler: getThread,
  },
  {
    method: 'GET',
    upload: false,
    pattern: ['labels'],
    operation: OPERATIONS.labelsList,
    handler: listLabels,
  },
  {
    method: 'POST',
    upload: false,
    pattern: ['labels'],
    operation: OPERATIONS.labelsCreate,
    handler: createLabel,
  },
  {
    method: 'GET',
    upload: false,
    pattern: ['labels', ':'],
    operation: OPERATIONS.labelsGet,
    handler: getLabel,
  },
  {
    method: 'GET',
    upload: false,
    pattern: ['profile'],
    operation: OPERATIONS.getProfile,
    handler: getProfile,
  },
];

export interface MatchedRoute {
  route: Route;
  userId: string;
  params: string[];
}

/**
 * Finds the route for `/gmail/v1/users/{userId}/…` or `/upload/gmail/v1/users/{userId}/…`.
 * Returns 'method' when the path exists with another method, null when it does not exist.
 */
export function matchRoute(method: string, pathname: string): MatchedRoute | 'method' | null {
  const segments = pathname.split('/').slice(1).map(decodeURIComponent);
  const upload = segments[0] === 'upload';
  const [gmail, version, users, userId, ...rest] = upload ? segments.slice(1) : segments;
  if (gmail !== 'gmail' || version !== 'v1' || users !== 'users' || !userId) return null;
  const candidates = ROUTES.filter((route) => route.upload === upload && fits(route.pattern, rest));
  const route = candidates.find((candidate) => candidate.method === method);
  if (!route) return candidates.length > 0 ? 'method' : null;
  const params = rest.filter((_, index) => route.pattern[index] === ':');
  return { route, userId, params };
}

function fits(pattern: string[], segments: string[]): boolean {
  return (
    pattern.length === segments.length &&
    pattern.every((part, index) => part === ':' || part === segments[index])
  );
}

export function runRoute(matched: MatchedRoute, context: ApiContext): Promise<ApiResult> {
  return matched.route.handler(context);
}
