/**
 * What leaves the app in a report: items and header rebuilt field by field (so a stray property on
 * a stored object can never ride along), every free-text string redacted.
 */
import type { ItemKind } from '../model.ts';
import { redactOptional, redactSecrets } from './redact.ts';
import { ITEM_KINDS, ITEM_STATUSES, type ReportHeader, type ReportItem } from './types.ts';

const KNOWN_KINDS: ReadonlySet<string> = new Set(ITEM_KINDS);
const KNOWN_STATUSES: ReadonlySet<string> = new Set(ITEM_STATUSES);

/** A copy of the item with only the report's fields, in the report's order, free text redacted. */
export function sanitizeReportItem(item: ReportItem, secrets: readonly string[]): ReportItem {
  assertKnownKindAndStatus(item);
  const safe: ReportItem = {
    kind: item.kind,
    frontId: item.frontId,
    frontConversationId: item.frontConversationId ?? null,
    status: item.status,
  };
  if (item.reason !== undefined) safe.reason = redactSecrets(item.reason, secrets);
  if (item.missiveConversationId !== undefined) safe.missiveConversationId = item.missiveConversationId;
  if (item.missivePostId !== undefined) safe.missivePostId = item.missivePostId;
  if (item.inbox !== undefined) safe.inbox = redactSecrets(item.inbox, secrets);
  if (item.subject !== undefined) safe.subject = redactSecrets(item.subject, secrets);
  if (item.target !== undefined) safe.target = redactSecrets(item.target, secrets);
  if (item.flags?.length) safe.flags = [...item.flags];
  if (item.attachmentsNotImported?.length) {
    safe.attachmentsNotImported = item.attachmentsNotImported.map((name) => redactSecrets(name, secrets));
  }
  return safe;
}

/** A copy of the header with free text redacted and the API base stripped of credentials. */
export function sanitizeReportHeader(header: ReportHeader, secrets: readonly string[]): ReportHeader {
  const safe: ReportHeader = {
    startedAt: header.startedAt,
    finishedAt: header.finishedAt,
    missive: {
      apiBase: redactSecrets(withoutCredentials(header.missive.apiBase), secrets),
      organization:
        header.missive.organization === null ? null : redactSecrets(header.missive.organization, secrets),
    },
    sources: header.sources.map((source) => ({
      name: redactSecrets(source.name, secrets),
      size: source.size,
      entries: source.entries,
      unrecognized: source.unrecognized.map((file) => ({
        path: redactSecrets(file.path, secrets),
        reason: redactSecrets(file.reason, secrets),
      })),
    })),
  };
  const generatedAt = redactOptional(header.generatedAt, secrets);
  if (generatedAt !== undefined) safe.generatedAt = generatedAt;
  return safe;
}

/**
 * A custom API base (a forwarding proxy) might carry credentials in its user info or query string;
 * the report keeps only origin and path.
 */
export function withoutCredentials(apiBase: string): string {
  let url: URL;
  try {
    url = new URL(apiBase);
  } catch {
    return apiBase;
  }
  if (!url.username && !url.password && !url.search && !url.hash) return apiBase;
  return `${url.origin}${url.pathname}`;
}

export function assertKnownKindAndStatus(item: { kind: ItemKind; status: string }): void {
  // Items come back from IndexedDB untyped; a stray value would silently break the identity.
  if (!KNOWN_KINDS.has(item.kind)) throw new TypeError(`Unknown report item kind: ${String(item.kind)}`);
  if (!KNOWN_STATUSES.has(item.status)) {
    throw new TypeError(`Unknown report item status: ${String(item.status)}`);
  }
}
