/** Relay mode, message side: build or pass through each email, thread it, and write mbox/.eml files. */
export { buildRfc5322, resolveAttachments, resolveAttachmentsAsync, UNKNOWN_SENDER } from './rfc5322.ts';
export type {
  AttachmentSource,
  BuildOptions,
  BuiltEmail,
  OmittedAttachment,
  ResolvedAttachment,
} from './rfc5322.ts';
export {
  DERIVED_MESSAGE_ID_DOMAIN,
  derivedMessageId,
  normaliseMessageId,
  relayMessageId,
  sortOldestFirst,
  threadHeaders,
} from './threading.ts';
export type { ThreadContext } from './threading.ts';
export type { MailboxAddress } from './addresses.ts';
export { passThroughEml } from './pass-through.ts';
export {
  createMboxrdEncoderStream,
  encodeMboxrd,
  encodeMboxrdAsync,
  encodeMboxrdMessage,
  readMboxrd,
} from './mbox.ts';
export type { MboxEntry } from './mbox.ts';
export { emlFileName } from './file-name.ts';
export { htmlToText, textToHtml } from './html-text.ts';
