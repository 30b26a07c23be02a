/**
 * The import ledger's IndexedDB schema: what was sent to Missive, item by item, so that nothing is
 * ever sent twice and a closed tab resumes where it stopped. Its own database, apart from the export
 * index: clearing or re-dropping the export never forgets what Missive already holds.
 *
 * Never holds the token.
 */
import type { DBSchema, IDBPDatabase } from 'idb';
import type {
  ChannelMessageType,
  CommentMode,
  Placement,
  ReopenReading,
} from '../domain/import/missive-payloads.ts';
import type { CommentRoute } from '../domain/import/plan.ts';
import type { ItemStatus } from '../domain/model.ts';

export const LEDGER_DB_NAME = 'front-missive-import';

/**
 * - `pending`: to send (with a reason when a run could not send it, e.g. the email is not in Missive yet);
 * - `in_flight`: written before the request leaves; after a crash it is checked against Missive first;
 * - `done`: Missive answered 2xx (written with strict durability); never sent again;
 * - `failed`: Missive refused it (4xx) with its error text;
 * - `skipped`: the plan does not send it, with the reason.
 */
export type LedgerStatus = 'pending' | 'in_flight' | 'done' | 'failed' | 'skipped';

/** Front items the ledger follows one by one (conversations have their own rows). */
export type LedgerItemKind = 'sms' | 'comment' | 'email' | 'other_message';
export type ReportKind = 'conversation' | LedgerItemKind;
export const REPORT_KINDS: readonly ReportKind[] = [
  'conversation',
  'sms',
  'comment',
  'email',
  'other_message',
];

/** One request that carries the item, recorded before it leaves. */
export interface Attempt {
  /** Random; tells two sends of the same item apart in the ledger. */
  id: string;
  request: 'sms-message' | 'comment-post';
  /** 1-based: which part of the SMS, or which chunk of the comment, this request carries. */
  part: number;
  /** Every item the request carries (several comments share one post in per-conversation mode). */
  carriedIds: string[];
  /** Wall-clock Unix ms when it was sent: the posts check reads back no further than this. */
  sentAt: number;
  /** Missive could not tell whether it arrived: the user chooses (send again, count as imported, skip). */
  unknown: boolean;
}

export interface MissiveRefs {
  conversationId: string | null;
  messageIds: string[];
  postIds: string[];
}

export interface LedgerItem {
  /** The Front ID (`msg_…`, `com_…`). */
  frontId: string;
  kind: LedgerItemKind;
  conversationId: string;
  status: LedgerStatus;
  /** Why skipped, failed or still pending; null otherwise. */
  reason: string | null;
  flags: string[];
  /** Requests the item takes: parts of an SMS (files over 10 MB), chunks of a long comment. */
  parts: number;
  /** Of those, how many Missive already holds (multi-part items resume after the last one). */
  partsDone: number;
  attempt: Attempt | null;
  missive: MissiveRefs;
  /** Unix ms of the last change. */
  updatedAt: number;
}

export type ConversationStatus = 'pending' | 'done' | 'failed' | 'skipped';

export interface LedgerConversation {
  frontId: string;
  status: ConversationStatus;
  reason: string | null;
  flags: string[];
  /** Front start time (ms): conversations are imported oldest first. */
  order: number;
  commentRoute: CommentRoute | null;
  lookupMessageId: string | null;
  /** The Missive conversation holding its SMS or its email, once known. */
  missiveConversationId: string | null;
  webUrl: string | null;
  /** SMS of this conversation already in Missive: the first one opens the Missive conversation. */
  smsSent: number;
  /** One of the trial's conversations. */
  trial: boolean;
  /** Present only while pending: the run's queue, oldest first (a sparse index). */
  queueKey?: [number, string];
}

export type RunState =
  /** Sending (or the tab closed while it was: shown as Resume). */
  | 'running'
  | 'paused'
  /** Missive answered 401: waiting for a new token. */
  | 'needs-token'
  /** Some items may or may not be in Missive: waiting for the user's choice. */
  | 'needs-decision'
  /** The browser blocked a request (CORS). */
  | 'blocked'
  | 'finished';

export interface RunChoices {
  includeDeleted: boolean;
  placement: Placement;
  commentMode: CommentMode;
  relayInboxKeys: string[];
}

export interface RunTarget {
  /** The SMS custom channel's account ID. */
  account: string;
  /** The channel's message type (Text or HTML); absent in imports started before it was asked: Text. */
  channelMessageType?: ChannelMessageType;
  organization: string;
  team: string | null;
  /** The shared label put on every imported conversation (created when none was picked). */
  sharedLabelId: string | null;
}

/** What the ledger remembers about the run (never the token). */
export interface RunMeta {
  mode: 'trial' | 'full';
  state: RunState;
  /** Why the run is not running, in words for the user. */
  stateReason: string | null;
  choices: RunChoices;
  target: RunTarget;
  /** The Missive user who owns the token. */
  user: { id: string; name: string | null; email: string | null } | null;
  apiBase: string;
  /** 1 in real use; compressed in tests (loopback API bases only). */
  timeScale: number;
  startedAt: number;
  finishedAt: number | null;
  updatedAt: number;
  /** Front conversations of the trial (the first five, oldest first). */
  trialConversationIds: string[];
}

/** What a probe observed on the customer's Missive account, kept with the import. */
export interface AccountObservations {
  /** How a post treats a closed conversation; null until observed. */
  reopenReading: ReopenReading | null;
  /** The Missive conversation the reading was observed on (one the import created). */
  reopenObservedOn: string | null;
  /**
   * Whether Missive kept the past `delivered_at` of an SMS the trial created (read back from the
   * conversation's messages): false, it dated the SMS when it arrived; null until observed.
   */
  deliveredAtKept: boolean | null;
}

export interface LedgerDbSchema extends DBSchema {
  items: {
    key: string;
    value: LedgerItem;
    indexes: { byConversation: string; byStatus: LedgerStatus };
  };
  conversations: {
    key: string;
    value: LedgerConversation;
    indexes: { byMissiveId: string; byQueue: [number, string] };
  };
  meta: { key: string; value: unknown };
}

export type LedgerDb = IDBPDatabase<LedgerDbSchema>;

export const LEDGER_VERSION = 1;

export function upgradeLedger(db: LedgerDb, oldVersion: number): void {
  if (oldVersion < 1) {
    const items = db.createObjectStore('items', { keyPath: 'frontId' });
    items.createIndex('byConversation', 'conversationId');
    items.createIndex('byStatus', 'status');
    const conversations = db.createObjectStore('conversations', { keyPath: 'frontId' });
    conversations.createIndex('byMissiveId', 'missiveConversationId');
    conversations.createIndex('byQueue', 'queueKey');
    db.createObjectStore('meta');
  }
}

/** The report's status for a ledger status: in flight is still pending until Missive answers. */
export function reportStatus(status: LedgerStatus): ItemStatus {
  if (status === 'done') return 'imported';
  if (status === 'in_flight') return 'pending';
  return status;
}

export type StatusCounts = Record<ItemStatus, number>;
export type LedgerCounts = Record<ReportKind, StatusCounts>;

export function emptyCounts(): LedgerCounts {
  const counts = {} as LedgerCounts;
  for (const kind of REPORT_KINDS) counts[kind] = { imported: 0, skipped: 0, failed: 0, pending: 0 };
  return counts;
}

export function noRefs(): MissiveRefs {
  return { conversationId: null, messageIds: [], postIds: [] };
}
