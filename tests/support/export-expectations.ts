/**
 * What the Export summary must show for a generated export, derived from the generator's manifest (the
 * ground truth, counted while generating, never by parsing the zips). Shared by the unit test that ingests
 * a generated export in Node and the end-to-end test that reads the numbers off the page.
 */
import type { ExportManifest, InboxCounts } from '../../testbed/front-export-generator/generate.ts';

/** Summary rows by their `data-testid` suffix (`summary-<id>`), with the value the page must show. */
export function expectedSummaryRows(manifest: ExportManifest): Record<string, number> {
  return {
    conversations: manifest.conversations,
    'missing-conversations': manifest.missingConversations,
    sms: manifest.sms,
    emails: manifest.emails,
    'other-messages': manifest.otherMessages,
    comments: manifest.comments,
    'eligible-comments': manifest.eligibleComments,
    'ineligible-comments': manifest.ineligibleComments,
    attachments: manifest.attachments,
    'attachments-with-bytes': manifest.attachmentsWithBytes,
    'attachments-missing': manifest.attachments - manifest.attachmentsWithBytes,
    deleted: manifest.deletedConversations,
    'comment-only': manifest.commentOnlyConversations,
    'over-sms-limit': manifest.conversationsOver400Sms.length,
    'unused-objects': Object.values(manifest.unusedObjects).reduce((sum, count) => sum + count, 0),
    ignored: manifest.ignored.length,
    unrecognized: manifest.unrecognized.length,
  };
}

/** Per inbox display name: conversations, SMS, emails, other messages, comments. */
export function expectedInboxes(manifest: ExportManifest): Record<string, InboxCounts> {
  // Inboxes the export never uses are listed with zero counts, like the page does.
  return Object.fromEntries(Object.entries(manifest.perInbox).sort(([a], [b]) => a.localeCompare(b)));
}
