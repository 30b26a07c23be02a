/**
 * Network and server trouble on demand, shared by the sandboxes: latency, 5xx, dropped
 * connections, forced answers. Each sandbox keeps its own option type and 5xx statuses.
 */
import type { Random } from './random.ts';

export const DEFAULT_FAULT_AFTER_WRITE_RATE = 0.5;

/** The fault options every sandbox accepts. */
export interface CommonFaults {
  latencyMs?: number;
  jitterMs?: number;
  serverErrorRate?: number;
  dropRate?: number;
  faultAfterWriteRate?: number;
}

export function faultRate(name: string, value: number): number {
  if (!(value >= 0 && value <= 1)) throw new RangeError(`faults.${name} must be between 0 and 1`);
  return value;
}

export function faultNonNegative(name: string, value: number): number {
  if (!(value >= 0)) throw new RangeError(`faults.${name} must be ≥ 0`);
  return value;
}

export function resolveCommonFaults(faults: CommonFaults = {}): Required<CommonFaults> {
  return {
    latencyMs: faultNonNegative('latencyMs', faults.latencyMs ?? 0),
    jitterMs: faultNonNegative('jitterMs', faults.jitterMs ?? 0),
    serverErrorRate: faultRate('serverErrorRate', faults.serverErrorRate ?? 0),
    dropRate: faultRate('dropRate', faults.dropRate ?? 0),
    faultAfterWriteRate: faultRate(
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

/** `serverErrors`: the two 5xx statuses a random server error picks between, half and half. */
export function planFault(
  faults: Required<CommonFaults>,
  isWrite: boolean,
  random: Random,
  serverErrors: readonly [number, number],
): FaultPlan {
  const delayMs = faults.latencyMs + (faults.jitterMs > 0 ? random() * faults.jitterMs : 0);
  const status = pickFailure(faults, random, serverErrors);
  if (status === null) return { delayMs, failure: null };
  // Only a write can half-happen; for reads "after" would change nothing.
  const afterWrite = isWrite && random() < faults.faultAfterWriteRate;
  return { delayMs, failure: { status, afterWrite } };
}

function pickFailure(
  faults: Required<CommonFaults>,
  random: Random,
  [first, second]: readonly [number, number],
): number | null {
  if (faults.dropRate > 0 && random() < faults.dropRate) return 0;
  if (faults.serverErrorRate > 0 && random() < faults.serverErrorRate) return random() < 0.5 ? first : second;
  return null;
}

/** The fields of an injectResponses() entry that the queue itself reads. */
export interface QueuedInjection {
  /** HTTP status; 0 destroys the connection instead. */
  status: number;
  count: number;
  paths?: RegExp;
  afterWrite?: boolean;
}

/** The queue behind injectResponses(): FIFO, each entry answers `count` matching requests. */
export class InjectionQueue<T extends QueuedInjection> {
  #queue: T[] = [];

  add(injection: T): void {
    if (!Number.isInteger(injection.count) || injection.count < 1) throw new RangeError('count must be ≥ 1');
    const { status } = injection;
    if (!Number.isInteger(status) || (status !== 0 && (status < 100 || status > 599))) {
      throw new RangeError('status must be an HTTP status, or 0 to drop the connection');
    }
    this.#queue.push({ ...injection });
  }

  /** Takes one use of the first entry for `path` at this stage: before handling, or after a write. */
  take(path: string, afterWrite: boolean): T | null {
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
