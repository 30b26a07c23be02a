/**
 * Paces one target account's requests: at most `concurrency` in flight, at most `unitsPerWindow` quota
 * units started in any rolling `windowMs` (Gmail counts 25 units per import, 15,000 per user per
 * minute; Graph and JMAP count requests), optionally at most `bytesPerWindow` uploaded in any rolling
 * `bytesWindowMs` (Graph: 150 MB per 5 minutes per app and mailbox), and nobody starts while a 429
 * pause runs. First come, first served. Clock-injected, so tests run hours of traffic without waiting.
 */

export interface PacerClock {
  /** Wall-clock time (ms since the epoch): what the ledger stores. */
  now(): number;
  /**
   * A clock that never jumps (performance.now): pacing measures intervals, and a wall clock set back
   * by an hour would hold every request for that hour. The pacer uses it when given.
   */
  monotonicNow?(): number;
  /** Resolves after `ms`; rejects when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const realClock: PacerClock = {
  now: () => Date.now(),
  monotonicNow: () => performance.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason ?? new Error('aborted'));
      const timer = setTimeout(
        () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        Math.max(0, ms),
      );
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal?.reason ?? new Error('aborted'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

export interface PacerLimits {
  concurrency: number;
  unitsPerWindow: number;
  windowMs: number;
  /** Upload bytes allowed in any rolling `bytesWindowMs`; absent: bytes are not counted. */
  bytesPerWindow?: number;
  bytesWindowMs?: number;
}

/** The floor the budget never halves below: a run always moves forward. */
const MIN_UNITS_FRACTION = 1 / 16;

export class Pacer {
  readonly #clock: PacerClock;
  readonly #limits: PacerLimits;
  #budget: number;
  #inFlight = 0;
  #pausedUntil = 0;
  /** Units started, with their start time, inside the current window. */
  #log: { at: number; units: number }[] = [];
  /** Upload bytes started, with their start time, inside the current byte window. */
  #byteLog: { at: number; units: number }[] = [];
  /** Waiters in arrival order; only the head may start. */
  #queue: { units: number; bytes: number; wake: () => void }[] = [];

  constructor(limits: PacerLimits, clock: PacerClock) {
    this.#limits = limits;
    this.#budget = limits.unitsPerWindow;
    this.#clock = clock.monotonicNow
      ? { now: () => clock.monotonicNow!(), sleep: (ms, signal) => clock.sleep(ms, signal) }
      : clock;
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  /** Units the rolling window allows now (lower after repeated 429s). */
  get budget(): number {
    return this.#budget;
  }

  /** Units started within the current window. */
  usedInWindow(): number {
    this.#expire(this.#clock.now());
    return this.#log.reduce((sum, entry) => sum + entry.units, 0);
  }

  /** Upload bytes started within the current byte window. */
  bytesInWindow(): number {
    this.#expire(this.#clock.now());
    return this.#byteLog.reduce((sum, entry) => sum + entry.units, 0);
  }

  /**
   * Runs `task` once a slot, `units` of budget and `bytes` of upload budget are free. The slot is
   * held until it settles. A request larger than the whole byte budget waits for an empty window.
   */
  async run<T>(units: number, task: () => Promise<T>, signal?: AbortSignal, bytes = 0): Promise<T> {
    const byteBudget = this.#limits.bytesPerWindow ?? Infinity;
    await this.#acquire(Math.min(units, this.#limits.unitsPerWindow), Math.min(bytes, byteBudget), signal);
    try {
      return await task();
    } finally {
      this.#inFlight--;
      this.#wakeHead();
    }
  }

  /** A 429 (or rate 403): nobody starts before `ms` from now. */
  pauseFor(ms: number): void {
    this.#pausedUntil = Math.max(this.#pausedUntil, this.#clock.now() + ms);
  }

  /** Repeated 429s: the documented figure is more than this account really gets; halve it. */
  tighten(): void {
    this.#budget = Math.max(this.#limits.unitsPerWindow * MIN_UNITS_FRACTION, Math.floor(this.#budget / 2));
  }

  async #acquire(units: number, bytes: number, signal: AbortSignal | undefined): Promise<void> {
    const waiter = { units, bytes, wake: () => undefined as void };
    this.#queue.push(waiter);
    try {
      for (;;) {
        if (signal?.aborted) throw signal.reason ?? new Error('aborted');
        if (this.#queue[0] === waiter) {
          const wait = this.#waitFor(units, bytes);
          if (wait === 0) {
            this.#queue.shift();
            this.#inFlight++;
            this.#log.push({ at: this.#clock.now(), units });
            if (bytes > 0) this.#byteLog.push({ at: this.#clock.now(), units: bytes });
            this.#wakeHead();
            return;
          }
          // Sleeps until the budget frees up; a settling request wakes the head earlier.
          await this.#park(waiter, wait, signal);
        } else {
          await this.#park(waiter, Infinity, signal);
        }
      }
    } catch (error) {
      this.#queue.splice(this.#queue.indexOf(waiter), 1);
      this.#wakeHead();
      throw error;
    }
  }

  /** 0 when `units` and `bytes` may start now; else how long to wait (Infinity: until a slot frees). */
  #waitFor(units: number, bytes: number): number {
    const now = this.#clock.now();
    if (now < this.#pausedUntil) return this.#pausedUntil - now;
    if (this.#inFlight >= this.#limits.concurrency) return Infinity;
    this.#expire(now);
    const unitWait = windowWait(this.#log, units, this.#budget, this.#limits.windowMs, now);
    if (bytes === 0 || this.#limits.bytesPerWindow === undefined) return unitWait;
    const byteWindowMs = this.#limits.bytesWindowMs ?? this.#limits.windowMs;
    return Math.max(
      unitWait,
      windowWait(this.#byteLog, bytes, this.#limits.bytesPerWindow, byteWindowMs, now),
    );
  }

  #expire(now: number): void {
    const from = now - this.#limits.windowMs;
    while (this.#log.length > 0 && this.#log[0]!.at <= from) this.#log.shift();
    const bytesFrom = now - (this.#limits.bytesWindowMs ?? this.#limits.windowMs);
    while (this.#byteLog.length > 0 && this.#byteLog[0]!.at <= bytesFrom) this.#byteLog.shift();
  }

  /** Waits until woken, `ms` passed (when finite) or `signal` aborted (the loop then throws). */
  async #park(waiter: { wake: () => void }, ms: number, signal: AbortSignal | undefined): Promise<void> {
    const controller = new AbortController();
    const woken = new Promise<void>((resolve) => (waiter.wake = resolve));
    const aborted = new Promise<void>((resolve) => {
      if (signal?.aborted) resolve();
      signal?.addEventListener('abort', () => resolve(), { once: true, signal: controller.signal });
    });
    const slept = Number.isFinite(ms)
      ? this.#clock.sleep(ms, controller.signal).catch(() => undefined)
      : new Promise<void>(() => undefined);
    try {
      await Promise.race([woken, aborted, slept]);
    } finally {
      controller.abort();
    }
  }

  #wakeHead(): void {
    this.#queue[0]?.wake();
  }
}

/** 0 when `amount` fits in the rolling window's budget now; else when enough old entries leave it. */
function windowWait(
  log: readonly { at: number; units: number }[],
  amount: number,
  budget: number,
  windowMs: number,
  now: number,
): number {
  let used = log.reduce((sum, entry) => sum + entry.units, 0);
  if (used + amount <= budget) return 0;
  for (const entry of log) {
    used -= entry.units;
    if (used + amount <= budget) return Math.max(1, entry.at + windowMs - now);
  }
  return Math.max(1, (log.at(-1)?.at ?? now) + windowMs - now);
}
