/**
 * The pure Front parsing domain: what the ingest pipeline calls for each zip entry, how records
 * met twice are merged, and the pre-flight Export summary. No DOM, IndexedDB, fetch or zip access.
 */
export type * from './contract.ts';
export { classifyEntry, MAX_JSON_ENTRY_BYTES } from './classify.ts';
export { parseJsonEntry, type JsonEntryContext } from './parse-json.ts';
export { parseEmlHeaders } from './eml.ts';
export { normalizeMessageId, parseMessageIdList } from './message-ids.ts';
export { toMillis } from './timestamps.ts';
export { messageKind, teammateName, UNKNOWN_AUTHOR } from './normalize.ts';
export { mergeComment, mergeConversation, mergeMessage, placeholderConversation } from './merge.ts';
export { channelTypesByInbox, looseInboxName, matchInboxFolders } from './inboxes.ts';
export {
  conversationIdFromPath,
  conversationInboxKeysFromPath,
  FOLDER_KEY_PREFIX,
  folderInboxKey,
  folderNameFromKey,
  inboxKeysFromPath,
} from './paths.ts';
export {
  createSummaryAccumulator,
  MISSIVE_MAX_MESSAGES_PER_CONVERSATION,
  reasonCategory,
} from './summary.ts';
export {
  estimateImportSeconds,
  MISSIVE_BURST_RATE_PER_SECOND,
  MISSIVE_REQUESTS_PER_WINDOW,
  MISSIVE_WINDOW_SECONDS,
} from './import-estimate.ts';
