/**
 * Seeded randomness. Everything the generator writes derives from these streams, never from
 * Math.random or the clock, so the same seed and options give byte-identical zips.
 */

/** Mixes a 32-bit value (murmur3 finaliser); used to derive seeds and scramble IDs. */
export function mix32(value: number): number {
  let x = value >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

/** FNV-1a over a label, then mixed: turns `seed + label` into an independent stream seed. */
export function hashLabel(seed: number, label: string | number): number {
  let h = 0x811c9dc5 ^ mix32(seed);
  const text = String(label);
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return mix32(h);
}

/** sfc32: small, fast and statistically sound for test data. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(readonly seed: number) {
    this.a = mix32(seed ^ 0x9e3779b9);
    this.b = mix32(seed + 0x6a09e667);
    this.c = mix32(seed ^ 0xbb67ae85);
    this.d = 1;
    for (let i = 0; i < 12; i++) this.uint32();
  }

  /** An independent stream for a sub-task; does not advance this one. */
  fork(label: string | number): Rng {
    return new Rng(hashLabel(this.seed, label));
  }

  uint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  float(): number {
    return this.uint32() / 4294967296;
  }

  /** Uniform integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.float() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.float() < probability;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[Math.floor(this.float() * items.length)] as T;
  }

  weighted<T>(choices: readonly (readonly [T, number])[]): T {
    const total = choices.reduce((sum, [, weight]) => sum + weight, 0);
    let point = this.float() * total;
    for (const [value, weight] of choices) {
      point -= weight;
      if (point < 0) return value;
    }
    const last = choices[choices.length - 1];
    if (!last) throw new Error('weighted pick from an empty list');
    return last[0];
  }

  /** `count` distinct items, order randomised. */
  sample<T>(items: readonly T[], count: number): T[] {
    const copy = [...items];
    for (let i = copy.length - 1; i > 0; i--) {
      const j = Math.floor(this.float() * (i + 1));
      [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
    }
    return copy.slice(0, count);
  }

  hex(length: number): string {
    let out = '';
    while (out.length < length) out += this.uint32().toString(16).padStart(8, '0');
    return out.slice(0, length);
  }

  /** Lower-case alphanumerics, the alphabet of Front IDs. */
  base36(length: number): string {
    let out = '';
    while (out.length < length) out += this.uint32().toString(36);
    return out.slice(0, length);
  }

  /** Log-uniform integer: many small values, a long tail of big ones (file sizes, gaps). */
  logUniform(min: number, max: number): number {
    return Math.round(Math.exp(Math.log(min) + this.float() * (Math.log(max) - Math.log(min))));
  }
}

/**
 * A seeded pool of incompressible bytes. Photos, PDF streams and other already-compressed
 * attachment payloads are slices of it: generating fresh random bytes for a 1 GB export would
 * cost more than zipping it, and within one zip entry a slice is as incompressible as fresh noise.
 */
export function randomBytePool(seed: number, size: number): Buffer {
  const words = new Uint32Array(Math.ceil(size / 4));
  let x = mix32(seed) || 0x2545f491;
  for (let i = 0; i < words.length; i++) {
    // xorshift32: the fastest decent generator for bulk filler.
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    words[i] = x >>> 0;
  }
  return Buffer.from(words.buffer, 0, size);
}

/**
 * Front-style IDs (`cnv_yo1kg5q`): base36 of a bijective scramble of a per-prefix counter, so IDs
 * look random yet can never collide (up to 2^32 per prefix) without remembering the ones issued.
 */
export class IdFactory {
  private readonly counters = new Map<string, number>();

  constructor(private readonly seed: number) {}

  next(prefix: string): string {
    const count = this.counters.get(prefix) ?? 0;
    this.counters.set(prefix, count + 1);
    const offset = hashLabel(this.seed, prefix);
    // Adding an offset, multiplying by an odd constant and xor-shifting are each bijective mod 2^32.
    let x = (count + offset) >>> 0;
    x = Math.imul(x, 0x9e3779b1) >>> 0;
    x ^= x >>> 15;
    x = Math.imul(x, 0x2c1b3c6d) >>> 0;
    x ^= x >>> 12;
    return `${prefix}_${(x >>> 0).toString(36)}`;
  }
}
