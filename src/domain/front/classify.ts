/**
 * Decides what the pipeline does with a zip entry from its path and size alone, before any byte
 * is inflated. Layout-agnostic: only the file kind and `attachments`/`msg_…` folders matter.
 */
import type { EntryAction, EntryInfo } from './contract.ts';
import { enclosingMessageFolder, fileExtension, messageIdInFileName, splitPath } from './paths.ts';

/** JSON.parse needs the whole text in memory (and strings max out near 512 MiB in V8). */
export const MAX_JSON_ENTRY_BYTES = 256 * 1024 * 1024;

const ATTACHMENTS_FOLDER = 'attachments';
const MAC_METADATA_FOLDER = '__MACOSX';
const SYSTEM_FILES: ReadonlySet<string> = new Set(['.DS_Store', 'Thumbs.db', 'desktop.ini']);
const EXPORTER_LOGS: ReadonlySet<string> = new Set(['progress.log']);
const ARCHIVE_EXTENSIONS: ReadonlySet<string> = new Set(['zip', '7z', 'rar', 'tar', 'gz', 'tgz']);

const DIRECTORY: EntryAction = { action: 'directory' };
const IGNORE_MAC_METADATA: EntryAction = { action: 'ignore', reason: 'macOS metadata' };
const IGNORE_SYSTEM_FILE: EntryAction = { action: 'ignore', reason: 'system file' };
const IGNORE_EXPORTER_LOG: EntryAction = { action: 'ignore', reason: 'exporter log' };
const PARSE_JSON: EntryAction = { action: 'parse-json' };
const ENCRYPTED: EntryAction = {
  action: 'unrecognized',
  reason: 'encrypted entry: ask Front for an unencrypted export',
};
const CSV: EntryAction = {
  action: 'unrecognized',
  reason:
    'CSV file: this importer reads the JSON export only; ask Front support for the export in JSON format',
};

const MIB = 1024 * 1024;

function isJunk(segments: readonly string[], name: string): EntryAction | null {
  if (segments.includes(MAC_METADATA_FOLDER)) return IGNORE_MAC_METADATA;
  // `._name` files are AppleDouble resource forks that macOS adds next to real files.
  if (SYSTEM_FILES.has(name) || name.startsWith('._')) return IGNORE_SYSTEM_FILE;
  if (EXPORTER_LOGS.has(name)) return IGNORE_EXPORTER_LOG;
  return null;
}

function isUnderAttachmentsFolder(segments: readonly string[]): boolean {
  for (let i = segments.length - 2; i >= 0; i--) {
    if (segments[i]!.toLowerCase() === ATTACHMENTS_FOLDER) return true;
  }
  return false;
}

function classifyJson(size: number): EntryAction {
  if (size <= MAX_JSON_ENTRY_BYTES) return PARSE_JSON;
  const sizeMiB = Math.round(size / MIB);
  return {
    action: 'unrecognized',
    reason: `JSON entry too large: ${sizeMiB} MiB exceeds the ${MAX_JSON_ENTRY_BYTES / MIB} MiB a browser can parse at once`,
  };
}

export function classifyEntry(info: EntryInfo): EntryAction {
  if (info.directory || info.path.endsWith('/') || info.path.endsWith('\\')) return DIRECTORY;
  const segments = splitPath(info.path);
  const name = segments[segments.length - 1];
  if (name === undefined) return DIRECTORY;
  const junk = isJunk(segments, name);
  if (junk !== null) return junk;
  if (info.encrypted) return ENCRYPTED;

  // Everything under an attachments folder is attachment bytes, even a customer's .json or .eml
  // attachment: reading it as export data would lose the attachment and could mis-pair an .eml.
  if (isUnderAttachmentsFolder(segments)) {
    return { action: 'attachment', frontMessageId: enclosingMessageFolder(segments), filename: name };
  }
  const extension = fileExtension(name);
  switch (extension) {
    case 'json':
      return classifyJson(info.uncompressedSize);
    case 'eml':
      return {
        action: 'read-eml-headers',
        frontMessageId: messageIdInFileName(name) ?? enclosingMessageFolder(segments),
      };
    case 'csv':
      return CSV;
  }
  // Some exporters store attachment bytes in a `msg_…` folder without an `attachments` parent.
  const messageFolder = enclosingMessageFolder(segments);
  if (messageFolder !== null) return { action: 'attachment', frontMessageId: messageFolder, filename: name };
  if (ARCHIVE_EXTENSIONS.has(extension)) {
    return {
      action: 'unrecognized',
      reason: `nested archive: extract .${extension} files and add their contents as separate files`,
    };
  }
  return {
    action: 'unrecognized',
    reason:
      extension === ''
        ? 'unsupported file: no extension, outside any attachments folder'
        : `unsupported file: .${extension} outside any attachments folder`,
  };
}
