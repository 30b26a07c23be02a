/** The /v1 endpoints: a table of routes over the store. Pure request → result, no sockets. */
import { parseContacts, parseMessage, parsePost, parseSharedLabels } from './payloads.ts';
import { selectConversations } from './conversation-list.ts';
import { conversationJson, emailJson, messageJson, postJson, timelineItemJson } from './present.ts';
import type { SandboxStore } from './store.ts';
import type {
  DeliveredAtMode,
  DuplicateExternalIdMode,
  MessagesResponseMode,
  PostReopenMode,
} from './types.ts';
import { SandboxError, badRequest } from './validate.ts';

export interface ApiRequest {
  method: string;
  /** Path segments after /v1, e.g. ['conversations', 'abc', 'posts']. */
  segments: string[];
  query: URLSearchParams;
  body: unknown;
}

/** `body` undefined: an empty 2xx answer. */
export interface ApiResult {
  status: number;
  body?: unknown;
}

export interface ApiSettings {
  messagesResponse: MessagesResponseMode;
  duplicateExternalId: DuplicateExternalIdMode;
  postReopen: PostReopenMode;
  deliveredAt: DeliveredAtMode;
}

type Handler = (
  store: SandboxStore,
  request: ApiRequest,
  params: string[],
  settings: ApiSettings,
) => ApiResult;

interface Route {
  method: 'GET' | 'POST' | 'DELETE';
  /** Literal segments, or ':' for a parameter. */
  pattern: string[];
  handler: Handler;
}

const ok = (body: unknown): ApiResult => ({ status: 200, body });
const created = (body: unknown): ApiResult => ({ status: 201, body });

const LISTING_DEFAULT_LIMIT = 50;
const LISTING_MAX_LIMIT = 200;
const SUBLIST_MAX_LIMIT = 10;
const CONVERSATIONS_DEFAULT_LIMIT = 25;
const CONVERSATIONS_MAX_LIMIT = 50;
/** An `until` this large is milliseconds sent by mistake (Missive's timestamps are Unix seconds). */
const SECONDS_CEILING = 1e11;

interface PageLimits {
  fallback: number;
  max: number;
}

const SUBLIST_LIMITS: PageLimits = { fallback: SUBLIST_MAX_LIMIT, max: SUBLIST_MAX_LIMIT };

function integerParam(query: URLSearchParams, name: string, fallback: number, min: number): number {
  const raw = query.get(name);
  if (raw === null || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw badRequest(`${name} must be an integer ≥ ${min}`);
  return value;
}

/** `limit` (default 50, capped at 200) and `offset`, as on Missive's listing endpoints. */
function paginate<T>(items: T[], query: URLSearchParams): T[] {
  const limit = Math.min(integerParam(query, 'limit', LISTING_DEFAULT_LIMIT, 1), LISTING_MAX_LIMIT);
  const offset = integerParam(query, 'offset', 0, 0);
  return items.slice(offset, offset + limit);
}

function byOrganization<T extends { organization: unknown }>(items: T[], query: URLSearchParams): T[] {
  const organization = query.get('organization');
  return organization ? items.filter((item) => item.organization === organization) : items;
}

/**
 * Newest first, `until` = the oldest timestamp of the previous page (exclusive, Unix seconds).
 * Items sharing the page's last timestamp all come along, which is why Missive warns that a page
 * may hold more than `limit`: otherwise the next page would skip them. Conversation sub-lists take
 * at most 10 (the default); `GET /conversations` 25 by default, at most 50.
 */
export function newestFirstPage<T>(
  items: T[],
  timeOf: (item: T) => number,
  query: URLSearchParams,
  limits: PageLimits = SUBLIST_LIMITS,
): T[] {
  const limit = Math.min(integerParam(query, 'limit', limits.fallback, 1), limits.max);
  const untilRaw = query.get('until');
  const until = untilRaw === null || untilRaw === '' ? Infinity : Number(untilRaw);
  if (Number.isNaN(until)) throw badRequest('until must be a Unix timestamp');
  if (Number.isFinite(until) && until >= SECONDS_CEILING) {
    throw badRequest('until must be a Unix timestamp in seconds (this looks like milliseconds)');
  }
  const sorted = items
    .map((item, index) => ({ item, index, time: timeOf(item) }))
    .filter((entry) => entry.time < until)
    .sort((a, b) => b.time - a.time || b.index - a.index);
  let end = Math.min(limit, sorted.length);
  while (end < sorted.length && sorted[end]?.time === sorted[end - 1]?.time) end += 1;
  return sorted.slice(0, end).map((entry) => entry.item);
}

const routes: Route[] = [
  { method: 'GET', pattern: ['users'], handler: (s, r) => ok({ users: paginate(s.users, r.query) }) },
  {
    method: 'GET',
    pattern: ['organizations'],
    handler: (s, r) => ok({ organizations: paginate(s.organizations, r.query) }),
  },
  {
    method: 'GET',
    pattern: ['teams'],
    handler: (s, r) => ok({ teams: paginate(byOrganization(s.teams, r.query), r.query) }),
  },
  {
    method: 'GET',
    pattern: ['shared_labels'],
    handler: (s, r) => ok({ shared_labels: paginate(byOrganization(s.sharedLabels, r.query), r.query) }),
  },
  {
    method: 'GET',
    pattern: ['contact_books'],
    handler: (s, r) => ok({ contact_books: paginate(s.contactBooks, r.query) }),
  },
  { method: 'GET', pattern: ['contacts'], handler: listContacts },
  {
    method: 'POST',
    pattern: ['contacts'],
    handler: (s, r) => created({ contacts: s.createContacts(parseContacts(r.body)) }),
  },
  {
    method: 'POST',
    pattern: ['shared_labels'],
    handler: (s, r) => created({ shared_labels: s.createSharedLabels(parseSharedLabels(r.body)) }),
  },
  { method: 'GET', pattern: ['messages'], handler: findEmailsByMessageId },
  { method: 'GET', pattern: ['messages', ':'], handler: getMessages },
  { method: 'POST', pattern: ['messages'], handler: createMessage },
  { method: 'POST', pattern: ['posts'], handler: createPost },
  { method: 'DELETE', pattern: ['posts', ':'], handler: deletePost },
  { method: 'GET', pattern: ['conversations'], handler: listConversations },
  {
    method: 'GET',
    pattern: ['conversations', ':'],
    handler: (s, _r, [id = '']) => ok({ conversations: [conversationJson(s, s.conversation(id))] }),
  },
  { method: 'GET', pattern: ['conversations', ':', 'messages'], handler: conversationMessages },
  { method: 'GET', pattern: ['conversations', ':', 'posts'], handler: conversationPosts },
  {
    method: 'GET',
    pattern: ['conversations', ':', 'comments'],
    // User comments cannot be created through the API, so there are never any here.
    handler: (s, _r, [id = '']) => (s.conversation(id), ok({ comments: [] })),
  },
];

function listContacts(store: SandboxStore, request: ApiRequest): ApiResult {
  const book = request.query.get('contact_book');
  if (!book) throw badRequest('contact_book is required');
  return ok({ contacts: paginate(store.findContacts(book, request.query.get('search')), request.query) });
}

function findEmailsByMessageId(store: SandboxStore, request: ApiRequest): ApiResult {
  const messageId = request.query.get('email_message_id');
  if (!messageId) throw badRequest('email_message_id is required');
  return ok({ messages: store.emailsByMessageId(messageId).map((email) => emailJson(store, email)) });
}

/** `GET /messages/:id,:id2`: one id answers an object, several an array. */
function getMessages(store: SandboxStore, _request: ApiRequest, [idList = '']: string[]): ApiResult {
  const ids = idList.split(',').filter(Boolean);
  const found = ids.map((id) => {
    const message = store.messages.get(id);
    if (message) return messageJson(store, message);
    const email = store.emails.get(id);
    if (email) return emailJson(store, email);
    throw new SandboxError(404, `Message ${id} not found`);
  });
  return ok({ messages: ids.length === 1 ? found[0] : found });
}

function createMessage(
  store: SandboxStore,
  request: ApiRequest,
  _params: string[],
  settings: ApiSettings,
): ApiResult {
  const message = store.createMessage(parseMessage(request.body), {
    rejectDuplicateExternalId: settings.duplicateExternalId === 'reject',
    ignoreDeliveredAt: settings.deliveredAt === 'ignored',
  });
  if (settings.messagesResponse === 'empty') return { status: 201 };
  return created({ messages: messageJson(store, message) });
}

function createPost(
  store: SandboxStore,
  request: ApiRequest,
  _params: string[],
  settings: ApiSettings,
): ApiResult {
  const post = store.createPost(parsePost(request.body), { postReopen: settings.postReopen });
  return created({ posts: { id: post.id, conversation: post.conversation } });
}

function deletePost(store: SandboxStore, _request: ApiRequest, [id = '']: string[]): ApiResult {
  store.deletePost(id);
  return ok({});
}

/** `GET /conversations`: one filter required; newest activity first, paged with `until`. */
function listConversations(store: SandboxStore, request: ApiRequest): ApiResult {
  const selected = selectConversations(store, request.query);
  const page = newestFirstPage(selected, (conversation) => conversation.last_activity_at, request.query, {
    fallback: CONVERSATIONS_DEFAULT_LIMIT,
    max: CONVERSATIONS_MAX_LIMIT,
  });
  return ok({ conversations: page.map((conversation) => conversationJson(store, conversation)) });
}

function conversationMessages(store: SandboxStore, request: ApiRequest, [id = '']: string[]): ApiResult {
  const conversation = store.conversation(id);
  const page = newestFirstPage(conversation.timeline, (item) => item.delivered_at, request.query);
  return ok({ messages: page.map((item) => timelineItemJson(store, item)) });
}

function conversationPosts(store: SandboxStore, request: ApiRequest, [id = '']: string[]): ApiResult {
  const conversation = store.conversation(id);
  const page = newestFirstPage(conversation.posts, (post) => post.created_at, request.query);
  return ok({ posts: page.map(postJson) });
}

function match(route: Route, segments: string[]): string[] | null {
  if (route.pattern.length !== segments.length) return null;
  const params: string[] = [];
  for (const [index, part] of route.pattern.entries()) {
    const segment = segments[index] ?? '';
    if (part === ':') params.push(safeDecode(segment));
    else if (part !== segment) return null;
  }
  return params;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Runs the matching route; SandboxErrors become JSON errors, unknown routes 404. */
export function handleApi(store: SandboxStore, request: ApiRequest, settings: ApiSettings): ApiResult {
  for (const route of routes) {
    if (route.method !== request.method) continue;
    const params = match(route, request.segments);
    if (!params) continue;
    try {
      return route.handler(store, request, params, settings);
    } catch (error) {
      if (error instanceof SandboxError) return { status: error.status, body: { error: error.message } };
      throw error;
    }
  }
  return notFound(request);
}

function notFound(request: ApiRequest): ApiResult {
  const path = `/v1/${request.segments.join('/')}`;
  const hint =
    request.segments[0] === 'drafts'
      ? ' (the sandbox has no drafts: an importer must never create them)'
      : '';
  return { status: 404, body: { error: `No route for ${request.method} ${path}${hint}` } };
}
