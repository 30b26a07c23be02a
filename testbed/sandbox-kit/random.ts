/** Seeded randomness, so a sandbox run (ids, injected faults) repeats exactly for the same seed. */

export type Random = () => number;

/** mulberry32: tiny, fast, good enough for test data; returns floats in [0, 1). */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** `length` lowercase hex digits drawn from a seeded stream. */
export function randomHex(random: Random, length: number): string {
  let hex = '';
  while (hex.length < length)
    hex += Math.floor(random() * 0x1_0000_0000)
      .toString(16)
      .padStart(8, '0');
  return hex.slice(0, length);
}
