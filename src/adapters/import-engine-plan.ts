/**
 * The plan of the whole export, streamed one conversation at a time out of the export index: the
 * totals for both comment modes, what is still to send given the ledger, the preview, and (when a
 * run starts) the merge of every conversation's plan into the ledger.
 */
import {
  commentChunkLengths,
  commentPostPayloads,
  countCommentPosts,
  planSmsParts,
  smsMessagePayload,
  type CommentMode,
  type EncodedFile,
  type ImportTarget,
  type MessagesRequestBody,
  type SmsPart,
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
import type { Comment, Conversation, Message } from '../domain/model.ts';
import {
  DEFAULT_IMPORT_LABEL_NAME,
  type PlanOverview,
  type PlanPreview,
  type PlanRequest,
} from './import-engine-types.ts';
import type { Ledger, LedgerConversation, LedgerItem, RunChoices } from './ledger.ts';
import type { ExportStore } from './store.ts';

/** Conversations read and merged per transaction. */
const BATCH = 50;
/** SMS requests shown in the preview. */
const PREVIEW_SMS = 5;

export function planChoices(choices: RunChoices): PlanChoices {
  return {
    includeDeleted: choices.includeDeleted,
    placement: choices.placement,
    commentMode: choices.commentMode,
    trialCount: DEFAULT_PLAN_CHOICES.trialCount,
    relayInboxKeys: new Set(choices.relayInboxKeys),
  };
}

/** Names for phone handles the export's contacts know (Front often leaves SMS recipients unnamed). */
export async function contactNames(store: Pick<ExportStore, 'forEachContact'>): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  await store.forEachContact((contact) => {
    const name = contact.name?.trim();
    if (!name) return;
    for (const { handle } of contact.handles) if (!names.has(handle.trim())) names.set(handle.trim(), name);
  });
  return names;
}

/** Where everything goes, as the payloads need it. */
export function importTarget(
  request: PlanRequest,
  sharedLabelId: string | null,
  names: ReadonlyMap<string, string>,
): ImportTarget {
  return {
    account: request.target.account,
    organization: request.target.organization,
    team: request.target.team,
    sharedLabelIds: sharedLabelId ? [sharedLabelId] : [],
    placement: request.choices.placement,
    contactNames: names,
  };
}

interface ConversationData {
  conversation: Conversation;
  messages: Message[];
  comments: Comment[];
}

async function readConversation(store: ExportStore, id: string): Promise<ConversationData> {
  const [row, messages, comments] = await Promise.all([
    store.getConversation(id),
    store.messagesOf(id),
    store.commentsOf(id),
  ]);
  const { stats: _stats, ...conversation } = row ?? { ...emptyConversation(id), stats: null };
  return { conversation, messages, comments };
}

function emptyConversation(id: string): Conversation {
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

const PLACEHOLDER_ACCOUNT = '(your SMS custom channel account ID)';

function placeholderFiles(part: SmsPart): EncodedFile[] {
  return part.attachments.map((file) => ({
    filename: file.filename,
    base64: `(base64 of ${file.filename}, ${file.size.toLocaleString('en-US')} bytes, read from the export when sending)`,
  }));
}

/**
 * One SMS conversation and one comment post exactly as Missive will receive them, with the values
 * only known later (the label to create, the Missive conversation ID) and file contents shown as
 * placeholders, said so in `notes`.
 */
export async function buildPreview(
  store: ExportStore,
  request: PlanRequest,
  source: PlanPassResult['previewSource'],
  trialConversationIds: readonly string[],
  options: Pick<PlanPassOptions, 'sharedLabelId' | 'names'>,
): Promise<PlanPreview> {
  const choices = planChoices(request.choices);
  const notes: string[] = [];
  const labelId =
    options.sharedLabelId ??
    `(ID of the shared label "${DEFAULT_IMPORT_LABEL_NAME}", found or created when the import starts)`;
  if (!options.sharedLabelId)
    notes.push(`The shared label "${DEFAULT_IMPORT_LABEL_NAME}" is found or created when the import starts.`);
  const target = importTarget(
    {
      ...request,
      target: { ...request.target, account: request.target.account.trim() || PLACEHOLDER_ACCOUNT },
    },
    labelId,
    options.names,
  );
  if (!request.target.account.trim())
    notes.push('Type the SMS custom channel account ID to see it in place.');

  const preview: PlanPreview = {
    smsConversationId: null,
    sms: [],
    smsTotal: 0,
    commentConversationId: null,
    comment: null,
    notes,
  };
  const smsId =
    (await firstWith(store, trialConversationIds, choices, (p) => p.conversation.smsCount > 0)) ?? source.sms;
  if (smsId) {
    const data = await readConversation(store, smsId);
    const plan = planConversation(data.conversation, data.messages, data.comments, choices);
    const bodies: MessagesRequestBody[] = [];
    let first = true;
    for (const action of plan.items) {
      if (action.kind !== 'sms' || action.status !== 'pending') continue;
      const message = data.messages.find((m) => m.id === action.frontId)!;
      for (const part of planSmsParts(message, data.conversation).parts) {
        preview.smsTotal++;
        if (bodies.length < PREVIEW_SMS) {
          const thread = { missiveConversationId: null, firstOfConversation: first };
          bodies.push(
            smsMessagePayload(
              message,
              data.conversation,
              { ...target, thread },
              { part, files: placeholderFiles(part) },
            ),
          );
        }
        first = false;
      }
    }
    preview.smsConversationId = smsId;
    preview.sms = bodies;
    if (bodies.some((b) => b.messages.attachments))
      notes.push('File contents are shown as placeholders; the real requests carry them in base64.');
    if (preview.smsTotal > 1) {
      notes.push(
        'When Missive answers the first SMS with its conversation ID, the next ones carry "conversation" instead of "references" (same conversation).',
      );
    }
  }
  const commentId =
    (await firstWith(store, trialConversationIds, choices, (p) =>
      p.items.some((a) => a.kind === 'comment' && a.status === 'pending'),
    )) ?? source.comment;
  if (commentId) {
    const data = await readConversation(store, commentId);
    const plan = planConversation(data.conversation, data.messages, data.comments, choices);
    const pending = new Set(
      plan.items.filter((a) => a.kind === 'comment' && a.status === 'pending').map((a) => a.frontId),
    );
    const comments = data.comments.filter((c) => pending.has(c.id));
    const [post] = commentPostPayloads(
      comments,
      {
        missiveConversationId: `(the Missive conversation of ${commentId}, known once its ${plan.conversation.commentRoute === 'email' ? 'email is found' : 'SMS are in'})`,
      },
      { organization: target.organization, placement: choices.placement, commentMode: choices.commentMode },
    );
    preview.commentConversationId = commentId;
    preview.comment = post?.body ?? null;
  }
  return preview;
}

async function firstWith(
  store: ExportStore,
  ids: readonly string[],
  choices: PlanChoices,
  test: (plan: ConversationPlan) => boolean,
): Promise<string | null> {
  for (const id of ids) {
    const data = await readConversation(store, id);
    if (test(planConversation(data.conversation, data.messages, data.comments, choices))) return id;
  }
  return null;
}
