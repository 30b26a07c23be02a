import { describe, expect, it, vi } from 'vitest';
import { Pacer, realClock, type PacerClock } from '../../src/adapters/relay/pacer.ts';
import { GMAIL_LIMITS, GMAIL_UNITS } from '../../src/adapters/relay/gmail-target.ts';

function virtualClock(): PacerClock & { time: number } {
  const clock = {
    time: 0,
    now: () => clock.time,
    sleep: async (ms: number, signal?: AbortSignal) => {
      if (signal?.aborted) throw new Error('aborted');
      await Promise.resolve();
      clock.time += Math.max(0, ms);
    },
  };
  return clock;
}

describe('relay pacer', () => {
  it('keeps Gmail imports within the per-user quota over ten simulated minutes', async () => {
    const clock = virtualClock();
    const pacer = new Pacer(GMAIL_LIMITS, clock);
    const starts: number[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    await Promise.all(
      Array.from({ length: 5000 }, () =>
        pacer.run(GMAIL_UNITS.import, async () => {
          starts.push(clock.now());
          maxInFlight = Math.max(maxInFlight, ++inFlight);
          await Promise.resolve();
          inFlight--;
        }),
      ),
    );
    expect(maxInFlight).toBeLessThanOrEqual(4);
    // No rolling minute ever holds more than 12,000 units (480 imports): under Gmail's 15,000.
    let worst = 0;
    for (let i = 0, j = 0; i < starts.length; i++) {
      while (starts[j]! <= starts[i]! - 60_000) j++;
      worst = Math.max(worst, (i - j + 1) * GMAIL_UNITS.import);
    }
    expect(worst).toBeLessThanOrEqual(12_000);
    // And it does not crawl: ~480 per minute.
    expect(clock.now()).toBeLessThan(11 * 60_000);
  });

  it('holds everyone during a 429 pause, and halves the budget when asked', async () => {
    const clock = virtualClock();
    const pacer = new Pacer({ concurrency: 2, unitsPerWindow: 100, windowMs: 1000 }, clock);
    await pacer.run(1, async () => undefined);
    pacer.pauseFor(5000);
    let startedAt = -1;
    await pacer.run(1, async () => {
      startedAt = clock.now();
    });
    expect(startedAt).toBeGreaterThanOrEqual(5000);
    pacer.tighten();
    expect(pacer.budget).toBe(50);
    for (let i = 0; i < 10; i++) pacer.tighten();
    expect(pacer.budget).toBeGreaterThanOrEqual(100 / 16);
  });

  it('serves first come, first served, and lets a waiter leave when its run pauses', async () => {
    const clock = virtualClock();
    const pacer = new Pacer({ concurrency: 1, unitsPerWindow: 10, windowMs: 1000 }, clock);
    const order: number[] = [];
    let release!: () => void;
    const first = pacer.run(1, () => new Promise<void>((resolve) => (release = resolve)));
    const controller = new AbortController();
    const leaving = pacer.run(1, async () => order.push(99), controller.signal);
    const second = pacer.run(1, async () => order.push(2));
    const third = pacer.run(1, async () => order.push(3));
    controller.abort(new Error('paused'));
    await expect(leaving).rejects.toThrow('paused');
    release();
    await Promise.all([first, second, third]);
    expect(order).toEqual([2, 3]);
  });

  it('paces on the monotonic clock: a wall clock set back an hour holds nobody', async () => {
    const clock = virtualClock();
    let wallOffset = 0;
    const wallClock: PacerClock = {
      now: () => clock.time + wallOffset,
      monotonicNow: () => clock.time,
      sleep: (ms, signal) => clock.sleep(ms, signal),
    };
    const pacer = new Pacer({ concurrency: 1, unitsPerWindow: 2, windowMs: 1000 }, wallClock);
    await pacer.run(1, async () => undefined);
    await pacer.run(1, async () => undefined);
    wallOffset = -3_600_000; // The user (or NTP) sets the system clock back an hour.
    let startedAt = -1;
    await pacer.run(1, async () => {
      startedAt = clock.time;
    });
    expect(startedAt).toBeLessThanOrEqual(1000);
  });

  it('the real clock paces on performance.now', () => {
    const spy = vi.spyOn(performance, 'now').mockReturnValue(1234.5);
    try {
      expect(realClock.monotonicNow?.()).toBe(1234.5);
    } finally {
      spy.mockRestore();
    }
  });
});
