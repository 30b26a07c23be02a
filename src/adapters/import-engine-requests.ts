/**
 * Every request of a run goes through here: the scheduler says when, the client sends, the answer
 * goes back to the scheduler (429 pauses everyone, X-RateLimit-* tighten the budget).
 *
 * A request that holds a ticket is always sent and always awaited, even when the run is pausing:
 * cancelling it half-way would only turn a known outcome into an unknown one.
 */
import type { MissiveClient, MissiveResponse } from './missive-client.ts';
import { backoffDelay, type RateScheduler, type SchedulerClock } from '../domain/import/rate-scheduler.ts';

/** Reads are idempotent: retried this many times on 5xx and network errors before giving up. */
export const READ_RETRIES = 8;

/** Refusals in a row, before any request of that method went through, that mean CORS for sure. */
const CORS_FAILURES_BEFORE_BLOCKED = 3;

export type StopState = 'needs-token' | 'blocked';

export interface RequesterDeps {
  client: MissiveClient;
  scheduler: RateScheduler;
  clock: SchedulerClock;
  /** Aborted when the run pauses or stops: nothing new is sent after that. */
  signal: AbortSignal;
  rng: () => number;
  timeScale: number;
  /** A 401 or a CORS refusal: the whole run stops and asks the user. */
  stop: (state: StopState, reason: string) => void;
}

export type Sent<T> = { sent: false } | { sent: true; response: MissiveResponse<T> };

export type ReadResult<T> =
  { ok: true; body: T | null } | { ok: false; why: 'stopped' | 'not-found' | 'error'; message: string };

export class Requester {
  readonly #deps: RequesterDeps;
  #sent = 0;
  #rateLimited = 0;
  readonly #corsProven = new Set<'GET' | 'POST'>();
  readonly #corsFailures = new Map<'GET' | 'POST', number>();

  constructor(deps: RequesterDeps) {
    this.#deps = deps;
  }

  get sent(): number {
    return this.#sent;
  }

  get rateLimited(): number {
    return this.#rateLimited;
  }

  get signal(): AbortSignal {
    return this.#deps.signal;
  }

  get timeScale(): number {
    return this.#deps.timeScale;
  }

  get rng(): () => number {
    return this.#deps.rng;
  }

  /** Stops the whole run (a 401 or a CORS refusal met while writing). */
  stop(state: StopState, reason: string): void {
    this.#deps.stop(state, reason);
  }

  /**
   * Waits for the scheduler, runs `beforeSend` (the ledger's in-flight write) and sends. Resolves
   * `{sent: false}` when the run stopped before a ticket was granted: nothing left the browser.
   */
  async send<T>(
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    beforeSend?: () => Promise<void>,
  ): Promise<Sent<T>> {
    const { scheduler, client, signal } = this.#deps;
    let ticket;
    try {
      ticket = await scheduler.acquire(signal);
    } catch {
      return { sent: false };
    }
    let response: MissiveResponse<T>;
    try {
      await beforeSend?.();
      await this.#waitOutPause();
      this.#sent++;
      response = await client.request<T>(method, path, body);
    } catch (error) {
      scheduler.release(ticket, { status: null });
      throw error;
    }
    scheduler.release(ticket, {
      status: response.ok ? response.status : response.status || null,
      rate: response.rate,
    });
    if (response.status === 429) this.#rateLimited++;
    return { sent: true, response: this.#diagnosed(method, response) };
  }

  /**
   * A 429 may have come back while this request was being recorded in flight: it still waits until
   * Retry-After has passed (it holds its ticket, and goes even if the run is pausing meanwhile).
   */
  async #waitOutPause(): Promise<void> {
    const { scheduler, clock } = this.#deps;
    for (;;) {
      const until = scheduler.stats().pausedUntil;
      if (until === null) return;
      await clock.sleep(until - clock.now(), new AbortController().signal);
    }
  }

  /**
   * A browser reports a dropped connection and a CORS refusal alike (a TypeError), and the client's
   * probe then often says "CORS". Once a request of this method went through in this run, CORS is
   * proven to allow it, so a later failure is the network's. Before that, a few failures are still
   * read as network errors (checked and retried); only repeated ones stop the run as blocked.
   */
  #diagnosed<T>(method: 'GET' | 'POST', response: MissiveResponse<T>): MissiveResponse<T> {
    if (response.ok || response.status > 0) {
      this.#corsProven.add(method);
      return response;
    }
    if (response.kind !== 'cors') return response;
    if (this.#corsProven.has(method)) return { ...response, kind: 'network' };
    const failures = (this.#corsFailures.get(method) ?? 0) + 1;
    this.#corsFailures.set(method, failures);
    return failures < CORS_FAILURES_BEFORE_BLOCKED ? { ...response, kind: 'network' } : response;
  }

  /**
   * An idempotent read: a 429 waits for the scheduler's pause and tries again, 5xx and network
   * errors back off and try again (up to {@link READ_RETRIES}); a 401 or a CORS refusal stops the
   * run; 404 is told apart (an endpoint or a conversation that does not exist).
   */
  async read<T>(path: string): Promise<ReadResult<T>> {
    const { clock, signal, rng, timeScale, stop } = this.#deps;
    for (let attempt = 0; ; attempt++) {
      const result = await this.send<T>('GET', path);
      if (!result.sent) return { ok: false, why: 'stopped', message: 'The run stopped.' };
      const response = result.response;
      if (response.ok) return { ok: true, body: response.body };
      switch (response.kind) {
        case 'unauthorized':
          stop('needs-token', response.message);
          return { ok: false, why: 'stopped', message: response.message };
        case 'cors':
          stop('blocked', response.message);
          return { ok: false, why: 'stopped', message: response.message };
        case 'rate_limited':
          continue; // the scheduler holds every request until Retry-After has passed
        case 'server':
        case 'network':
          if (attempt >= READ_RETRIES) return { ok: false, why: 'error', message: response.message };
          try {
            await clock.sleep(backoffDelay(attempt, rng, timeScale), signal);
          } catch {
            return { ok: false, why: 'stopped', message: 'The run stopped.' };
          }
          continue;
        default:
          if (response.status === 404) return { ok: false, why: 'not-found', message: response.message };
          return { ok: false, why: 'error', message: response.message };
      }
    }
  }
}
