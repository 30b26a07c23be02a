/**
 * Finds the Missive conversation of Front conversations whose SMS went in without Missive telling
 * its ID (`POST /messages` answered 201 with no body, or the answer was lost), through documented
 * reads only (see domain/import/outcomes.ts):
 *
 *   GET /conversations?shared_label=<import label>   every conversation the import created (paged)
 *   GET /conversations/:id/messages?limit=1          its newest message: `front-cnv_…` reference,
 *                                                    or an external_id the ledger knows
 *
 * Conversations the ledger already matched are not read again. The engine gathers every
 * conversation that needs an ID and resolves them in one pass when nothing else is left to send,
 * so the listing is read once rather than once per conversation.
 */
import {
  conversationsPage,
  frontConversationOfMessages,
  labelledConversationsPath,
  newestMessagePath,
} from '../domain/import/outcomes.ts';
import type { Requester } from './import-engine-requests.ts';
import type { Ledger } from './ledger.ts';

export type Resolution =
  | { kind: 'found'; missiveConversationId: string }
  /** The whole listing was read: Missive holds no conversation for it. */
  | { kind: 'absent' }
  /** The listing could not be read (an error, or the endpoint is missing). */
  | { kind: 'unavailable'; message: string };

/** Missive's conversation page in the web app: the link shown to the user. */
export function missiveWebUrl(missiveConversationId: string): string {
  return `https://mail.missiveapp.com/#inbox/conversations/${encodeURIComponent(missiveConversationId)}`;
}

function record(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;
}

export class ConversationResolver {
  readonly #requester: Requester;
  readonly #ledger: Ledger;
  readonly #labelId: string | null;
  readonly #results = new Map<string, Resolution>();

  constructor(requester: Requester, ledger: Ledger, labelId: string | null) {
    this.#requester = requester;
    this.#ledger = ledger;
    this.#labelId = labelId;
  }

  /** What the last pass found for this Front conversation; undefined when it was not asked yet. */
  result(frontConversationId: string): Resolution | undefined {
    return this.#results.get(frontConversationId);
  }

  /** A new SMS is about to go: whatever an earlier pass found may be out of date. */
  forget(frontConversationId: string): void {
    this.#results.delete(frontConversationId);
  }

  /**
   * One pass over the import label's conversations until every one of `frontConversationIds` is
   * found. Returns false when the run stopped during the pass (nothing is concluded then).
   */
  async resolve(frontConversationIds: Iterable<string>): Promise<boolean> {
    const wanted = new Set([...frontConversationIds].filter((id) => !this.#results.has(id)));
    if (wanted.size === 0) return true;
    if (!this.#labelId) {
      this.#settle(wanted, { kind: 'unavailable', message: 'the import has no shared label to list' });
      return true;
    }
    const seen = new Set<string>();
    let until: number | null = null;
    while (wanted.size > 0) {
      const page = await this.#requester.read(labelledConversationsPath(this.#labelId, until));
      if (!page.ok) {
        if (page.why === 'stopped') return false;
        this.#settle(wanted, { kind: 'unavailable', message: page.message });
        return true;
      }
      const { ids, nextUntil } = conversationsPage(page.body);
      for (const id of ids) {
        if (seen.has(id) || wanted.size === 0) continue;
        seen.add(id);
        if (await this.#ledger.conversationByMissiveId(id)) continue;
        const front = await this.#frontConversationOf(id);
        if (front === 'stopped') return false;
        if (!front) continue;
        await this.#record(front, id, wanted.has(front));
        if (wanted.delete(front)) this.#results.set(front, { kind: 'found', missiveConversationId: id });
      }
      if (nextUntil === null || (until !== null && nextUntil >= until)) break;
      until = nextUntil;
    }
    this.#settle(wanted, { kind: 'absent' });
    return true;
  }

  #settle(ids: Iterable<string>, resolution: Resolution): void {
    for (const id of ids) this.#results.set(id, resolution);
  }

  async #frontConversationOf(missiveConversationId: string): Promise<string | null | 'stopped'> {
    const result = await this.#requester.read(newestMessagePath(missiveConversationId));
    if (!result.ok) return result.why === 'stopped' ? 'stopped' : null;
    const byReference = frontConversationOfMessages(result.body, () => null);
    if (byReference) return byReference;
    const messages = record(result.body)?.messages;
    const first = record(Array.isArray(messages) ? messages[0] : messages);
    const externalId = typeof first?.external_id === 'string' ? first.external_id : null;
    if (!externalId) return null;
    const item = await this.#ledger.getItem(externalId.replace(/:part-\d+$/, ''));
    return item?.conversationId ?? null;
  }

  /** Keeps the match in the ledger: later runs and the trial links need no lookup. */
  async #record(frontConversationId: string, missiveConversationId: string, wanted: boolean): Promise<void> {
    const row = await this.#ledger.getConversation(frontConversationId);
    if (!row) return;
    // Listed newest first: past 400 SMS, Missive's continuation comes before the full conversation.
    if (row.missiveConversationId && !wanted) return;
    await this.#ledger.putConversation(row, {
      ...row,
      missiveConversationId,
      webUrl: missiveWebUrl(missiveConversationId),
    });
  }
}
