/**
 * Progress of a run through one throttled channel (about 10 snapshots a second at most, the last
 * one always delivered), and the time left at the published limits.
 */
import type { RateLimits, SchedulerStats } from '../domain/import/rate-scheduler.ts';

export const PROGRESS_INTERVAL_MS = 100;

/** Calls `emit` at most once per `intervalMs`, trailing: a burst of changes ends with a fresh snapshot. */
export class ProgressChannel {
  readonly #emit: () => void;
  readonly #intervalMs: number;
  #last = -Infinity;
  #timer: ReturnType<typeof setTimeout> | null = null;

  constructor(emit: () => void, intervalMs = PROGRESS_INTERVAL_MS) {
    this.#emit = emit;
    this.#intervalMs = intervalMs;
  }

  changed(): void {
    if (this.#timer !== null) return;
    const wait = Math.max(0, this.#last + this.#intervalMs - Date.now());
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#send();
    }, wait);
  }

  /** Sends now (state changes, the end of a run). */
  flush(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    this.#send();
  }

  #send(): void {
    this.#last = Date.now();
    this.#emit();
  }
}

/**
 * Time for `remaining` requests from now: the pause after a 429, then what is left of the current
 * 15-minute budget at the per-minute rate, then the sustained rate (900 per 15 minutes).
 */
export function timeLeftMs(remaining: number, stats: SchedulerStats, now: number): number {
  if (remaining <= 0) return 0;
  const limits: RateLimits = stats.limits;
  const pause = stats.pausedUntil !== null ? Math.max(0, stats.pausedUntil - now) : 0;
  const perMs = limits.perMinute / limits.minuteMs;
  const budget = Math.max(0, limits.per15Minutes - stats.sentLast15Minutes);
  if (remaining <= budget) return pause + remaining / perMs;
  return pause + budget / perMs + (remaining - budget) * (limits.fifteenMinutesMs / limits.per15Minutes);
}
