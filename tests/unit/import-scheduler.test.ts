/**
 * The scheduler against a fake clock: hours of simulated traffic, no real timers, no timed
 * assertions. Only `setImmediate` is used, to let promise chains settle between fake-clock steps.
 */
import { describe, expect, it } from 'vitest';
import type { RateLimitHeaders } from '../../src/adapters/missive-client.ts';
import {
  PUBLISHED_LIMITS,
  RateScheduler,
  backoffDelay,
  scaledLimits,
  type RateLimits,
  type ReleaseOutcome,
  type SchedulerClock,
} from '../../src/domain/import/rate-scheduler.ts';

const EPOCH = 1_700_000_000_000;
const MIN = 60_000;

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

interface FakeTimer {
  at: number;
  seq: number;
  resolve: () => void;
}

class FakeClock implements SchedulerClock {
  time = 0;
  #timers: FakeTimer[] = [];
  #seq = 0;

  now = (): number => this.time;
  epochNow = (): number => EPOCH + this.time;

  sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      const timer = { at: this.time + Math.max(0, ms), seq: this.#seq++, resolve };
      this.#timers.push(timer);
      signal?.addEventListener(
        'abort',
        () => {
          this.#timers = this.#timers.filter((t) => t !== timer);
          reject(signal.reason);
        },
        { once: true },
      );
    });

  /** Fires timers in time order (settling promises after each) until none is due before `until`. */
  async run(until = Infinity): Promise<void> {
    await settle();
    for (;;) {
      this.#timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.#timers[0];
      if (!next || next.at > until) break;
      this.#timers.shift();
      this.time = next.at;
      next.resolve();
      await settle();
    }
    if (until !== Infinity) this.time = until;
  }
}

function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The largest number of times inside any window `(t − windowMs, t]` (checked at every time). */
function maxInWindow(times: readonly number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let max = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while (sorted[start]! <= sorted[end]! - windowMs) start++;
    max = Math.max(max, end - start + 1);
  }
  return max;
}

/** A Missive-like server counting by arrival time; answers 429 if a limit would be exceeded. */
class SimulatedServer {
  /** Every accepted arrival, for the window checks. */
  arrivals: number[] = [];
  rejected = 0;
  inProgress = 0;
  /** Arrivals still inside the 15-minute window (oldest first). */
  #recent: number[] = [];
  readonly #limits: RateLimits;

  constructor(limits: RateLimits) {
    this.#limits = limits;
  }

  receive(now: number): ReleaseOutcome {
    const limits = this.#limits;
    while (this.#recent.length > 0 && this.#recent[0]! <= now - limits.fifteenMinutesMs) this.#recent.shift();
    const firstInMinute = this.#recent.findIndex((t) => t > now - limits.minuteMs);
    const lastMinute = firstInMinute === -1 ? 0 : this.#recent.length - firstInMinute;
    const over =
      this.inProgress >= limits.concurrent ||
      lastMinute >= limits.perMinute ||
      this.#recent.length >= limits.per15Minutes;
    if (over) {
      this.rejected++;
      return { status: 429, rate: { limit: null, remaining: 0, reset: null, retryAfter: 1 } };
    }
    this.arrivals.push(now);
    this.#recent.push(now);
    return { status: 201, rate: null };
  }
}

interface RunResult {
  sends: number[];
  maxInFlight: number;
  server: SimulatedServer;
  scheduler: RateScheduler;
  clock: FakeClock;
}

/**
 * Engine-like loop: acquire, send, and let the answer come back after a random latency (part of
 * it before the server sees the request). Runs until `durationMs` of simulated time.
 */
async function simulate(options: {
  limits: RateLimits;
  durationMs: number;
  latency: (rng: () => number) => number;
  seed: number;
}): Promise<RunResult> {
  const clock = new FakeClock();
  const scheduler = new RateScheduler(clock, options.limits);
  const server = new SimulatedServer(options.limits);
  const rng = mulberry32(options.seed);
  const sends: number[] = [];
  let inFlight = 0;
  let maxInFlight = 0;

  const send = async (ticket: Awaited<ReturnType<RateScheduler['acquire']>>) => {
    const total = options.latency(rng);
    const toServer = total * rng();
    await clock.sleep(toServer);
    const reply = server.receive(clock.now());
    server.inProgress++;
    await clock.sleep(total - toServer);
    server.inProgress--;
    inFlight--;
    scheduler.release(ticket, reply);
  };

  const dispatcher = (async () => {
    for (;;) {
      const ticket = await scheduler.acquire();
      sends.push(clock.now());
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      void send(ticket);
    }
  })().catch(() => undefined);

  await clock.run(options.durationMs);
  scheduler.dispose();
  await dispatcher;
  return { sends: sends.filter((t) => t < options.durationMs), maxInFlight, server, scheduler, clock };
}

function headers(rate: Partial<RateLimitHeaders>): RateLimitHeaders {
  return { limit: null, remaining: null, reset: null, retryAfter: null, ...rate };
}

describe('RateScheduler over a long simulated run', () => {
  it('4 hours at the published limits: all limits hold in every window, ≥ 97 % of the allowed throughput', async () => {
    const durationMs = 4 * 60 * MIN;
    const { sends, maxInFlight, server } = await simulate({
      limits: PUBLISHED_LIMITS,
      durationMs,
      latency: (rng) => 50 + rng() * 1950,
      seed: 1,
    });
    expect(maxInFlight).toBeLessThanOrEqual(5);
    expect(maxInWindow(sends, MIN)).toBeLessThanOrEqual(300);
    expect(maxInWindow(sends, 15 * MIN)).toBeLessThanOrEqual(900);
    // Missive counts when requests arrive: its windows hold too, and it never had to say 429.
    expect(maxInWindow(server.arrivals, MIN)).toBeLessThanOrEqual(300);
    expect(maxInWindow(server.arrivals, 15 * MIN)).toBeLessThanOrEqual(900);
    expect(server.rejected).toBe(0);
    const allowed = 900 * (durationMs / (15 * MIN));
    expect(sends.length / allowed).toBeGreaterThanOrEqual(0.97);
    expect(sends.length).toBeLessThanOrEqual(allowed);
  }, 30_000);

  it('bursts the first 900 within minutes, 300 per minute', async () => {
    const { sends } = await simulate({
      limits: PUBLISHED_LIMITS,
      durationMs: 15 * MIN,
      latency: () => 200,
      seed: 2,
    });
    expect(sends.filter((t) => t < 1 * MIN)).toHaveLength(300);
    expect(sends.length).toBe(900);
    expect(Math.max(...sends)).toBeLessThan(4 * MIN);
  });

  it('slow answers: concurrency binds, never more than 5 in flight, windows still hold', async () => {
    const { sends, maxInFlight, server } = await simulate({
      limits: PUBLISHED_LIMITS,
      durationMs: 60 * MIN,
      latency: (rng) => (rng() < 0.1 ? 30_000 : 100 + rng() * 5000),
      seed: 3,
    });
    expect(maxInFlight).toBe(5);
    expect(maxInWindow(sends, MIN)).toBeLessThanOrEqual(300);
    expect(maxInWindow(sends, 15 * MIN)).toBeLessThanOrEqual(900);
    expect(server.rejected).toBe(0);
  }, 30_000);

  it('compressed time (×1000): same guarantees with scaled windows', async () => {
    const limits = scaledLimits(0.001);
    const durationMs = 40 * limits.fifteenMinutesMs;
    const { sends, server } = await simulate({ limits, durationMs, latency: (rng) => rng() * 2, seed: 4 });
    expect(maxInWindow(sends, limits.minuteMs)).toBeLessThanOrEqual(300);
    expect(maxInWindow(sends, limits.fifteenMinutesMs)).toBeLessThanOrEqual(900);
    expect(server.rejected).toBe(0);
    expect(sends.length / (900 * 40)).toBeGreaterThanOrEqual(0.97);
  }, 30_000);
});

describe('RateScheduler: server signals', () => {
  /** Sends `count` requests one after another, answering each at once with `answer(i)`. */
  async function sequential(
    scheduler: RateScheduler,
    clock: FakeClock,
    count: number,
    answer: (i: number) => ReleaseOutcome,
  ): Promise<number[]> {
    const sends: number[] = [];
    const done = (async () => {
      for (let i = 0; i < count; i++) {
        const ticket = await scheduler.acquire();
        sends.push(clock.now());
        scheduler.release(ticket, answer(i));
      }
    })();
    await clock.run();
    await done;
    return sends;
  }

  it('429 with Retry-After: nothing is sent until it has passed', async () => {
    const clock = new FakeClock();
    const scheduler = new RateScheduler(clock);
    const sends = await sequential(scheduler, clock, 6, (i) =>
      i === 2 ? { status: 429, rate: headers({ retryAfter: 30 }) } : { status: 201 },
    );
    expect(sends).toStrictEqual([0, 0, 0, 30_000, 30_000, 30_000]);
    expect(scheduler.stats().retryAfterUnreadable).toBe(false);
  });

  it('honours Retry-After in real seconds as-is on a compressed time scale (never rescaled)', async () => {
    const clock = new FakeClock();
    const scheduler = new RateScheduler(clock, scaledLimits(0.01));
    // A sandbox with compressed windows says "wait 0.25 s" in real seconds.
    const sends = await sequential(scheduler, clock, 3, (i) =>
      i === 0 ? { status: 429, rate: headers({ retryAfter: 0.25 }) } : { status: 201 },
    );
    expect(sends).toStrictEqual([0, 250, 250]);
  });

  it('reports the pause while it lasts', async () => {
    const clock = new FakeClock();
    const scheduler = new RateScheduler(clock);
    const ticket = await scheduler.acquire();
    scheduler.release(ticket, { status: 429, rate: headers({ retryAfter: 12 }) });
    expect(scheduler.stats().pausedUntil).toBe(12_000);
    clock.time = 12_000;
    expect(scheduler.stats().pausedUntil).toBeNull();
  });

  it('429 with an unreadable Retry-After: 60 s, then doubling, flagged for the UI, scaled in compressed time', async () => {
    const clock = new FakeClock();
    const scheduler = new RateScheduler(clock);
    const sends = await sequential(scheduler, clock, 4, (i) =>
      i < 2 ? { status: 429, rate: headers({}) } : { status: 201 },
    );
    expect(sends).toStrictEqual([0, 60_000, 180_000, 180_000]);
    expect(scheduler.stats().retryAfterUnreadable).toBe(true);

    const fastClock = new FakeClock();
    const fast = new RateScheduler(fastClock, scaledLimits(0.01));
    const fastSends = await sequential(fast, fastClock, 3, (i) =>
      i === 0 ? { status: 429, rate: null } : { status: 201 },
    );
    expect(fastSends).toStrictEqual([0, 600, 600]);
  });

  it('X-RateLimit-Remaining and Reset tighten the budget', async () => {
    const clock = new FakeClock();
    const scheduler = new RateScheduler(clock);
    // Missive says: 2 left in this minute window, which resets in 20 s.
    const tight = headers({ limit: 300, remaining: 2, reset: (EPOCH + 20_000) / 1000 });
    const sends = await sequential(scheduler, clock, 5, (i) =>
      i === 0 ? { status: 201, rate: tight } : { status: 201 },
    );
    expect(sends).toStrictEqual([0, 0, 0, 20_000, 20_000]);
  });

  it('headers that count no more than it does add no wait (no rounded-up Reset at the end of a burst)', async () => {
    const clock = new FakeClock();
    const scheduler = new RateScheduler(clock);
    // Missive agrees with the scheduler's own count, and gives Reset in whole seconds, rounded up.
    const sends = await sequential(scheduler, clock, 902, (i) => ({
      status: 201,
      rate: headers({
        limit: 900,
        remaining: 900 - (i + 1),
        reset: Math.ceil((EPOCH + 15 * MIN + 0.7) / 1000),
      }),
    }));
    // The 901st goes when the first leaves the 15-minute window, not at the rounded-up Reset.
    expect(sends[900]).toBe(sends[0]! + 15 * MIN);
  });

  it('without Reset, Remaining holds for one window of the limit it names', async () => {
    const clock = new FakeClock();
    const scheduler = new RateScheduler(clock);
    const sends = await sequential(scheduler, clock, 3, (i) =>
      i === 0 ? { status: 201, rate: headers({ limit: 900, remaining: 0 }) } : { status: 201 },
    );
    expect(sends).toStrictEqual([0, 15 * MIN, 15 * MIN]);
  });

  it('headers never loosen its own accounting', async () => {
    const clock = new FakeClock();
    const scheduler = new RateScheduler(clock);
    const generous = headers({ limit: 300, remaining: 100_000, reset: (EPOCH + 1000) / 1000 });
    const sends = await sequential(scheduler, clock, 400, () => ({ status: 201, rate: generous }));
    expect(sends.filter((t) => t < MIN)).toHaveLength(300);
    expect(maxInWindow(sends, MIN)).toBe(300);
  });

  it('counts requests still in flight against what Missive says is left', async () => {
    const clock = new FakeClock();
    const scheduler = new RateScheduler(clock);
    const tickets = await Promise.all([1, 2, 3].map(() => scheduler.acquire()));
    // Two others are still in flight: of the 3 Missive says are left, only 1 may go now.
    scheduler.release(tickets[0]!, { status: 201, rate: headers({ limit: 300, remaining: 3 }) });
    const granted: number[] = [];
    for (let i = 0; i < 2; i++) void scheduler.acquire().then(() => granted.push(clock.now()));
    await clock.run(2 * MIN);
    expect(granted).toStrictEqual([0, 60_000]);
  });
});

describe('RateScheduler: admission', () => {
  it('grants in FIFO order and skips a waiter that gave up', async () => {
    const clock = new FakeClock();
    const scheduler = new RateScheduler(clock, { ...PUBLISHED_LIMITS, concurrent: 1 });
    const order: string[] = [];
    const first = await scheduler.acquire();
    const abort = new AbortController();
    const b = scheduler.acquire(abort.signal).then(
      () => order.push('b'),
      () => order.push('b aborted'),
    );
    const c = scheduler.acquire().then((t) => {
      order.push('c');
      return t;
    });
    const d = scheduler.acquire().then(() => order.push('d'));
    abort.abort();
    await settle();
    scheduler.release(first, { status: 201 });
    scheduler.release(await c, { status: 201 });
    await Promise.all([b, d]);
    expect(order).toStrictEqual(['b aborted', 'c', 'd']);
  });

  it('rejects at once when already aborted, and refuses a double release', async () => {
    const scheduler = new RateScheduler(new FakeClock());
    await expect(scheduler.acquire(AbortSignal.abort(new Error('stop')))).rejects.toThrow('stop');
    const ticket = await scheduler.acquire();
    scheduler.release(ticket, { status: 201 });
    expect(() => scheduler.release(ticket, { status: 201 })).toThrow(/not in flight/);
  });

  it('network errors (no status) still count, and the slot frees', async () => {
    const clock = new FakeClock();
    const scheduler = new RateScheduler(clock, { ...PUBLISHED_LIMITS, perMinute: 2 });
    const sends: number[] = [];
    const run = (async () => {
      for (let i = 0; i < 3; i++) {
        const ticket = await scheduler.acquire();
        sends.push(clock.now());
        scheduler.release(ticket, { status: null });
      }
    })();
    await clock.run();
    await run;
    expect(sends).toStrictEqual([0, 0, MIN]);
  });

  it('reports what it is doing', async () => {
    const clock = new FakeClock();
    const scheduler = new RateScheduler(clock);
    const tickets = await Promise.all(Array.from({ length: 5 }, () => scheduler.acquire()));
    void scheduler.acquire();
    clock.time = 1000;
    scheduler.release(tickets[0]!, { status: 201 });
    scheduler.release(tickets[1]!, { status: 201 });
    expect(scheduler.stats()).toMatchObject({
      inFlight: 4,
      queued: 0,
      sentLastMinute: 6,
      sentLast15Minutes: 6,
      currentRatePerSecond: 0.1,
      pausedUntil: null,
      retryAfterUnreadable: false,
      totalSent: 6,
    });
  });
});

describe('backoffDelay', () => {
  it('grows exponentially from 1 s to a 60 s cap, with jitter in the upper half, scaled', () => {
    expect(backoffDelay(0, () => 0)).toBe(500);
    expect(backoffDelay(0, () => 0.999999)).toBeCloseTo(1000, 0);
    expect(backoffDelay(1, () => 0.5)).toBe(1500);
    expect(backoffDelay(5, () => 0)).toBe(16_000);
    expect(backoffDelay(6, () => 0)).toBe(30_000);
    expect(backoffDelay(20, () => 0.999999)).toBeCloseTo(60_000, 0);
    expect(backoffDelay(0, () => 0, 0.01)).toBe(5);
    const rng = mulberry32(9);
    for (let attempt = 0; attempt < 12; attempt++) {
      const delay = backoffDelay(attempt, rng);
      const ceiling = Math.min(60_000, 1000 * 2 ** attempt);
      expect(delay).toBeGreaterThanOrEqual(ceiling / 2);
      expect(delay).toBeLessThanOrEqual(ceiling);
    }
  });
});
