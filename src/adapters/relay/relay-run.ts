/**
 * One relay run into one target: conversations of the marked inboxes, oldest first, several at a
 * time; inside a conversation, emails one after the other (Gmail threads later emails onto the
 * first one's `threadId`). For each email:
 *
 *   done ─► skipped · sending (outcome unknown) ─► looked up on the target first
 *   pending ─► built ─► `sending` committed ─► sent ─► `done` | `failed` | checked again
 *
 * A 401 pauses the whole run until a new token arrives; a 429 pauses the pacer; a 5xx or a lost
 * answer is checked on the target before the email is sent again (never twice on the target).
 */
import type { Inbox } from '../../domain/model.ts';
import { PENDING_REASONS } from '../../domain/import/reasons.ts';
import type { ExportFiles } from './export-files.ts';
import type { RelayItem, RelayLedger } from './ledger.ts';
import { buildOutgoing, leastEmailBytes } from './outgoing.ts';
import { Pacer, type PacerClock } from './pacer.ts';
import {
  loadRelayConversation,
  markedInboxes,
  relayConversationIds,
  type RelayChoices,
  type RelayConversation,
  type RelayStore,
} from './relay-source.ts';
import type { RelayTarget, StoredCopy } from './target.ts';
import { TargetError, errorText, type RelayRunState } from './types.ts';

/** Sends of one email that end without an answer and are then not found, before it fails. */
export const MAX_UNANSWERED_SENDS = 5;
/** Backoff after a 429 without Retry-After, or a 5xx: doubled each time, capped. */
export const FIRST_BACKOFF_MS = 1000;
const MAX_BACKOFF_MS = 64_000;
/** 429s in a row before the pacer halves its budget. */
const RATE_LIMITS_BEFORE_TIGHTENING = 3;

export interface RunEvents {
  /** Something changed worth showing (a row's status, the state). */
  changed(): void;
  /** Export files to drop again (zip fingerprints). */
  filesNeeded(sourceIds: string[]): void;
  failed(frontId: string, reason: string): void;
}

export interface RelayRunDeps {
  store: RelayStore;
  ledger: RelayLedger;
  files: ExportFiles;
  target: RelayTarget;
  clock: PacerClock;
  events: RunEvents;
  choices: RelayChoices;
  /** Random attempt IDs; injectable for tests. */
  randomId?: () => string;
}

export interface RunOutcome {
  state: Extract<RelayRunState, 'finished' | 'paused' | 'needs-token' | 'needs-files' | 'stopped'>;
  reason: string | null;
}

/** Stops every conversation of the run at once (401 or an error every email would meet). */
class RunStop extends Error {
  constructor(
    readonly state: 'needs-token' | 'stopped',
    message: string,
  ) {
    super(message);
  }
}

function defaultRandomId(): string {
  return (
    globalThis.crypto?.randomUUID?.() ?? `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`
  );
}

export class RelayRun {
  readonly #deps: RelayRunDeps;
  readonly #pacer: Pacer;
  readonly #controller = new AbortController();
  #stop: RunStop | null = null;
  #filesMissing = false;
  #rateLimitedInARow = 0;
  /** Counters for the page. */
  checkedOnTarget = 0;
  /** Emails the mailbox already held (same Message-ID) when they were sent. */
  alreadyInMailbox = 0;
  rateLimited = 0;

  constructor(deps: RelayRunDeps) {
    this.#deps = deps;
    this.#pacer = new Pacer(deps.target.limits, deps.clock);
  }

  get pacer(): Pacer {
    return this.#pacer;
  }

  /** Stops after the requests in flight (cutting one half-way would only make its outcome unknown). */
  pause(): void {
    this.#controller.abort(new Error('paused'));
  }

  get pausing(): boolean {
    return this.#controller.signal.aborted;
  }

  async run(): Promise<RunOutcome> {
    const { store, target } = this.#deps;
    const inboxes = await markedInboxes(store);
    const byKey = new Map(inboxes.map((inbox) => [inbox.key, inbox]));
    const ids = await relayConversationIds(store, inboxes);
    try {
      await this.#guard(() => target.prepare(inboxes));
    } catch (error) {
      if (error instanceof RunStop) return { state: error.state, reason: error.message };
      throw error;
    }
    let next = 0;
    const worker = async () => {
      while (next < ids.length && !this.#stop && !this.pausing) {
        const id = ids[next++]!;
        const conversation = await loadRelayConversation(store, id, byKey, this.#deps.choices);
        if (conversation && conversation.emails.length > 0) await this.#conversation(conversation);
      }
    };
    try {
      await Promise.all(Array.from({ length: Math.max(1, target.limits.concurrency) }, worker));
    } catch (error) {
      if (!(error instanceof RunStop) && !this.pausing) throw error;
    }
    if (this.#stop) return { state: this.#stop.state, reason: this.#stop.message };
    if (this.pausing) return { state: 'paused', reason: null };
    if (this.#filesMissing) return { state: 'needs-files', reason: PENDING_REASONS.filesNotAvailable };
    return { state: 'finished', reason: null };
  }

  async #conversation(relay: RelayConversation): Promise<void> {
    const { ledger, target } = this.#deps;
    const rows = await ledger.ensure(
      target.account.key,
      relay.emails.map((message) => ({
        frontId: message.id,
        conversationId: relay.conversation.id,
        messageId: relay.threads.get(message.id)!.messageId,
      })),
    );
    this.#deps.events.changed();
    let threadId = rows.find((row) => row.status === 'done' && row.threadId)?.threadId ?? null;
    for (const [index, message] of relay.emails.entries()) {
      if (this.#stop || this.pausing) return;
      let row = rows[index]!;
      if (row.status === 'done') {
        threadId ??= row.threadId;
        continue;
      }
      if (row.status === 'failed') continue;
      if (row.status === 'sending') {
        const found = await this.#settleUnknown(row);
        if (found === 'undecided') return; // order is kept: the later emails wait with it
        if (found) {
          await ledger.markDone(row, found.remoteId, found.threadId);
          threadId ??= found.threadId;
          this.#deps.events.changed();
          continue;
        }
        row = await ledger.markPending(row, null, { countFailure: true });
      }
      const least = leastEmailBytes(message);
      if (least > target.maxMessageBytes) {
        const reason = `too large for ${target.account.label} (at least ${megabytes(least)} from the sizes its files declare, limit ${megabytes(target.maxMessageBytes)}; not read): use the file download for IMAP for this email`;
        await this.#fail(row, reason);
        continue;
      }
      const built = await buildOutgoing(
        message,
        relay.conversation,
        relay.threads.get(message.id)!,
        this.#deps.files,
      );
      if (built.kind === 'files-missing') {
        await ledger.markPending(row, PENDING_REASONS.filesNotAvailable);
        this.#filesMissing = true;
        this.#deps.events.filesNeeded(built.sourceIds);
        this.#deps.events.changed();
        return; // the conversation's later emails would lose their thread
      }
      if (built.email.messageId !== row.messageId) {
        row = (await ledger.ensure(target.account.key, [{ ...row, messageId: built.email.messageId }]))[0]!;
      }
      if (built.email.raw.length > target.maxMessageBytes) {
        const reason = `too large for ${target.account.label} (${megabytes(built.email.raw.length)}, limit ${megabytes(target.maxMessageBytes)}): use the file download for IMAP for this email`;
        await this.#fail(row, reason);
        continue;
      }
      const stored = await this.#deliver(row, built.notes, relay.inboxes, threadId, built.email);
      if (stored) threadId ??= stored.threadId;
    }
  }

  /** Sends until stored, failed, or the run stops. Returns the stored copy, or null. */
  async #deliver(
    first: RelayItem,
    notes: string[],
    inboxes: readonly Inbox[],
    threadId: string | null,
    email: Parameters<RelayTarget['send']>[0]['email'],
  ): Promise<StoredCopy | null> {
    const { ledger, target, clock } = this.#deps;
    let row = first;
    let backoff = FIRST_BACKOFF_MS;
    for (;;) {
      if (this.#stop || this.pausing) return null;
      const attempt: { row: RelayItem | null } = { row: null };
      try {
        const stored = await this.#pacer.run(
          target.sendUnits,
          async () => {
            const id = (this.#deps.randomId ?? defaultRandomId)();
            attempt.row = await ledger.markSending(row, { id, startedAt: clock.now() }, notes);
            this.#deps.events.changed();
            return target.send({ email, inboxes, threadId });
          },
          this.#controller.signal,
          target.uploadBytes?.(email.raw) ?? 0,
        );
        this.#rateLimitedInARow = 0;
        await ledger.markDone(attempt.row ?? row, stored.remoteId, stored.threadId, stored.alreadyInMailbox);
        if (stored.alreadyInMailbox) this.alreadyInMailbox++;
        this.#deps.events.changed();
        return stored;
      } catch (error) {
        if (attempt.row === null) {
          if (this.pausing) return null; // paused while waiting for a slot: nothing left
          throw error;
        }
        row = attempt.row;
        if (!(error instanceof TargetError)) throw error;
        switch (error.kind) {
          case 'rate':
            // Refused before processing: nothing stored. Everyone waits, then it goes again.
            row = await ledger.markPending(row);
            this.#rateLimited(error, backoff);
            backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
            continue;
          case 'auth':
          case 'fatal':
            await ledger.markPending(row, error.message);
            this.#halt(new RunStop(error.kind === 'auth' ? 'needs-token' : 'stopped', error.message));
            return null;
          case 'rejected':
          case 'too-large':
            await this.#fail(row, error.message);
            return null;
          case 'transient': {
            // It may have been stored: look before sending again. A readable Retry-After (503) holds everyone.
            if (error.retryAfterMs !== null) this.#pacer.pauseFor(error.retryAfterMs);
            await clock.sleep(error.retryAfterMs ?? backoff, this.#controller.signal).catch(() => undefined);
            backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
            const found = await this.#settleUnknown(row);
            if (found === 'undecided') return null;
            if (found) {
              await ledger.markDone(row, found.remoteId, found.threadId);
              this.#deps.events.changed();
              return found;
            }
            row = await ledger.markPending(row, null, { countFailure: true });
            if (row.failures >= MAX_UNANSWERED_SENDS) {
              await this.#fail(
                row,
                `gave up after ${row.failures} sends without an answer: ${error.message}`,
              );
              return null;
            }
            continue;
          }
        }
      }
    }
  }

  /**
   * An email whose send has no known outcome: the copy on the target, null when there is none, or
   * 'undecided' when the target could not be asked (the run stopped, or the lookup keeps failing).
   */
  async #settleUnknown(row: RelayItem): Promise<StoredCopy | null | 'undecided'> {
    const { target, clock } = this.#deps;
    const look = () =>
      this.#guard(() =>
        this.#pacer.run(target.findUnits, () => target.find(row.messageId), this.#controller.signal),
      );
    try {
      this.checkedOnTarget++;
      const found = await look();
      if (found) return found;
      // A search may not see a copy stored seconds ago yet: look again once it has caught up.
      const settleAt = (row.attempt?.startedAt ?? 0) + target.searchSettleMs;
      const wait = settleAt - clock.now();
      if (wait <= 0) return null;
      await clock.sleep(wait, this.#controller.signal);
      return await look();
    } catch (error) {
      if (error instanceof RunStop || this.pausing) return 'undecided';
      throw error;
    }
  }

  /**
   * Runs a read (lookup, preparation) with the run's rules: 429 waits and retries, 5xx retries a
   * few times, 401 and fatal errors stop the run (thrown as RunStop).
   */
  async #guard<T>(read: () => Promise<T>): Promise<T> {
    let backoff = FIRST_BACKOFF_MS;
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await read();
        this.#rateLimitedInARow = 0;
        return result;
      } catch (error) {
        if (!(error instanceof TargetError)) throw error;
        if (error.kind === 'rate') {
          this.#rateLimited(error, backoff);
        } else if (error.kind === 'transient' && attempt < MAX_UNANSWERED_SENDS) {
          if (error.retryAfterMs !== null) this.#pacer.pauseFor(error.retryAfterMs);
          await this.#deps.clock.sleep(error.retryAfterMs ?? backoff, this.#controller.signal);
        } else {
          const state = error.kind === 'auth' ? 'needs-token' : 'stopped';
          this.#halt(new RunStop(state, error.message));
          throw this.#stop!;
        }
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      }
    }
  }

  #rateLimited(error: TargetError, backoff: number): void {
    this.rateLimited++;
    this.#rateLimitedInARow++;
    this.#pacer.pauseFor(error.retryAfterMs ?? backoff);
    if (this.#rateLimitedInARow >= RATE_LIMITS_BEFORE_TIGHTENING) {
      this.#pacer.tighten();
      this.#rateLimitedInARow = 0;
    }
    this.#deps.events.changed();
  }

  async #fail(row: RelayItem, reason: string): Promise<void> {
    await this.#deps.ledger.markFailed(row, reason);
    this.#deps.events.failed(row.frontId, reason);
    this.#deps.events.changed();
  }

  #halt(stop: RunStop): void {
    this.#stop ??= stop;
    this.#controller.abort(stop);
  }
}

function megabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

export { errorText };
