/**
 * The contract between the pure Front parsing domain (src/domain/front/) and the ingest pipeline
 * (zip reading, IndexedDB store, worker). The pipeline walks zip entries and calls these functions;
 * the domain never touches zip.js, IndexedDB or the DOM.
 */
import type {
  Comment,
  Contact,
  Conversation,
  Inbox,
  Message,
  Teammate,
  UnrecognizedEntry,
} from '../model.ts';

/** What the pipeline should do with an entry, decided from its path and size alone. */
export type EntryAction =
  | { action: 'parse-json' }
  /** An .eml file: read its header block (the first 64 KiB suffice) and call parseEmlHeaders. */
  | { action: 'read-eml-headers'; frontMessageId: string | null }
  /** Attachment bytes: not inflated at ingest, only referenced. */
  | { action: 'attachment'; frontMessageId: string | null; filename: string }
  /** Folders, `__MACOSX/`, `.DS_Store`, `progress.log`: ignored silently (counted, not reported). */
  | { action: 'ignore'; reason: string }
  /** Anything else: reported as unrecognised with this reason. */
  | { action: 'unrecognized'; reason: string };

export interface EntryInfo {
  /** Source zip file name as dropped. */
  source: string;
  path: string;
  uncompressedSize: number;
  directory: boolean;
  encrypted: boolean;
}

/** One Front object found in a JSON entry, already normalised to the model. */
export type ParsedObject =
  | { type: 'conversation'; conversation: Conversation }
  | { type: 'message'; message: Message }
  | { type: 'comment'; comment: Comment }
  | { type: 'inbox'; inbox: Inbox }
  | { type: 'channel'; channel: { id: string; type: string; inboxFrontId: string | null; name: string } }
  | { type: 'teammate'; teammate: Teammate }
  | { type: 'contact'; contact: Contact };

export interface ParsedEntry {
  objects: ParsedObject[];
  /** Problems inside the entry (malformed JSON, an object with no known ID prefix, ...). */
  unrecognized: UnrecognizedEntry[];
}

export interface EmlHeaders {
  messageId: string | null;
  inReplyTo: string | null;
  references: string[];
}
