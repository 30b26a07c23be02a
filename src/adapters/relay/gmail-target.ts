/**
 * Gmail / Google Workspace through the Gmail API (email-relay.md §1): `users.messages.import` as a
 * multipart upload (resumable above 5 MB), always with `internalDateSource=dateHeader`,
 * `neverMarkSpam=true`, `processForCalendar=false`; one label `Front import/<inbox>` per marked inbox
 * (created when missing), not the Inbox unless asked; `threadId` keeps a conversation in one thread.
 * Unknown outcomes are looked up with `messages.list?q=rfc822msgid:` (needs `gmail.readonly`).
 * Gmail keeps one message per Message-ID in a mailbox (importing it again only adds labels), so
 * each email is first looked up: one already there is imported (for its label) and reported as
 * "already in the mailbox".
 */
import type { Inbox } from '../../domain/model.ts';
import { bodySnippet, record, retryAfterMs, send, stringField, type Fetch, type HttpAnswer } from './http.ts';
import type { PacerLimits } from './pacer.ts';
import type { RelayTarget, SendRequest, StoredCopy } from './target.ts';
import { TargetError, type TargetAccount } from './types.ts';

export const GMAIL_API_BASE = 'https://gmail.googleapis.com';

/** Insert and import, create labels, and read (the rfc822msgid: check before any resend). */
export const GMAIL_RELAY_SCOPES = [
  'https://www.googleapis.com/auth/gmail.insert',
  'https://www.googleapis.com/auth/gmail.labels',
  'https://www.googleapis.com/auth/gmail.readonly',
] as const;

/** Quota units (https://developers.google.com/gmail/api/reference/quota). */
export const GMAIL_UNITS = { import: 25, list: 5, labelsList: 1, labelsCreate: 5, profile: 1 } as const;

/**
 * 15,000 units per user per minute is documented; 12,000 leaves room for the checks and for
 * other apps of the same user (≈ 480 imports per minute).
 */
export const GMAIL_LIMITS: PacerLimits = { concurrency: 4, unitsPerWindow: 12_000, windowMs: 60_000 };
/** Times an upload session answering 404/410 (expired) is started over before the email fails. */
export const UPLOAD_SESSION_RESTARTS = 3;

/** Google's migration tool switches to an upload session above 5 MB. */
export const RESUMABLE_ABOVE_BYTES = 5 * 1024 * 1024;
/** The current reference says 150 MB; the discovery document 50 MB: the safe one. */
export const GMAIL_MAX_MESSAGE_BYTES = 50 * 1024 * 1024;
/** Gmail's search index lags behind an import by a few seconds. */
export const GMAIL_SEARCH_SETTLE_MS = 10_000;

export const LABEL_ROOT = 'Front import';

export interface GmailOptions {
  /** `https://gmail.googleapis.com`, or a loopback sandbox in tests. */
  apiBase?: string;
  token: string;
  /** Also put the copies in the Inbox (default: only under their label, archived). */
  addToInbox?: boolean;
  fetch?: Fetch;
}

/** `Front import/<inbox>`: a `/` inside the inbox name would nest one level deeper, so it becomes `-`. */
export function gmailLabelName(inboxName: string): string {
  const name = inboxName.replace(/\//g, '-').trim() || 'Inbox';
  return `${LABEL_ROOT}/${name}`;
}

export class GmailTarget implements RelayTarget {
  readonly account: TargetAccount;
  readonly maxMessageBytes = GMAIL_MAX_MESSAGE_BYTES;
  readonly limits = GMAIL_LIMITS;
  /** The Message-ID lookup, then the import. */
  readonly sendUnits = GMAIL_UNITS.list + GMAIL_UNITS.import;
  readonly findUnits = GMAIL_UNITS.list;
  readonly searchSettleMs = GMAIL_SEARCH_SETTLE_MS;
  readonly #base: string;
  readonly #fetch: Fetch;
  readonly #addToInbox: boolean;
  #token: string;
  /** Label ID per inbox key, filled by prepare(). */
  readonly #labels = new Map<string, string>();
  #boundaryCount = 0;

  private constructor(account: TargetAccount, options: GmailOptions) {
    this.account = account;
    this.#base = (options.apiBase ?? GMAIL_API_BASE).replace(/\/+$/, '');
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.#addToInbox = options.addToInbox ?? false;
    this.#token = options.token;
  }

  /** Reads who the token belongs to (`users.getProfile`): the account key of the ledger. */
  static async connect(options: GmailOptions): Promise<GmailTarget> {
    const probe = new GmailTarget({ key: '', kind: 'gmail', label: '' }, options);
    const profile = await probe.#json('GET', '/gmail/v1/users/me/profile', 'Reading the Gmail profile');
    const email = stringField(profile, 'emailAddress');
    if (!email) throw new TargetError('fatal', 'Gmail did not say which account this is (no emailAddress).');
    const account: TargetAccount = {
      key: `gmail:${email.toLowerCase()}`,
      kind: 'gmail',
      label: `Gmail ${email}`,
    };
    return new GmailTarget(account, options);
  }

  get destination(): string {
    const where = `labels "${LABEL_ROOT}/<inbox>"`;
    return this.#addToInbox ? `${where} and the Inbox` : `${where} (archived, not in the Inbox)`;
  }

  setToken(token: string): void {
    this.#token = token;
  }

  /** Finds or creates `Front import` and one `Front import/<inbox>` label per inbox. */
  async prepare(inboxes: readonly Inbox[]): Promise<void> {
    const listed = await this.#json('GET', '/gmail/v1/users/me/labels', 'Listing Gmail labels');
    const byName = new Map<string, string>();
    const labels = record(listed)?.labels;
    for (const label of Array.isArray(labels) ? labels : []) {
      const id = stringField(label, 'id');
      const name = stringField(label, 'name');
      if (id && name) byName.set(name.toLowerCase(), id);
    }
    const ensure = async (name: string): Promise<string> => {
      const known = byName.get(name.toLowerCase());
      if (known) return known;
      const created = await this.#createLabel(name);
      byName.set(name.toLowerCase(), created);
      return created;
    };
    await ensure(LABEL_ROOT);
    for (const inbox of inboxes) this.#labels.set(inbox.key, await ensure(gmailLabelName(inbox.name)));
  }

  async #createLabel(name: string): Promise<string> {
    const body = JSON.stringify({ name, messageListVisibility: 'show', labelListVisibility: 'labelShow' });
    const answer = await this.#request('POST', '/gmail/v1/users/me/labels', 'Creating a Gmail label', {
      body,
      headers: { 'Content-Type': 'application/json; charset=UTF-8' },
    });
    if (answer.status === 409) {
      // Created meanwhile (another tab), or differs only in case: take the existing one.
      const listed = await this.#json('GET', '/gmail/v1/users/me/labels', 'Listing Gmail labels');
      const labels = record(listed)?.labels;
      for (const label of Array.isArray(labels) ? labels : []) {
        if (stringField(label, 'name')?.toLowerCase() === name.toLowerCase())
          return stringField(label, 'id')!;
      }
    }
    const id = stringField(this.#ok(answer, 'Creating a Gmail label'), 'id');
    if (!id) throw new TargetError('fatal', `Gmail created label "${name}" without telling its ID.`);
    return id;
  }

  labelIdFor(inboxKey: string): string | undefined {
    return this.#labels.get(inboxKey);
  }

  async send(request: SendRequest): Promise<StoredCopy> {
    const labelIds = request.inboxes
      .map((inbox) => this.#labels.get(inbox.key))
      .filter((id): id is string => id !== undefined);
    if (this.#addToInbox) labelIds.push('INBOX');
    const metadata: Record<string, unknown> = { labelIds };
    if (request.threadId) metadata.threadId = request.threadId;
    const raw = request.email.raw;
    // Looked up first: the import answer is the same whether Gmail stored a new message or merged.
    const before = await this.find(request.email.messageId);
    const answer =
      raw.length > RESUMABLE_ABOVE_BYTES
        ? await this.#resumableImport(metadata, raw)
        : await this.#multipartImport(metadata, raw);
    const stored = storedCopy(this.#ok(answer, 'Gmail import'), 'Gmail import');
    return before ? { ...stored, alreadyInMailbox: true } : stored;
  }

  async find(messageId: string): Promise<StoredCopy | null> {
    const id = messageId.replace(/^<|>$/g, '');
    const query = new URLSearchParams({ q: `rfc822msgid:${id}`, includeSpamTrash: 'true', maxResults: '10' });
    const found = await this.#json(
      'GET',
      `/gmail/v1/users/me/messages?${query}`,
      'Searching Gmail by Message-ID',
    );
    const messages = record(found)?.messages;
    const first = Array.isArray(messages) ? messages[0] : undefined;
    return first ? storedCopy(first, 'Gmail search') : null;
  }

  /** The import parameters, passed explicitly every time (email-relay.md §1.1). */
  #importQuery(uploadType: 'multipart' | 'resumable'): string {
    return new URLSearchParams({
      uploadType,
      internalDateSource: 'dateHeader',
      neverMarkSpam: 'true',
      processForCalendar: 'false',
    }).toString();
  }

  async #multipartImport(metadata: Record<string, unknown>, raw: Uint8Array): Promise<HttpAnswer> {
    // Random-enough and never inside a header line; the odds of it appearing in the message are nil.
    const boundary = `frontimport_${Date.now().toString(36)}_${(++this.#boundaryCount).toString(36)}_${Math.random().toString(36).slice(2)}`;
    const head =
      `--${boundary}\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n${JSON.stringify(metadata)}\r\n` +
      `--${boundary}\r\nContent-Type: message/rfc822\r\n\r\n`;
    const body = new Blob([head, raw as Uint8Array<ArrayBuffer>, `\r\n--${boundary}--\r\n`]);
    return this.#request(
      'POST',
      `/upload/gmail/v1/users/me/messages/import?${this.#importQuery('multipart')}`,
      'Gmail import',
      {
        body,
        headers: { 'Content-Type': `multipart/related; boundary=${boundary}` },
      },
    );
  }

  /**
   * An upload session, then the bytes; a session answering 404 or 410 has expired and is started
   * over (Google's upload guide). Falls back to multipart when the browser cannot read `Location`.
   */
  async #resumableImport(metadata: Record<string, unknown>, raw: Uint8Array): Promise<HttpAnswer> {
    for (let restart = 0; ; restart++) {
      const answer = await this.#resumableAttempt(metadata, raw);
      if ((answer.status !== 404 && answer.status !== 410) || restart >= UPLOAD_SESSION_RESTARTS)
        return answer;
    }
  }

  async #resumableAttempt(metadata: Record<string, unknown>, raw: Uint8Array): Promise<HttpAnswer> {
    const start = await this.#request(
      'POST',
      `/upload/gmail/v1/users/me/messages/import?${this.#importQuery('resumable')}`,
      'Gmail upload session',
      {
        body: JSON.stringify(metadata),
        headers: {
          'Content-Type': 'application/json; charset=UTF-8',
          'X-Upload-Content-Type': 'message/rfc822',
          'X-Upload-Content-Length': String(raw.length),
        },
      },
    );
    this.#ok(start, 'Gmail upload session');
    const location = start.headers.get('location');
    if (!location) return this.#multipartImport(metadata, raw);
    // The session URI is the credential for the bytes; no Authorization header (Google's documented form).
    return send(
      this.#fetch,
      location,
      {
        method: 'PUT',
        body: new Blob([raw as Uint8Array<ArrayBuffer>]),
        headers: { 'Content-Type': 'message/rfc822' },
      },
      'Gmail upload',
    );
  }

  async #json(method: string, path: string, what: string): Promise<unknown> {
    return this.#ok(await this.#request(method, path, what), what);
  }

  async #request(
    method: string,
    path: string,
    what: string,
    init: { body?: BodyInit; headers?: Record<string, string> } = {},
  ): Promise<HttpAnswer> {
    return send(
      this.#fetch,
      `${this.#base}${path}`,
      {
        method,
        body: init.body ?? null,
        headers: { ...init.headers, Authorization: `Bearer ${this.#token}` },
      },
      what,
    );
  }

  /** The body of a 2xx; any other answer becomes the TargetError the run acts on. */
  #ok(answer: HttpAnswer, what: string): unknown {
    if (answer.status >= 200 && answer.status < 300) return answer.body;
    throw gmailError(answer, what);
  }
}

function storedCopy(body: unknown, what: string): StoredCopy {
  const remoteId = stringField(body, 'id');
  if (!remoteId)
    throw new TargetError('transient', `${what}: the answer has no message ID (${bodySnippet(body)})`);
  return { remoteId, threadId: stringField(body, 'threadId') };
}

/** Google's error body: `{"error":{"code","message","errors":[{reason}],"status"}}`. */
export function gmailError(answer: HttpAnswer, what: string): TargetError {
  const error = record(record(answer.body)?.error);
  const message = stringField(error, 'message') ?? bodySnippet(answer.body);
  const errors = error?.errors;
  const reason = Array.isArray(errors) ? (stringField(errors[0], 'reason') ?? '') : '';
  const text = `${what}: Gmail answered ${answer.status} ${message}`;
  const status = answer.status;
  if (status === 401)
    return new TargetError('auth', `${text}. Sign in with Google again to continue.`, status);
  if (
    status === 429 ||
    (status === 403 && /rateLimitExceeded|userRateLimitExceeded|quotaExceeded/i.test(reason))
  ) {
    return new TargetError('rate', text, status, retryAfterMs(answer.headers));
  }
  if (status === 403) {
    const hint = /insufficient/i.test(`${reason} ${message}`)
      ? ' Sign in again and allow every permission the page asks for (insert, labels and read).'
      : '';
    return new TargetError('fatal', `${text}.${hint}`, status);
  }
  if (status === 413) return new TargetError('too-large', text, status);
  if (status >= 500) return new TargetError('transient', text, status);
  return new TargetError('rejected', text, status);
}
