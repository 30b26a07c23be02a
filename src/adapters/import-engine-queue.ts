/** The order conversations are handed to the run's lanes. */
import type { Ledger } from './ledger.ts';

const QUEUE_PAGE = 200;

/** Hands out conversation IDs to the lanes, one at a time, each once. */
export interface ConversationSource {
  next(): Promise<string | null>;
}

export function listSource(ids: readonly string[]): ConversationSource {
  let index = 0;
  return { next: async () => ids[index++] ?? null };
}

/** Conversations holding items in flight first (checked before anything else), then the queue, oldest first. */
export function queueSource(ledger: Ledger, first: readonly string[]): ConversationSource {
  const buffer = [...first];
  const given = new Set<string>();
  let after: [number, string] | null = null;
  let exhausted = false;
  let lock: Promise<unknown> = Promise.resolve();
  const take = async (): Promise<string | null> => {
    for (;;) {
      const id = buffer.shift();
      if (id !== undefined) {
        if (given.has(id)) continue;
        given.add(id);
        return id;
      }
      if (exhausted) return null;
      const page = await ledger.queuePage(after, QUEUE_PAGE);
      exhausted = page.length < QUEUE_PAGE;
      const last = page[page.length - 1];
      if (last?.queueKey) after = last.queueKey;
      buffer.push(...page.map((row) => row.frontId));
    }
  };
  return {
    next() {
      const result = lock.then(take);
      lock = result.catch(() => undefined);
      return result;
    },
  };
}
