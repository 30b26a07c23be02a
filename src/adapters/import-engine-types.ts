/**
 * What the import engine and the page say to each other (through the worker): the plan request and
 * overview, the run request, and the progress snapshots. Plain data, structured-clone safe, never
 * the token (it goes in, never out).
 */
import type {
  ChannelMessageType,
  CommentMode,
  MessagesRequestBody,
  PostsRequestBody,
  ReopenReading,
} from '../domain/import/missive-payloads.ts';
import type { PlanSummary, RequestCount } from '../domain/import/plan.ts';
import type { LedgerCounts, RunChoices, RunMeta, RunState } from './ledger-schema.ts';

/** The name of the shared label the import creates when the user picks none. */
export const DEFAULT_IMPORT_LABEL_NAME = 'Imported from Front';

export interface TargetInput {
  /** The SMS custom channel's account ID. */
  account: string;
  /** The channel's message type (Text or HTML); absent in imports started before it was asked: Text. */
  channelMessageType?: ChannelMessageType;
  organization: string;
  team: string | null;
  /** Null: find or create the shared label named {@link DEFAULT_IMPORT_LABEL_NAME} when the run starts. */
  sharedLabelId: string | null;
}

export interface PlanRequest {
  choices: RunChoices;
  target: TargetInput;
}

export interface PlanPreview {
  /** The Front conversation whose SMS are shown, oldest first. */
  smsConversationId: string | null;
  sms: MessagesRequestBody[];
  /** SMS requests of that conversation (the preview shows the first few). */
  smsTotal: number;
  commentConversationId: string | null;
  comment: PostsRequestBody | null;
  /** What the preview replaced (placeholders, shortened base64), in words. */
  notes: string[];
}

export interface PlanOverview {
  summary: PlanSummary;
  /** Requests still to make, given what the ledger says Missive already holds. */
  remaining: Record<CommentMode, RequestCount>;
  remainingEstimatedMs: Record<CommentMode, number>;
  /** Items Missive already holds from earlier runs. */
  alreadyImported: number;
  preview: PlanPreview;
}

export interface RunUser {
  id: string;
  name: string | null;
  email: string | null;
}

export interface RunRequest {
  /** Kept in the worker's memory for this run only. */
  token: string;
  apiBase: string;
  /** `resume` continues the stored run with its stored plan choices. */
  mode: 'trial' | 'full' | 'resume';
  plan?: PlanRequest;
  user?: RunUser | null;
  /** 1 in real use; below 1 only with a loopback API base (tests, demos, benchmarks). */
  timeScale?: number;
}

export type UnknownChoice = 'resend' | 'mark-done' | 'skip';

export type EngineState = 'idle' | 'preparing' | 'pausing' | RunState;

export interface TrialLink {
  frontConversationId: string;
  missiveConversationId: string | null;
  webUrl: string | null;
}

export interface RequestStats {
  /** Requests sent during this run. */
  sent: number;
  inFlight: number;
  lastMinute: number;
  last15Minutes: number;
  perMinuteLimit: number;
  per15MinutesLimit: number;
  /** 429 answers received during this run. */
  rateLimited: number;
  /** Milliseconds still to wait after a 429, or null. */
  pausedForMs: number | null;
  retryAfterUnreadable: boolean;
}

/** How many items are pending or failed for one reason (shown after a run). */
export interface ReasonCount {
  status: 'pending' | 'failed';
  kind: string;
  reason: string;
  count: number;
}

export interface ImportProgress {
  /** Grows with every snapshot: the page ignores an older one arriving late. */
  seq: number;
  state: EngineState;
  mode: RunMeta['mode'] | null;
  /** Why the run stopped (token, CORS, unknown items), in words for the user. */
  stateReason: string | null;
  counts: LedgerCounts;
  requests: RequestStats;
  /** Planned requests not made yet. */
  remainingRequests: number;
  /** At the published limits, from the budget left in the current windows. */
  timeLeftMs: number | null;
  /** Items that may or may not be in Missive: the user chooses. */
  unknownItems: number;
  /** Items found in flight when the run started (a closed tab): checked with Missive before resending. */
  checkedAfterRestart: number;
  /** Export files to drop again in this tab: pictures of SMS still to send are in them. */
  filesNeeded: string[];
  trialLinks: TrialLink[];
  /** How a post treats a closed conversation on this account, as a probe observed it; null: not yet. */
  reopenReading: ReopenReading | null;
  /** Whether Missive kept an SMS's past `delivered_at`, as the trial read it back; null: not yet. */
  deliveredAtKept: boolean | null;
  /** Items left pending or failed, grouped by reason (filled when a run ends). */
  reasons: ReasonCount[];
  /** Conversations over 400 SMS (imported in full; Missive continues them in a new conversation). */
  over400Sms: string[];
  startedAt: number | null;
  finishedAt: number | null;
  apiBase: string | null;
  /** The plan of the last run (restored on the Plan step after a reload). */
  plan: PlanRequest | null;
}
