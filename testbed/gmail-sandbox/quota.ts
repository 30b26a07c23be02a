/**
 * Gmail's per-user quota: units spent within a rolling window (15,000 per minute by default).
 * Each charge is kept with its time; a request is refused when it would take the window over.
 */
import type { GmailQuota } from './types.ts';

interface Charge {
  at: number;
  units: number;
}

export class UnitWindow {
  #charges: Charge[] = [];
  #used = 0;

  constructor(public quota: GmailQuota) {}

  /** Spends `units` now, or returns false (and spends nothing) when the window cannot take them. */
  tryCharge(units: number, now: number): boolean {
    this.#expire(now);
    if (this.#used + units > this.quota.unitsPerWindow) return false;
    this.#charges.push({ at: now, units });
    this.#used += units;
    return true;
  }

  used(now: number): number {
    this.#expire(now);
    return this.#used;
  }

  clear(): void {
    this.#charges = [];
    this.#used = 0;
  }

  #expire(now: number): void {
    let oldest = this.#charges[0];
    while (oldest && oldest.at + this.quota.windowMs <= now) {
      this.#used -= oldest.units;
      this.#charges.shift();
      oldest = this.#charges[0];
    }
  }
}

export function resolveQuota(base: GmailQuota, overrides: Partial<GmailQuota> = {}): GmailQuota {
  // `{ windowMs: undefined }` (e.g. an absent CLI flag) keeps the default.
  const given = Object.fromEntries(Object.entries(overrides).filter(([, value]) => value !== undefined));
  const quota = { ...base, ...given };
  for (const [name, value] of Object.entries(quota)) {
    if (!Number.isInteger(value) || value < 1) {
      throw new RangeError(`quota.${name} must be a positive integer (got ${String(value)})`);
    }
  }
  return quota;
}
