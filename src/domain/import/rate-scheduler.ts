/**
 * When may the next Missive request go? One scheduler honours all three published limits at once
 * (5 in flight, 300 per rolling minute, 900 per rolling 15 minutes) from its own accounting, and
 * lets the server's `X-RateLimit-*` and `Retry-After` headers make it stricter, never looser.
 *
 * Deterministic: time comes from an injected clock, so tests run hours of traffic in milliseconds.
 * The real engine passes `{ now: () => performance.now(), sleep: (ms, signal) => … }`.
 */
import type { RateLimitHeaders } from '../../adapters/missive-client.ts';

export interface SchedulerClock {
  /** Monotonic milliseconds. */
  now(): number;
  /** Resolves after `ms`; rejects (or just never resolves) once `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  /** Wall-clock Unix milliseconds, to read `X-RateLimit-Reset`; without it Reset is ignored. */
  epochNow?(): number;
}

export interface RateLimits {
  concurrent: number;
  perMinute: number;
  per15Minutes: number;
  minuteMs: number;
  fifteenMinutesMs: number;
  /**
   * 1 in real time. Below 1 for compressed-time tests and benchmarks: the windows above are given
   * already scaled, and the durations the client picks itself (backoffs, the pause after a 429
   * whose Retry-After is unreadable) are multiplied by it. A readable Retry-After is not: it is
   * the server's own statement in real seconds (a compressed sandbox already sends compressed,
   * fractional seconds), so it is honoured as-is.
   */
  timeScale: number;
}

/** https://missiveapp.com/docs/developers/rest-api/rate-limits */
export const PUBLISHED_LIMITS: Readonly<RateLimits> = Object.freeze({
  concurrent: 5,
  perMinute: 300,
  per15Minutes: 900,
  minuteMs: 60_000,
  fifteenMinutesMs: 900_000,
  timeScale: 1,
});

/** The published limits on a compressed (or stretched) time scale. */
export function scaledLimits(timeScale: number, base: RateLimits = PUBLISHED_LIMITS): RateLimits {
  return {
    ...base,
    minuteMs: base.minuteMs * timeScale,
    fifteenMinutesMs: base.fifteenMinutesMs * timeScale,
    timeScale,
  };
}

/** First pause after a 429 whose Retry-After cannot be read (e.g. not exposed by CORS). */
export const UNREADABLE_RETRY_AFTER_MS = 60_000;
/** Doubling stops here: after 15 minutes every window has emptied. */
export const UNREADABLE_RETRY_AFTER_CAP_MS = 900_000;
export const BACKOFF_BASE_MS = 1_000;
export const BACKOFF_CAP_MS = 60_000;

/**
 * Delay before retrying after a 5xx or a network error: exponential (1 s, 2 s, 4 s … capped at
 * 60 s) with "equal jitter" (between half and all of it), so retries of parallel requests spread
 * out but never come back immediately. `attempt` counts from 0; `rng` returns [0, 1).
 */
export function backoffDelay(attempt: number, rng: () => number, timeScale = 1): number {
  const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempt));
  return (ceiling / 2 + (rng() * ceiling) / 2) * timeScale;
}

export interface Ticket {
  readonly id: number;
  /** Clock time the request was allowed to go. */
  readonly sentAt: number;
}

export interface ReleaseOutcome {
  /** HTTP status; null when no answer came (network error, abort). */
  status: number | null;
  rate?: RateLimitHeaders | null;
}

export interface SchedulerStats {
  inFlight: number;
  queued: number;
  sentLastMinute: number;
  sentLast15Minutes: number;
  /** Requests per (API) second over the last minute window. */
  currentRatePerSecond: number;
  /** Clock time before which nothing is sent (after a 429), or null. */
  pausedUntil: number | null;
  /** A 429 came without a readable Retry-After: the UI says "Retry-After unreadable: slower import". */
  retryAfterUnreadable: boolean;
  totalSent: number;
  limits: RateLimits;
}

/** Times in increasing order with cheap removal from the front (a queue over an array). */
class TimeSeries {
  #times: number[] = [];
  #head = 0;

  get length(): number {
    return this.#times.length - this.#head;
  }

  push(time: number): void {
    this.#times.push(time);
  }

  at(index: number): number {
    return this.#times[this.#head + index]!;
  }

  /** Index of the first time strictly after `time` (binary search). */
  firstAfter(time: number): number {
    let lo = this.#head;
    let hi = this.#times.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#times[mid]! <= time) lo = mid + 1;
      else hi = mid;
    }
    return lo - this.#head;
  }

  countAfter(time: number): number {
    return this.length - this.firstAfter(time);
  }

  dropUpTo(time: number): void {
    this.#head += this.firstAfter(time);
    if (this.#head > 1024 && this.#head * 2 > this.#times.length) {
      this.#times = this.#times.slice(this.#head);
      this.#head = 0;
    }
  }
}

/** What the server said is left, counted down by our own sends until its window resets. */
interface ServerBudget {
  remaining: number;
  until: number;
}

interface Waiter {
  resolve(ticket: Ticket): void;
  reject(reason: unknown): void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

/**
 * FIFO admission under all limits at once.
 *
 * Accounting, on the safe side: a request occupies a slot in each rolling window from the moment
 * it is sent until one window length after its answer arrived. Missive counted it somewhere in
 * between, and whichever instant that was, it has left Missive's window by then; so variable
 * network latency can never make two requests that we saw a minute apart look closer to Missive.
 * The cost is one latency per window (≈ 0.1 % of 15 minutes).
 */
export class RateScheduler {
  readonly limits: RateLimits;
  readonly #clock: SchedulerClock;
  readonly #inFlight = new Map<number, Ticket>();
  readonly #releases = new TimeSeries();
  readonly #sends = new TimeSeries();
  readonly #waiters: Waiter[] = [];
  #budgets: ServerBudget[] = [];
  #pausedUntil = -Infinity;
  #unreadableStreak = 0;
  #retryAfterUnreadable = false;
  #nextId = 1;
  #totalSent = 0;
  #timer: { at: number; abort: AbortController } | null = null;
  #disposed = false;

  constructor(clock: SchedulerClock, limits: RateLimits = PUBLISHED_LIMITS) {
    this.#clock = clock;
    this.limits = limits;
  }

  /** Resolves when a request may be sent now (send it right away); FIFO among waiters. */
  acquire(signal?: AbortSignal): Promise<Ticket> {
    if (this.#disposed) return Promise.reject(new Error('RateScheduler disposed'));
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<Ticket>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, signal, onAbort: undefined };
      if (signal) {
        waiter.onAbort = () => {
          const at = this.#waiters.indexOf(waiter);
          if (at >= 0) this.#waiters.splice(at, 1);
          reject(signal.reason);
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      this.#waiters.push(waiter);
      this.#pump();
    });
  }

  /** Every acquired ticket must be released exactly once, with what came back. */
  release(ticket: Ticket, outcome: ReleaseOutcome): void {
    if (!this.#inFlight.delete(ticket.id)) throw new Error(`Ticket ${ticket.id} is not in flight`);
    const now = this.#clock.now();
    this.#releases.push(now);
    this.#learn(now, outcome);
    this.#pump();
  }

  stats(): SchedulerStats {
    const now = this.#clock.now();
    const sentLastMinute = this.#sends.countAfter(now - this.limits.minuteMs);
    return {
      inFlight: this.#inFlight.size,
      queued: this.#waiters.length,
      sentLastMinute,
      sentLast15Minutes: this.#sends.countAfter(now - this.limits.fifteenMinutesMs),
      currentRatePerSecond: sentLastMinute / 60,
      pausedUntil: this.#pausedUntil > now ? this.#pausedUntil : null,
      retryAfterUnreadable: this.#retryAfterUnreadable,
      totalSent: this.#totalSent,
      limits: this.limits,
    };
  }

  /** Stops the timer and rejects everyone still waiting (the run is over). */
  dispose(): void {
    this.#disposed = true;
    this.#timer?.abort.abort();
    this.#timer = null;
    for (const waiter of this.#waiters.splice(0)) {
      if (waiter.onAbort) waiter.signal?.removeEventListener('abort', waiter.onAbort);
      waiter.reject(new Error('RateScheduler disposed'));
    }
  }

  /** 429 pauses everything; X-RateLimit-Remaining adds a constraint. Neither can relax anything. */
  #learn(now: number, { status, rate }: ReleaseOutcome): void {
    if (status === 429) {
      const retryAfter = rate?.retryAfter;
      let pauseMs: number;
      if (retryAfter !== null && retryAfter !== undefined && retryAfter >= 0) {
        // Real seconds from the server: never rescaled (see RateLimits.timeScale).
        pauseMs = retryAfter * 1000;
      } else {
        this.#retryAfterUnreadable = true;
        const unscaled = Math.min(
          UNREADABLE_RETRY_AFTER_CAP_MS,
          UNREADABLE_RETRY_AFTER_MS * 2 ** this.#unreadableStreak,
        );
        this.#unreadableStreak++;
        pauseMs = unscaled * this.limits.timeScale;
      }
      this.#pausedUntil = Math.max(this.#pausedUntil, now + pauseMs);
    } else if (status !== null) {
      this.#unreadableStreak = 0;
    }
    if (rate && rate.remaining !== null) this.#addServerBudget(now, rate);
  }

  #addServerBudget(now: number, rate: RateLimitHeaders): void {
    const { limits } = this;
    if (rate.limit !== null && rate.limit <= limits.concurrent) return; // about concurrency, not a window
    const windowMs = rate.limit === limits.perMinute ? limits.minuteMs : limits.fifteenMinutesMs;
    let until = now + windowMs;
    if (rate.reset !== null && this.#clock.epochNow) {
      const untilReset = rate.reset * 1000 - this.#clock.epochNow();
      until = now + Math.min(Math.max(untilReset, 0), limits.fifteenMinutesMs);
    }
    if (until <= now) return;
    // The server counts no more than this scheduler does: its own accounting, which frees a slot
    // no earlier than the server does, already governs. The headers matter when something else
    // spends the same token's budget; otherwise they would only add a wait until Reset, which
    // Missive gives in whole seconds (rounded up: up to a second lost at the end of each burst).
    const own = this.#ownRemaining(now, rate.limit);
    if (own !== null && (rate.remaining ?? 0) >= own) return;
    // Requests still in flight may not be in the server's count yet: assume none are.
    const budget = { remaining: (rate.remaining ?? 0) - this.#inFlight.size, until };
    const dominated = (a: ServerBudget, b: ServerBudget) => a.remaining <= b.remaining && a.until >= b.until;
    if (this.#budgets.some((b) => dominated(b, budget))) return;
    this.#budgets = [...this.#budgets.filter((b) => b.until > now && !dominated(budget, b)), budget];
  }

  /** What this scheduler's own count leaves in the window `limit` names, or null for another limit. */
  #ownRemaining(now: number, limit: number | null): number | null {
    const { limits } = this;
    const window =
      limit === limits.perMinute
        ? { ms: limits.minuteMs, max: limits.perMinute }
        : limit === limits.per15Minutes
          ? { ms: limits.fifteenMinutesMs, max: limits.per15Minutes }
          : null;
    if (!window) return null;
    return window.max - this.#inFlight.size - this.#releases.countAfter(now - window.ms);
  }

  /** 0: may send now; a positive number: wait that long; Infinity: wait for a release. */
  #waitMs(now: number): number {
    const { limits } = this;
    if (this.#inFlight.size >= limits.concurrent) return Infinity;
    let wait = Math.max(0, this.#pausedUntil - now);
    const windows: [number, number][] = [
      [limits.minuteMs, limits.perMinute],
      [limits.fifteenMinutesMs, limits.per15Minutes],
    ];
    for (const [windowMs, max] of windows) {
      const first = this.#releases.firstAfter(now - windowMs);
      const released = this.#releases.length - first;
      const occupied = this.#inFlight.size + released;
      if (occupied < max) continue;
      const mustLeave = occupied - max + 1;
      if (mustLeave > released) return Infinity;
      wait = Math.max(wait, this.#releases.at(first + mustLeave - 1) + windowMs - now);
    }
    for (const budget of this.#budgets) {
      if (budget.until > now && budget.remaining <= 0) wait = Math.max(wait, budget.until - now);
    }
    return wait;
  }

  #grant(now: number): void {
    const waiter = this.#waiters.shift()!;
    if (waiter.onAbort) waiter.signal?.removeEventListener('abort', waiter.onAbort);
    const ticket: Ticket = { id: this.#nextId++, sentAt: now };
    this.#inFlight.set(ticket.id, ticket);
    this.#sends.push(now);
    this.#totalSent++;
    for (const budget of this.#budgets) if (budget.until > now) budget.remaining--;
    waiter.resolve(ticket);
  }

  #pump(): void {
    if (this.#disposed) return;
    const now = this.#clock.now();
    const horizon = now - Math.max(this.limits.minuteMs, this.limits.fifteenMinutesMs);
    this.#releases.dropUpTo(horizon);
    this.#sends.dropUpTo(horizon);
    this.#budgets = this.#budgets.filter((b) => b.until > now);
    while (this.#waiters.length > 0) {
      const wait = this.#waitMs(now);
      if (wait === 0) {
        this.#grant(now);
        continue;
      }
      if (wait !== Infinity) this.#wakeAt(now, now + wait);
      return;
    }
  }

  /** One timer at a time: the earliest moment something may change. */
  #wakeAt(now: number, at: number): void {
    if (this.#timer && this.#timer.at <= at) return;
    this.#timer?.abort.abort();
    const timer = { at, abort: new AbortController() };
    this.#timer = timer;
    this.#clock.sleep(at - now, timer.abort.signal).then(
      () => {
        if (this.#timer !== timer) return;
        this.#timer = null;
        this.#pump();
      },
      () => undefined,
    );
  }
}
