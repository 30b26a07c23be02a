/**
 * What the relay run needs from a mail target (Gmail, JMAP, Microsoft Graph). Each adapter turns its
 * API's answers into these results or a {@link TargetError}; the run owns ledger, order and retries.
 */
import type { Inbox } from '../../domain/model.ts';
import type { PacerLimits } from './pacer.ts';
import type { TargetAccount } from './types.ts';

/** One email on its way: its bytes, built or passed through, in the worker. */
export interface OutgoingEmail {
  frontId: string;
  conversationId: string;
  /** The Message-ID header the bytes carry (angle brackets included). */
  messageId: string;
  /** Front `created_at` (Unix ms): JMAP's receivedAt and the mbox separator date. */
  createdAt: number;
  raw: Uint8Array;
}

export interface SendRequest {
  email: OutgoingEmail;
  /** The marked inboxes the email's conversation belongs to (Gmail labels one per inbox). */
  inboxes: readonly Inbox[];
  /** Gmail: the thread of the conversation's first copy, so the whole conversation stays together. */
  threadId: string | null;
}

export interface StoredCopy {
  remoteId: string;
  threadId: string | null;
  /**
   * The mailbox held an email with this Message-ID before the send (Gmail keeps one per Message-ID
   * and answers with it): reported as "already in the mailbox", not as relayed.
   */
  alreadyInMailbox?: boolean;
}

export interface RelayTarget {
  readonly account: TargetAccount;
  /** Where the copies go, in words, for the page and the report. */
  readonly destination: string;
  /** Largest raw message the target takes; larger emails fail with a reason. */
  readonly maxMessageBytes: number;
  /** How requests are paced; `units` below are in the same unit as `unitsPerWindow`. */
  readonly limits: PacerLimits;
  readonly sendUnits: number;
  readonly findUnits: number;
  /** Bytes a send of `raw` uploads, when the target budgets uploads (`limits.bytesPerWindow`). */
  uploadBytes?(raw: Uint8Array): number;
  /**
   * How long after a send the target's search can be trusted to see the copy (Gmail's search lags).
   * A copy not found sooner is looked for again once this time has passed.
   */
  readonly searchSettleMs: number;
  /** Creates what the copies need (labels, mailbox, folder) for these inboxes. */
  prepare(inboxes: readonly Inbox[]): Promise<void>;
  send(request: SendRequest): Promise<StoredCopy>;
  /** The stored copy carrying this Message-ID, or null when the target has none. */
  find(messageId: string): Promise<StoredCopy | null>;
  /** A fresh token after the user re-authorised (401). */
  setToken(token: string): void;
}
