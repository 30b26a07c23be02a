/**
 * Relay mode's shared vocabulary: the targets an email can be copied into, what the worker tells the
 * page, and the errors a target adapter raises. Plain data, structured-clone safe, never a token.
 */

export type RelayTargetKind = 'gmail' | 'jmap' | 'graph' | 'files';

/** The mail account a copy goes to. `key` names it in the ledger: an address or account, never a secret. */
export interface TargetAccount {
  /** e.g. `gmail:ann@example.com`, `jmap:ann@fastmail.example@api.fastmail.com`. */
  key: string;
  kind: RelayTargetKind;
  /** For people and the report: "Gmail ann@example.com", "Download (mbox) Support.mbox". */
  label: string;
}

/** Where a copy lands inside the account: a Gmail label per inbox, a JMAP mailbox, a Graph folder. */
export interface Destination {
  /** Shown to the user, e.g. "labels Front import/<inbox>" or "mailbox Front import". */
  description: string;
}

/** A Gmail label, JMAP mailbox or Graph folder the user may pick. */
export interface FolderChoice {
  id: string;
  name: string;
}

export type RelayRunState =
  | 'idle'
  | 'preparing'
  | 'running'
  | 'pausing'
  | 'paused'
  /** The target refused the token (expired): the user re-authorises, then the run resumes. */
  | 'needs-token'
  /** Some emails wait for export files to be dropped again. */
  | 'needs-files'
  /** Stopped on an error that every email would meet (permissions, unreachable target). */
  | 'stopped'
  | 'finished';

export interface RelayCounts {
  total: number;
  done: number;
  failed: number;
  pending: number;
  /** Sent, answer not known yet (checked on the target before any resend). */
  sending: number;
}

export interface RelayProgress {
  /** Grows with every snapshot: the page ignores an older one arriving late. */
  seq: number;
  state: RelayRunState;
  /** Why the run is not running, in words for the user. */
  stateReason: string | null;
  target: TargetAccount | null;
  counts: RelayCounts;
  /** Export files (zip names) to drop again: emails of theirs wait. */
  filesNeeded: string[];
  /** Outcomes checked on the target after an unknown answer or a reload. */
  checkedOnTarget: number;
  /** Emails of this run the mailbox already held (same Message-ID): stored there, not relayed. */
  alreadyInMailbox: number;
  /** 429 answers met during this run. */
  rateLimited: number;
  /** The latest failures, newest last (capped), for the page. */
  recentFailures: { frontId: string; reason: string }[];
  startedAt: number | null;
  finishedAt: number | null;
}

/** What the page shows before a target is chosen. */
export interface RelayInboxOverview {
  key: string;
  name: string;
  conversations: number;
  emails: number;
  /** Of those, emails with the original `.eml` in the export (sent unchanged). */
  withEml: number;
  /** Drafts and deleted conversations' emails: not relayed. */
  notRelayed: number;
}

export interface RelayOverview {
  inboxes: RelayInboxOverview[];
  /** Emails to relay over all marked inboxes (a conversation in two marked inboxes counts once). */
  emails: number;
  conversations: number;
  /** Export files whose entries (.eml, attachments) the relay reads; `available` when dropped in this tab. */
  sources: { id: string; name: string; available: boolean }[];
}

/**
 * How a target request ended when it did not succeed. The run decides what follows:
 * - `auth`: token refused (401): pause and ask the user to continue;
 * - `rate`: over quota (429, rate 403): not processed, wait and send again;
 * - `transient`: 5xx or no answer: the write may have happened, check before any resend;
 * - `rejected`: the target refused this email (4xx): it fails with the target's words;
 * - `too-large`: over the target's size limit: it fails, the file download takes it;
 * - `fatal`: every request would meet it (missing permission, CORS): the run stops.
 */
export type TargetErrorKind = 'auth' | 'rate' | 'transient' | 'rejected' | 'too-large' | 'fatal';

export class TargetError extends Error {
  constructor(
    readonly kind: TargetErrorKind,
    message: string,
    readonly status: number | null = null,
    /** From Retry-After, when the target sent one. */
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
    this.name = 'TargetError';
  }
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
