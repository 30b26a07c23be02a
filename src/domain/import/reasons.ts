/**
 * Every reason and flag text the import can attach to an item. One place, exact strings: the
 * plan, the engine, the ledger and the report all use these constants, so a report can group by
 * reason and a test can compare texts.
 */

export const SKIP_REASONS = {
  deletedConversation: 'deleted in Front (include deleted conversations to import it)',
  commentOnlyConversation: 'comment-only conversation: no email or SMS to attach it to',
  emailSynced: 'emails are synced by Missive from your mail server',
  emailRelayed: 'email exists only in Front: relay mode copies it to your mailbox, not the API import',
  otherMessage: 'not an SMS or an email: the Missive API cannot import this message type',
  draft: 'draft in Front: never sent, so not imported',
  noMessageId:
    'the export has no Message-ID for the emails of this conversation: the comment cannot be placed',
  nothingToSend: 'nothing to send to Missive: no SMS and no comment that can be placed',
  skippedUnknown: 'skipped by you: Missive could not tell whether it had arrived',
} as const;

/** Reasons an item stays pending after a run; a later run tries again. */
export const PENDING_REASONS = {
  emailNotInMissive: 'email not in Missive yet (is the account connected with All history?)',
  smsConversationUnknown:
    'the Missive conversation of these SMS is not known yet (Missive answered without an ID); it is looked up before posting',
  blockedByBrowser: 'the browser blocked the request (CORS): nothing was sent',
  filesNotAvailable:
    'its files are in an export .zip not dropped in this tab: drop the export files again (step 1), then resume',
  outcomeUnknown:
    'sent, but Missive could not tell whether it arrived: choose to send it again, count it as imported, or skip it',
  smsNotInMissive: 'the SMS of this conversation are not in Missive: nothing to attach the comment to',
  closedBeforeReopenKnown:
    'the Missive conversation is closed, and how a post treats a closed conversation is not observed yet: run a trial (it observes it), then resume',
  conversationStateUnreadable: 'the Missive conversation could not be read to check whether it is closed',
} as const;

/** Notes on items that are imported, but not exactly as they were in Front. */
export const FLAGS = {
  over400Sms: 'more than 400 SMS: imported in full; Missive continues long conversations in a new one',
  smsTruncated: 'SMS text too long: truncated',
  fileMissing: 'file not in the export',
  fileTooLarge: 'file too large for one Missive request (10 MB including base64 encoding)',
  filesSplit: 'files sent over several messages of the same conversation (10 MB per request)',
  commentSplit: 'comment too long for one post: split over several posts',
  commentFilesListed: 'comment files listed by name only (Missive posts cannot carry files)',
} as const;

export type SkipReason = (typeof SKIP_REASONS)[keyof typeof SKIP_REASONS];
export type PendingReason = (typeof PENDING_REASONS)[keyof typeof PENDING_REASONS];
export type Flag = (typeof FLAGS)[keyof typeof FLAGS];
