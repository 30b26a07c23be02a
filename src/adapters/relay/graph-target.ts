/**
 * Microsoft 365 (work or school) through Microsoft Graph **beta** `importMime` (email-relay.md §3.2),
 * experimental: `POST /beta/me/mailFolders/{id}/importMime` with the whole message base64-encoded as
 * `text/plain` creates a real (non-draft) message without sending it. Graph's limits per app and
 * mailbox: 4 requests in flight, 10,000 requests per 10 minutes (paced at 15 per second, 9,000 per
 * 10 minutes), 150 MB of uploads per 5 minutes (counted as the base64 bodies sent), and a 4 MB request (≈ 3 MB of raw message once base64 grows
 * it): larger emails fail here with a reason and go to the file download. Unknown outcomes are
 * looked up with `$filter=internetMessageId eq '<id>'`.
 */
import type { Inbox } from '../../domain/model.ts';
import { bodySnippet, record, retryAfterMs, send, stringField, type Fetch, type HttpAnswer } from './http.ts';
import type { PacerLimits } from './pacer.ts';
import type { RelayTarget, SendRequest, StoredCopy } from './target.ts';
import { TargetError, type FolderChoice, type TargetAccount } from './types.ts';

export const GRAPH_API_BASE = 'https://graph.microsoft.com';
/** Delegated permissions: importMime needs Mail-Advanced.ReadWrite (work or school accounts only). */
export const GRAPH_RELAY_SCOPES = [
  'https://graph.microsoft.com/Mail-Advanced.ReadWrite',
  'https://graph.microsoft.com/Mail.ReadWrite',
  'https://graph.microsoft.com/User.Read',
] as const;
/** Raw bytes whose base64 (4/3) stays under Graph's 4 MB request limit. */
export const GRAPH_MAX_MESSAGE_BYTES = 3 * 1024 * 1024;
/** Graph's upload budget per app and mailbox: 150 MB per 5 minutes. */
export const GRAPH_UPLOAD_BYTES_PER_WINDOW = 150_000_000;
export const GRAPH_UPLOAD_WINDOW_MS = 5 * 60_000;
export const GRAPH_LIMITS: PacerLimits = {
  concurrency: 4,
  unitsPerWindow: 15,
  windowMs: 1000,
  bytesPerWindow: GRAPH_UPLOAD_BYTES_PER_WINDOW,
  bytesWindowMs: GRAPH_UPLOAD_WINDOW_MS,
};
export const GRAPH_DEFAULT_FOLDER = 'Front import';
/** Exchange's search by internetMessageId follows an import within seconds. */
export const GRAPH_SEARCH_SETTLE_MS = 10_000;

export interface GraphOptions {
  apiBase?: string;
  token: string;
  fetch?: Fetch;
}

/** Base64 of the raw message, in chunks (a spread of millions of arguments would overflow the stack). */
export function base64OfBytes(bytes: Uint8Array): string {
  const CHUNK = 0x8000;
  let binary = '';
  for (let i = 0; i < bytes.length; i += CHUNK)
    binary += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  return btoa(binary);
}

/** An OData string literal: single quotes doubled. */
function odataString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

export class GraphTarget implements RelayTarget {
  readonly account: TargetAccount;
  readonly maxMessageBytes = GRAPH_MAX_MESSAGE_BYTES;
  readonly limits = GRAPH_LIMITS;
  readonly sendUnits = 1;
  readonly findUnits = 1;
  readonly searchSettleMs = GRAPH_SEARCH_SETTLE_MS;
  readonly #base: string;
  readonly #fetch: Fetch;
  #token: string;
  #folder: FolderChoice | null = null;

  private constructor(account: TargetAccount, options: GraphOptions) {
    this.account = account;
    this.#base = (options.apiBase ?? GRAPH_API_BASE).replace(/\/+$/, '');
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.#token = options.token;
  }

  static async connect(options: GraphOptions): Promise<GraphTarget> {
    const probe = new GraphTarget({ key: '', kind: 'graph', label: '' }, options);
    const me = await probe.#json(
      'GET',
      '/v1.0/me?$select=userPrincipalName,mail',
      'Reading the Microsoft 365 user',
    );
    const name = stringField(me, 'userPrincipalName') ?? stringField(me, 'mail');
    if (!name) throw new TargetError('fatal', 'Microsoft Graph did not say which account this is.');
    return new GraphTarget(
      { key: `graph:${name.toLowerCase()}`, kind: 'graph', label: `Microsoft 365 ${name}` },
      options,
    );
  }

  get destination(): string {
    return this.#folder ? `folder "${this.#folder.name}"` : 'a folder not chosen yet';
  }

  setToken(token: string): void {
    this.#token = token;
  }

  /** The importMime body: the message in base64 (4 bytes per 3, padded). */
  uploadBytes(raw: Uint8Array): number {
    return Math.ceil(raw.length / 3) * 4;
  }

  async folders(): Promise<FolderChoice[]> {
    const body = await this.#json(
      'GET',
      '/v1.0/me/mailFolders?$top=100&$select=id,displayName',
      'Listing mail folders',
    );
    const value = record(body)?.value;
    return (Array.isArray(value) ? value : [])
      .map((row) => ({ id: stringField(row, 'id') ?? '', name: stringField(row, 'displayName') ?? '' }))
      .filter((row) => row.id);
  }

  async chooseFolder(folderId: string | null): Promise<FolderChoice> {
    const folders = await this.folders();
    if (folderId) {
      const chosen = folders.find((folder) => folder.id === folderId);
      if (!chosen)
        throw new TargetError(
          'fatal',
          'The chosen folder is not in this mailbox any more: pick another one.',
        );
      return (this.#folder = chosen);
    }
    const existing = folders.find((folder) => folder.name === GRAPH_DEFAULT_FOLDER);
    if (existing) return (this.#folder = existing);
    const created = await this.#json('POST', '/v1.0/me/mailFolders', 'Creating the folder', {
      displayName: GRAPH_DEFAULT_FOLDER,
    });
    const id = stringField(created, 'id');
    if (!id)
      throw new TargetError(
        'fatal',
        `Graph created the folder without telling its ID: ${bodySnippet(created)}`,
      );
    return (this.#folder = { id, name: GRAPH_DEFAULT_FOLDER });
  }

  async prepare(_inboxes: readonly Inbox[]): Promise<void> {
    if (!this.#folder) await this.chooseFolder(null);
  }

  /** The request `send` makes, apart from the token: exposed for tests of its exact shape. */
  importRequest(raw: Uint8Array): { url: string; init: RequestInit } {
    const folder = this.#folder;
    if (!folder) throw new TargetError('fatal', 'No folder chosen for the copies.');
    return {
      url: `${this.#base}/beta/me/mailFolders/${encodeURIComponent(folder.id)}/importMime`,
      init: { method: 'POST', body: base64OfBytes(raw), headers: { 'Content-Type': 'text/plain' } },
    };
  }

  async send(request: SendRequest): Promise<StoredCopy> {
    if (request.email.raw.length > this.maxMessageBytes) {
      throw new TargetError('too-large', tooLargeText(request.email.raw.length));
    }
    const { url, init } = this.importRequest(request.email.raw);
    const answer = await send(this.#fetch, url, this.#authorised(init), 'Microsoft 365 import');
    const body = this.#ok(answer, 'Microsoft 365 import');
    const id = stringField(body, 'id');
    if (!id)
      throw new TargetError(
        'transient',
        `Microsoft 365 import: the answer has no message ID (${bodySnippet(body)})`,
      );
    return { remoteId: id, threadId: stringField(body, 'conversationId') };
  }

  async find(messageId: string): Promise<StoredCopy | null> {
    const query = `$filter=${encodeURIComponent(`internetMessageId eq ${odataString(messageId)}`)}&$select=id,conversationId&$top=5`;
    const body = await this.#json(
      'GET',
      `/v1.0/me/messages?${query}`,
      'Searching Microsoft 365 by Message-ID',
    );
    const value = record(body)?.value;
    const first = Array.isArray(value) ? value[0] : undefined;
    const id = stringField(first, 'id');
    return id ? { remoteId: id, threadId: stringField(first, 'conversationId') } : null;
  }

  #authorised(init: RequestInit): RequestInit {
    return {
      ...init,
      headers: { ...(init.headers as Record<string, string>), Authorization: `Bearer ${this.#token}` },
    };
  }

  async #json(method: string, path: string, what: string, json?: unknown): Promise<unknown> {
    const init: RequestInit =
      json === undefined
        ? { method }
        : { method, body: JSON.stringify(json), headers: { 'Content-Type': 'application/json' } };
    return this.#ok(await send(this.#fetch, `${this.#base}${path}`, this.#authorised(init), what), what);
  }

  #ok(answer: HttpAnswer, what: string): unknown {
    if (answer.status >= 200 && answer.status < 300) return answer.body;
    throw graphError(answer, what);
  }
}

function tooLargeText(bytes: number): string {
  const mb = (n: number) => `${(n / (1024 * 1024)).toFixed(1)} MB`;
  return `too large for Microsoft 365's import (${mb(bytes)}; about ${mb(GRAPH_MAX_MESSAGE_BYTES)} at most): use the file download for IMAP for this email`;
}

/** Graph's `{"error":{"code","message"}}` to what the run does next. */
export function graphError(answer: HttpAnswer, what: string): TargetError {
  const error = record(record(answer.body)?.error);
  const code = stringField(error, 'code') ?? '';
  const message = stringField(error, 'message') ?? bodySnippet(answer.body);
  const text = `${what}: Microsoft Graph answered ${answer.status} ${code} ${message}`
    .replace(/\s+/g, ' ')
    .trim();
  const status = answer.status;
  if (status === 401)
    return new TargetError('auth', `${text}. Sign in with Microsoft again to continue.`, status);
  if (status === 429) return new TargetError('rate', text, status, retryAfterMs(answer.headers));
  if (status === 413) return new TargetError('too-large', text, status);
  if (status === 403)
    return new TargetError(
      'fatal',
      `${text}. importMime needs the Mail-Advanced.ReadWrite permission (work or school accounts).`,
      status,
    );
  if (status === 503 || status === 504 || status >= 500) {
    return new TargetError('transient', text, status, retryAfterMs(answer.headers));
  }
  return new TargetError('rejected', text, status);
}
