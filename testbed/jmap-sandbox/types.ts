/** Public shapes of the JMAP sandbox: options, limits, stored objects, recorded requests. */

export const CORE_CAPABILITY = 'urn:ietf:params:jmap:core';
export const MAIL_CAPABILITY = 'urn:ietf:params:jmap:mail';

/** `capabilities["urn:ietf:params:jmap:core"]` (RFC 8620 §2). */
export interface JmapCoreLimits {
  maxSizeUpload: number;
  maxConcurrentUpload: number;
  maxSizeRequest: number;
  maxConcurrentRequests: number;
  maxCallsInRequest: number;
  maxObjectsInGet: number;
  maxObjectsInSet: number;
}

/** Defaults in the range public servers advertise; every test can override them. */
export const DEFAULT_LIMITS: JmapCoreLimits = Object.freeze({
  maxSizeUpload: 50_000_000,
  maxConcurrentUpload: 4,
  maxSizeRequest: 10_000_000,
  maxConcurrentRequests: 4,
  maxCallsInRequest: 16,
  maxObjectsInGet: 500,
  maxObjectsInSet: 500,
});

export interface JmapFaults {
  latencyMs?: number;
  jitterMs?: number;
  /** Share of accepted requests answered 500 or 503. */
  serverErrorRate?: number;
  /** Share of accepted requests whose connection is destroyed without an answer. */
  dropRate?: number;
  /** Share of faulted POSTs that fail *after* their writes were stored. Default 0.5. */
  faultAfterWriteRate?: number;
}

export interface InjectedResponse {
  /** HTTP status (answered with a problem-details body); 0 destroys the connection instead. */
  status: number;
  count: number;
  /** Only requests whose path matches are affected, e.g. /\/upload\//. */
  paths?: RegExp;
  /** Process the request normally (writes happen), then answer `status` instead. */
  afterWrite?: boolean;
}

/**
 * RFC 8621 §4.8 lets a server refuse an email with the same Message-ID or identical content
 * (`alreadyExists` with `existingId`), or accept duplicates under new ids.
 */
export type DuplicatePolicy = 'allow' | 'rejectSameMessageId' | 'rejectSameContent';

/** A concurrency overflow: HTTP 429, or 400, both with the `limit` problem type. */
export type ConcurrencyRefusalStatus = 429 | 400;

export interface JmapSandboxOptions {
  /** Default '127.0.0.1'; only loopback hosts are allowed. */
  host?: string;
  /** Default 0: a random free port. */
  port?: number;
  /** Valid API tokens; default one. */
  tokens?: string[];
  /** Default 'u1a2b3c4d' (Fastmail-like). */
  accountId?: string;
  /** Default 'relay.sandbox@fastmail.example'. */
  username?: string;
  limits?: Partial<JmapCoreLimits>;
  /** Default 'allow'. */
  duplicates?: DuplicatePolicy;
  /** Default 429. */
  concurrencyRefusalStatus?: ConcurrencyRefusalStatus;
  /** Default true; false sends no CORS headers at all. */
  cors?: boolean;
  faults?: JmapFaults;
  /** Seeds ids and fault randomness; default fixed, so runs repeat. */
  seed?: number;
  /** Epoch milliseconds; default Date.now. advanceClock() adds to it. */
  now?: () => number;
  log?: (line: string) => void;
  /** Default 'wholeWord'. */
  headerMatch?: HeaderMatch;
  /** Default 0. */
  indexDelayMs?: number;
  /** Default false. */
  readOnly?: boolean;
}

/**
 * How `Email/query`'s `header` condition matches a value. RFC 8621 §4.4.1 leaves string matching to
 * the server: `substring` is case-insensitive "contains"; `wholeWord` (the default, the loosest the
 * RFC allows) matches when every word of the query is a word of the value, in any order and case,
 * so a query for one Message-ID can return emails with another.
 */
export type HeaderMatch = 'wholeWord' | 'substring';

/** notCreated SetErrors `Email/import` answers for the next `count` emails (RFC 8621 §4.8, RFC 8620 §5.3). */
export interface ImportRefusal {
  type: 'rateLimit' | 'overQuota';
  count: number;
}

export type MutableJmapOptions = Partial<
  Pick<JmapSandboxOptions, 'duplicates' | 'concurrencyRefusalStatus' | 'cors'> & {
    headerMatch: HeaderMatch;
    /** An imported email is found by Email/query only this long (sandbox clock) after its import. Default 0. */
    indexDelayMs: number;
    /** The session marks the account `isReadOnly` (and writes are refused with `forbidden`). */
    readOnly: boolean;
    /** null clears a refusal still pending. */
    importRefusal: ImportRefusal | null;
  }
>;

export interface JmapMailbox {
  id: string;
  name: string;
  parentId: string | null;
  role: string | null;
  sortOrder: number;
  isSubscribed: boolean;
}

export interface EmailAddress {
  name: string | null;
  email: string;
}

export interface StoredJmapEmail {
  id: string;
  blobId: string;
  threadId: string;
  mailboxIds: Record<string, true>;
  keywords: Record<string, true>;
  /** UTCDate, as given on import or defaulted. */
  receivedAt: string;
  receivedAtFrom: 'import' | 'receivedHeader' | 'importTime';
  size: number;
  raw: Buffer;
  /** Message-IDs without angle brackets, as JMAP's `messageId` property; null when unparsable. */
  messageId: string[] | null;
  inReplyTo: string[] | null;
  references: string[] | null;
  /** Decoded. */
  subject: string | null;
  sentAt: string | null;
  from: EmailAddress[] | null;
  sender: EmailAddress[] | null;
  replyTo: EmailAddress[] | null;
  to: EmailAddress[] | null;
  cc: EmailAddress[] | null;
  bcc: EmailAddress[] | null;
  preview: string;
  hasAttachment: boolean;
  /** Every header field in order, name as sent, value unfolded. */
  headers: { name: string; value: string }[];
  lineEndings: 'crlf' | 'lf' | 'mixed' | 'none';
  /** Sandbox clock time of the import. */
  importedAt: number;
}

export interface StoredBlob {
  blobId: string;
  /** Content type of the first upload. */
  type: string;
  size: number;
  bytes: Buffer;
}

export interface RecordedRequest {
  /** 0-based position in the log; GET /__sandbox/requests?since= pages on it. */
  seq: number;
  method: string;
  path: string;
  kind: 'session' | 'api' | 'upload' | 'download' | 'preflight' | 'other';
  /** Method names of an API request, in order. */
  methodCalls: string[];
  bodyBytes: number;
  /** 0 while in flight and for dropped connections. */
  status: number;
  startedAt: number;
  endedAt: number | null;
  outcome:
    | 'normal'
    | 'unauthenticated'
    | 'limit'
    | 'concurrency-exceeded'
    | 'injected'
    | 'server-error'
    | 'dropped'
    | 'preflight';
}

export interface JmapSandboxState {
  accountId: string;
  username: string;
  limits: JmapCoreLimits;
  mailboxes: JmapMailbox[];
  emails: Omit<StoredJmapEmail, 'raw'>[];
  blobs: Omit<StoredBlob, 'bytes'>[];
  requestCount: number;
  clockOffsetMs: number;
}

export interface JmapSandbox {
  /** Origin, e.g. http://127.0.0.1:41234 */
  url: string;
  origin: string;
  /** What the user pastes: the session resource URL. */
  sessionUrl: string;
  apiUrl: string;
  token: string;
  accountId: string;
  limits: JmapCoreLimits;
  close(): Promise<void>;
  emails(): StoredJmapEmail[];
  mailboxes(): JmapMailbox[];
  blobs(): StoredBlob[];
  requests(): RecordedRequest[];
  snapshot(): JmapSandboxState;
  issueToken(): string;
  /** Requests with this token get 401 from now on. */
  expireToken(token: string): void;
  /** Moves the sandbox clock (default receivedAt) forward. */
  advanceClock(ms: number): void;
  setFaults(faults: JmapFaults | undefined): void;
  setOptions(options: MutableJmapOptions): void;
  injectResponses(injection: InjectedResponse): void;
  /** Clears emails, blobs, user mailboxes, the log, injections, issued/expired tokens and the clock offset. */
  reset(): void;
}
