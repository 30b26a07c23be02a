/**
 * A set of string keys kept as 64-bit hashes in typed arrays, for duplicate detection over a
 * million report items: about 16 bytes per key and no retained strings, where a Set<string>
 * costs ~130 bytes per key and seconds of GC at that size (measured).
 *
 * The price is a false "already there" with probability about n² / 2⁶⁵ (1 in ~37 million runs at
 * a million keys). It would not go unnoticed: the JSON writer reports itemsMatchTotals: false.
 */

const EMPTY = 0;
const MAX_LOAD = 0.5;

export class HashedKeySet {
  private high: Uint32Array;
  private low: Uint32Array;
  private mask: number;
  private count = 0;
  // The last hash, kept in fields to avoid allocating a pair per key.
  private hashHigh = 0;
  private hashLow = 0;

  constructor(initialCapacity = 1024) {
    const capacity = 2 ** Math.ceil(Math.log2(Math.max(16, initialCapacity)));
    this.high = new Uint32Array(capacity);
    this.low = new Uint32Array(capacity);
    this.mask = capacity - 1;
  }

  get size(): number {
    return this.count;
  }

  /** Adds the key; false when it was already there. */
  add(key: string): boolean {
    this.hash(key);
    if (!this.insert(this.hashHigh, this.hashLow)) return false;
    this.count += 1;
    if (this.count > this.high.length * MAX_LOAD) this.grow();
    return true;
  }

  private insert(high: number, low: number): boolean {
    let slot = low & this.mask;
    for (;;) {
      const slotHigh = this.high[slot] ?? EMPTY;
      const slotLow = this.low[slot] ?? EMPTY;
      if (slotHigh === EMPTY && slotLow === EMPTY) {
        this.high[slot] = high;
        this.low[slot] = low;
        return true;
      }
      if (slotHigh === high && slotLow === low) return false;
      slot = (slot + 1) & this.mask; // linear probing
    }
  }

  private grow(): void {
    const oldHigh = this.high;
    const oldLow = this.low;
    this.high = new Uint32Array(oldHigh.length * 2);
    this.low = new Uint32Array(oldLow.length * 2);
    this.mask = this.high.length - 1;
    for (let i = 0; i < oldHigh.length; i += 1) {
      const high = oldHigh[i] ?? EMPTY;
      const low = oldLow[i] ?? EMPTY;
      if (high !== EMPTY || low !== EMPTY) this.insert(high, low);
    }
  }

  /** Two 32-bit lanes mixed into each other (the cyrb53 construction), kept whole: 64 bits. */
  private hash(key: string): void {
    let h1 = 0xdeadbeef;
    let h2 = 0x41c6ce57;
    for (let i = 0; i < key.length; i += 1) {
      const code = key.charCodeAt(i);
      h1 = Math.imul(h1 ^ code, 2654435761);
      h2 = Math.imul(h2 ^ code, 1597334677);
    }
    h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
    h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
    this.hashHigh = h2 >>> 0;
    this.hashLow = h1 >>> 0;
    // (0, 0) marks an empty slot; move the one key hashing there next door.
    if (this.hashHigh === EMPTY && this.hashLow === EMPTY) this.hashLow = 1;
  }
}
