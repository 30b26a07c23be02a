/**
 * Local stand-in for the Missive REST API (missive-api.md): auth, CORS, the three rate limits,
 * custom-channel messages, posts, lookups, contacts and labels, plus fault injection. Used by
 * `npm start`, the end-to-end tests and the benchmarks. Loopback only.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { listen } from '../sandbox-kit/server-lifecycle.ts';
import { handleApi } from './api-routes.ts';
import { handleControl, type ControlTarget } from './control-api.ts';
import { InjectionQueue, planFault, resolveFaults, type ResolvedFaults } from './faults.ts';
import {
  DEFAULT_ACCOUNT_ID,
  DEFAULT_FORBIDDEN_TOKEN,
  DEFAULT_TOKEN,
  ORGANIZATION_ID,
  USER_ID,
} from './fixtures.ts';
import {
  answerPreflight,
  applyCors,
  isJsonContentType,
  isLoopbackHost,
  readBody,
  sendJson,
  sleep,
  urlHost,
} from './http-io.ts';
import {
  RateLimiter,
  formatRetryAfter,
  resetEpochSeconds,
  resolveLimits,
  type LimitName,
  type RateStatus,
} from './rate-limiter.ts';
import { seededRandom, uuidGenerator, type Random } from './random.ts';
import { RequestLog, epochMs } from './request-log.ts';
import { SandboxStore } from './store.ts';
import {
  PUBLISHED_LIMITS,
  type InjectedResponse,
  type MissiveSandbox,
  type MutableSandboxOptions,
  type RecordedRequest,
  type SandboxFaults,
  type SandboxOptions,
  type SandboxState,
  type SeedEmailInput,
  type StateChange,
} from './types.ts';

export { PUBLISHED_LIMITS };
export type {
  Attachment,
  ContactBook,
  ConversationSnapshot,
  DeliveredAtMode,
  DuplicateExternalIdMode,
  InjectedResponse,
  MessagesResponseMode,
  MissiveSandbox,
  MutableSandboxOptions,
  RateCounters,
  RecordedRequest,
  SandboxFaults,
  SandboxLimits,
  SandboxOptions,
  SandboxState,
  PostReopenMode,
  SeedEmailInput,
  SeededEmail,
  SharedLabel,
  StateChange,
  StoredContact,
  StoredMessage,
  StoredPost,
} from './types.ts';

const DEFAULT_SEED = 0x5eed;
const DEFAULT_CONVERSATION_CAP = 400;
const DEFAULT_POST_TEXT_LIMIT = 8000;

const LIMIT_DESCRIPTIONS: Record<LimitName, string> = {
  concurrent: 'concurrent requests',
  perMinute: 'requests per minute',
  per15Minutes: 'requests per 15 minutes',
};

type Settings = Required<MutableSandboxOptions>;

type AuthFailure = { status: 401 | 403; error: string } | null;

/** One accepted /v1 request on its way through the sandbox. */
interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  entry: RecordedRequest;
  /** Frees the concurrency slot; safe to call more than once. */
  release: () => void;
}

type ParsedBody = { ok: true; body: unknown } | { ok: false; status: number; error: string };

class Sandbox implements ControlTarget {
  readonly token: string;
  readonly forbiddenToken: string;
  readonly accountId: string;
  readonly store: SandboxStore;
  readonly limiter: RateLimiter;
  readonly log = new RequestLog();
  readonly injections = new InjectionQueue();
  readonly settings: Settings;
  faults: ResolvedFaults;
  origin = '';
  /** Tokens made with createToken (the user's new token after a revoke). */
  readonly #createdTokens = new Set<string>();
  readonly #revokedTokens = new Set<string>();
  #injected429 = 0;
  readonly #faultRandom: Random;
  readonly #logLine: (line: string) => void;

  constructor(options: SandboxOptions) {
    const seed = options.seed ?? DEFAULT_SEED;
    this.token = options.token ?? DEFAULT_TOKEN;
    this.forbiddenToken = options.forbiddenToken ?? DEFAULT_FORBIDDEN_TOKEN;
    this.accountId = options.accountId ?? DEFAULT_ACCOUNT_ID;
    this.limiter = new RateLimiter(resolveLimits(PUBLISHED_LIMITS, options.limits));
    this.faults = resolveFaults(options.faults);
    this.settings = {
      messagesResponse: 'body',
      duplicateExternalId: 'accept',
      postReopen: 'flag-keeps-closed',
      deliveredAt: 'honoured',
      exposeRateHeaders: true,
      cors: true,
    };
    this.setOptions(options);
    this.#faultRandom = seededRandom(seed ^ 0x9e3779b9);
    this.#logLine = options.log ?? (() => undefined);
    this.store = new SandboxStore({
      accountId: this.accountId,
      conversationCap: positiveInteger(
        'conversationCap',
        options.conversationCap ?? DEFAULT_CONVERSATION_CAP,
      ),
      postTextLimit: positiveInteger('postTextLimit', options.postTextLimit ?? DEFAULT_POST_TEXT_LIMIT),
      newId: uuidGenerator(seededRandom(seed)),
      syncedContactBookRefusal: options.syncedContactBookRefusal,
    });
  }

  // ── Control surface (in-process object and /__sandbox/*) ────────────────────────────────────

  info(): Record<string, unknown> {
    return {
      url: `${this.origin}/v1`,
      origin: this.origin,
      token: this.token,
      forbiddenToken: this.forbiddenToken,
      accountId: this.accountId,
      organizationId: ORGANIZATION_ID,
      userId: USER_ID,
      limits: this.limiter.limits,
      settings: this.settings,
      faults: this.faults,
      pendingInjections: this.injections.pending,
    };
  }

  snapshot(): SandboxState {
    const store = this.store;
    return structuredClone({
      accountId: this.accountId,
      organizationId: ORGANIZATION_ID,
      userId: USER_ID,
      conversations: [...store.conversations.values()].map((c) => store.conversationSnapshot(c)),
      messages: [...store.messages.values()],
      emails: [...store.emails.values()],
      posts: [...store.posts.values()],
      contacts: [...store.contacts.values()],
      contactBooks: store.contactBooks,
      sharedLabels: store.sharedLabels,
      users: store.users,
      teams: store.teams,
      organizations: store.organizations,
      rate: this.limiter.counters(this.#injected429),
      requestCount: this.log.size,
    });
  }

  requestsSince(seq: number): RecordedRequest[] {
    return this.log.since(seq);
  }

  seedEmail(input: SeedEmailInput): string {
    return this.store.seedEmail(input);
  }

  stateChanges(): StateChange[] {
    return [...this.store.stateChanges];
  }

  setFaults(faults: SandboxFaults | undefined): void {
    this.faults = resolveFaults(faults);
  }

  setOptions(options: MutableSandboxOptions): void {
    const { messagesResponse, duplicateExternalId, exposeRateHeaders, cors, postReopen, deliveredAt } =
      options;
    if (deliveredAt !== undefined) {
      this.settings.deliveredAt = oneOf('deliveredAt', deliveredAt, ['honoured', 'ignored']);
    }
    if (postReopen !== undefined) {
      this.settings.postReopen = oneOf('postReopen', postReopen, ['flag-keeps-closed', 'flag-reopens']);
    }
    if (messagesResponse !== undefined)
      this.settings.messagesResponse = oneOf('messagesResponse', messagesResponse, ['body', 'empty']);
    if (duplicateExternalId !== undefined) {
      this.settings.duplicateExternalId = oneOf('duplicateExternalId', duplicateExternalId, [
        'accept',
        'reject',
      ]);
    }
    if (exposeRateHeaders !== undefined) this.settings.exposeRateHeaders = exposeRateHeaders === true;
    if (cors !== undefined) this.settings.cors = cors === true;
  }

  injectResponses(injection: InjectedResponse): void {
    this.injections.add(injection);
  }

  /** Revokes every token valid so far; a token created afterwards is accepted. */
  revokeToken(): void {
    this.#revokedTokens.add(this.token);
    for (const token of this.#createdTokens) this.#revokedTokens.add(token);
  }

  createToken(): string {
    const token = `${this.token}-${this.#createdTokens.size + 1}`;
    this.#createdTokens.add(token);
    return token;
  }

  reset(): void {
    this.store.reset();
    this.log.clear();
    this.limiter.reset();
    this.injections.clear();
    this.#injected429 = 0;
    this.#createdTokens.clear();
    this.#revokedTokens.clear();
  }

  // ── HTTP ────────────────────────────────────────────────────────────────────────────────────

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sandbox.invalid');
    if (this.settings.cors) applyCors(req, res, this.settings.exposeRateHeaders);
    if (url.pathname === '/__sandbox' || url.pathname.startsWith('/__sandbox/')) {
      return handleControl(this, req, res, url);
    }
    const entry = this.log.start(req.method ?? 'GET', url.pathname, url.searchParams, this.limiter.inFlight);
    res.once('close', () => this.#finish(entry, res));
    if (req.method === 'OPTIONS') {
      entry.outcome = 'preflight';
      return answerPreflight(res, this.settings.cors);
    }
    if (url.pathname !== '/v1' && !url.pathname.startsWith('/v1/')) {
      req.resume();
      return sendJson(res, 404, { error: `Not found: ${url.pathname} (the API lives under /v1)` });
    }
    return this.#handleV1(req, res, url, entry);
  }

  #finish(entry: RecordedRequest, res: ServerResponse): void {
    this.log.finish(entry, res.writableFinished ? res.statusCode : 0);
    const ms = Math.round((entry.endedAt ?? epochMs()) - entry.startedAt);
    this.#logLine(
      `${entry.method} ${entry.path} → ${entry.status || 'dropped'} (${entry.outcome}, ${ms} ms)`,
    );
  }

  /** Order: forced answers, auth, rate limits, body, latency and faults, then the endpoint itself. */
  async #handleV1(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    entry: RecordedRequest,
  ): Promise<void> {
    const injection = this.injections.take(url.pathname, false);
    if (injection) return this.#answerInjected(req, res, entry, injection);
    const authFailure = this.#authenticate(req);
    if (authFailure) {
      this.#setRateHeaders(res, this.limiter.peek());
      req.resume();
      return sendJson(res, authFailure.status, { error: authFailure.error });
    }
    const admission = this.limiter.tryAdmit();
    this.#setRateHeaders(res, admission.status);
    if (!admission.admitted) {
      entry.outcome = 'rate-limited';
      res.setHeader('Retry-After', formatRetryAfter(admission.retryAfterMs, this.limiter.limits));
      req.resume();
      return sendJson(res, 429, {
        error: `Too many requests: over ${admission.status.limit} ${LIMIT_DESCRIPTIONS[admission.hit]}`,
      });
    }
    let released = false;
    const release = () => {
      if (!released) this.limiter.release();
      released = true;
    };
    res.once('close', release);
    await this.#serveAdmitted({ req, res, url, entry, release });
  }

  async #serveAdmitted(exchange: Exchange): Promise<void> {
    const { req, res, url, entry, release } = exchange;
    const parsed = await this.#readApiBody(req, entry);
    const plan = planFault(this.faults, req.method ?? 'GET', this.#faultRandom);
    if (plan.delayMs > 0) await sleep(plan.delayMs);
    if (res.destroyed) return release();
    if (plan.failure && !plan.failure.afterWrite) return this.#fail(exchange, plan.failure.status);
    if (!parsed.ok) {
      release();
      return sendJson(res, parsed.status, { error: parsed.error });
    }
    const segments = url.pathname.split('/').slice(2).filter(Boolean);
    const result = handleApi(
      this.store,
      { method: req.method ?? 'GET', segments, query: url.searchParams, body: parsed.body },
      this.settings,
    );
    if (plan.failure) return this.#fail(exchange, plan.failure.status);
    const wrote = req.method !== 'GET' && result.status < 300;
    const lateInjection = wrote ? this.injections.take(url.pathname, true) : null;
    if (lateInjection) return this.#answerInjected(req, res, entry, lateInjection, release);
    release();
    sendJson(res, result.status, result.body);
  }

  /** POST bodies must be JSON (415 otherwise) and within the payload limit (413). */
  async #readApiBody(req: IncomingMessage, entry: RecordedRequest): Promise<ParsedBody> {
    if (req.method !== 'POST' && req.method !== 'PATCH') {
      req.resume();
      return { ok: true, body: undefined };
    }
    const read = await readBody(req, this.faults.maxBodyBytes);
    if (read.kind === 'aborted') return { ok: false, status: 400, error: 'The request body was cut off' };
    if (read.kind === 'too-large') {
      return { ok: false, status: 413, error: `Payload over ${this.faults.maxBodyBytes} bytes` };
    }
    if (!isJsonContentType(req)) {
      return {
        ok: false,
        status: 415,
        error: 'POST bodies must be sent with Content-Type: application/json',
      };
    }
    try {
      const body: unknown = JSON.parse(read.raw.toString('utf8'));
      this.log.attachBody(entry, body, read.raw.length);
      return { ok: true, body };
    } catch {
      return { ok: false, status: 400, error: 'Request body is not valid JSON' };
    }
  }

  #fail(exchange: Exchange, status: number): void {
    exchange.release();
    if (status === 0) {
      exchange.entry.outcome = 'dropped';
      exchange.req.socket.destroy();
      return;
    }
    exchange.entry.outcome = 'server-error';
    sendJson(exchange.res, status, { error: status === 503 ? 'Service Unavailable' : 'Bad Gateway' });
  }

  #answerInjected(
    req: IncomingMessage,
    res: ServerResponse,
    entry: RecordedRequest,
    injection: InjectedResponse,
    release: () => void = () => undefined,
  ): void {
    entry.outcome = 'injected';
    release();
    req.resume();
    if (injection.status === 0) {
      req.socket.destroy();
      return;
    }
    if (injection.status === 429) {
      this.#injected429 += 1;
      this.#setRateHeaders(res, { ...this.limiter.peek(), remaining: 0 });
    }
    if (injection.retryAfter !== undefined) res.setHeader('Retry-After', String(injection.retryAfter));
    sendJson(res, injection.status, { error: `HTTP ${injection.status} forced by the sandbox` });
  }

  #authenticate(req: IncomingMessage): AuthFailure {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    const token = match?.[1];
    if (!token) return { status: 401, error: 'Missing API token: send Authorization: Bearer <token>' };
    if (token === this.forbiddenToken) {
      return { status: 403, error: "This token's organization is not on a plan with API access" };
    }
    if (token !== this.token && !this.#createdTokens.has(token))
      return { status: 401, error: 'Invalid API token' };
    if (this.#revokedTokens.has(token)) return { status: 401, error: 'This API token was revoked' };
    return null;
  }

  #setRateHeaders(res: ServerResponse, status: RateStatus): void {
    res.setHeader('X-RateLimit-Limit', String(status.limit));
    res.setHeader('X-RateLimit-Remaining', String(status.remaining));
    res.setHeader('X-RateLimit-Reset', String(resetEpochSeconds(status.resetInMs)));
  }
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer`);
  return value;
}

function oneOf<T extends string>(name: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new RangeError(`${name} must be one of ${allowed.join(', ')} (got ${value})`);
  }
  return value as T;
}

export async function startMissiveSandbox(options: SandboxOptions = {}): Promise<MissiveSandbox> {
  const host = options.host ?? '127.0.0.1';
  if (!isLoopbackHost(host))
    throw new Error(`The Missive sandbox listens on loopback only (got host ${host})`);
  const sandbox = new Sandbox(options);
  const server = http.createServer((req, res) => {
    sandbox.handle(req, res).catch((error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      options.log?.(`sandbox error on ${req.method} ${req.url}: ${message}`);
      sendJson(res, 500, { error: `Sandbox failure: ${message}` });
    });
  });
  const port = await listen(server, options.port ?? 0, host);
  sandbox.origin = `http://${urlHost(host)}:${port}`;
  return {
    url: `${sandbox.origin}/v1`,
    origin: sandbox.origin,
    token: sandbox.token,
    forbiddenToken: sandbox.forbiddenToken,
    accountId: sandbox.accountId,
    organizationId: ORGANIZATION_ID,
    userId: USER_ID,
    close: () => closeServer(server),
    seedEmail: (input) => sandbox.seedEmail(input),
    seedSharedLabels: (names) =>
      sandbox.store
        .createSharedLabels(
          names.map((name) => ({
            name,
            organization: ORGANIZATION_ID,
            color: null,
            parent: null,
            share_with_organization: true,
            share_with_team: null,
            share_with_users: [],
            visibility: 'organization' as const,
          })),
        )
        .map((label) => label.id),
    stateChanges: () => sandbox.stateChanges(),
    revokeToken: () => sandbox.revokeToken(),
    createToken: () => sandbox.createToken(),
    setFaults: (faults) => sandbox.setFaults(faults),
    setOptions: (settings) => sandbox.setOptions(settings),
    injectResponses: (injection) => sandbox.injectResponses(injection),
    requests: () => sandbox.requestsSince(0),
    snapshot: () => sandbox.snapshot(),
    reset: () => sandbox.reset(),
  };
}

function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
