/**
 * The four ways a message reaches users.messages.import (https://developers.google.com/gmail/api/guides/uploads):
 * `uploadType=multipart` (JSON metadata + message/rfc822), `uploadType=media` (bytes only),
 * `uploadType=resumable` (a session, then the bytes) and the metadata URI with `{raw: base64url}`.
 * Each is decoded to the same ImportPayload; the mailbox does the rest.
 */
import { GmailApiError, invalidArgument } from './google-errors.ts';
import { mediaType } from './http-io.ts';
import { MultipartError, boundaryOf, parseMultipart, type MimePart } from './multipart.ts';
import type { UploadForm } from './types.ts';

export interface ImportMetadata {
  labelIds: string[];
  threadId: string | null;
}

export interface ImportPayload extends ImportMetadata {
  raw: Buffer;
  uploadForm: UploadForm;
}

/** Room for the JSON metadata part and multipart framing around the message. */
export const METADATA_SLACK_BYTES = 1024 * 1024;

/** Fields of Gmail's Message resource; Google refuses unknown names in a JSON body. */
const MESSAGE_FIELDS = new Set([
  'id',
  'threadId',
  'labelIds',
  'snippet',
  'historyId',
  'internalDate',
  'payload',
  'sizeEstimate',
  'raw',
  'classificationLabelValues',
]);

const MISSING_MESSAGE = "'raw' RFC822 payload message string or uploading message via /upload/* URL required";

export function tooLargeForUpload(limit: number): GmailApiError {
  return new GmailApiError(
    413,
    `Request Entity Too Large: the message is over ${limit} bytes`,
    'uploadTooLarge',
  );
}

export function tooLargeForJson(limit: number): GmailApiError {
  return invalidArgument(`Request payload size exceeds the limit: ${limit} bytes.`);
}

export function decodeMultipart(
  body: Buffer,
  contentType: string | undefined,
  maxMessageBytes: number,
): ImportPayload {
  if (mediaType(contentType) !== 'multipart/related') {
    throw invalidArgument(
      `uploadType=multipart needs Content-Type multipart/related (got ${contentType ?? 'none'})`,
    );
  }
  const boundary = boundaryOf(contentType);
  if (!boundary) throw invalidArgument('multipart/related without a boundary parameter');
  const [metadataPart, mediaPart, ...extra] = parseParts(body, boundary);
  if (!metadataPart || !mediaPart || extra.length > 0) {
    throw invalidArgument('a multipart upload holds exactly 2 parts: the JSON metadata, then the message');
  }
  if (mediaType(metadataPart.headers.get('content-type')) !== 'application/json') {
    throw invalidArgument('the first part must be the JSON metadata (Content-Type: application/json)');
  }
  checkMessageMediaType(mediaPart.headers.get('content-type'));
  if (mediaPart.body.length > maxMessageBytes) throw tooLargeForUpload(maxMessageBytes);
  const metadata = parseMetadata(metadataPart.body);
  return { ...metadata, raw: requireBytes(mediaPart.body), uploadForm: 'multipart' };
}

/** uploadType=media: the body is the message; labels and thread cannot travel with it. */
export function decodeMedia(body: Buffer, contentType: string | undefined): ImportPayload {
  checkMessageMediaType(contentType);
  return { labelIds: [], threadId: null, raw: requireBytes(body), uploadForm: 'media' };
}

/** The metadata URI: `{raw, labelIds, threadId}`; proto3 JSON accepts base64 and base64url. */
export function decodeJsonRaw(body: Buffer, maxMessageBytes: number): ImportPayload {
  const json = parseJsonObject(body);
  const metadata = metadataFrom(json);
  if (typeof json.raw !== 'string' || json.raw === '') throw invalidArgument(MISSING_MESSAGE);
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(json.raw)) {
    throw invalidArgument("Invalid value at 'message.raw' (TYPE_BYTES), Base64 decoding failed");
  }
  const raw = Buffer.from(json.raw, 'base64url');
  if (raw.length > maxMessageBytes) throw tooLargeForJson(maxMessageBytes);
  return { ...metadata, raw, uploadForm: 'json-raw' };
}

/** Body of a resumable session's first request: the metadata, possibly empty. */
export function decodeResumableStart(body: Buffer, uploadContentType: string | undefined): ImportMetadata {
  if (uploadContentType !== undefined) checkMessageMediaType(uploadContentType);
  return body.length === 0 ? { labelIds: [], threadId: null } : parseMetadata(body);
}

export function checkMessageMediaType(contentType: string | undefined): void {
  const type = mediaType(contentType);
  if (!type.startsWith('message/')) {
    throw new GmailApiError(
      400,
      `Media type '${type || 'none'}' is not supported. Valid media types: [message/*]`,
      'badContent',
    );
  }
}

function parseParts(body: Buffer, boundary: string): MimePart[] {
  try {
    return parseMultipart(body, boundary);
  } catch (error) {
    if (error instanceof MultipartError) throw invalidArgument(`Malformed multipart body: ${error.message}`);
    throw error;
  }
}

function requireBytes(raw: Buffer): Buffer {
  if (raw.length === 0) throw invalidArgument(MISSING_MESSAGE);
  return raw;
}

function parseMetadata(body: Buffer): ImportMetadata {
  return metadataFrom(parseJsonObject(body));
}

function parseJsonObject(body: Buffer): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw invalidArgument('Invalid JSON payload received. Unexpected token.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw invalidArgument('Invalid JSON payload received. Expected an object.');
  }
  return parsed as Record<string, unknown>;
}

function metadataFrom(json: Record<string, unknown>): ImportMetadata {
  const unknown = Object.keys(json).find((name) => !MESSAGE_FIELDS.has(name));
  if (unknown !== undefined) {
    throw invalidArgument(`Invalid JSON payload received. Unknown name "${unknown}": Cannot find field.`);
  }
  const { labelIds, threadId } = json;
  const validLabels =
    labelIds === undefined || (Array.isArray(labelIds) && labelIds.every((id) => typeof id === 'string'));
  if (!validLabels) throw invalidArgument("Invalid value at 'message.label_ids': expected a list of strings");
  if (threadId !== undefined && threadId !== null && typeof threadId !== 'string') {
    throw invalidArgument("Invalid value at 'message.thread_id': expected a string");
  }
  return {
    labelIds: (labelIds as string[] | undefined) ?? [],
    threadId: (threadId as string | null | undefined) ?? null,
  };
}
