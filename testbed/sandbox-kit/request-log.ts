/**
 * Every request a sandbox received, in arrival order. The entry shape is each sandbox's own; this
 * keeps the order, the timing and the copies handed out.
 */

export function epochMs(): number {
  return performance.timeOrigin + performance.now();
}

/** The fields the log itself maintains. */
export interface LoggedRequest {
  seq: number;
  status: number;
  startedAt: number;
  endedAt: number | null;
}

export class RequestLog<E extends LoggedRequest> {
  #entries: E[] = [];
  readonly #copy: (entry: E) => E;

  /** `copy` makes the copy handed out by since(), deep enough that callers cannot rewrite history. */
  constructor(copy: (entry: E) => E) {
    this.#copy = copy;
  }

  /** Appends an entry built by the sandbox (its `seq` is `size` at that moment). */
  protected append(entry: E): E {
    this.#entries.push(entry);
    return entry;
  }

  finish(entry: E, status: number): void {
    entry.status = status;
    entry.endedAt = epochMs();
  }

  get size(): number {
    return this.#entries.length;
  }

  /** Copies, so callers cannot rewrite history. */
  since(seq = 0): E[] {
    return this.#entries.slice(Math.max(0, seq)).map(this.#copy);
  }

  clear(): void {
    this.#entries = [];
  }
}
