/** Network and server trouble on demand (shared logic in ../sandbox-kit/faults.ts); 5xx are 500 or 503. */
import {
  InjectionQueue as CommonInjectionQueue,
  planFault as planCommonFault,
  resolveCommonFaults,
  type FaultPlan,
} from '../sandbox-kit/faults.ts';
import type { Random } from '../sandbox-kit/random.ts';
import type { JmapFaults, InjectedResponse } from './types.ts';

export type { FaultPlan } from '../sandbox-kit/faults.ts';

export type ResolvedFaults = Required<JmapFaults>;

export function resolveFaults(faults: JmapFaults = {}): ResolvedFaults {
  return resolveCommonFaults(faults);
}

export function planFault(faults: ResolvedFaults, isWrite: boolean, random: Random): FaultPlan {
  return planCommonFault(faults, isWrite, random, [500, 503]);
}

/** The queue behind injectResponses(): FIFO, each entry answers `count` matching requests. */
export class InjectionQueue extends CommonInjectionQueue<InjectedResponse> {}
