export const STEPS = [
  { id: 'load', label: 'Load export' },
  { id: 'relay', label: 'Relay emails' },
  { id: 'connect', label: 'Connect Missive' },
  { id: 'plan', label: 'Plan' },
  { id: 'import', label: 'Import' },
  { id: 'report', label: 'Report' },
] as const;

export type StepId = (typeof STEPS)[number]['id'];

/** Which step of the job is on screen. Every step stays reachable: the user decides the order. */
export class Wizard {
  step = $state<StepId>('load');

  go(step: StepId): void {
    this.step = step;
  }
}
