/**
 * Network and server trouble on demand (shared logic in ../sandbox-kit/faults.ts). Missive's own:
 * a body size limit, 5xx are 502 or 503, and only a POST is a write.
 */
import {
  InjectionQueue as CommonInjectionQueue,
  faultNonNegative,
  faultRate,
  planFault as planCommonFault,
  DEFAULT_FAULT_AFTER_WRITE_RATE,
  type FaultPlan,
} from '../sandbox-kit/faults.ts';
import type { Random } from '../sandbox-kit/random.ts';
import type { InjectedResponse, SandboxFaults } from './types.ts';

export type { FaultPlan } from '../sandbox-kit/faults.ts';

export const DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024;

export type ResolvedFaults = Required<SandboxFaults>;

export function resolveFaults(faults: SandboxFaults = {}): ResolvedFaults {
  return {
    latencyMs: faultNonNegative('latencyMs', faults.latencyMs ?? 0),
    jitterMs: faultNonNegative('jitterMs', faults.jitterMs ?? 0),
    serverErrorRate: faultRate('serverErrorRate', faults.serverErrorRate ?? 0),
    dropRate: faultRate('dropRate', faults.dropRate ?? 0),
    maxBodyBytes: faultNonNegative('maxBodyBytes', faults.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES),
    faultAfterWriteRate: faultRate(
      'faultAfterWriteRate',
      faults.faultAfterWriteRate ?? DEFAULT_FAULT_AFTER_WRITE_RATE,
    ),
  };
}

export function planFault(faults: ResolvedFaults, method: string, random: Random): FaultPlan {
  return planCommonFault(faults, method === 'POST', random, [502, 503]);
}

/** The queue behind injectResponses(): FIFO, each entry answers `count` matching requests. */
export class InjectionQueue extends CommonInjectionQueue<InjectedResponse> {}
