/** Public shapes of the Missive sandbox: options, recorded requests and state snapshots. */

export interface SandboxLimits {
  concurrent: number;
  perMinute: number;
  per15Minutes: number;
  minuteMs: number;
  fifteenMinutesMs: number;
}

/** Missive's published limits (https://missiveapp.com/docs/developers/rest-api/rate-limits). */
export const PUBLISHED_LIMITS: SandboxLimits = Object.freeze({
  concurrent: 5,
  perMinute: 300,
  per15Minutes: 900,
  minuteMs: 60_000,
  fifteenMinutesMs: 900_000,
});

export interface SandboxFaults {
  /** Added to every accepted /v1 request, while it holds its concurrency slot. */
  latencyMs?: number;
  /** Uniform random extra latency in [0, jitterMs). */
  jitterMs?: number;
  /** Share of accepted requests answered 502 or 503. */
  serverErrorRate?: number;
  /** Share of accepted requests whose connection is destroyed without an answer. */
  dropRate?: number;
  /** Payloads above this answer 413 (Missive documents 10 MB). */
  maxBodyBytes?: number;
  /**
   * Share of faulted POSTs (5xx or drop) that fail *after* the write was stored, as a gateway
   * error or a lost connection can in production: the client cannot know whether it happened.
   * Default 0.5.
   */
  faultAfterWriteRate?: number;
}

export type MessagesResponseMode = 'body' | 'empty';
export type DuplicateExternalIdMode = 'accept' | 'reject';
/**
 * The two readings of `reopen` on POST /posts (the docs contradict themselves):
 * 'flag-keeps-closed' (attribute note): a post reopens a closed conversation unless `reopen: true`;
 * 'flag-reopens' (action table): a post leaves it as it is, `reopen: true` reopens it.
 */
export type PostReopenMode = 'flag-keeps-closed' | 'flag-reopens';
/**
 * Whether POST /messages keeps a past `delivered_at` (undocumented): 'honoured' stores it as given,
 * 'ignored' stores the message dated when it arrived.
 */
export type DeliveredAtMode = 'honoured' | 'ignored';

/** One change of a conversation's closed state, and the request that made it. */
export interface StateChange {
  conversation: string;
  change: 'closed' | 'reopened';
  request: 'POST /messages' | 'POST /posts';
}

export interface SandboxOptions {
  /** Default '127.0.0.1'; only loopback hosts are allowed. */
  host?: string;
  /** Default 0: a random free port. */
  port?: number;
  /** Default 'missive_pat-sandbox-0000demo'. */
  token?: string;
  /** A second valid-looking token that answers 403 (no Productive plan). */
  forbiddenToken?: string;
  /** The custom channel account id; default a fixed UUID. */
  accountId?: string;
  /** Tests and benchmarks compress time, e.g. minuteMs 1000. */
  limits?: Partial<SandboxLimits>;
  /** POST /messages answers 201 with the message ('body', default) or 201 with no body ('empty'). */
  messagesResponse?: MessagesResponseMode;
  /** A second POST /messages with a known external_id is stored ('accept', default) or refused with 422. */
  duplicateExternalId?: DuplicateExternalIdMode;
  /** How posts treat closed conversations; default 'flag-keeps-closed' (a plain post reopens). */
  postReopen?: PostReopenMode;
  /** Whether a message's `delivered_at` is kept ('honoured', default) or replaced by now ('ignored'). */
  deliveredAt?: DeliveredAtMode;
  /** Default true: Access-Control-Expose-Headers lists Retry-After and X-RateLimit-*. */
  exposeRateHeaders?: boolean;
  /** Default true; false sends no CORS headers at all. */
  cors?: boolean;
  /** Messages per conversation before a new message starts a new conversation; default 400. */
  conversationCap?: number;
  /** Posts' text and markdown are truncated past this many characters; default 8000. */
  postTextLimit?: number;
  faults?: SandboxFaults;
  /**
   * Also lists a contact book synced with Google (read-only through the API, as Missive's docs
   * suggest: "Import your CSV there"). Missive documents no status for a write to it, so each reading
   * is a switch: POST /contacts naming it is refused with 403, 400 or 422 and a message. Default off.
   */
  syncedContactBookRefusal?: SyncedBookRefusalStatus;
  /** Seeds ids and fault randomness; default fixed, so runs repeat. */
  seed?: number;
  log?: (line: string) => void;
}

export type MutableSandboxOptions = Partial<
  Pick<
    SandboxOptions,
    'messagesResponse' | 'duplicateExternalId' | 'exposeRateHeaders' | 'cors' | 'postReopen' | 'deliveredAt'
  >
>;

export interface InjectedResponse {
  /** HTTP status to answer; 0 destroys the connection instead (a network error for the client). */
  status: number;
  /** Seconds, sent as Retry-After. */
  retryAfter?: number;
  count: number;
  /** Only requests whose path (e.g. /v1/posts) matches are affected. */
  paths?: RegExp;
  /** Process the request normally (the write happens), then answer `status` instead. */
  afterWrite?: boolean;
}

export interface RecordedRequest {
  /** 0-based position in the log; GET /__sandbox/requests?since= pages on it. */
  seq: number;
  method: string;
  path: string;
  query: Record<string, string>;
  /** Parsed JSON body; undefined when none was read (GET, or refused before reading). */
  body: unknown;
  /** 0 while in flight and for dropped connections. */
  status: number;
  /** Epoch milliseconds (fractional). */
  startedAt: number;
  endedAt: number | null;
  /** Accepted /v1 requests in flight when this one arrived. */
  inFlightAtStart: number;
  /** What the sandbox did besides normal handling. */
  outcome: 'normal' | 'rate-limited' | 'injected' | 'server-error' | 'dropped' | 'preflight';
}

export interface Attachment {
  id: string;
  filename: string;
  /** Decoded size in bytes. */
  size: number;
}

export interface StoredMessage {
  id: string;
  type: 'custom';
  conversation: string;
  account: string;
  subject: string | null;
  body: string | null;
  from_field: Record<string, unknown> | null;
  to_fields: Record<string, unknown>[];
  cc_fields: Record<string, unknown>[];
  bcc_fields: Record<string, unknown>[];
  /** Unix seconds, as sent (request time when omitted). */
  delivered_at: number;
  created_at: number;
  external_id: string | null;
  references: string[];
  attachments: Attachment[];
  team: string | null;
  force_team: boolean;
  organization: string | null;
  add_users: string[];
  add_assignees: string[];
  conversation_subject: string | null;
  conversation_color: string | null;
  add_shared_labels: string[];
  remove_shared_labels: string[];
  add_to_inbox: boolean | null;
  add_to_team_inbox: boolean | null;
  close: boolean;
  /** Fields Missive does not document (e.g. `labels`); Missive would ignore them silently. */
  ignored_fields: string[];
}

/** An email already synced into Missive (seeded by tests), findable by its Message-ID. */
export interface SeededEmail {
  id: string;
  type: 'email';
  conversation: string;
  /** With chevrons, as Missive shows it. */
  email_message_id: string;
  subject: string | null;
  delivered_at: number;
  created_at: number;
}

export interface StoredPost {
  id: string;
  conversation: string;
  created_at: number;
  username: string | null;
  username_icon: string | null;
  conversation_icon: string | null;
  conversation_subject: string | null;
  conversation_color: string | null;
  text: string | null;
  markdown: string | null;
  notification: { title: string; body: string };
  attachments: Record<string, unknown>[];
  references: string[];
  organization: string | null;
  team: string | null;
  force_team: boolean;
  add_users: string[];
  add_assignees: string[];
  add_shared_labels: string[];
  remove_shared_labels: string[];
  add_to_inbox: boolean | null;
  add_to_team_inbox: boolean | null;
  close: boolean;
  reopen: boolean;
  /** 'text' and/or 'markdown' when cut at the post text limit. */
  truncated: string[];
  ignored_fields: string[];
}

export interface ConversationSnapshot {
  id: string;
  subject: string | null;
  created_at: number;
  last_activity_at: number;
  closed: boolean;
  in_inbox: boolean;
  color: string | null;
  team: string | null;
  organization: string | null;
  shared_labels: string[];
  assignees: string[];
  users: string[];
  /** Set when the conversation hit the message cap: later messages went there. */
  continued_in: string | null;
  /** POST /messages items, in arrival order. */
  messages: StoredMessage[];
  /** Seeded emails, in seeding order. */
  emails: SeededEmail[];
  /** Posts, in arrival order. */
  posts: StoredPost[];
}

export interface StoredContact {
  id: string;
  contact_book: string;
  created_at: number;
  modified_at: number;
  deleted: boolean;
  [field: string]: unknown;
}

export interface SharedLabel {
  id: string;
  name: string;
  name_with_parent_names: string;
  color: string | null;
  organization: string;
  parent: string | null;
  share_with_organization: boolean;
  share_with_team: string | null;
  share_with_users: string[];
  visibility: 'organization' | 'delegates';
}

export type SyncedBookRefusalStatus = 403 | 400 | 422;

export interface ContactBook {
  id: string;
  user: string;
  share_with_organization: boolean;
  share_with_team: string | null;
  share_with_users: string[];
  organization: string | null;
  name: string;
  description: string;
}

export interface SandboxUser {
  id: string;
  me: boolean;
  email: string;
  name: string;
  avatar_url: string;
}

export interface SandboxTeam {
  id: string;
  name: string;
  organization: string;
  active_members: string[];
  observers: string[];
}

export interface RateCounters {
  limits: SandboxLimits;
  inFlight: number;
  peakInFlight: number;
  /** Accepted requests inside the rolling minute / 15-minute windows right now. */
  inMinuteWindow: number;
  in15MinuteWindow: number;
  acceptedTotal: number;
  /** 429s the limiter sent (injected ones excluded). */
  rejected429: number;
  /** 429s sent by injectResponses. */
  injected429: number;
  /** Limiter 429s by the limit that was hit. */
  rejectedBy: { concurrent: number; perMinute: number; per15Minutes: number };
}

export interface SandboxState {
  accountId: string;
  organizationId: string;
  userId: string;
  conversations: ConversationSnapshot[];
  /** POST /messages items (seeded emails are in `emails`). */
  messages: StoredMessage[];
  emails: SeededEmail[];
  posts: StoredPost[];
  contacts: StoredContact[];
  contactBooks: ContactBook[];
  sharedLabels: SharedLabel[];
  users: SandboxUser[];
  teams: SandboxTeam[];
  organizations: { id: string; name: string }[];
  rate: RateCounters;
  /** Requests recorded in the log (preflights included, control API excluded). */
  requestCount: number;
}

export interface SeedEmailInput {
  messageId: string;
  subject?: string;
  conversationId?: string;
  /** The synced conversation is closed (archived) in Missive; default open. */
  closed?: boolean;
}

export interface MissiveSandbox {
  /** Base URL including /v1, e.g. http://127.0.0.1:41234/v1 */
  url: string;
  origin: string;
  token: string;
  forbiddenToken: string;
  accountId: string;
  organizationId: string;
  userId: string;
  close(): Promise<void>;
  /** Adds an "already synced" email; returns its conversation id. */
  seedEmail(input: SeedEmailInput): string;
  /** Adds shared labels to the organization (e.g. more than one listing page holds); returns their IDs. */
  seedSharedLabels(names: readonly string[]): string[];
  /** Every change of a conversation's closed state, in order, with the request that made it. */
  stateChanges(): StateChange[];
  /** Subsequent requests with the token, and with every token created so far, get 401 (reset() restores them). */
  revokeToken(): void;
  /** A new valid token, as the user creates one in Missive after a revoke (reset() forgets it). */
  createToken(): string;
  /** Replaces the fault settings (omitted fields fall back to defaults). */
  setFaults(f: SandboxFaults | undefined): void;
  setOptions(o: MutableSandboxOptions): void;
  /** Queue N forced responses (e.g. a 429 storm or 5xx burst) returned before normal handling. */
  injectResponses(r: InjectedResponse): void;
  requests(): RecordedRequest[];
  snapshot(): SandboxState;
  /** Clears data, the request log, counters, injections and revocation; keeps the configuration. */
  reset(): void;
}
