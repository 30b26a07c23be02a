/**
 * The import plan: for every Front item, what the import will do with it (pending) or why not
 * (skipped), the exact number of requests for both comment modes, how long that takes at the
 * published limits, and which conversations the trial imports.
 *
 * Built one conversation at a time ({@link planConversation}), so the engine can stream 150K
 * conversations out of the store through a {@link PlanAccumulator}, persisting each
 * conversation's actions as it goes and keeping only totals in memory.
 */
import type { Comment, Conversation, Message } from '../model.ts';
import { relayMessageId } from '../relay/threading.ts';
import {
  type CommentMode,
  type DroppedFile,
  type Placement,
  commentChunkLengths,
  countCommentPosts,
  planSmsParts,
} from './missive-payloads.ts';
import { CONVERSATION_LIST_PAGE_SIZE } from './outcomes.ts';
import { PUBLISHED_LIMITS, type RateLimits } from './rate-scheduler.ts';
import { FLAGS, SKIP_REASONS } from './reasons.ts';

export interface PlanChoices {
  includeDeleted: boolean;
  placement: Placement;
  commentMode: CommentMode;
  /** How many conversations the trial imports. */
  trialCount: number;
  /**
   * Inboxes marked as SMTP forwarding (`Inbox.smtpForwarding`, read from the export index when the
   * plan is made): their emails exist only in Front, and relay mode copies them. The plan knows
   * of relay mode through this set only ({@link isRelayConversation}).
   */
  relayInboxKeys?: ReadonlySet<string>;
}

export const DEFAULT_PLAN_CHOICES: Readonly<PlanChoices> = Object.freeze({
  includeDeleted: false,
  placement: 'closed',
  commentMode: 'per-comment',
  trialCount: 5,
});

export const COMMENT_MODES: readonly CommentMode[] = ['per-comment', 'per-conversation'];

/** Conversations with more SMS than this are split by Missive (documented cap per conversation). */
export const MISSIVE_MESSAGES_PER_CONVERSATION = 400;

export type PlannedStatus = 'pending' | 'skipped';
/** Where a conversation's comments are posted: into its SMS conversation, or its email's. */
export type CommentRoute = 'sms' | 'email';

interface ActionBase {
  frontId: string;
  conversationId: string;
  status: PlannedStatus;
  /** Why skipped (one of SKIP_REASONS); null when pending. */
  reason: string | null;
  /** Notes for the report (FLAGS values). */
  flags: string[];
}

export interface ConversationAction extends ActionBase {
  kind: 'conversation';
  commentRoute: CommentRoute | null;
  /**
   * The Message-ID the engine looks up (`GET /messages?email_message_id=`) for the email route: the
   * oldest original one; for a relayed conversation, the one its oldest email's relayed copy carries.
   */
  lookupMessageId: string | null;
  /**
   * Every Message-ID that can find the email conversation, tried in this order until one is in
   * Missive (it often holds only part of a thread): {@link lookupMessageId} first, then the other
   * emails' own Message-IDs newest first, then the parents their In-Reply-To and References name.
   */
  lookupMessageIds: string[];
  /** SMS that will be sent (not requests: an MMS may take several). */
  smsCount: number;
}

export interface SmsAction extends ActionBase {
  kind: 'sms';
  /** `POST /messages` requests for this SMS (more than 1 when its files exceed one request). */
  requests: number;
  droppedFiles: DroppedFile[];
  truncatedChars: number;
}

export interface CommentAction extends ActionBase {
  kind: 'comment';
  route: CommentRoute | null;
  /** Posts this comment takes in per-comment mode (more than 1 when too long for one). */
  posts: number;
}

export interface EmailAction extends ActionBase {
  kind: 'email';
}

export interface OtherMessageAction extends ActionBase {
  kind: 'other_message';
  frontType: string;
}

export type ItemAction = SmsAction | CommentAction | EmailAction | OtherMessageAction;
export type PlannedAction = ConversationAction | ItemAction;
export type PlannedKind = PlannedAction['kind'];

export interface RequestCount {
  smsMessages: number;
  emailLookups: number;
  commentPosts: number;
  total: number;
}

export interface ConversationPlan {
  conversation: ConversationAction;
  /** Messages oldest first, then comments oldest first: the order the engine sends them in. */
  items: ItemAction[];
  requests: Record<CommentMode, RequestCount>;
  /** Front creation time, else its first item's time; orders the trial. */
  startedAt: number;
}

function byCreatedAt(a: Message, b: Message): number {
  return a.createdAt - b.createdAt || compareIds(a.id, b.id);
}

function byPostedAt(a: Comment, b: Comment): number {
  return a.postedAt - b.postedAt || compareIds(a.id, b.id);
}

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** An action before its status is decided (distributes over the union, unlike plain Omit). */
type Undecided<T> = T extends unknown ? Omit<T, 'status' | 'reason'> : never;

function pending<T extends ItemAction>(action: Undecided<T>): T {
  return { ...action, status: 'pending', reason: null } as T;
}

function skipped<T extends ItemAction>(action: Undecided<T>, reason: string): T {
  return { ...action, status: 'skipped', reason } as T;
}

function smsAction(message: Message, conversation: Conversation): SmsAction {
  const { parts, droppedFiles, truncatedChars } = planSmsParts(message, conversation);
  const flags = [
    ...(truncatedChars > 0 ? [FLAGS.smsTruncated] : []),
    ...new Set(droppedFiles.map((f) => f.reason)),
    ...(parts.length > 1 ? [FLAGS.filesSplit] : []),
  ];
  return pending<SmsAction>({
    kind: 'sms',
    frontId: message.id,
    conversationId: conversation.id,
    flags,
    requests: parts.length,
    droppedFiles,
    truncatedChars,
  });
}

/** Whether the conversation's emails exist only in Front: it is in an inbox marked as SMTP forwarding. */
export function isRelayConversation(
  conversation: Pick<Conversation, 'inboxKeys'>,
  choices: Pick<PlanChoices, 'relayInboxKeys'>,
): boolean {
  const keys = choices.relayInboxKeys;
  return keys !== undefined && keys.size > 0 && conversation.inboxKeys.some((key) => keys.has(key));
}

function messageAction(
  message: Message,
  conversation: Conversation,
  relayed: boolean,
  deleted: boolean,
): ItemAction {
  const base = { frontId: message.id, conversationId: conversation.id, flags: [] };
  const asKind = (): Undecided<ItemAction> =>
    message.kind === 'other_message'
      ? { ...base, kind: 'other_message', frontType: message.frontType }
      : message.kind === 'sms'
        ? { ...base, kind: 'sms', requests: 0, droppedFiles: [], truncatedChars: 0 }
        : { ...base, kind: 'email' };
  if (deleted) return skipped<ItemAction>(asKind(), SKIP_REASONS.deletedConversation);
  if (message.isDraft) return skipped<ItemAction>(asKind(), SKIP_REASONS.draft);
  if (message.kind === 'sms') return smsAction(message, conversation);
  if (message.kind === 'email') {
    return skipped<ItemAction>(asKind(), relayed ? SKIP_REASONS.emailRelayed : SKIP_REASONS.emailSynced);
  }
  return skipped<ItemAction>(asKind(), SKIP_REASONS.otherMessage);
}

function commentAction(
  comment: Comment,
  conversationId: string,
  route: CommentRoute | null,
  skipReason: string | null,
  posts: number,
): CommentAction {
  const base = { kind: 'comment' as const, frontId: comment.id, conversationId, route, posts };
  if (skipReason) return skipped<CommentAction>({ ...base, flags: [] }, skipReason);
  const flags = [
    ...(posts > 1 ? [FLAGS.commentSplit] : []),
    ...(comment.attachments.length > 0 ? [FLAGS.commentFilesListed] : []),
  ];
  return pending<CommentAction>({ ...base, flags });
}

/**
 * The Message-ID that finds the email conversation in Missive (`emails` oldest first, drafts out).
 * A relayed conversation exists in Missive only as relay mode's copies, so it is looked up by the
 * Message-ID its oldest copy carries ({@link relayMessageId}: the original when usable, else a
 * stable derived one): never missing, so its comments wait until Missive has synced the copy. Other
 * conversations are looked up by the oldest original Message-ID, when the export has one.
 */
function lookupMessageIdOf(emails: readonly Message[], relayed: boolean): string | null {
  const oldest = emails[0];
  if (!oldest) return null;
  if (relayed) return relayMessageId(oldest);
  return emails.find((m) => m.messageId)?.messageId ?? null;
}

/**
 * The Message-IDs tried in turn to find the email conversation ({@link lookupMessageIdOf}'s first).
 * Without a Message-ID of their own (no `.eml`, none in the JSON), emails can still be found through
 * a reply: its In-Reply-To (and References) name the parent's Message-ID, which Missive knows when
 * it synced that parent.
 */
function lookupMessageIdsOf(emails: readonly Message[], relayed: boolean): string[] {
  const first = lookupMessageIdOf(emails, relayed);
  const newestFirst = [...emails].reverse();
  const own = newestFirst.map((m) => (relayed ? relayMessageId(m) : m.messageId));
  const parents = relayed ? [] : newestFirst.flatMap((m) => [m.inReplyTo, ...[...m.references].reverse()]);
  const ids = [first, ...own, ...parents].filter((id): id is string => id !== null && id !== '');
  return [...new Set(ids)];
}

/**
 * The plan of one Front conversation. Comments go into the SMS conversation when there are SMS
 * (no lookup needed, and it surely exists once the SMS are in), otherwise into the email's
 * conversation found by its Message-ID; with neither, they are skipped.
 */
export function planConversation(
  conversation: Conversation,
  messages: readonly Message[],
  comments: readonly Comment[],
  choices: PlanChoices = DEFAULT_PLAN_CHOICES,
): ConversationPlan {
  const deleted = conversation.status === 'deleted' && !choices.includeDeleted;
  const sortedMessages = [...messages].sort(byCreatedAt);
  const sortedComments = [...comments].sort(byPostedAt);
  const relayed = isRelayConversation(conversation, choices);
  const messageActions = sortedMessages.map((m) => messageAction(m, conversation, relayed, deleted));
  const smsActions = messageActions.filter((a): a is SmsAction => a.kind === 'sms' && a.status === 'pending');
  const emails = sortedMessages.filter((m) => m.kind === 'email' && !m.isDraft);

  const commentRoute: CommentRoute | null =
    smsActions.length > 0 ? 'sms' : emails.length > 0 ? 'email' : null;
  const lookupMessageIds = commentRoute === 'email' ? lookupMessageIdsOf(emails, relayed) : [];
  const lookupMessageId = lookupMessageIds[0] ?? null;
  const commentSkipReason = deleted
    ? SKIP_REASONS.deletedConversation
    : commentRoute === null
      ? SKIP_REASONS.commentOnlyConversation
      : commentRoute === 'email' && lookupMessageId === null
        ? SKIP_REASONS.noMessageId
        : null;
  const chunkLengths = commentSkipReason ? [] : sortedComments.map(commentChunkLengths);
  const commentActions = sortedComments.map((c, i) =>
    commentAction(c, conversation.id, commentRoute, commentSkipReason, chunkLengths[i]?.length ?? 0),
  );

  const smsRequests = smsActions.reduce((sum, a) => sum + a.requests, 0);
  const emailLookups = commentRoute === 'email' && chunkLengths.length > 0 ? 1 : 0;
  const requestsFor = (mode: CommentMode): RequestCount => {
    const commentPosts = countCommentPosts(chunkLengths, mode);
    return {
      smsMessages: smsRequests,
      emailLookups,
      commentPosts,
      total: smsRequests + emailLookups + commentPosts,
    };
  };

  const somethingToSend = smsActions.length > 0 || chunkLengths.length > 0;
  const conversationAction: ConversationAction = {
    kind: 'conversation',
    frontId: conversation.id,
    conversationId: conversation.id,
    status: somethingToSend ? 'pending' : 'skipped',
    reason: deleted ? SKIP_REASONS.deletedConversation : somethingToSend ? null : SKIP_REASONS.nothingToSend,
    flags: smsActions.length > MISSIVE_MESSAGES_PER_CONVERSATION ? [FLAGS.over400Sms] : [],
    commentRoute: somethingToSend ? commentRoute : null,
    lookupMessageId,
    lookupMessageIds,
    smsCount: smsActions.length,
  };
  const firstItemAt = Math.min(
    sortedMessages[0]?.createdAt ?? Infinity,
    sortedComments[0]?.postedAt ?? Infinity,
  );
  return {
    conversation: conversationAction,
    items: [...messageActions, ...commentActions],
    requests: {
      'per-comment': requestsFor('per-comment'),
      'per-conversation': requestsFor('per-conversation'),
    },
    startedAt: conversation.createdAt ?? firstItemAt,
  };
}

export type StatusCounts = Record<PlannedStatus, number>;

export interface PlanSummary {
  conversations: number;
  counts: Record<PlannedKind, StatusCounts>;
  /** Skipped items per kind and reason. */
  skippedByReason: Record<PlannedKind, Record<string, number>>;
  /** Flagged items per flag. */
  flagged: Record<string, number>;
  requests: Record<CommentMode, RequestCount>;
  /** At the published (or given) limits, see {@link estimateDuration}. */
  estimatedMs: Record<CommentMode, number>;
  over400SmsConversationIds: string[];
  /** The first `trialCount` conversations with something to send, oldest first. */
  trialConversationIds: string[];
  /**
   * Extra reads if `POST /messages` answers without a body, to learn the Missive conversation of
   * SMS conversations that have comments (see `outcomes.ts`): list pages plus one read each.
   */
  conversationIdLookupsIfNoBody: number;
  /**
   * Extra `GET /messages?email_message_id=` lookups, at most, when Missive holds only part of a thread:
   * the conversation's other Message-IDs, tried after the first is not found.
   */
  emailLookupsIfFirstNotFound: number;
}

const KINDS: readonly PlannedKind[] = ['conversation', 'sms', 'comment', 'email', 'other_message'];

function emptyRequests(): RequestCount {
  return { smsMessages: 0, emailLookups: 0, commentPosts: 0, total: 0 };
}

function addRequests(into: RequestCount, add: RequestCount): void {
  into.smsMessages += add.smsMessages;
  into.emailLookups += add.emailLookups;
  into.commentPosts += add.commentPosts;
  into.total += add.total;
}

/** Totals over many conversations, in constant memory (bar the trial list and over-400 IDs). */
export class PlanAccumulator {
  readonly choices: PlanChoices;
  readonly #limits: RateLimits;
  #conversations = 0;
  #counts = Object.fromEntries(KINDS.map((k) => [k, { pending: 0, skipped: 0 }])) as Record<
    PlannedKind,
    StatusCounts
  >;
  #skippedByReason = Object.fromEntries(KINDS.map((k) => [k, {}])) as Record<
    PlannedKind,
    Record<string, number>
  >;
  #flagged: Record<string, number> = {};
  #requests: Record<CommentMode, RequestCount> = {
    'per-comment': emptyRequests(),
    'per-conversation': emptyRequests(),
  };
  #over400: string[] = [];
  #trial: { startedAt: number; id: string }[] = [];
  #smsConversations = 0;
  #smsConversationsWithComments = 0;
  #emailLookupsIfFirstNotFound = 0;

  constructor(choices: PlanChoices = DEFAULT_PLAN_CHOICES, limits: RateLimits = PUBLISHED_LIMITS) {
    this.choices = choices;
    this.#limits = limits;
  }

  /** Plans one conversation, adds it to the totals and returns it (for the caller to persist). */
  add(
    conversation: Conversation,
    messages: readonly Message[],
    comments: readonly Comment[],
  ): ConversationPlan {
    const plan = planConversation(conversation, messages, comments, this.choices);
    this.addPlan(plan);
    return plan;
  }

  addPlan(plan: ConversationPlan): void {
    this.#conversations++;
    for (const action of [plan.conversation, ...plan.items]) {
      this.#counts[action.kind][action.status]++;
      const reasons = this.#skippedByReason[action.kind];
      if (action.reason) reasons[action.reason] = (reasons[action.reason] ?? 0) + 1;
      for (const flag of action.flags) this.#flagged[flag] = (this.#flagged[flag] ?? 0) + 1;
    }
    for (const mode of COMMENT_MODES) addRequests(this.#requests[mode], plan.requests[mode]);
    const conversation = plan.conversation;
    if (conversation.flags.includes(FLAGS.over400Sms)) this.#over400.push(conversation.frontId);
    if (conversation.smsCount > 0) {
      this.#smsConversations++;
      if (plan.requests['per-comment'].commentPosts > 0) this.#smsConversationsWithComments++;
    }
    if (plan.requests['per-comment'].emailLookups > 0) {
      this.#emailLookupsIfFirstNotFound += conversation.lookupMessageIds.length - 1;
    }
    if (conversation.status === 'pending') this.#offerTrial(plan.startedAt, conversation.frontId);
  }

  /** Keeps the `trialCount` oldest candidates, ordered by start time then ID (stable across runs). */
  #offerTrial(startedAt: number, id: string): void {
    const list = this.#trial;
    const at = list.findIndex((t) => startedAt < t.startedAt || (startedAt === t.startedAt && id < t.id));
    if (at === -1) {
      if (list.length < this.choices.trialCount) list.push({ startedAt, id });
      return;
    }
    list.splice(at, 0, { startedAt, id });
    if (list.length > this.choices.trialCount) list.pop();
  }

  summary(): PlanSummary {
    const requests = {
      'per-comment': { ...this.#requests['per-comment'] },
      'per-conversation': { ...this.#requests['per-conversation'] },
    };
    const withComments = this.#smsConversationsWithComments;
    return {
      conversations: this.#conversations,
      counts: Object.fromEntries(KINDS.map((k) => [k, { ...this.#counts[k] }])) as Record<
        PlannedKind,
        StatusCounts
      >,
      skippedByReason: Object.fromEntries(KINDS.map((k) => [k, { ...this.#skippedByReason[k] }])) as Record<
        PlannedKind,
        Record<string, number>
      >,
      flagged: { ...this.#flagged },
      requests,
      estimatedMs: {
        'per-comment': estimateDuration(requests['per-comment'].total, this.#limits),
        'per-conversation': estimateDuration(requests['per-conversation'].total, this.#limits),
      },
      over400SmsConversationIds: [...this.#over400],
      trialConversationIds: this.#trial.map((t) => t.id),
      conversationIdLookupsIfNoBody:
        withComments === 0
          ? 0
          : Math.ceil(this.#smsConversations / CONVERSATION_LIST_PAGE_SIZE) + withComments,
      emailLookupsIfFirstNotFound: this.#emailLookupsIfFirstNotFound,
    };
  }
}

export interface PlanInput {
  conversations: Iterable<Conversation>;
  messages: Iterable<Message>;
  comments: Iterable<Comment>;
}

/** A conversation known only through its items (its own file was not in the export). */
function placeholderConversation(id: string): Conversation {
  return {
    id,
    seen: false,
    subject: '',
    status: '',
    type: 'conversation',
    createdAt: null,
    inboxKeys: [],
    tags: [],
    assigneeName: null,
    recipientHandle: null,
  };
}

/**
 * The whole plan from arrays (tests, small exports, previews). Conversations come out oldest first
 * (then by ID), the order the engine and the trial use.
 */
export function buildPlan(
  input: PlanInput,
  choices: PlanChoices = DEFAULT_PLAN_CHOICES,
  limits: RateLimits = PUBLISHED_LIMITS,
): { conversations: ConversationPlan[]; summary: PlanSummary } {
  const groups = new Map<string, { conversation: Conversation; messages: Message[]; comments: Comment[] }>();
  const group = (id: string) => {
    let g = groups.get(id);
    if (!g) groups.set(id, (g = { conversation: placeholderConversation(id), messages: [], comments: [] }));
    return g;
  };
  for (const c of input.conversations) group(c.id).conversation = c;
  for (const m of input.messages) group(m.conversationId).messages.push(m);
  for (const c of input.comments) group(c.conversationId).comments.push(c);

  const accumulator = new PlanAccumulator(choices, limits);
  const conversations = [...groups.values()]
    .map((g) => planConversation(g.conversation, g.messages, g.comments, choices))
    .sort((a, b) => a.startedAt - b.startedAt || compareIds(a.conversation.frontId, b.conversation.frontId));
  for (const plan of conversations) accumulator.addPlan(plan);
  return { conversations, summary: accumulator.summary() };
}

/**
 * How long `requests` take at the given limits, if answers come fast enough for `concurrent` in
 * flight to reach the per-minute rate (≤ 1 s each at the published limits).
 *
 * The scheduler spends the 15-minute budget as a burst at the per-minute rate, then waits until the
 * burst's first request leaves the 15-minute window:
 *   burst rate      b = perMinute / minuteMs                      (300/min = 5 requests/s)
 *   full cycles     k = floor((n − 1) / per15Minutes)              (900 requests each)
 *   last burst      r = n − k · per15Minutes                       (1 … 900)
 *   duration        k · fifteenMinutesMs + r / b
 * So 900 requests take 3 min, 901 take 15 min 0.2 s, 3,600 take 48 min and 10,000 take 2 h 45 min:
 * about one request per second once past the first burst. If a whole 15-minute budget takes longer
 * than 15 minutes at the burst rate, that limit never binds and the duration is n / b.
 */
export function estimateDuration(requests: number, limits: RateLimits = PUBLISHED_LIMITS): number {
  if (requests <= 0) return 0;
  const burstRate = limits.perMinute / limits.minuteMs;
  const burstMs = limits.per15Minutes / burstRate;
  if (burstMs >= limits.fifteenMinutesMs) return requests / burstRate;
  const cycles = Math.floor((requests - 1) / limits.per15Minutes);
  const rest = requests - cycles * limits.per15Minutes;
  return cycles * limits.fifteenMinutesMs + rest / burstRate;
}

/** `2 h 45 min`, `48 min`, `12 s`: for the plan and the progress screen. */
export function formatDuration(ms: number): string {
  if (ms < 60_000) return `${Math.ceil(ms / 1000)} s`;
  const minutes = Math.round(ms / 60_000);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest === 0 ? `${hours} h` : `${hours} h ${rest} min`;
}
