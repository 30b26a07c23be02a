/**
 * Front timestamps are Unix seconds, possibly fractional (`1701292702.51`). They are converted to
 * milliseconds once, at parse time. Numeric strings and ISO strings are accepted defensively.
 */

const NUMERIC = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
/** 1e11 seconds is the year 5138 while 1e11 ms is 1973: anything above is already milliseconds. */
const ALREADY_MILLISECONDS = 1e11;

function secondsToMillis(value: number): number | null {
  if (!Number.isFinite(value)) return null;
  return Math.abs(value) >= ALREADY_MILLISECONDS ? Math.round(value) : Math.round(value * 1000);
}

/** Unix milliseconds for a Front timestamp, or null when the value is not one. */
export function toMillis(value: unknown): number | null {
  if (typeof value === 'number') return secondsToMillis(value);
  if (typeof value !== 'string') return null;
  const trimmed = value.trim();
  if (trimmed === '') return null;
  // Numeric strings first: Date.parse would read "1" as the year 2001.
  if (NUMERIC.test(trimmed)) return secondsToMillis(Number(trimmed));
  const parsed = Date.parse(trimmed);
  return Number.isNaN(parsed) ? null : parsed;
}
