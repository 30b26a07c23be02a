/**
 * Local stand-in for a JMAP mail server (RFC 8620/8621) as relay mode uses it (email-relay.md §2):
 * the Session resource with its core limits, blob upload/download, and Mailbox/get|query|set,
 * Email/import|query|get over the API endpoint, with Bearer tokens, CORS, concurrency and size
 * limits, a duplicate policy and fault injection. Loopback only.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { closeServer, listen } from '../sandbox-kit/server-lifecycle.ts';
import { JmapAccount } from './account.ts';
import { TokenRegistry } from './auth.ts';
import { handleControl, type ControlTarget } from './control-api.ts';
import { parseEnvelope, runEnvelope } from './dispatch.ts';
import { RequestError, limitExceeded, notFoundProblem, notJson } from './errors.ts';
import { InjectionQueue, planFault, resolveFaults, type ResolvedFaults } from './faults.ts';
import {
  answerPreflight,
  applyCors,
  drain,
  isLoopbackHost,
  mediaType,
  readBody,
  sendBytes,
  sendJson,
  sleep,
  urlHost,
} from './http-io.ts';
import { randomHex, seededRandom, type Random } from '../sandbox-kit/random.ts';
import { RequestLog, epochMs } from './request-log.ts';
import { API_PATH, SESSION_PATH, sessionJson } from './session.ts';
import {
  DEFAULT_LIMITS,
  type InjectedResponse,
  type JmapCoreLimits,
  type JmapFaults,
  type JmapMailbox,
  type JmapSandbox,
  type JmapSandboxOptions,
  type JmapSandboxState,
  type MutableJmapOptions,
  type RecordedRequest,
  type StoredBlob,
  type StoredJmapEmail,
} from './types.ts';

export { DEFAULT_API_TOKEN } from './auth.ts';
export { CORE_CAPABILITY, DEFAULT_LIMITS, MAIL_CAPABILITY } from './types.ts';
export type * from './types.ts';

const DEFAULT_SEED = 0x7a3b;
const DEFAULT_ACCOUNT_ID = 'u1a2b3c4d';
const DEFAULT_USERNAME = 'relay.sandbox@fastmail.example';

type Settings = Required<MutableJmapOptions>;

type Endpoint =
  | { kind: 'well-known' }
  | { kind: 'session' }
  | { kind: 'api' }
  | { kind: 'upload'; accountId: string }
  | { kind: 'download'; accountId: string; blobId: string; name: string };

interface Reply {
  status: number;
  json?: unknown;
  bytes?: Buffer;
  headers?: Record<string, string>;
}

interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  entry: RecordedRequest;
  endpoint: Endpoint;
}

/** Maps a path to an endpoint; 'method' when the path exists for another method. */
function classify(method: string, pathname: string): Endpoint | 'method' | null {
  const expect = (wanted: string, endpoint: Endpoint) => (method === wanted ? endpoint : 'method');
  if (pathname === '/.well-known/jmap') return expect('GET', { kind: 'well-known' });
  if (pathname === SESSION_PATH) return expect('GET', { kind: 'session' });
  if (pathname === API_PATH || pathname === API_PATH.slice(0, -1)) return expect('POST', { kind: 'api' });
  const upload = /^\/jmap\/upload\/([^/]+)\/?$/.exec(pathname);
  if (upload?.[1]) return expect('POST', { kind: 'upload', accountId: decodeURIComponent(upload[1]) });
  const download = /^\/jmap\/download\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(pathname);
  if (download?.[1] && download[2] && download[3]) {
    const [accountId, blobId, name] = download.slice(1).map(decodeURIComponent) as [string, string, string];
    return expect('GET', { kind: 'download', accountId, blobId, name });
  }
  return null;
}

class Sandbox implements ControlTarget {
  origin = '';
  readonly account: JmapAccount;
  readonly tokens: TokenRegistry;
  readonly limits: JmapCoreLimits;
  readonly username: string;
  readonly log = new RequestLog();
  readonly injections = new InjectionQueue();
  readonly settings: Settings = {
    duplicates: 'allow',
    concurrencyRefusalStatus: 429,
    cors: true,
    headerMatch: 'wholeWord',
    indexDelayMs: 0,
    readOnly: false,
    importRefusal: null,
  };
  faults: ResolvedFaults;
  #clockOffsetMs = 0;
  readonly #inFlight = { api: 0, upload: 0 };
  readonly #baseNow: () => number;
  readonly #faultRandom: Random;
  readonly #logLine: (line: string) => void;

  constructor(options: JmapSandboxOptions) {
    const seed = options.seed ?? DEFAULT_SEED;
    const idRandom = seededRandom(seed);
    this.#baseNow = options.now ?? Date.now;
    this.#faultRandom = seededRandom(seed ^ 0x9e3779b9);
    this.#logLine = options.log ?? (() => undefined);
    this.faults = resolveFaults(options.faults);
    this.limits = resolveLimits(options.limits);
    this.username = options.username ?? DEFAULT_USERNAME;
    this.setOptions(options);
    this.tokens = new TokenRegistry(options.tokens, idRandom);
    this.account = new JmapAccount(
      options.accountId ?? DEFAULT_ACCOUNT_ID,
      this.now,
      (prefix) => prefix + randomHex(idRandom, 12),
    );
  }

  readonly now = (): number => this.#baseNow() + this.#clockOffsetMs;

  // ── Control surface (in-process object and /__sandbox/*) ────────────────────────────────────

  info(): Record<string, unknown> {
    return {
      url: this.origin,
      sessionUrl: `${this.origin}${SESSION_PATH}`,
      token: this.tokens.firstToken,
      accountId: this.account.accountId,
      limits: this.limits,
      settings: this.settings,
      faults: this.faults,
      pendingInjections: this.injections.pending,
      clockOffsetMs: this.#clockOffsetMs,
    };
  }

  snapshot(): JmapSandboxState {
    return {
      accountId: this.account.accountId,
      username: this.username,
      limits: { ...this.limits },
      mailboxes: this.mailboxes(),
      emails: this.account.emails().map(({ raw: _raw, ...rest }) => structuredClone(rest)),
      blobs: this.account.blobs().map(({ bytes: _bytes, ...rest }) => ({ ...rest })),
      requestCount: this.log.size,
      clockOffsetMs: this.#clockOffsetMs,
    };
  }

  mailboxes(): JmapMailbox[] {
    return this.account.mailboxes().map((mailbox) => ({ ...mailbox }));
  }

  /** Copies: a test cannot change what the sandbox stored. */
  emails(): StoredJmapEmail[] {
    return this.account
      .emails()
      .map(({ raw, ...rest }) => ({ ...structuredClone(rest), raw: Buffer.from(raw) }));
  }

  blobs(): StoredBlob[] {
    return this.account.blobs().map((blob) => ({ ...blob, bytes: Buffer.from(blob.bytes) }));
  }

  requestsSince(seq: number): RecordedRequest[] {
    return this.log.since(seq);
  }

  issueToken(): string {
    return this.tokens.issue();
  }

  expireToken(token: string): boolean {
    return this.tokens.expire(token);
  }

  advanceClock(ms: number): void {
    if (!(ms >= 0)) throw new RangeError('advanceClock takes milliseconds ≥ 0');
    this.#clockOffsetMs += ms;
  }

  setFaults(faults: JmapFaults | undefined): void {
    this.faults = resolveFaults(faults);
  }

  setOptions(options: MutableJmapOptions): void {
    const { duplicates, concurrencyRefusalStatus, cors, headerMatch, indexDelayMs, readOnly, importRefusal } =
      options;
    if (duplicates !== undefined) {
      this.settings.duplicates = oneOf('duplicates', duplicates, [
        'allow',
        'rejectSameMessageId',
        'rejectSameContent',
      ]);
    }
    if (concurrencyRefusalStatus !== undefined) {
      this.settings.concurrencyRefusalStatus = oneOf(
        'concurrencyRefusalStatus',
        concurrencyRefusalStatus,
        [429, 400],
      );
    }
    if (cors !== undefined) this.settings.cors = cors === true;
    if (headerMatch !== undefined) {
      this.settings.headerMatch = oneOf('headerMatch', headerMatch, ['wholeWord', 'substring']);
    }
    if (indexDelayMs !== undefined) {
      if (!(typeof indexDelayMs === 'number' && indexDelayMs >= 0))
        throw new RangeError('indexDelayMs takes milliseconds ≥ 0');
      this.settings.indexDelayMs = indexDelayMs;
    }
    if (readOnly !== undefined) this.settings.readOnly = readOnly === true;
    if (importRefusal !== undefined) {
      if (importRefusal !== null) {
        oneOf('importRefusal.type', importRefusal.type, ['rateLimit', 'overQuota']);
        if (!(Number.isInteger(importRefusal.count) && importRefusal.count >= 0))
          throw new RangeError('importRefusal.count takes an integer ≥ 0');
      }
      this.settings.importRefusal = importRefusal && { ...importRefusal };
    }
  }

  injectResponses(injection: InjectedResponse): void {
    this.injections.add(injection);
  }

  reset(): void {
    this.account.reset();
    this.tokens.reset();
    this.log.clear();
    this.injections.clear();
    this.#clockOffsetMs = 0;
  }

  // ── HTTP ────────────────────────────────────────────────────────────────────────────────────

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.origin || 'http://sandbox.invalid');
    if (this.settings.cors) applyCors(req, res);
    const isControl = url.pathname === '/__sandbox' || url.pathname.startsWith('/__sandbox/');
    if (req.method === 'OPTIONS') {
      if (!isControl) this.#startEntry(res, req.method, url, 'preflight').outcome = 'preflight';
      return answerPreflight(req, res, this.settings.cors);
    }
    if (isControl) return handleControl(this, req, res, url);
    const endpoint = classify(req.method ?? 'GET', url.pathname);
    const kind =
      endpoint === null || endpoint === 'method' || endpoint.kind === 'well-known' ? 'other' : endpoint.kind;
    const entry = this.#startEntry(res, req.method ?? 'GET', url, kind);
    try {
      if (endpoint === null) throw notFoundProblem(`Nothing at ${url.pathname}`);
      if (endpoint === 'method')
        throw new RequestError(405, 'about:blank', `${req.method} is not allowed here`);
      await this.#serve({ req, res, url, entry, endpoint });
    } catch (error) {
      if (!(error instanceof RequestError)) throw error;
      await drain(req);
      const headers: Record<string, string> = { 'Content-Type': 'application/problem+json' };
      if (error.status === 401) headers['WWW-Authenticate'] = 'Bearer realm="jmap"';
      sendJson(res, error.status, error.body(), headers);
    }
  }

  #startEntry(res: ServerResponse, method: string, url: URL, kind: RecordedRequest['kind']): RecordedRequest {
    const entry = this.log.start(method, url.pathname, kind);
    res.once('close', () => {
      this.log.finish(entry, res.writableFinished ? res.statusCode : 0);
      const ms = Math.round((entry.endedAt ?? epochMs()) - entry.startedAt);
      const calls = entry.methodCalls.length > 0 ? ` [${entry.methodCalls.join(', ')}]` : '';
      this.#logLine(
        `${entry.method} ${entry.path}${calls} → ${entry.status || 'dropped'} (${entry.outcome}, ${ms} ms)`,
      );
    });
    return entry;
  }

  /** Order: forced answers, auth, concurrency, latency and faults, the endpoint, late faults. */
  async #serve(exchange: Exchange): Promise<void> {
    const { req, res, url, entry, endpoint } = exchange;
    if (endpoint.kind === 'well-known') {
      return sendJson(res, 307, { location: SESSION_PATH }, { Location: `${this.origin}${SESSION_PATH}` });
    }
    const injection = this.injections.take(url.pathname, false);
    if (injection) return this.#answerInjected(exchange, injection);
    this.#authenticate(req, entry);
    this.#admit(exchange);
    const isWrite = req.method === 'POST';
    const plan = planFault(this.faults, isWrite, this.#faultRandom);
    if (plan.delayMs > 0) await sleep(plan.delayMs);
    if (res.destroyed) return;
    if (plan.failure && !plan.failure.afterWrite) return this.#fail(exchange, plan.failure.status);
    const reply = await this.#reply(exchange);
    const wrote = isWrite && reply.status < 300;
    if (plan.failure && wrote) return this.#fail(exchange, plan.failure.status);
    const lateInjection = wrote ? this.injections.take(url.pathname, true) : null;
    if (lateInjection) return this.#answerInjected(exchange, lateInjection);
    if (reply.bytes) return sendBytes(res, reply.status, reply.bytes, reply.headers ?? {});
    sendJson(res, reply.status, reply.json, reply.headers);
  }

  #reply(exchange: Exchange): Promise<Reply> | Reply {
    const { endpoint } = exchange;
    if (endpoint.kind === 'api') return this.#api(exchange);
    if (endpoint.kind === 'upload') return this.#upload(exchange, endpoint.accountId);
    if (endpoint.kind === 'download') return this.#download(exchange, endpoint);
    return { status: 200, json: this.#session() };
  }

  #session(): Record<string, unknown> {
    const { origin, username, limits } = this;
    return sessionJson({
      origin,
      accountId: this.account.accountId,
      username,
      limits,
      readOnly: this.settings.readOnly,
    });
  }

  #authenticate(req: IncomingMessage, entry: RecordedRequest): void {
    try {
      this.tokens.authenticate(req.headers.authorization);
    } catch (error) {
      entry.outcome = 'unauthenticated';
      throw error;
    }
  }

  /** API requests and uploads each have their own concurrency limit (RFC 8620 §2). */
  #admit({ res, entry, endpoint }: Exchange): void {
    if (endpoint.kind !== 'api' && endpoint.kind !== 'upload') return;
    const limit =
      endpoint.kind === 'api' ? this.limits.maxConcurrentRequests : this.limits.maxConcurrentUpload;
    const limitName = endpoint.kind === 'api' ? 'maxConcurrentRequests' : 'maxConcurrentUpload';
    if (this.#inFlight[endpoint.kind] >= limit) {
      entry.outcome = 'concurrency-exceeded';
      throw limitExceeded(
        limitName,
        this.settings.concurrencyRefusalStatus,
        `More than ${limit} concurrent requests`,
      );
    }
    this.#inFlight[endpoint.kind] += 1;
    res.once('close', () => (this.#inFlight[endpoint.kind] -= 1));
  }

  async #readLimited(
    { req, entry }: Exchange,
    maxBytes: number,
    limitName: string,
    status: number,
  ): Promise<Buffer> {
    const read = await readBody(req, maxBytes);
    entry.bodyBytes = read.kind === 'ok' ? read.raw.length : read.received;
    if (read.kind === 'ok') return read.raw;
    entry.outcome = 'limit';
    throw limitExceeded(limitName, status, `The body is larger than ${limitName} (${maxBytes} bytes)`);
  }

  async #api(exchange: Exchange): Promise<Reply> {
    if (mediaType(exchange.req.headers['content-type']) !== 'application/json') {
      throw notJson('API requests must be sent with Content-Type: application/json');
    }
    const raw = await this.#readLimited(exchange, this.limits.maxSizeRequest, 'maxSizeRequest', 400);
    let envelope;
    try {
      envelope = parseEnvelope(raw, this.limits);
    } catch (error) {
      if (error instanceof RequestError && error.extra.limit) exchange.entry.outcome = 'limit';
      throw error;
    }
    exchange.entry.methodCalls = envelope.methodCalls.map(([name]) => name);
    const sessionState = String(this.#session().state);
    const context = {
      account: this.account,
      limits: this.limits,
      duplicates: this.settings.duplicates,
      now: this.now,
      headerMatch: this.settings.headerMatch,
      indexDelayMs: this.settings.indexDelayMs,
      readOnly: this.settings.readOnly,
      takeImportRefusal: () => {
        const refusal = this.settings.importRefusal;
        if (!refusal || refusal.count <= 0) return null;
        refusal.count -= 1;
        return refusal.type;
      },
    };
    return { status: 200, json: await runEnvelope(envelope, context, sessionState) };
  }

  async #upload(exchange: Exchange, accountId: string): Promise<Reply> {
    if (accountId !== this.account.accountId) throw notFoundProblem(`No account ${accountId}`);
    // RFC 8620 §6.1 does not pin the status; 413 is what HTTP means by "too large".
    const bytes = await this.#readLimited(exchange, this.limits.maxSizeUpload, 'maxSizeUpload', 413);
    const type = mediaType(exchange.req.headers['content-type']) || 'application/octet-stream';
    const blob = this.account.storeBlob(bytes, type);
    return { status: 201, json: { accountId, blobId: blob.blobId, type, size: blob.size } };
  }

  async #download({ req, url }: Exchange, endpoint: Extract<Endpoint, { kind: 'download' }>): Promise<Reply> {
    await drain(req);
    const blob =
      endpoint.accountId === this.account.accountId ? this.account.blob(endpoint.blobId) : undefined;
    if (!blob) throw notFoundProblem(`No blob ${endpoint.blobId}`);
    const type = url.searchParams.get('accept') || blob.type;
    const disposition = `attachment; filename="${endpoint.name.replace(/["\\]/g, '_')}"`;
    return {
      status: 200,
      bytes: blob.bytes,
      headers: { 'Content-Type': type, 'Content-Disposition': disposition },
    };
  }

  async #fail({ req, res, entry }: Exchange, status: number): Promise<void> {
    if (status === 0) {
      entry.outcome = 'dropped';
      req.socket.destroy();
      return;
    }
    entry.outcome = 'server-error';
    await drain(req);
    const problem = new RequestError(
      status,
      'about:blank',
      status === 503 ? 'Service Unavailable' : 'Internal Server Error',
    );
    sendJson(res, status, problem.body(), { 'Content-Type': 'application/problem+json' });
  }

  async #answerInjected({ req, res, entry }: Exchange, injection: InjectedResponse): Promise<void> {
    entry.outcome = 'injected';
    if (injection.status === 0) {
      req.socket.destroy();
      return;
    }
    await drain(req);
    const problem = new RequestError(
      injection.status,
      'about:blank',
      `HTTP ${injection.status} forced by the sandbox`,
    );
    sendJson(res, injection.status, problem.body(), { 'Content-Type': 'application/problem+json' });
  }
}

function resolveLimits(overrides: Partial<JmapCoreLimits> = {}): JmapCoreLimits {
  const given = Object.fromEntries(Object.entries(overrides).filter(([, value]) => value !== undefined));
  const limits = { ...DEFAULT_LIMITS, ...given };
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isInteger(value) || value < 1)
      throw new RangeError(`limits.${name} must be a positive integer`);
  }
  return limits;
}

function oneOf<T extends string | number>(name: string, value: T, allowed: readonly T[]): T {
  if (!allowed.includes(value))
    throw new RangeError(`${name} must be one of ${allowed.join(', ')} (got ${value})`);
  return value;
}

export async function startJmapSandbox(options: JmapSandboxOptions = {}): Promise<JmapSandbox> {
  const host = options.host ?? '127.0.0.1';
  if (!isLoopbackHost(host)) throw new Error(`The JMAP sandbox listens on loopback only (got host ${host})`);
  const sandbox = new Sandbox(options);
  const server = http.createServer((req, res) => {
    sandbox.handle(req, res).catch((error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      options.log?.(`sandbox error on ${req.method} ${req.url}: ${message}`);
      sendJson(res, 500, { type: 'about:blank', status: 500, detail: `Sandbox failure: ${message}` });
    });
  });
  const port = await listen(server, options.port ?? 0, host);
  sandbox.origin = `http://${urlHost(host)}:${port}`;
  return {
    url: sandbox.origin,
    origin: sandbox.origin,
    sessionUrl: `${sandbox.origin}${SESSION_PATH}`,
    apiUrl: `${sandbox.origin}${API_PATH}`,
    token: sandbox.tokens.firstToken,
    accountId: sandbox.account.accountId,
    limits: { ...sandbox.limits },
    close: () => closeServer(server),
    emails: () => sandbox.emails(),
    mailboxes: () => sandbox.mailboxes(),
    blobs: () => sandbox.blobs(),
    requests: () => sandbox.requestsSince(0),
    snapshot: () => sandbox.snapshot(),
    issueToken: () => sandbox.issueToken(),
    expireToken: (token) => {
      if (!sandbox.expireToken(token)) throw new RangeError(`unknown token ${token}`);
    },
    advanceClock: (ms) => sandbox.advanceClock(ms),
    setFaults: (faults) => sandbox.setFaults(faults),
    setOptions: (settings) => sandbox.setOptions(settings),
    injectResponses: (injection) => sandbox.injectResponses(injection),
    reset: () => sandbox.reset(),
  };
}
