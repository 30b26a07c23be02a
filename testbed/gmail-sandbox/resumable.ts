/**
 * Resumable upload sessions (https://developers.google.com/gmail/api/guides/uploads#resumable):
 * a POST with the metadata opens a session whose URI comes back in `Location`; PUTs to that URI
 * send the bytes, whole or in `Content-Range` chunks (308 "Resume Incomplete" until the last).
 * The session URI itself authorises the PUTs.
 */
import { GmailApiError, invalidArgument, notFound } from './google-errors.ts';
import type { ImportMetadata } from './import-request.ts';

export interface UploadSession {
  id: string;
  metadata: ImportMetadata;
  /** The opening request's query (internalDateSource, neverMarkSpam, …), applied at the end. */
  params: URLSearchParams;
  declaredLength: number | null;
  chunks: Buffer[];
  received: number;
  /** The session expired before its bytes came: PUTs get this status (404 or 410). */
  expiredStatus: 404 | 410 | null;
}

export type ChunkOutcome = { complete: true; raw: Buffer } | { complete: false; received: number };

export class UploadSessions {
  #sessions = new Map<string, UploadSession>();

  open(
    id: string,
    metadata: ImportMetadata,
    params: URLSearchParams,
    declaredLength: number | null,
    expiredStatus: 404 | 410 | null = null,
  ): UploadSession {
    const session: UploadSession = {
      id,
      metadata,
      params,
      declaredLength,
      chunks: [],
      received: 0,
      expiredStatus,
    };
    this.#sessions.set(id, session);
    return session;
  }

  get(id: string | null): UploadSession {
    const session = id === null ? undefined : this.#sessions.get(id);
    if (!session) throw notFound('No such upload session (upload_id unknown or already finished).');
    if (session.expiredStatus !== null) {
      this.#sessions.delete(session.id);
      throw new GmailApiError(
        session.expiredStatus,
        'The upload session has expired: start a new one.',
        session.expiredStatus === 404 ? 'notFound' : 'gone',
      );
    }
    return session;
  }

  /** Adds one PUT's bytes; `contentRange` absent means the body is the whole message. */
  put(session: UploadSession, body: Buffer, contentRange: string | undefined): ChunkOutcome {
    const range = parseContentRange(contentRange, body.length, session);
    if (range.first !== null && range.first !== session.received) {
      throw invalidArgument(
        `Content-Range starts at ${range.first}, but ${session.received} bytes were received`,
      );
    }
    session.chunks.push(body);
    session.received += body.length;
    const total = range.total ?? session.declaredLength;
    if (total !== null && session.received > total)
      throw invalidArgument('More bytes than the declared length');
    if (total === null || session.received < total) return { complete: false, received: session.received };
    this.#sessions.delete(session.id);
    return { complete: true, raw: Buffer.concat(session.chunks) };
  }

  clear(): void {
    this.#sessions.clear();
  }
}

// Forms: "bytes 0-524287/2000000", "bytes 0-524287/*" (total unknown), "bytes */2000000" (a status query).
function parseContentRange(
  header: string | undefined,
  bodyLength: number,
  session: UploadSession,
): { first: number | null; total: number | null } {
  if (header === undefined) return { first: null, total: session.received + bodyLength };
  const match = /^bytes (?:(\d+)-(\d+)|\*)\/(\d+|\*)$/.exec(header.trim());
  if (!match) throw invalidArgument(`Invalid Content-Range: ${header}`);
  const total = match[3] === '*' ? null : Number(match[3]);
  if (match[1] === undefined) return { first: null, total };
  const first = Number(match[1]);
  if (Number(match[2]) - first + 1 !== bodyLength) {
    throw new GmailApiError(400, 'Content-Range does not match the body length', 'badRequest');
  }
  return { first, total };
}
