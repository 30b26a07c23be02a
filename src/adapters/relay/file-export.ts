/**
 * The download for any other (IMAP) account, email-relay.md §4: one mboxrd file per marked inbox, or
 * one zip of `.eml` files (a folder per inbox), streamed as they are built. Thunderbird with
 * ImportExportTools NG reads either; the user then copies the messages into the IMAP account.
 *
 * Bytes go to a {@link ByteSink}: a file the user picked (File System Access API, written as it goes)
 * or, where the browser has no such API, a Blob assembled in parts and saved at the end.
 */
import { Uint8ArrayReader, ZipWriter } from '@zip.js/zip.js';
import type { Inbox } from '../../domain/model.ts';
import { emlFileName, encodeMboxrdMessage } from '../../domain/relay/index.ts';
import { safePathSegment } from '../../domain/relay/file-name.ts';
import { concatBytes } from '../../domain/relay/bytes.ts';
import type { ExportFiles } from './export-files.ts';
import type { RelayLedger } from './ledger.ts';
import { buildOutgoing } from './outgoing.ts';
import {
  loadRelayConversation,
  markedInboxes,
  relayConversationIds,
  type RelayChoices,
  type RelayStore,
} from './relay-source.ts';
import type { OutgoingEmail } from './target.ts';
import type { TargetAccount } from './types.ts';

export interface ByteSink {
  write(chunk: Uint8Array): Promise<void>;
  close(): Promise<void>;
  abort(reason: unknown): Promise<void>;
}

/** Parts are folded into a Blob every this many bytes: the browser may keep Blob data on disk. */
const BLOB_PART_BYTES = 16 * 1024 * 1024;

/** Collects the download as a Blob (browsers without `showSaveFilePicker`). */
export class BlobSink implements ByteSink {
  readonly #type: string;
  #parts: BlobPart[] = [];
  #pending: Uint8Array[] = [];
  #pendingBytes = 0;
  #blob: Blob | null = null;

  constructor(type: string) {
    this.#type = type;
  }

  async write(chunk: Uint8Array): Promise<void> {
    this.#pending.push(chunk);
    this.#pendingBytes += chunk.length;
    if (this.#pendingBytes >= BLOB_PART_BYTES) this.#fold();
  }

  async close(): Promise<void> {
    this.#fold();
    this.#blob = new Blob(this.#parts, { type: this.#type });
    this.#parts = [];
  }

  async abort(): Promise<void> {
    this.#parts = [];
    this.#pending = [];
  }

  get blob(): Blob | null {
    return this.#blob;
  }

  #fold(): void {
    if (this.#pending.length === 0) return;
    this.#parts.push(new Blob(this.#pending as Uint8Array<ArrayBuffer>[]));
    this.#pending = [];
    this.#pendingBytes = 0;
  }
}

/** Bytes gathered before one write to the picked file: each write is a round trip to the browser. */
const FILE_WRITE_BYTES = 1024 * 1024;

/** Writes into a file the user picked (a FileSystemWritableFileStream), in chunks of about 1 MiB. */
export class StreamSink implements ByteSink {
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  #pending: Uint8Array[] = [];
  #pendingBytes = 0;

  constructor(stream: WritableStream<Uint8Array>) {
    this.#writer = stream.getWriter();
  }

  async write(chunk: Uint8Array): Promise<void> {
    this.#pending.push(chunk);
    this.#pendingBytes += chunk.length;
    if (this.#pendingBytes >= FILE_WRITE_BYTES) await this.#flush();
  }

  async close(): Promise<void> {
    await this.#flush();
    await this.#writer.close();
  }

  async abort(reason: unknown): Promise<void> {
    this.#pending = [];
    await this.#writer.abort(reason).catch(() => undefined);
  }

  async #flush(): Promise<void> {
    if (this.#pending.length === 0) return;
    const chunk = this.#pending.length === 1 ? this.#pending[0]! : concatBytes(this.#pending);
    this.#pending = [];
    this.#pendingBytes = 0;
    await this.#writer.write(chunk);
  }
}

export type ExportRequest = { kind: 'mbox'; inboxKey: string } | { kind: 'eml' };

export interface ExportProgress {
  emails: number;
  total: number;
  bytes: number;
}

export interface ExportResult {
  fileName: string;
  emails: number;
  bytes: number;
}

export interface ExportDeps {
  store: RelayStore;
  files: ExportFiles;
  ledger: RelayLedger;
  choices: RelayChoices;
  signal?: AbortSignal;
  onProgress?: (progress: ExportProgress) => void;
}

/** The ledger account a download is recorded under (the report says where the email went). */
export function fileTarget(request: ExportRequest, inboxName: string | null): TargetAccount {
  if (request.kind === 'mbox') {
    return {
      key: `files:mbox:${request.inboxKey}`,
      kind: 'files',
      label: `mbox download ${mboxFileName(inboxName ?? request.inboxKey)} (for an IMAP account)`,
    };
  }
  return { key: 'files:eml', kind: 'files', label: '.eml zip download (for an IMAP account)' };
}

export function mboxFileName(inboxName: string): string {
  return `${safePathSegment(inboxName, 'Inbox')}.mbox`;
}

export const EML_ZIP_NAME = 'front-emails.zip';

/** Which emails a download holds: each conversation goes to its first marked inbox, never twice. */
async function* emailsToExport(deps: ExportDeps, request: ExportRequest) {
  const inboxes = await markedInboxes(deps.store);
  const byKey = new Map(inboxes.map((inbox) => [inbox.key, inbox]));
  for (const id of await relayConversationIds(deps.store, inboxes)) {
    if (deps.signal?.aborted) throw deps.signal.reason ?? new Error('aborted');
    const relay = await loadRelayConversation(deps.store, id, byKey, deps.choices);
    if (!relay || relay.emails.length === 0) continue;
    const inbox: Inbox = relay.inboxes[0]!;
    if (request.kind === 'mbox' && inbox.key !== request.inboxKey) continue;
    for (const message of relay.emails) {
      const built = await buildOutgoing(
        message,
        relay.conversation,
        relay.threads.get(message.id)!,
        deps.files,
      );
      if (built.kind === 'files-missing') throw new FilesMissingError(built.sourceIds);
      yield { message, conversation: relay.conversation, inbox, email: built.email };
    }
  }
}

export class FilesMissingError extends Error {
  constructor(readonly sourceIds: string[]) {
    super(`Drop these export files again first: ${sourceIds.map((id) => id.split('|')[0]).join(', ')}`);
    this.name = 'FilesMissingError';
  }
}

/** What the ledger keeps of an exported email (never its bytes). */
function ledgerEntry(email: OutgoingEmail, remoteId: string) {
  return {
    frontId: email.frontId,
    conversationId: email.conversationId,
    messageId: email.messageId,
    remoteId,
  };
}

/** Writes the download into `sink`, closes it, and records every email in it in the ledger. */
export async function exportEmails(
  deps: ExportDeps,
  request: ExportRequest,
  sink: ByteSink,
  total: number,
): Promise<ExportResult> {
  const inboxes = await markedInboxes(deps.store);
  const inboxName =
    request.kind === 'mbox' ? (inboxes.find((i) => i.key === request.inboxKey)?.name ?? null) : null;
  const fileName = request.kind === 'mbox' ? mboxFileName(inboxName ?? request.inboxKey) : EML_ZIP_NAME;
  const recorded: { frontId: string; conversationId: string; messageId: string; remoteId: string }[] = [];
  let bytes = 0;
  const counting: ByteSink = {
    write: async (chunk) => {
      bytes += chunk.length;
      await sink.write(chunk);
    },
    close: () => sink.close(),
    abort: (reason) => sink.abort(reason),
  };
  const progress = () => deps.onProgress?.({ emails: recorded.length, total, bytes });
  try {
    if (request.kind === 'mbox') {
      for await (const { email } of emailsToExport(deps, request)) {
        await counting.write(encodeMboxrdMessage({ raw: email.raw, date: email.createdAt }));
        recorded.push(ledgerEntry(email, fileName));
        progress();
      }
      await counting.close();
    } else {
      const zip = new ZipWriter(
        new WritableStream<Uint8Array>({
          write: (chunk) => counting.write(chunk),
          close: () => counting.close(),
        }),
        { useWebWorkers: false, level: 6 },
      );
      const used = new Set<string>();
      for await (const { message, conversation, inbox, email } of emailsToExport(deps, request)) {
        let name = emlFileName(message, conversation, inbox.name);
        // The Front ID makes names unique; a shared conversation could still meet itself.
        for (let n = 2; used.has(name); n++) name = name.replace(/(?:~\d+)?\.eml$/, `~${n}.eml`);
        used.add(name);
        await zip.add(name, new Uint8ArrayReader(email.raw), { lastModDate: new Date(email.createdAt) });
        recorded.push(ledgerEntry(email, `${fileName}/${name}`));
        progress();
      }
      await zip.close();
    }
  } catch (error) {
    await sink.abort(error);
    throw error;
  }
  const target = fileTarget(request, inboxName);
  await deps.ledger.putTarget(target, fileName);
  await deps.ledger.recordDone(target.key, recorded);
  return { fileName, emails: recorded.length, bytes };
}
