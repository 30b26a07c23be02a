/**
 * Local stand-in for the Gmail API as relay mode uses it (email-relay.md §1): Bearer tokens with
 * scopes and expiry, CORS, users.messages.import in its four upload forms, labels, rfc822msgid
 * search, threads, the per-user quota in units per rolling minute, size limits and fault
 * injection. Used by the end-to-end tests and the demo. Loopback only.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { closeServer, listen } from '../sandbox-kit/server-lifecycle.ts';
import { matchRoute, runRoute, type ApiContext, type MatchedRoute, type Operation } from './api-routes.ts';
import { TokenRegistry } from './auth.ts';
import { handleControl, type ControlTarget } from './control-api.ts';
import { InjectionQueue, planFault, resolveFaults, type ResolvedFaults } from './faults.ts';
import {
  GmailApiError,
  backendError,
  invalidCredentials,
  notFound,
  tooManyConcurrentRequests,
  userRateLimitExceeded,
} from './google-errors.ts';
import {
  answerPreflight,
  applyCors,
  drain,
  isLoopbackHost,
  readBody,
  sendJson,
  sleep,
  urlHost,
} from './http-io.ts';
import { GmailMailbox } from './mailbox.ts';
import { readHeaders } from './rfc822.ts';
import { UnitWindow, resolveQuota } from './quota.ts';
import { randomHex, seededRandom, type Random } from '../sandbox-kit/random.ts';
import { RequestLog, epochMs } from './request-log.ts';
import { UploadSessions } from './resumable.ts';
import {
  DOCUMENTED_QUOTA,
  type GmailFaults,
  type GmailLabel,
  type GmailSandbox,
  type GmailSandboxOptions,
  type GmailSandboxState,
  type InjectedResponse,
  type MutableGmailOptions,
  type QuotaUsage,
  type RecordedRequest,
  type StoredGmailMessage,
} from './types.ts';

export { DEFAULT_ACCESS_TOKEN } from './auth.ts';
export { OPERATIONS } from './api-routes.ts';
export { DEFAULT_TOKEN_SCOPES, DOCUMENTED_QUOTA, GMAIL_SCOPES } from './types.ts';
export type * from './types.ts';

const DEFAULT_SEED = 0x6a11;
const DEFAULT_EMAIL_ADDRESS = 'relay.sandbox@gmail.example';
/** The discovery document's maxSize for import (the current reference says 150 MB). */
const DEFAULT_MAX_MESSAGE_BYTES = 52_428_800;

type Settings = Required<Omit<MutableGmailOptions, 'maxConcurrentRequests'>> & {
  maxConcurrentRequests: number;
};

/** One API request on its way through the sandbox. */
interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  entry: RecordedRequest;
  matched: MatchedRoute;
}

class Sandbox implements ControlTarget {
  origin = '';
  readonly mailbox: GmailMailbox;
  readonly tokens: TokenRegistry;
  readonly quota: UnitWindow;
  readonly sessions = new UploadSessions();
  readonly log = new RequestLog();
  readonly injections = new InjectionQueue();
  readonly settings: Settings = {
    quotaExceededStatus: 429,
    searchIndexLagMs: 0,
    sentLabelOnImport: 'accept',
    threadReferences: 'well-formed',
    exposeUploadLocation: true,
    cors: true,
    maxMessageBytes: DEFAULT_MAX_MESSAGE_BYTES,
    maxConcurrentRequests: Number.POSITIVE_INFINITY,
    expireUploadSessions: null,
  };
  faults: ResolvedFaults;
  #clockOffsetMs = 0;
  #inFlight = 0;
  readonly #baseNow: () => number;
  readonly #faultRandom: Random;
  readonly #idRandom: Random;
  readonly #logLine: (line: string) => void;

  constructor(options: GmailSandboxOptions) {
    const seed = options.seed ?? DEFAULT_SEED;
    this.#baseNow = options.now ?? Date.now;
    this.#faultRandom = seededRandom(seed ^ 0x9e3779b9);
    this.#idRandom = seededRandom(seed);
    this.#logLine = options.log ?? (() => undefined);
    this.faults = resolveFaults(options.faults);
    this.setOptions(options);
    this.tokens = new TokenRegistry(options.tokens, this.#idRandom);
    this.quota = new UnitWindow(resolveQuota(DOCUMENTED_QUOTA, options.quota));
    this.mailbox = new GmailMailbox(options.emailAddress ?? DEFAULT_EMAIL_ADDRESS, this.now);
  }

  readonly now = (): number => this.#baseNow() + this.#clockOffsetMs;

  // ── Control surface (in-process object and /__sandbox/*) ────────────────────────────────────

  info(): Record<string, unknown> {
    return {
      url: this.origin,
      emailAddress: this.mailbox.emailAddress,
      token: this.tokens.firstToken,
      gisClientUrl: `${this.origin}/__sandbox/gsi/client`,
      quota: this.quota.quota,
      settings: {
        ...this.settings,
        maxConcurrentRequests: finiteOrNull(this.settings.maxConcurrentRequests),
      },
      faults: this.faults,
      pendingInjections: this.injections.pending,
      clockOffsetMs: this.#clockOffsetMs,
    };
  }

  snapshot(): GmailSandboxState {
    return {
      emailAddress: this.mailbox.emailAddress,
      labels: this.mailbox.labels(),
      threads: this.mailbox.threads(),
      messages: this.mailbox.messages().map(({ raw: _raw, ...rest }) => structuredClone(rest)),
      quota: this.quotaUsage(),
      requestCount: this.log.size,
      clockOffsetMs: this.#clockOffsetMs,
    };
  }

  labels(): GmailLabel[] {
    return this.mailbox.labels();
  }

  /** Copies: a test cannot change what the sandbox stored. */
  messages(): StoredGmailMessage[] {
    return this.mailbox
      .messages()
      .map(({ raw, ...rest }) => ({ ...structuredClone(rest), raw: Buffer.from(raw) }));
  }

  requestsSince(seq: number): RecordedRequest[] {
    return this.log.since(seq);
  }

  quotaUsage(): QuotaUsage {
    return { ...this.quota.quota, usedInWindow: this.quota.used(this.now()) };
  }

  issueToken(scopes?: readonly string[]): string {
    return this.tokens.issue(scopes);
  }

  expireToken(token: string): boolean {
    return this.tokens.expire(token);
  }

  advanceClock(ms: number): void {
    if (!(ms >= 0)) throw new RangeError('advanceClock takes milliseconds ≥ 0');
    this.#clockOffsetMs += ms;
  }

  setFaults(faults: GmailFaults | undefined): void {
    this.faults = resolveFaults(faults);
  }

  setOptions(options: MutableGmailOptions): void {
    const s = this.settings;
    if (options.quotaExceededStatus !== undefined) {
      s.quotaExceededStatus = oneOf('quotaExceededStatus', options.quotaExceededStatus, [429, 403]);
    }
    if (options.sentLabelOnImport !== undefined) {
      s.sentLabelOnImport = oneOf('sentLabelOnImport', options.sentLabelOnImport, ['accept', 'reject']);
    }
    if (options.threadReferences !== undefined) {
      s.threadReferences = oneOf('threadReferences', options.threadReferences, ['well-formed', 'in-thread']);
    }
    if (options.searchIndexLagMs !== undefined)
      s.searchIndexLagMs = atLeast('searchIndexLagMs', options.searchIndexLagMs, 0);
    if (options.maxMessageBytes !== undefined)
      s.maxMessageBytes = atLeast('maxMessageBytes', options.maxMessageBytes, 1);
    if (options.maxConcurrentRequests !== undefined) {
      s.maxConcurrentRequests = atLeast('maxConcurrentRequests', options.maxConcurrentRequests, 1);
    }
    if (options.exposeUploadLocation !== undefined)
      s.exposeUploadLocation = options.exposeUploadLocation === true;
    if (options.cors !== undefined) s.cors = options.cors === true;
    if (options.expireUploadSessions !== undefined) {
      const expiry = options.expireUploadSessions;
      if (expiry !== null) {
        oneOf('expireUploadSessions.status', expiry.status, [404, 410]);
        atLeast('expireUploadSessions.count', expiry.count, 0);
      }
      s.expireUploadSessions = expiry && { ...expiry };
    }
  }

  async seedMessage(raw: Buffer | string, labelIds: string[] = []): Promise<StoredGmailMessage> {
    const bytes = Buffer.isBuffer(raw) ? raw : Buffer.from(raw);
    const headers = await readHeaders(bytes);
    if (!headers) throw new TypeError('seedMessage takes an RFC 5322 message');
    return this.mailbox.importMessage(
      {
        raw: bytes,
        headers,
        labelIds,
        threadId: null,
        params: new URLSearchParams(),
        uploadForm: 'multipart',
      },
      this.settings,
    );
  }

  injectResponses(injection: InjectedResponse): void {
    this.injections.add(injection);
  }

  reset(): void {
    this.mailbox.reset();
    this.tokens.reset();
    this.quota.clear();
    this.sessions.clear();
    this.log.clear();
    this.injections.clear();
    this.#clockOffsetMs = 0;
  }

  // ── HTTP ────────────────────────────────────────────────────────────────────────────────────

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.origin || 'http://sandbox.invalid');
    if (this.settings.cors) applyCors(req, res, this.settings.exposeUploadLocation);
    const isControl = url.pathname === '/__sandbox' || url.pathname.startsWith('/__sandbox/');
    if (req.method === 'OPTIONS') {
      if (!isControl) this.#startEntry(req, res, url).outcome = 'preflight';
      return answerPreflight(req, res, this.settings.cors);
    }
    if (isControl) return handleControl(this, req, res, url);
    const entry = this.#startEntry(req, res, url);
    const matched = matchRoute(req.method ?? 'GET', url.pathname);
    if (matched === null || matched === 'method') {
      await drain(req);
      const error =
        matched === null ? notFound(`No Gmail API method at ${url.pathname}`) : notFound('Method not found.');
      return sendJson(res, error.code, error.body());
    }
    entry.operation = matched.route.operation.name;
    try {
      await this.#serve({ req, res, url, entry, matched });
    } catch (error) {
      if (!(error instanceof GmailApiError)) throw error;
      await drain(req);
      sendJson(res, error.code, error.body(), error.headers);
    }
  }

  #startEntry(req: IncomingMessage, res: ServerResponse, url: URL): RecordedRequest {
    const entry = this.log.start(req.method ?? 'GET', url.pathname, url.searchParams);
    res.once('close', () => {
      this.log.finish(entry, res.writableFinished ? res.statusCode : 0);
      const ms = Math.round((entry.endedAt ?? epochMs()) - entry.startedAt);
      this.#logLine(
        `${entry.method} ${entry.path} → ${entry.status || 'dropped'} (${entry.outcome}, ${ms} ms)`,
      );
    });
    return entry;
  }

  /** Order: forced answers, auth and scopes, concurrency, quota, latency and faults, the method. */
  async #serve(exchange: Exchange): Promise<void> {
    const { req, res, url, entry, matched } = exchange;
    const operation = matched.route.operation;
    const injection = this.injections.take(url.pathname, false);
    if (injection) return this.#answerInjected(exchange, injection);
    const scopes = this.#authorise(req, operation, matched.userId, entry);
    this.#admit(res, entry);
    this.#charge(operation, entry);
    const plan = planFault(this.faults, operation.write, this.#faultRandom);
    if (plan.delayMs > 0) await sleep(plan.delayMs);
    if (res.destroyed) return;
    if (plan.failure && !plan.failure.afterWrite) return this.#fail(exchange, plan.failure.status);
    const result = await runRoute(matched, this.#context(exchange, scopes));
    const wrote = operation.write && result.status === 200;
    if (plan.failure && wrote) return this.#fail(exchange, plan.failure.status);
    const lateInjection = wrote ? this.injections.take(url.pathname, true) : null;
    if (lateInjection) return this.#answerInjected(exchange, lateInjection);
    sendJson(res, result.status, result.body, result.headers);
  }

  #authorise(
    req: IncomingMessage,
    operation: Operation,
    userId: string,
    entry: RecordedRequest,
  ): readonly string[] {
    if (operation.sessionAuthorised) return [];
    try {
      const scopes = this.tokens.authenticate(req.headers.authorization);
      this.tokens.requireAnyScope(scopes, operation.scopes);
      if (userId !== 'me' && userId.toLowerCase() !== this.mailbox.emailAddress.toLowerCase()) {
        throw new GmailApiError(403, `Delegation denied for ${this.mailbox.emailAddress}`, 'forbidden');
      }
      return scopes;
    } catch (error) {
      entry.outcome = error instanceof GmailApiError && error.code === 401 ? 'unauthenticated' : 'forbidden';
      throw error;
    }
  }

  /** Holds a concurrency slot until the answer is sent or the connection dies. */
  #admit(res: ServerResponse, entry: RecordedRequest): void {
    if (this.#inFlight >= this.settings.maxConcurrentRequests) {
      entry.outcome = 'concurrency-exceeded';
      throw tooManyConcurrentRequests();
    }
    this.#inFlight += 1;
    res.once('close', () => (this.#inFlight -= 1));
  }

  #charge(operation: Operation, entry: RecordedRequest): void {
    if (!this.quota.tryCharge(operation.cost, this.now())) {
      entry.outcome = 'quota-exceeded';
      throw userRateLimitExceeded(this.settings.quotaExceededStatus);
    }
    entry.units = operation.cost;
  }

  #context({ req, url, entry, matched }: Exchange, scopes: readonly string[]): ApiContext {
    return {
      req,
      url,
      params: matched.params,
      mailbox: this.mailbox,
      sessions: this.sessions,
      settings: this.settings,
      scopes,
      now: this.now,
      newUploadId: () => randomHex(this.#idRandom, 32),
      readBody: async (maxBytes, tooLarge) => {
        const read = await readBody(req, maxBytes);
        entry.bodyBytes = read.kind === 'ok' ? read.raw.length : read.received;
        if (read.kind === 'too-large') throw tooLarge();
        return read.raw;
      },
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
    const error = backendError(status);
    sendJson(res, error.code, error.body());
  }

  async #answerInjected({ req, res, entry }: Exchange, injection: InjectedResponse): Promise<void> {
    entry.outcome = 'injected';
    if (injection.status === 0) {
      req.socket.destroy();
      return;
    }
    await drain(req);
    const error = injectedError(injection.status);
    sendJson(res, error.code, error.body(), error.headers);
  }
}

/** Google's body for a forced status, so clients parse it as they would the real one. */
function injectedError(status: number): GmailApiError {
  if (status === 429 || status === 403) return userRateLimitExceeded(status);
  if (status === 401) return invalidCredentials();
  if (status >= 500) return backendError(status);
  return new GmailApiError(status, `HTTP ${status} forced by the sandbox`, 'sandboxInjected');
}

function finiteOrNull(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}

function atLeast(name: string, value: number, min: number): number {
  if (typeof value !== 'number' || !(value >= min)) throw new RangeError(`${name} must be a number ≥ ${min}`);
  return value;
}

function oneOf<T extends string | number>(name: string, value: T, allowed: readonly T[]): T {
  if (!allowed.includes(value))
    throw new RangeError(`${name} must be one of ${allowed.join(', ')} (got ${value})`);
  return value;
}

export async function startGmailSandbox(options: GmailSandboxOptions = {}): Promise<GmailSandbox> {
  const host = options.host ?? '127.0.0.1';
  if (!isLoopbackHost(host)) throw new Error(`The Gmail sandbox listens on loopback only (got host ${host})`);
  const sandbox = new Sandbox(options);
  const server = http.createServer((req, res) => {
    sandbox.handle(req, res).catch((error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      options.log?.(`sandbox error on ${req.method} ${req.url}: ${message}`);
      sendJson(res, 500, new GmailApiError(500, `Sandbox failure: ${message}`, 'backendError').body());
    });
  });
  const port = await listen(server, options.port ?? 0, host);
  sandbox.origin = `http://${urlHost(host)}:${port}`;
  return {
    url: sandbox.origin,
    origin: sandbox.origin,
    emailAddress: sandbox.mailbox.emailAddress,
    token: sandbox.tokens.firstToken,
    gisClientUrl: `${sandbox.origin}/__sandbox/gsi/client`,
    close: () => closeServer(server),
    messages: () => sandbox.messages(),
    seedMessage: (raw, labelIds) => sandbox.seedMessage(raw, labelIds),
    labels: () => sandbox.labels(),
    requests: () => sandbox.requestsSince(0),
    snapshot: () => sandbox.snapshot(),
    issueToken: (scopes) => sandbox.issueToken(scopes),
    expireToken: (token) => {
      if (!sandbox.expireToken(token)) throw new RangeError(`unknown token ${token}`);
    },
    advanceClock: (ms) => sandbox.advanceClock(ms),
    quotaUsage: () => sandbox.quotaUsage(),
    setFaults: (faults) => sandbox.setFaults(faults),
    setOptions: (settings) => sandbox.setOptions(settings),
    injectResponses: (injection) => sandbox.injectResponses(injection),
    reset: () => sandbox.reset(),
  };
}
