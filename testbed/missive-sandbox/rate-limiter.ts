/**
 * Missive's three limits: requests in flight, and accepted requests per rolling minute and per
 * rolling 15 minutes. Each window keeps the timestamps of the requests it counts in a ring buffer of
 * `limit` slots, so admission is O(1) amortised whatever the load.
 */
import type { RateCounters, SandboxLimits } from './types.ts';

/** What the X-RateLimit-* headers report. */
export interface RateStatus {
  limit: number;
  remaining: number;
  /** Milliseconds until the reported window frees a slot (0 if it has nothing counted). */
  resetInMs: number;
}

export type LimitName = 'concurrent' | 'perMinute' | 'per15Minutes';

interface Block {
  hit: LimitName;
  retryAfterMs: number;
  status: RateStatus;
}

function block(hit: LimitName, limit: number, waitMs: number): Block {
  return { hit, retryAfterMs: waitMs, status: { limit, remaining: 0, resetInMs: waitMs } };
}

export type Admission =
  | { admitted: true; status: RateStatus }
  | { admitted: false; hit: LimitName; retryAfterMs: number; status: RateStatus };

/** Accepted-request timestamps inside one rolling window. */
export class RollingWindow {
  readonly #stamps: Float64Array;
  #head = 0;
  #size = 0;

  constructor(
    readonly limit: number,
    readonly windowMs: number,
  ) {
    this.#stamps = new Float64Array(limit);
  }

  count(now: number): number {
    this.#expire(now);
    return this.#size;
  }

  isFull(now: number): boolean {
    return this.count(now) >= this.limit;
  }

  /** Time until the oldest counted request leaves the window, i.e. until a slot frees. */
  msUntilSlotFrees(now: number): number {
    this.#expire(now);
    return this.#size === 0 ? 0 : this.#oldest() + this.windowMs - now;
  }

  /** Callers check isFull first: a full window has no slot to write into. */
  record(now: number): void {
    this.#stamps[(this.#head + this.#size) % this.#stamps.length] = now;
    this.#size += 1;
  }

  clear(): void {
    this.#head = 0;
    this.#size = 0;
  }

  #oldest(): number {
    return this.#stamps[this.#head] ?? 0;
  }

  #expire(now: number): void {
    while (this.#size > 0 && this.#oldest() + this.windowMs <= now) {
      this.#head = (this.#head + 1) % this.#stamps.length;
      this.#size -= 1;
    }
  }
}

export class RateLimiter {
  readonly limits: SandboxLimits;
  readonly #minute: RollingWindow;
  readonly #fifteen: RollingWindow;
  readonly #clock: () => number;
  #inFlight = 0;
  #peakInFlight = 0;
  #acceptedTotal = 0;
  #rejectedBy = { concurrent: 0, perMinute: 0, per15Minutes: 0 };

  constructor(limits: SandboxLimits, clock: () => number = () => performance.now()) {
    this.limits = limits;
    this.#minute = new RollingWindow(limits.perMinute, limits.minuteMs);
    this.#fifteen = new RollingWindow(limits.per15Minutes, limits.fifteenMinutesMs);
    this.#clock = clock;
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  /** Admits the request (counting it) or says which limit refuses it and for how long. */
  tryAdmit(): Admission {
    const now = this.#clock();
    const refusal = this.#longestBlock(now);
    if (refusal) {
      this.#rejectedBy[refusal.hit] += 1;
      return { admitted: false, ...refusal };
    }
    this.#minute.record(now);
    this.#fifteen.record(now);
    this.#acceptedTotal += 1;
    this.#inFlight += 1;
    this.#peakInFlight = Math.max(this.#peakInFlight, this.#inFlight);
    return { admitted: true, status: this.#tightest(now) };
  }

  /** Call exactly once per admitted request, when its answer is sent or its connection dies. */
  release(): void {
    this.#inFlight = Math.max(0, this.#inFlight - 1);
  }

  /** The tightest window's status, without counting anything (for 401s and injected answers). */
  peek(): RateStatus {
    return this.#tightest(this.#clock());
  }

  /** Forgets counted requests and totals; requests still in flight keep their slots. */
  reset(): void {
    this.#minute.clear();
    this.#fifteen.clear();
    this.#acceptedTotal = 0;
    this.#peakInFlight = this.#inFlight;
    this.#rejectedBy = { concurrent: 0, perMinute: 0, per15Minutes: 0 };
  }

  counters(injected429: number): RateCounters {
    const now = this.#clock();
    const rejectedBy = { ...this.#rejectedBy };
    return {
      limits: { ...this.limits },
      inFlight: this.#inFlight,
      peakInFlight: this.#peakInFlight,
      inMinuteWindow: this.#minute.count(now),
      in15MinuteWindow: this.#fifteen.count(now),
      acceptedTotal: this.#acceptedTotal,
      rejected429: rejectedBy.concurrent + rejectedBy.perMinute + rejectedBy.per15Minutes,
      injected429,
      rejectedBy,
    };
  }

  /**
   * Among the limits that refuse the request now, the one that frees last decides Retry-After:
   * waiting less would only earn another 429.
   */
  #longestBlock(now: number): Block | null {
    return this.#blocks(now).reduce<Block | null>(
      (worst, block) => (worst && worst.retryAfterMs >= block.retryAfterMs ? worst : block),
      null,
    );
  }

  #blocks(now: number): Block[] {
    const blocks: Block[] = [];
    if (this.#inFlight >= this.limits.concurrent) {
      blocks.push(block('concurrent', this.limits.concurrent, this.#concurrencyWaitMs()));
    }
    if (this.#minute.isFull(now)) {
      blocks.push(block('perMinute', this.#minute.limit, this.#minute.msUntilSlotFrees(now)));
    }
    if (this.#fifteen.isFull(now)) {
      blocks.push(block('per15Minutes', this.#fifteen.limit, this.#fifteen.msUntilSlotFrees(now)));
    }
    return blocks;
  }

  /** No one knows when an in-flight request ends: suggest one second, scaled like the windows. */
  #concurrencyWaitMs(): number {
    return 1000 * Math.min(1, this.limits.minuteMs / 60_000);
  }

  /** The window with the fewest requests left (the longer one on a tie, as it frees later). */
  #tightest(now: number): RateStatus {
    const minuteLeft = this.#minute.limit - this.#minute.count(now);
    const fifteenLeft = this.#fifteen.limit - this.#fifteen.count(now);
    const window = minuteLeft < fifteenLeft ? this.#minute : this.#fifteen;
    return {
      limit: window.limit,
      remaining: Math.max(0, Math.min(minuteLeft, fifteenLeft)),
      resetInMs: window.msUntilSlotFrees(now),
    };
  }
}

/** Fills in defaults and refuses limits that cannot work. */
export function resolveLimits(base: SandboxLimits, overrides: Partial<SandboxLimits> = {}): SandboxLimits {
  const limits = { ...base, ...overrides };
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isInteger(value) || value < 1) {
      throw new RangeError(`limits.${name} must be a positive integer (got ${String(value)})`);
    }
  }
  return limits;
}

/**
 * Retry-After in seconds. Whole seconds (rounded up) at real speed, as HTTP expects; with windows
 * compressed below a minute, whole seconds would be absurdly long, so milliseconds precision.
 */
export function formatRetryAfter(ms: number, limits: SandboxLimits): string {
  const compressed = Math.min(limits.minuteMs, limits.fifteenMinutesMs) < 60_000;
  if (compressed) return String(Math.max(1, Math.ceil(ms)) / 1000);
  return String(Math.max(1, Math.ceil(ms / 1000)));
}

/** X-RateLimit-Reset: UTC epoch seconds. */
export function resetEpochSeconds(resetInMs: number, nowEpochMs = Date.now()): number {
  return Math.ceil((nowEpochMs + resetInMs) / 1000);
}
