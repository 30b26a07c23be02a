import { describe, expect, it } from 'vitest';
import {
  RateLimiter,
  RollingWindow,
  formatRetryAfter,
  resolveLimits,
} from '../../testbed/missive-sandbox/rate-limiter.ts';
import { PUBLISHED_LIMITS } from '../../testbed/missive-sandbox/server.ts';
import { get, sandbox, sleep, tally } from './helpers.ts';

/** A clock the test moves by hand: the limiter's arithmetic without any real waiting. */
function manualClock(start = 1_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

describe('RollingWindow and RateLimiter (manual clock)', () => {
  it('frees a slot exactly when the oldest request leaves the window', () => {
    const window = new RollingWindow(2, 1000);
    window.record(0);
    window.record(400);
    expect(window.isFull(999)).toBe(true);
    expect(window.msUntilSlotFrees(999)).toBe(1);
    expect(window.isFull(1000)).toBe(false);
    expect(window.count(1400)).toBe(0);
  });

  it('applies the three limits and reports the one that frees last', () => {
    const clock = manualClock();
    const limiter = new RateLimiter(
      resolveLimits(PUBLISHED_LIMITS, {
        concurrent: 2,
        perMinute: 3,
        per15Minutes: 4,
        minuteMs: 1000,
        fifteenMinutesMs: 5000,
      }),
      clock.now,
    );
    expect(limiter.tryAdmit().admitted).toBe(true);
    expect(limiter.tryAdmit().admitted).toBe(true);
    const third = limiter.tryAdmit();
    expect(third).toMatchObject({ admitted: false, hit: 'concurrent', status: { limit: 2, remaining: 0 } });
    limiter.release();
    limiter.release();
    expect(limiter.tryAdmit().admitted).toBe(true);
    limiter.release();
    clock.advance(100);
    expect(limiter.tryAdmit()).toMatchObject({ admitted: false, hit: 'perMinute', retryAfterMs: 900 });
    clock.advance(900);
    expect(limiter.tryAdmit().admitted).toBe(true); // 4th accepted within 15 "minutes"
    limiter.release();
    clock.advance(1000);
    expect(limiter.tryAdmit()).toMatchObject({ admitted: false, hit: 'per15Minutes', retryAfterMs: 3000 });
    expect(limiter.counters(0)).toMatchObject({
      acceptedTotal: 4,
      rejected429: 3,
      rejectedBy: { concurrent: 1, perMinute: 1, per15Minutes: 1 },
    });
  });

  it('reports the tightest window on accepted requests (the longer one on a tie)', () => {
    const clock = manualClock();
    const limiter = new RateLimiter(
      resolveLimits(PUBLISHED_LIMITS, { perMinute: 3, per15Minutes: 5, minuteMs: 1000 }),
      clock.now,
    );
    const admit = () => {
      const admission = limiter.tryAdmit();
      limiter.release();
      return [admission.status.limit, admission.status.remaining, admission.status.resetInMs];
    };
    expect(admit()).toEqual([3, 2, 1000]);
    clock.advance(10);
    expect(admit()).toEqual([3, 1, 990]);
    clock.advance(1000); // the minute window is empty again: 3 left there, 3 left in 15 minutes
    expect(admit()).toEqual([5, 2, PUBLISHED_LIMITS.fifteenMinutesMs - 1010]);
  });

  it('stays O(1) per request over a long compressed run', () => {
    const clock = manualClock();
    const limiter = new RateLimiter(
      resolveLimits(PUBLISHED_LIMITS, { minuteMs: 1000, fifteenMinutesMs: 15_000 }),
      clock.now,
    );
    let accepted = 0;
    for (let i = 0; i < 200_000; i++) {
      clock.advance(1);
      const admission = limiter.tryAdmit();
      if (admission.admitted) {
        accepted += 1;
        limiter.release();
      }
    }
    // 200 s of compressed time = 13.3 fifteen-minute windows of 900 requests.
    expect(accepted).toBeLessThanOrEqual(Math.ceil(200_000 / 15_000) * 900);
    expect(accepted).toBeGreaterThan(13 * 900 - 1);
  });

  it('formats Retry-After in whole seconds at real speed, fractional when compressed', () => {
    expect(formatRetryAfter(1200, PUBLISHED_LIMITS)).toBe('2');
    expect(formatRetryAfter(0.2, PUBLISHED_LIMITS)).toBe('1');
    const compressed = resolveLimits(PUBLISHED_LIMITS, { minuteMs: 2000 });
    expect(formatRetryAfter(1234.2, compressed)).toBe('1.235');
  });

  it('refuses limits that cannot work', () => {
    expect(() => resolveLimits(PUBLISHED_LIMITS, { perMinute: 0 })).toThrow(/perMinute/);
  });
});

async function burst(box: Awaited<ReturnType<typeof sandbox>>, count: number) {
  const answers = [];
  for (let i = 0; i < count; i++) answers.push(await get(box, '/organizations'));
  return answers;
}

describe('rate limits over HTTP', () => {
  it('publishes Missive limits by default', async () => {
    const box = await sandbox();
    expect(PUBLISHED_LIMITS).toEqual({
      concurrent: 5,
      perMinute: 300,
      per15Minutes: 900,
      minuteMs: 60_000,
      fifteenMinutesMs: 900_000,
    });
    expect(box.snapshot().rate.limits).toEqual(PUBLISHED_LIMITS);
  });

  it('accepts perMinute requests per rolling minute and refuses the rest with sane 429 headers', async () => {
    // A long window: the outcome cannot depend on how fast the machine is.
    const box = await sandbox({ limits: { perMinute: 10, minuteMs: 50_000 } });
    const answers = await burst(box, 12);
    expect(tally(answers.map((a) => a.status))).toEqual({ 200: 10, 429: 2 });
    expect(answers[0]?.headers.get('x-ratelimit-remaining')).toBe('9');
    expect(answers[9]?.headers.get('x-ratelimit-remaining')).toBe('0');
    const refused = answers[10];
    expect(refused?.headers.get('x-ratelimit-limit')).toBe('10');
    expect(refused?.headers.get('x-ratelimit-remaining')).toBe('0');
    const retryAfter = Number(refused?.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(50);
    expect(refused?.headers.get('retry-after')).toMatch(/\./); // compressed below 60 s: fractional
    const reset = Number(refused?.headers.get('x-ratelimit-reset'));
    const nowSeconds = Date.now() / 1000;
    expect(reset).toBeGreaterThanOrEqual(Math.floor(nowSeconds));
    expect(reset).toBeLessThanOrEqual(Math.ceil(nowSeconds + 51));
    expect(refused?.json.error).toMatch(/per minute/);
    const rate = box.snapshot().rate;
    expect(rate).toMatchObject({
      inMinuteWindow: 10,
      acceptedTotal: 10,
      rejected429: 2,
      rejectedBy: { perMinute: 2 },
    });
  });

  it('sends integer Retry-After at real speed', async () => {
    const box = await sandbox({ limits: { perMinute: 2 } });
    const answers = await burst(box, 3);
    expect(answers[2]?.status).toBe(429);
    expect(answers[2]?.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(Number(answers[2]?.headers.get('retry-after'))).toBeLessThanOrEqual(60);
  });

  it('accepts again once the window has moved on (waiting Retry-After is enough)', async () => {
    const box = await sandbox({ limits: { perMinute: 10, minuteMs: 2000 } });
    const answers = await burst(box, 11);
    const refused = answers.at(-1);
    expect(refused?.status).toBe(429);
    await sleep(Number(refused?.headers.get('retry-after')) * 1000 + 20);
    expect((await get(box, '/organizations')).status).toBe(200);
  });

  it('enforces per15Minutes independently of the minute window', async () => {
    const box = await sandbox({ limits: { perMinute: 100, per15Minutes: 6, fifteenMinutesMs: 40_000 } });
    const answers = await burst(box, 8);
    expect(tally(answers.map((a) => a.status))).toEqual({ 200: 6, 429: 2 });
    expect(answers[6]?.headers.get('x-ratelimit-limit')).toBe('6');
    expect(answers[6]?.json.error).toMatch(/15 minutes/);
    expect(box.snapshot().rate.rejectedBy.per15Minutes).toBe(2);
  });

  it('refuses the 6th concurrent request, and only that one', async () => {
    const box = await sandbox({ faults: { latencyMs: 600 } });
    const answers = await Promise.all(Array.from({ length: 6 }, () => get(box, '/organizations')));
    expect(tally(answers.map((a) => a.status))).toEqual({ 200: 5, 429: 1 });
    const refused = answers.find((a) => a.status === 429);
    expect(refused?.headers.get('x-ratelimit-limit')).toBe('5');
    expect(refused?.json.error).toMatch(/concurrent/);
    expect(Number(refused?.headers.get('retry-after'))).toBeGreaterThan(0);
    const rate = box.snapshot().rate;
    expect(rate).toMatchObject({ peakInFlight: 5, inFlight: 0, rejectedBy: { concurrent: 1 } });
    expect(Math.max(...box.requests().map((r) => r.inFlightAtStart))).toBe(5);
  });

  it('frees concurrency slots as answers go out: 5 at a time never hits 429', async () => {
    const box = await sandbox({ faults: { latencyMs: 5, jitterMs: 10 } });
    const statuses: number[] = [];
    await Promise.all(
      Array.from({ length: 5 }, async () => {
        for (let i = 0; i < 20; i++) statuses.push((await get(box, '/users')).status);
      }),
    );
    expect(tally(statuses)).toEqual({ 200: 100 });
  });

  it('sustains a benchmark-sized run with compressed windows', async () => {
    const box = await sandbox({ limits: { perMinute: 600, per15Minutes: 100_000, minuteMs: 1000 } });
    const statuses: number[] = [];
    await Promise.all(
      Array.from({ length: 5 }, async () => {
        for (let i = 0; i < 400; i++) statuses.push((await get(box, '/users?limit=1')).status);
      }),
    );
    const state = box.snapshot();
    expect(statuses).toHaveLength(2000);
    expect(state.requestCount).toBe(2000);
    expect(state.rate.acceptedTotal + state.rate.rejected429).toBe(2000);
    expect(tally(statuses)[200]).toBe(state.rate.acceptedTotal);
  });
});
