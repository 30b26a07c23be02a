/**
 * The shared label every imported conversation carries. It tells the user what came from Front, and
 * it is how the engine finds its conversations again when `POST /messages` answers without a body
 * (see import-engine-resolve.ts), so a run never starts without one: when the user picked none, the
 * label "Imported from Front" of the organization is reused, or created.
 */
import { backoffDelay, type SchedulerClock } from '../domain/import/rate-scheduler.ts';
import { readAllPages } from './missive-client.ts';
import type { Requester } from './import-engine-requests.ts';
import { DEFAULT_IMPORT_LABEL_NAME } from './import-engine-types.ts';

export type LabelResult = { ok: true; id: string } | { ok: false; stopped: boolean; message: string };

const CREATE_ATTEMPTS = 5;

function record(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;
}

function organizationOf(label: Record<string, unknown>): string | null {
  const org = label.organization;
  if (typeof org === 'string') return org;
  const id = record(org)?.id;
  return typeof id === 'string' ? id : null;
}

function labelsIn(body: unknown): Record<string, unknown>[] {
  const value = record(body)?.shared_labels;
  const list = Array.isArray(value) ? value : value ? [value] : [];
  return list.map(record).filter((l): l is Record<string, unknown> => l !== null);
}

async function findLabel(
  requester: Requester,
  organization: string,
  name: string,
): Promise<LabelResult | null> {
  // Every page: an organization may have more labels than one page holds.
  const result = await readAllPages(async (query) => {
    const read = await requester.read(
      `/shared_labels?organization=${encodeURIComponent(organization)}&${query}`,
    );
    return read.ok ? { ok: true, items: labelsIn(read.body) } : { ok: false, failure: read };
  });
  if (!result.ok) {
    const failure = result.failure;
    return { ok: false, stopped: failure.why === 'stopped', message: failure.message };
  }
  const found = result.items.find(
    (label) => label.name === name && (organizationOf(label) ?? organization) === organization,
  );
  return typeof found?.id === 'string' ? { ok: true, id: found.id } : null;
}

/** The organization's label named `name`, created when missing (checked again before a retry). */
export async function ensureSharedLabel(
  requester: Requester,
  clock: SchedulerClock,
  organization: string,
  name = DEFAULT_IMPORT_LABEL_NAME,
): Promise<LabelResult> {
  for (let attempt = 0; attempt < CREATE_ATTEMPTS; attempt++) {
    const existing = await findLabel(requester, organization, name);
    if (existing) return existing;
    const sent = await requester.send('POST', '/shared_labels', { shared_labels: [{ name, organization }] });
    if (!sent.sent) return { ok: false, stopped: true, message: 'The run stopped.' };
    const response = sent.response;
    if (response.ok) {
      const id = labelsIn(response.body)[0]?.id;
      if (typeof id === 'string') return { ok: true, id };
      continue; // created without telling its ID: the next listing finds it
    }
    if (response.kind === 'unauthorized' || response.kind === 'cors') {
      requester.stop(response.kind === 'unauthorized' ? 'needs-token' : 'blocked', response.message);
      return { ok: false, stopped: true, message: response.message };
    }
    if (response.kind === 'rate_limited') continue;
    if (response.kind !== 'server' && response.kind !== 'network') {
      return {
        ok: false,
        stopped: false,
        message: `Could not create the shared label "${name}": ${response.message}`,
      };
    }
    // The answer was lost: the label may exist now; the listing at the top of the loop tells.
    try {
      await clock.sleep(backoffDelay(attempt, requester.rng, requester.timeScale), requester.signal);
    } catch {
      return { ok: false, stopped: true, message: 'The run stopped.' };
    }
  }
  return { ok: false, stopped: false, message: `Could not create the shared label "${name}".` };
}
