/** Public shapes of the Gmail sandbox: options, stored messages, recorded requests. */

/** OAuth scopes the sandbox understands (https://developers.google.com/gmail/api/auth/scopes). */
export const GMAIL_SCOPES = Object.freeze({
  mail: 'https://mail.google.com/',
  modify: 'https://www.googleapis.com/auth/gmail.modify',
  insert: 'https://www.googleapis.com/auth/gmail.insert',
  labels: 'https://www.googleapis.com/auth/gmail.labels',
  readonly: 'https://www.googleapis.com/auth/gmail.readonly',
  metadata: 'https://www.googleapis.com/auth/gmail.metadata',
  compose: 'https://www.googleapis.com/auth/gmail.compose',
});

/** What relay mode asks for when "verify against mailbox" is on (email-relay.md §1.4). */
export const DEFAULT_TOKEN_SCOPES: readonly string[] = [
  GMAIL_SCOPES.insert,
  GMAIL_SCOPES.labels,
  GMAIL_SCOPES.readonly,
];

export interface GmailQuota {
  /** Units one user may spend per rolling window. */
  unitsPerWindow: number;
  /** The rolling window; tests compress it. */
  windowMs: number;
}

/** Per-user limit from https://developers.google.com/gmail/api/reference/quota. */
export const DOCUMENTED_QUOTA: GmailQuota = Object.freeze({ unitsPerWindow: 15_000, windowMs: 60_000 });

export interface AccessTokenGrant {
  token: string;
  /** Default DEFAULT_TOKEN_SCOPES. */
  scopes?: readonly string[];
}

export interface GmailFaults {
  /** Added to every accepted API request. */
  latencyMs?: number;
  /** Uniform random extra latency in [0, jitterMs). */
  jitterMs?: number;
  /** Share of accepted requests answered 500 or 503 (Google's backendError). */
  serverErrorRate?: number;
  /** Share of accepted requests whose connection is destroyed without an answer. */
  dropRate?: number;
  /**
   * Share of faulted writes that fail *after* the write was stored (the client cannot know it
   * happened: the case relay mode's `sending` ledger state exists for). Default 0.5.
   */
  faultAfterWriteRate?: number;
}

export interface InjectedResponse {
  /** HTTP status to answer (Google's error body); 0 destroys the connection instead. */
  status: number;
  count: number;
  /** Only requests whose path matches are affected, e.g. /messages\/import/. */
  paths?: RegExp;
  /** Process the request normally (the write happens), then answer `status` instead. */
  afterWrite?: boolean;
}

export type QuotaExceededStatus = 429 | 403;
/** Open question in email-relay.md §1.3: does import accept labelIds ["SENT"]? Test both. */
export type SentLabelPolicy = 'accept' | 'reject';
/**
 * 'well-formed' is Google's documented rule (References and In-Reply-To present and RFC 2822
 * compliant, subject matching); 'in-thread' also wants one referenced Message-ID in that thread.
 */
export type ThreadReferenceRule = 'well-formed' | 'in-thread';

export interface GmailSandboxOptions {
  /** Default '127.0.0.1'; only loopback hosts are allowed. */
  host?: string;
  /** Default 0: a random free port. */
  port?: number;
  /** The mailbox owner; default 'relay.sandbox@gmail.example'. */
  emailAddress?: string;
  /** Valid access tokens; default one token with DEFAULT_TOKEN_SCOPES. */
  tokens?: (string | AccessTokenGrant)[];
  quota?: Partial<GmailQuota>;
  /** Both are documented for userRateLimitExceeded; default 429. */
  quotaExceededStatus?: QuotaExceededStatus;
  /** Per-user concurrent requests before 429 "Too many concurrent requests for user"; default none. */
  maxConcurrentRequests?: number;
  /** Largest accepted message in bytes; default 50 MB (52,428,800, the discovery document's maxSize). */
  maxMessageBytes?: number;
  /** Imported messages stay invisible to `q=` search for this long (search lags; §8). Default 0. */
  searchIndexLagMs?: number;
  sentLabelOnImport?: SentLabelPolicy;
  threadReferences?: ThreadReferenceRule;
  /** Default true: resumable sessions' Location header is readable from the browser. */
  exposeUploadLocation?: boolean;
  /** Default true; false sends no CORS headers at all. */
  cors?: boolean;
  faults?: GmailFaults;
  /** Seeds ids and fault randomness; default fixed, so runs repeat. */
  seed?: number;
  /** Epoch milliseconds; default Date.now. advanceClock() adds to it. */
  now?: () => number;
  log?: (line: string) => void;
}

export type MutableGmailOptions = Partial<
  Pick<
    GmailSandboxOptions,
    | 'quotaExceededStatus'
    | 'searchIndexLagMs'
    | 'sentLabelOnImport'
    | 'threadReferences'
    | 'exposeUploadLocation'
    | 'cors'
    | 'maxMessageBytes'
    | 'maxConcurrentRequests'
  > & {
    /**
     * The next `count` resumable upload sessions expire before their bytes arrive: the PUT is
     * answered `status` (Google's upload guide: 404 or 410 means start the upload over). null clears.
     */
    expireUploadSessions: { status: 404 | 410; count: number } | null;
  }
>;

export interface GmailLabel {
  id: string;
  name: string;
  type: 'system' | 'user';
  messageListVisibility?: 'show' | 'hide';
  labelListVisibility?: 'labelShow' | 'labelShowIfUnread' | 'labelHide';
}

/** Headers as read back from the stored bytes (postal-mime), for assertions. */
export interface ParsedHeaders {
  messageId: string | null;
  /** Decoded (RFC 2047). */
  subject: string | null;
  from: string | null;
  to: string | null;
  cc: string | null;
  date: string | null;
  inReplyTo: string | null;
  references: string | null;
  /** Every field in order, name as sent, value unfolded. */
  fields: { name: string; value: string }[];
}

export type UploadForm = 'multipart' | 'media' | 'resumable' | 'json-raw';

export interface ThreadDecision {
  requestedThreadId: string | null;
  joined: boolean;
  /** Why a requested thread was not joined (or 'joined'). */
  reason: string;
}

export interface StoredGmailMessage {
  id: string;
  threadId: string;
  labelIds: string[];
  /** Epoch milliseconds as a decimal string, as Gmail sends it. */
  internalDate: string;
  /** Where internalDate came from: the Date header, or the time of receipt (invalid/absent Date). */
  internalDateFrom: 'dateHeader' | 'receivedTime';
  historyId: string;
  sizeEstimate: number;
  raw: Buffer;
  headers: ParsedHeaders;
  lineEndings: 'crlf' | 'lf' | 'mixed' | 'none';
  /** Sandbox clock time of the import. */
  importedAt: number;
  uploadForm: UploadForm;
  /** The import's query parameters, as received (e.g. neverMarkSpam: 'true'). */
  params: Record<string, string>;
  threading: ThreadDecision;
}

export interface RecordedRequest {
  /** 0-based position in the log; GET /__sandbox/requests?since= pages on it. */
  seq: number;
  method: string;
  path: string;
  query: Record<string, string>;
  /** e.g. 'messages.import'; null for preflights and unknown routes. */
  operation: string | null;
  /** Quota units charged (0 when refused before charging). */
  units: number;
  /** Bytes of request body read (0 when not read). */
  bodyBytes: number;
  /** 0 while in flight and for dropped connections. */
  status: number;
  startedAt: number;
  endedAt: number | null;
  outcome:
    | 'normal'
    | 'unauthenticated'
    | 'forbidden'
    | 'quota-exceeded'
    | 'concurrency-exceeded'
    | 'injected'
    | 'server-error'
    | 'dropped'
    | 'preflight';
}

export interface QuotaUsage extends GmailQuota {
  usedInWindow: number;
}

export interface GmailSandboxState {
  emailAddress: string;
  labels: GmailLabel[];
  threads: { id: string; messageIds: string[] }[];
  /** Messages without their raw bytes (see messages() or GET /__sandbox/messages?raw=1). */
  messages: Omit<StoredGmailMessage, 'raw'>[];
  quota: QuotaUsage;
  requestCount: number;
  clockOffsetMs: number;
}

export interface GmailSandbox {
  /** The API origin to use instead of https://gmail.googleapis.com, e.g. http://127.0.0.1:41234 */
  url: string;
  origin: string;
  emailAddress: string;
  /** The first configured access token. */
  token: string;
  /** Script URL of a stand-in for Google Identity Services' token client (see gis-stub.ts). */
  gisClientUrl: string;
  close(): Promise<void>;
  messages(): StoredGmailMessage[];
  /** Stores an email as if it had been in the mailbox before (an RFC 5322 message). */
  seedMessage(raw: Buffer | string, labelIds?: string[]): Promise<StoredGmailMessage>;
  labels(): GmailLabel[];
  requests(): RecordedRequest[];
  snapshot(): GmailSandboxState;
  /** A new valid token (what re-authorising gives the app). */
  issueToken(scopes?: readonly string[]): string;
  /** Requests with this token get 401 from now on. */
  expireToken(token: string): void;
  /** Moves the sandbox clock (quota windows, search lag, receivedTime) forward. */
  advanceClock(ms: number): void;
  quotaUsage(): QuotaUsage;
  setFaults(faults: GmailFaults | undefined): void;
  setOptions(options: MutableGmailOptions): void;
  injectResponses(injection: InjectedResponse): void;
  /** Clears mail, user labels, the log, quota, injections, issued/expired tokens and the clock offset. */
  reset(): void;
}
