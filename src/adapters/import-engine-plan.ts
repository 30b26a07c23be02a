/**
 * The plan of the whole export, streamed one conversation at a time out of the export index: the
 * totals for both comment modes, what is still to send given the ledger, and (when a run starts)
 * the merge of every conversation's plan into the ledger.
 */
import {
  commentChunkLengths,
  countCommentPosts,
  DEFAULT_CHANNEL_MESSAGE_TYPE,
  type CommentMode,
  type ImportTarget,
} from '../domain/import/missive-payloads.ts';
import {
  COMMENT_MODES,
  DEFAULT_PLAN_CHOICES,
  PlanAccumulator,
  estimateDuration,
  planConversation,
  type ConversationPlan,
  type PlanChoices,
  type RequestCount,
} from '../domain/import/plan.ts';
import type { RateLimits } from '../domain/import/rate-scheduler.ts';
import type { Comment } from '../domain/model.ts';
import { readConversation } from './import-engine-export.ts';
import type { PlanOverview, PlanRequest } from './import-engine-types.ts';
import type { Ledger, LedgerConversation, LedgerItem, RunChoices } from './ledger.ts';
import type { ExportStore } from './store.ts';

/** Conversations read and merged per transaction. */
const BATCH = 50;

export function planChoices(choices: RunChoices): PlanChoices {
  return {
    includeDeleted: choices.includeDeleted,
    placement: choices.placement,
    commentMode: choices.commentMode,
    trialCount: DEFAULT_PLAN_CHOICES.trialCount,
    relayInboxKeys: new Set(choices.relayInboxKeys),
  };
}

/** Where everything goes, as the payloads need it. */
export function importTarget(
  request: PlanRequest,
  sharedLabelId: string | null,
  names: ReadonlyMap<string, string>,
): ImportTarget {
  return {
    account: request.target.account,
    channelMessageType: request.target.channelMessageType ?? DEFAULT_CHANNEL_MESSAGE_TYPE,
    organization: request.target.organization,
    team: request.target.team,
    sharedLabelIds: sharedLabelId ? [sharedLabelId] : [],
    placement: request.choices.placement,
    contactNames: names,
  };
}

function zero(): RequestCount {
  return { smsMessages: 0, emailLookups: 0, commentPosts: 0, total: 0 };
}

function add(into: RequestCount, more: RequestCount): void {
  into.smsMessages += more.smsMessages;
  into.emailLookups += more.emailLookups;
  into.commentPosts += more.commentPosts;
  into.total += more.total;
}

/** Still to send: what the ledger does not hold yet (failed items are tried again by a new run). */
function stillToSend(item: LedgerItem | undefined): boolean {
  return !item || item.status === 'pending' || item.status === 'in_flight' || item.status === 'failed';
}

/** The requests a conversation still needs, for both comment modes, given its ledger rows. */
export function remainingRequests(
  plan: ConversationPlan,
  comments: readonly Comment[],
  items: ReadonlyMap<string, LedgerItem>,
  row: LedgerConversation | undefined,
): Record<CommentMode, RequestCount> {
  let sms = 0;
  const whole: number[][] = [];
  let startedChunks = 0;
  const byId = new Map(comments.map((c) => [c.id, c]));
  for (const action of plan.items) {
    if (action.status !== 'pending') continue;
    const item = items.get(action.frontId);
    if (!stillToSend(item)) continue;
    const partsDone = item?.partsDone ?? 0;
    if (action.kind === 'sms') sms += Math.max(0, action.requests - partsDone);
    if (action.kind !== 'comment') continue;
    const comment = byId.get(action.frontId);
    if (!comment) continue;
    // A long comment already partly posted goes on with its own posts, in either mode.
    if (partsDone > 0) startedChunks += Math.max(0, action.posts - partsDone);
    else whole.push(commentChunkLengths(comment));
  }
  const hasComments = whole.length > 0 || startedChunks > 0;
  const lookups =
    hasComments && plan.conversation.commentRoute === 'email' && !row?.missiveConversationId ? 1 : 0;
  const result = {} as Record<CommentMode, RequestCount>;
  for (const mode of COMMENT_MODES) {
    const posts = countCommentPosts(whole, mode) + startedChunks;
    result[mode] = {
      smsMessages: sms,
      emailLookups: lookups,
      commentPosts: posts,
      total: sms + lookups + posts,
    };
  }
  return result;
}

export interface PlanPassOptions {
  /** Merge every conversation's plan into the ledger (a run starting). */
  write: { retryFailed: boolean } | null;
  limits: RateLimits;
  /** For the preview: the shared label the run will use, or null when it will be found or created. */
  sharedLabelId: string | null;
  names: ReadonlyMap<string, string>;
  signal?: AbortSignal;
}

export interface PlanPassResult extends Omit<PlanOverview, 'preview'> {
  trialConversationIds: string[];
  previewSource: { sms: string | null; comment: string | null };
}

/** Plans every conversation of the export (and merges the plans into the ledger when asked). */
export async function planExport(
  store: ExportStore,
  ledger: Ledger,
  request: PlanRequest,
  options: PlanPassOptions,
): Promise<PlanPassResult> {
  const choices = planChoices(request.choices);
  const ids: string[] = [];
  await store.forEachConversation((row) => ids.push(row.id));
  const accumulator = new PlanAccumulator(choices, options.limits);
  const remaining = { 'per-comment': zero(), 'per-conversation': zero() };
  let alreadyImported = 0;
  const previewSource: PlanPassResult['previewSource'] = { sms: null, comment: null };

  for (let start = 0; start < ids.length; start += BATCH) {
    options.signal?.throwIfAborted();
    const batch = ids.slice(start, start + BATCH);
    const data = await Promise.all(batch.map((id) => readConversation(store, id)));
    const plans = data.map((d) => planConversation(d.conversation, d.messages, d.comments, choices));
    for (const plan of plans) accumulator.addPlan(plan);
    const ledgerRows = options.write
      ? await ledger.mergePlans(
          plans.map((plan) => ({ plan, options: { trial: false, retryFailed: options.write!.retryFailed } })),
        )
      : await Promise.all(
          batch.map(async (id) => ({
            items: await ledger.itemsOf(id),
            conversation: await ledger.getConversation(id),
          })),
        );
    plans.forEach((plan, i) => {
      const { items, conversation } = ledgerRows[i]!;
      const byId = new Map(items.map((item) => [item.frontId, item]));
      alreadyImported += items.filter((item) => item.status === 'done').length;
      const left = remainingRequests(plan, data[i]!.comments, byId, conversation);
      for (const mode of COMMENT_MODES) add(remaining[mode], left[mode]);
      if (!previewSource.sms && plan.conversation.smsCount > 0) previewSource.sms = plan.conversation.frontId;
      if (!previewSource.comment && left['per-comment'].commentPosts > 0) {
        previewSource.comment = plan.conversation.frontId;
      }
    });
  }
  const summary = accumulator.summary();
  return {
    summary,
    remaining,
    remainingEstimatedMs: {
      'per-comment': estimateDuration(remaining['per-comment'].total, options.limits),
      'per-conversation': estimateDuration(remaining['per-conversation'].total, options.limits),
    },
    alreadyImported,
    trialConversationIds: summary.trialConversationIds,
    previewSource,
  };
}
