/**
 * The lines of the Export summary table, in order: one place that names each number (its `data-testid`
 * is `summary-<id>`), so tests can check every line against a generated export's manifest.
 */
import type { ExportSummary, UnusedObjectKind } from '../../domain/front/contract.ts';
import { formatCount } from './format.ts';

export interface SummaryRow {
  id: string;
  label: string;
  value: number;
  note?: string;
}

export function summaryRows(summary: ExportSummary): SummaryRow[] {
  return [
    { id: 'conversations', label: 'Conversations', value: summary.conversations },
    {
      id: 'missing-conversations',
      label: 'Conversations referenced but not found (drop the other zips?)',
      value: summary.missingConversations,
      note:
        'Messages or comments name these conversations, whose own file is not in the files dropped so far ' +
        '(it may be in a zip not dropped yet). Their messages and comments are counted below.',
    },
    { id: 'sms', label: 'SMS', value: summary.sms },
    { id: 'emails', label: 'Emails', value: summary.emails },
    {
      id: 'other-messages',
      label: 'Other messages (chat, WhatsApp, calls, …)',
      value: summary.otherMessages,
    },
    { id: 'drafts', label: 'Drafts (among the messages)', value: summary.drafts },
    { id: 'comments', label: 'Comments', value: summary.comments },
    {
      id: 'eligible-comments',
      label: 'Comments eligible for import',
      value: summary.eligibleComments,
      note: 'Their conversation holds at least one email or SMS.',
    },
    {
      id: 'ineligible-comments',
      label: 'Comments not eligible',
      value: summary.notEligibleComments,
      note: 'Their conversation has no email or SMS.',
    },
    { id: 'attachments', label: 'Attachments', value: summary.attachments.total },
    {
      id: 'attachments-with-bytes',
      label: 'Attachments with their file in the export',
      value: summary.attachments.withBytes,
    },
    {
      id: 'attachments-missing',
      label: 'Attachments without their file',
      value: summary.attachments.missingBytes,
      note: 'Only listed in the JSON: the file itself is not in the export (ask Front to include attachments).',
    },
    { id: 'deleted', label: 'Deleted conversations', value: summary.deletedConversations },
    { id: 'comment-only', label: 'Comment-only conversations', value: summary.commentOnlyConversations },
    { id: 'empty-conversations', label: 'Empty conversations', value: summary.emptyConversations },
    { id: 'emails-with-message-id', label: 'Emails with a Message-ID', value: summary.emailsWithMessageId },
    {
      id: 'emails-without-message-id',
      label: 'Emails without a Message-ID',
      value: summary.emailsWithoutMessageId,
    },
    {
      id: 'email-conversations-by-message-id',
      label: 'Email conversations found in Missive by Message-ID',
      value: summary.emailConversationsLocatable.byMessageId,
    },
    {
      id: 'email-conversations-by-in-reply-to',
      label: 'Email conversations found only through a reply’s In-Reply-To',
      value: summary.emailConversationsLocatable.byInReplyToOnly,
      note: 'No email of theirs has a Message-ID, but a reply names its parent’s (In-Reply-To or References).',
    },
    {
      id: 'email-conversations-not-locatable',
      label: 'Email conversations that cannot be found in Missive',
      value: summary.emailConversationsLocatable.notLocatable,
      note: 'No Message-ID at all: their comments are skipped (unless their inbox is relayed).',
    },
    {
      id: 'over-sms-limit',
      label: 'Conversations over 400 SMS',
      value: summary.conversationsOverSmsLimit.count,
      note: 'Missive starts a new conversation past 400 messages.',
    },
    {
      id: 'unused-objects',
      label: 'Front objects not used by the import',
      value: summary.unusedObjects.total,
      note: describeUnusedKinds(summary.unusedObjects.kinds),
    },
    {
      id: 'ignored',
      label: 'Ignored entries',
      value: summary.ignoredEntries,
      note: 'System and exporter files (__MACOSX, .DS_Store, progress.log, …): nothing to import.',
    },
    { id: 'unrecognized', label: 'Unrecognised entries', value: summary.unrecognized.total },
  ];
}

/** `12 tags, 1 link`: what the unused Front objects are. */
export function describeUnusedKinds(kinds: readonly UnusedObjectKind[]): string {
  return kinds.map(({ kind, count }) => `${formatCount(count)} ${plural(kind, count)}`).join(', ');
}

function plural(kind: string, count: number): string {
  if (count === 1) return kind;
  return kind.endsWith('s') ? `${kind}es` : `${kind}s`;
}
