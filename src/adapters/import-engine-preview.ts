/**
 * The preview on the Plan step: one SMS conversation and one comment post exactly as Missive will
 * receive them, with the values only known later (the label to create, the Missive conversation ID)
 * and the file contents shown as placeholders, said so in `notes`.
 */
import {
  commentPostPayloads,
  planSmsParts,
  smsMessagePayload,
  type EncodedFile,
  type MessagesRequestBody,
  type SmsPart,
} from '../domain/import/missive-payloads.ts';
import { planConversation, type ConversationPlan, type PlanChoices } from '../domain/import/plan.ts';
import { readConversation, type ExportReader } from './import-engine-export.ts';
import {
  importTarget,
  planChoices,
  type PlanPassOptions,
  type PlanPassResult,
} from './import-engine-plan.ts';
import { DEFAULT_IMPORT_LABEL_NAME, type PlanPreview, type PlanRequest } from './import-engine-types.ts';

/** SMS requests shown in the preview. */
const PREVIEW_SMS = 5;

const PLACEHOLDER_ACCOUNT = '(your SMS custom channel account ID)';

function placeholderFiles(part: SmsPart): EncodedFile[] {
  return part.attachments.map((file) => ({
    filename: file.filename,
    base64: `(base64 of ${file.filename}, ${file.size.toLocaleString('en-US')} bytes, read from the export when sending)`,
  }));
}

/** The preview, from the trial's conversations (else the first with SMS, or with comments). */
export async function buildPreview(
  store: ExportReader,
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
      { organization: target.organization, reopen: false, commentMode: choices.commentMode },
    );
    preview.commentConversationId = commentId;
    preview.comment = post?.body ?? null;
  }
  return preview;
}

async function firstWith(
  store: ExportReader,
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
