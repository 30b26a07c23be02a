/** Network and server trouble on demand: latency, 5xx, dropped connections, forced answers. */
import type { Random } from './random.ts';
import type { JmapFaults, InjectedResponse } from './types.ts';

const DEFAULT_FAULT_AFTER_WRITE_RATE = 0.5;

export type ResolvedFaults = Required<JmapFaults>;

export function resolveFaults(faults: JmapFaults = {}): ResolvedFaults {
  const rate = (name: keyof JmapFaults, value: number) => {
    if (!(value >= 0 && value <= 1)) throw new RangeError(`faults.${name} must be between 0 and 1`);
    return value;
  };
  const nonNegative = (name: keyof JmapFaults, value: number) => {
    if (!(value >= 0)) throw new RangeError(`faults.${name} must be ≥ 0`);
    return value;
  };
  return {
    latencyMs: nonNegative('latencyMs', faults.latencyMs ?? 0),
    jitterMs: nonNegative('jitterMs', faults.jitterMs ?? 0),
    serverErrorRate: rate('serverErrorRate', faults.serverErrorRate ?? 0),
    dropRate: rate('dropRate', faults.dropRate ?? 0),
    faultAfterWriteRate: rate(
      'faultAfterWriteRate',
      faults.faultAfterWriteRate ?? DEFAULT_FAULT_AFTER_WRITE_RATE,
    ),
  };
}

/** What goes wrong with one accepted request. `status` 0 means the connection is destroyed. */
export interface FaultPlan {
  delayMs: number;
  failure: { status: number; afterWrite: boolean } | null;
}

export function planFault(faults: ResolvedFaults, isWrite: boolean, random: Random): FaultPlan {
  const delayMs = faults.latencyMs + (faults.jitterMs > 0 ? random() * faults.jitterMs : 0);
  const status = pickFailure(faults, random);
  if (status === null) return { delayMs, failure: null };
  // Only a write can half-happen; for reads "after" would change nothing.
  const afterWrite = isWrite && random() < faults.faultAfterWriteRate;
  return { delayMs, failure: { status, afterWrite } };
}

function pickFailure(faults: ResolvedFaults, random: Random): number | null {
  if (faults.dropRate > 0 && random() < faults.dropRate) return 0;
  if (faults.serverErrorRate > 0 && random() < faults.serverErrorRate) return random() < 0.5 ? 500 : 503;
  return null;
}

/** The queue behind injectResponses(): FIFO, each entry answers `count` matching requests. */
export class InjectionQueue {
  #queue: InjectedResponse[] = [];

  add(injection: InjectedResponse): void {
    if (!Number.isInteger(injection.count) || injection.count < 1) throw new RangeError('count must be ≥ 1');
    const { status } = injection;
    if (!Number.isInteger(status) || (status !== 0 && (status < 100 || status > 599))) {
      throw new RangeError('status must be an HTTP status, or 0 to drop the connection');
    }
    this.#queue.push({ ...injection });
  }

  /** Takes one use of the first entry for `path` at this stage: before handling, or after a write. */
  take(path: string, afterWrite: boolean): InjectedResponse | null {
    const index = this.#queue.findIndex(
      (entry) => Boolean(entry.afterWrite) === afterWrite && (!entry.paths || matches(entry.paths, path)),
    );
    const entry = this.#queue[index];
    if (!entry) return null;
    entry.count -= 1;
    if (entry.count === 0) this.#queue.splice(index, 1);
    return entry;
  }

  get pending(): number {
    return this.#queue.reduce((sum, entry) => sum + entry.count, 0);
  }

  clear(): void {
    this.#queue = [];
  }
}

/** A global or sticky RegExp keeps state between test() calls; reset it so every check starts fresh. */
function matches(pattern: RegExp, path: string): boolean {
  pattern.lastIndex = 0;
  return pattern.test(path);
}
