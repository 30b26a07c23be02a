/**
 * A JMAP mail server (Fastmail and others; RFC 8620, RFC 8621 §4.8; email-relay.md §2): the session
 * tells the API and upload URLs and the limits; each email is uploaded as a blob, then
 * `Email/import`ed into the chosen mailbox, marked read, with `receivedAt` = Front's `created_at`.
 * `alreadyExists` is success (the server already holds that email). Unknown outcomes are looked up
 * with `Email/query` on the Message-ID header, then confirmed with `Email/get`: RFC 8621 §4.4.1
 * leaves the matching to the server (whole words, any case), so a hit may be another email.
 */
import type { Inbox } from '../../domain/model.ts';
import { bodySnippet, record, retryAfterMs, send, stringField, type Fetch, type HttpAnswer } from './http.ts';
import type { PacerLimits } from './pacer.ts';
import type { RelayTarget, SendRequest, StoredCopy } from './target.ts';
import { TargetError, type FolderChoice, type TargetAccount } from './types.ts';

export const FASTMAIL_SESSION_URL = 'https://api.fastmail.com/jmap/session';
const CORE = 'urn:ietf:params:jmap:core';
const MAIL = 'urn:ietf:params:jmap:mail';
const USING = [CORE, MAIL];
/** The mailbox created when the user picks none. */
export const JMAP_DEFAULT_MAILBOX = 'Front import';

/** How long after an import a JMAP server's search is trusted to see it (indexing may lag). */
export const JMAP_SEARCH_SETTLE_MS = 5_000;
/** Email/query hits checked with Email/get for the exact Message-ID. */
const FIND_CANDIDATES = 20;

export interface JmapLimits {
  maxSizeUpload: number;
  maxConcurrentUpload: number;
  maxConcurrentRequests: number;
  maxSizeRequest: number;
}

/** RFC 8620's minimums, used where a session leaves a limit out. */
const FALLBACK_LIMITS: JmapLimits = {
  maxSizeUpload: 50_000_000,
  maxConcurrentUpload: 4,
  maxConcurrentRequests: 4,
  maxSizeRequest: 10_000_000,
};

export interface JmapOptions {
  sessionUrl: string;
  token: string;
  fetch?: Fetch;
}

interface Session {
  apiUrl: string;
  uploadUrl: string;
  accountId: string;
  username: string;
  limits: JmapLimits;
}

export class JmapTarget implements RelayTarget {
  readonly account: TargetAccount;
  readonly maxMessageBytes: number;
  readonly limits: PacerLimits;
  readonly sendUnits = 1;
  readonly findUnits = 1;
  /** RFC 8621 does not say when Email/query sees an import: a miss is trusted only after this. */
  readonly searchSettleMs = JMAP_SEARCH_SETTLE_MS;
  readonly session: Session;
  readonly #fetch: Fetch;
  #token: string;
  #mailbox: FolderChoice | null = null;

  private constructor(session: Session, options: JmapOptions) {
    this.session = session;
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.#token = options.token;
    const host = safeHost(session.apiUrl);
    this.account = {
      key: `jmap:${session.username.toLowerCase()}@${host}/${session.accountId}`,
      kind: 'jmap',
      label: `JMAP ${session.username} (${host})`,
    };
    this.maxMessageBytes = session.limits.maxSizeUpload;
    // One email = one upload and one API call, each under its own concurrency limit.
    const concurrency = Math.max(
      1,
      Math.min(session.limits.maxConcurrentUpload, session.limits.maxConcurrentRequests),
    );
    this.limits = { concurrency, unitsPerWindow: 50 * concurrency, windowMs: 1000 };
  }

  /** Reads the session resource: URLs, the mail account, the limits. */
  static async connect(options: JmapOptions): Promise<JmapTarget> {
    const answer = await send(
      options.fetch ?? ((input, init) => fetch(input, init)),
      options.sessionUrl,
      { method: 'GET', headers: { Authorization: `Bearer ${options.token}`, Accept: 'application/json' } },
      'Reading the JMAP session',
    );
    if (answer.status !== 200) throw jmapError(answer, 'Reading the JMAP session');
    return new JmapTarget(parseSession(answer.body, options.sessionUrl), options);
  }

  get destination(): string {
    return this.#mailbox ? `mailbox "${this.#mailbox.name}"` : 'a mailbox not chosen yet';
  }

  setToken(token: string): void {
    this.#token = token;
  }

  async mailboxes(): Promise<FolderChoice[]> {
    const [, result] = await this.#call(
      'Mailbox/get',
      { accountId: this.session.accountId, ids: null, properties: ['id', 'name', 'parentId', 'role'] },
      'Listing mailboxes',
    );
    const list = record(result)?.list;
    const rows = (Array.isArray(list) ? list : []).map((row) => ({
      id: stringField(row, 'id') ?? '',
      name: stringField(row, 'name') ?? '',
      parentId: stringField(row, 'parentId'),
    }));
    const byId = new Map(rows.map((row) => [row.id, row]));
    const path = (row: (typeof rows)[number]): string => {
      const parent = row.parentId ? byId.get(row.parentId) : undefined;
      return parent && parent !== row ? `${path(parent)}/${row.name}` : row.name;
    };
    return rows
      .filter((row) => row.id)
      .map((row) => ({ id: row.id, name: path(row) }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /** The mailbox copies go to: the chosen one, else `Front import` (created when missing). */
  async chooseMailbox(mailboxId: string | null): Promise<FolderChoice> {
    const boxes = await this.mailboxes();
    if (mailboxId) {
      const chosen = boxes.find((box) => box.id === mailboxId);
      if (!chosen)
        throw new TargetError(
          'fatal',
          `The mailbox ${mailboxId} is not in this account any more: pick another one.`,
        );
      return (this.#mailbox = chosen);
    }
    const existing = boxes.find((box) => box.name === JMAP_DEFAULT_MAILBOX);
    if (existing) return (this.#mailbox = existing);
    const [, result] = await this.#call(
      'Mailbox/set',
      { accountId: this.session.accountId, create: { m1: { name: JMAP_DEFAULT_MAILBOX, parentId: null } } },
      'Creating the mailbox',
    );
    const id = stringField(record(record(result)?.created)?.m1, 'id');
    if (!id) {
      const why = bodySnippet(record(record(result)?.notCreated)?.m1 ?? result);
      throw new TargetError(
        'fatal',
        `The server did not create the "${JMAP_DEFAULT_MAILBOX}" mailbox: ${why}`,
      );
    }
    return (this.#mailbox = { id, name: JMAP_DEFAULT_MAILBOX });
  }

  async prepare(_inboxes: readonly Inbox[]): Promise<void> {
    if (!this.#mailbox) await this.chooseMailbox(null);
  }

  async send(request: SendRequest): Promise<StoredCopy> {
    const mailbox = this.#mailbox;
    if (!mailbox) throw new TargetError('fatal', 'No mailbox chosen for the copies.');
    const blobId = await this.#upload(request.email.raw);
    const [, result] = await this.#call(
      'Email/import',
      {
        accountId: this.session.accountId,
        emails: {
          e1: {
            blobId,
            mailboxIds: { [mailbox.id]: true },
            keywords: { $seen: true },
            receivedAt: new Date(request.email.createdAt).toISOString().replace(/\.\d{3}Z$/, 'Z'),
          },
        },
      },
      'Email/import',
    );
    const created = record(record(result)?.created)?.e1;
    const id = stringField(created, 'id');
    if (id) return { remoteId: id, threadId: stringField(created, 'threadId') };
    const refused = record(record(record(result)?.notCreated)?.e1);
    if (stringField(refused, 'type') === 'alreadyExists') {
      const existing = stringField(refused, 'existingId');
      if (existing) return { remoteId: existing, threadId: null };
    }
    const type = stringField(refused, 'type') ?? 'unknown';
    const description = stringField(refused, 'description') ?? bodySnippet(refused ?? result);
    // RFC 8620 §5.3: rateLimit "may work if tried again later"; nothing was stored.
    if (type === 'rateLimit')
      throw new TargetError('rate', `Email/import refused it for now: ${type} ${description}`);
    // Every later email would meet a full account too: stop instead of failing them one by one.
    if (type === 'overQuota')
      throw new TargetError(
        'fatal',
        `The mailbox is full (${type}: ${description}). Free some space in the account, then resume the relay.`,
      );
    if (type === 'tooLarge')
      throw new TargetError('too-large', `Email/import refused it: ${type} ${description}`);
    throw new TargetError('rejected', `Email/import refused it: ${type} ${description}`);
  }

  /** The email whose Message-ID is exactly this one; the query's hits are only candidates. */
  async find(messageId: string): Promise<StoredCopy | null> {
    const [, result] = await this.#call(
      'Email/query',
      {
        accountId: this.session.accountId,
        filter: { header: ['Message-ID', messageId] },
        limit: FIND_CANDIDATES,
      },
      'Email/query by Message-ID',
    );
    const listed = record(result)?.ids;
    const ids = (Array.isArray(listed) ? listed : []).filter((id): id is string => typeof id === 'string');
    if (ids.length === 0) return null;
    const [, got] = await this.#call(
      'Email/get',
      { accountId: this.session.accountId, ids, properties: ['id', 'threadId', 'messageId'] },
      'Email/get of the Message-IDs',
    );
    // `messageId` holds the ids without angle brackets (RFC 8621 §4.1.3); compared exactly.
    const wanted = messageId.replace(/^<|>$/g, '');
    const list = record(got)?.list;
    for (const email of Array.isArray(list) ? list : []) {
      const ids = record(email)?.messageId;
      const id = stringField(email, 'id');
      if (id && Array.isArray(ids) && ids.includes(wanted))
        return { remoteId: id, threadId: stringField(email, 'threadId') };
    }
    return null;
  }

  async #upload(raw: Uint8Array): Promise<string> {
    const url = this.session.uploadUrl.replace('{accountId}', encodeURIComponent(this.session.accountId));
    const answer = await send(
      this.#fetch,
      url,
      {
        method: 'POST',
        body: new Blob([raw as Uint8Array<ArrayBuffer>]),
        headers: { Authorization: `Bearer ${this.#token}`, 'Content-Type': 'message/rfc822' },
      },
      'Uploading the email',
    );
    if (answer.status < 200 || answer.status >= 300) throw jmapError(answer, 'Uploading the email');
    const blobId = stringField(answer.body, 'blobId');
    if (!blobId)
      throw new TargetError('transient', `The upload answer has no blobId (${bodySnippet(answer.body)})`);
    return blobId;
  }

  /** One method call; a method-level `error` answer becomes a TargetError. */
  async #call(name: string, args: Record<string, unknown>, what: string): Promise<[string, unknown]> {
    const answer = await send(
      this.#fetch,
      this.session.apiUrl,
      {
        method: 'POST',
        body: JSON.stringify({ using: USING, methodCalls: [[name, args, '0']] }),
        headers: { Authorization: `Bearer ${this.#token}`, 'Content-Type': 'application/json' },
      },
      what,
    );
    if (answer.status !== 200) throw jmapError(answer, what);
    const responses = record(answer.body)?.methodResponses;
    const first = Array.isArray(responses) ? responses[0] : undefined;
    if (!Array.isArray(first) || typeof first[0] !== 'string') {
      throw new TargetError('transient', `${what}: unreadable answer (${bodySnippet(answer.body)})`);
    }
    if (first[0] === 'error') {
      const type = stringField(first[1], 'type') ?? 'error';
      const kind =
        type === 'serverFail' || type === 'serverUnavailable'
          ? 'transient'
          : type === 'requestTooLarge'
            ? 'too-large'
            : type === 'accountReadOnly'
              ? 'fatal'
              : 'rejected';
      throw new TargetError(kind, `${what}: ${type} ${stringField(first[1], 'description') ?? ''}`.trim());
    }
    return [first[0], first[1]];
  }
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

function positive(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : fallback;
}

/** The parts of the session resource relay mode uses (RFC 8620 §2). */
export function parseSession(body: unknown, sessionUrl: string): Session {
  const session = record(body);
  const accountId = stringField(record(session?.primaryAccounts), MAIL);
  const apiUrl = stringField(session, 'apiUrl');
  const uploadUrl = stringField(session, 'uploadUrl');
  if (!session || !accountId || !apiUrl || !uploadUrl) {
    throw new TargetError(
      'fatal',
      `This is not a JMAP mail session (no apiUrl, uploadUrl or mail account): ${bodySnippet(body)}`,
    );
  }
  // RFC 8620 §2: a read-only account refuses every write; say so before anything is sent.
  if (record(record(session.accounts)?.[accountId])?.isReadOnly === true) {
    throw new TargetError(
      'fatal',
      `The JMAP account ${stringField(session, 'username') ?? accountId} is read-only for this token: relay mode cannot store emails in it. Use a token (or an account) with write access to mail.`,
    );
  }
  const core = record(record(session.capabilities)?.[CORE]);
  // Relative URLs are allowed by RFC 8620: resolve them against the session URL.
  const resolve = (url: string) => (url.includes('{') ? url : new URL(url, sessionUrl).href);
  return {
    apiUrl: new URL(apiUrl, sessionUrl).href,
    uploadUrl: resolve(uploadUrl),
    accountId,
    username: stringField(session, 'username') ?? accountId,
    limits: {
      maxSizeUpload: positive(core?.maxSizeUpload, FALLBACK_LIMITS.maxSizeUpload),
      maxConcurrentUpload: positive(core?.maxConcurrentUpload, FALLBACK_LIMITS.maxConcurrentUpload),
      maxConcurrentRequests: positive(core?.maxConcurrentRequests, FALLBACK_LIMITS.maxConcurrentRequests),
      maxSizeRequest: positive(core?.maxSizeRequest, FALLBACK_LIMITS.maxSizeRequest),
    },
  };
}

/** HTTP-level JMAP errors (RFC 8620 §3.6.1 problem details) to what the run does next. */
export function jmapError(answer: HttpAnswer, what: string): TargetError {
  const type = stringField(answer.body, 'type') ?? '';
  const limit = stringField(answer.body, 'limit') ?? '';
  const detail = stringField(answer.body, 'detail') ?? bodySnippet(answer.body);
  const text = `${what}: the server answered ${answer.status} ${detail}`.trim();
  const status = answer.status;
  if (status === 401) return new TargetError('auth', `${text}. Paste a valid API token to continue.`, status);
  if (status === 429 || (/limit$/.test(type) && /maxConcurrent/.test(limit))) {
    return new TargetError('rate', text, status, retryAfterMs(answer.headers));
  }
  if (status === 413 || limit === 'maxSizeUpload' || limit === 'maxSizeRequest')
    return new TargetError('too-large', text, status);
  if (status === 403) return new TargetError('fatal', `${text}. The token may lack the mail scope.`, status);
  if (status >= 500) return new TargetError('transient', text, status);
  return new TargetError('rejected', text, status);
}
