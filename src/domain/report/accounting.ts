/**
 * Report accounting: the first pass over the items. It counts every item once, per kind and per
 * inbox, groups skipped items by reason and failed ones by error text, and keeps the first
 * failures for the HTML summary. Only counters and capped lists are kept, never the items.
 *
 * Two passes, by design: the JSON report puts `totals` before `items`, so the caller runs
 * ReportTotalsAccumulator over the items first, then streams the same items again through
 * reportJsonChunks / reportCsvChunks. Both passes must see the same items in the same order
 * (the same store snapshot); reportJsonChunks checks this and says so in the file.
 */
import { FLAGS, SKIP_REASONS } from '../import/reasons.ts';
import type { ItemKind, ItemStatus } from '../model.ts';
import { HashedKeySet } from './hashed-key-set.ts';
import { redactSecrets } from './redact.ts';
import { assertKnownKindAndStatus } from './sanitize.ts';
import {
  ITEM_KINDS,
  type CommentAttachmentsNotImported,
  type InboxTotals,
  type KindTotals,
  type ReasonGroup,
  type RejectedDuplicate,
  type ReportFailure,
  type ReportItem,
  type ReportSummary,
  type ReportTotals,
} from './types.ts';

export const NO_REASON_GIVEN = '(no reason given)';
export const NO_ERROR_TEXT = '(no error text)';
/** Where reasons go once maxReasonGroups distinct reasons exist, so a flood of unique texts stays small. */
export const OTHER_REASONS = '(other reasons)';
/** Error texts can be whole HTML pages; the summary keeps their start (the JSON keeps them whole). */
const MAX_KEPT_TEXT_LENGTH = 1000;

export function emptyKindTotals(): KindTotals {
  return { found: 0, imported: 0, skipped: 0, failed: 0, pending: 0 };
}

/** Totals with every kind present (zeros included), so readers get a stable shape. */
export function emptyReportTotals(): ReportTotals {
  const totals = {} as ReportTotals;
  for (const kind of ITEM_KINDS) totals[kind] = emptyKindTotals();
  return totals;
}

export function cloneReportTotals(totals: ReportTotals): ReportTotals {
  const copy = {} as ReportTotals;
  for (const kind of ITEM_KINDS) copy[kind] = { ...totals[kind] };
  return copy;
}

/** Counts one item of this kind and status: found, and exactly one status. */
export function countItem(totals: ReportTotals, kind: ItemKind, status: ItemStatus): void {
  const kindTotals = totals[kind];
  kindTotals.found += 1;
  kindTotals[status] += 1;
}

export interface AccountingViolation {
  kind: ItemKind;
  message: string;
}

/**
 * Checks found = imported + skipped + failed + pending for each kind. With `foundInExport` (the
 * ingest's own object counts), also checks that every object found in the export has an item.
 */
export function accountingIdentityViolations(
  totals: ReportTotals,
  foundInExport?: Partial<Record<ItemKind, number>>,
): AccountingViolation[] {
  const violations: AccountingViolation[] = [];
  for (const kind of ITEM_KINDS) {
    const { found, imported, skipped, failed, pending } = totals[kind];
    const accounted = imported + skipped + failed + pending;
    if (found !== accounted) {
      violations.push({
        kind,
        message: `${kind}: found ${found} ≠ imported ${imported} + skipped ${skipped} + failed ${failed} + pending ${pending} (= ${accounted})`,
      });
    }
    const expected = foundInExport?.[kind];
    if (expected !== undefined && expected !== found) {
      violations.push({ kind, message: `${kind}: ${expected} found in the export, ${found} in the report` });
    }
  }
  return violations;
}

export class AccountingIdentityError extends Error {
  constructor(readonly violations: AccountingViolation[]) {
    super(`Report accounting does not add up: ${violations.map((v) => v.message).join('; ')}`);
    this.name = 'AccountingIdentityError';
  }
}

/** Throws AccountingIdentityError when accountingIdentityViolations finds anything. */
export function assertAccountingIdentity(
  totals: ReportTotals,
  foundInExport?: Partial<Record<ItemKind, number>>,
): void {
  const violations = accountingIdentityViolations(totals, foundInExport);
  if (violations.length > 0) throw new AccountingIdentityError(violations);
}

export interface ReportAccumulatorOptions {
  /** Strings to redact from every reason and error text (the Missive token). */
  secrets?: readonly string[];
  /** Failures kept with their text for the HTML summary; the rest are only counted. Default 1,000. */
  maxFailuresListed?: number;
  /** Distinct reasons kept per group list; further reasons fall into OTHER_REASONS. Default 500. */
  maxReasonGroups?: number;
  /** Front IDs kept as examples per reason. Default 3. */
  maxExamplesPerReason?: number;
  /** Comments whose attachment names are kept for the summary. Default 1,000. */
  maxCommentAttachmentsListed?: number;
  /**
   * Reject a second item with the same kind and Front ID (every Front object appears exactly once).
   * Costs ~16 bytes per item (see HashedKeySet). Default true.
   */
  rejectDuplicates?: boolean;
}

export type AddOutcome = 'counted' | 'duplicate';

/** Takes items one by one (first pass) and yields totals, per-inbox totals and grouped reasons. */
export class ReportTotalsAccumulator {
  private readonly totalsByKind = emptyReportTotals();
  private readonly totalsByInbox = new Map<string | null, ReportTotals>();
  private readonly skipped: ReasonGroups;
  private readonly failed: ReasonGroups;
  private readonly flagged: ReasonGroups;
  private readonly failures: ReportFailure[] = [];
  private failuresNotListed = 0;
  private readonly commentAttachments: CommentAttachmentsNotImported[] = [];
  private commentAttachmentsNotListed = 0;
  private emailsOnMailServer = 0;
  private conversationsOver400Sms = 0;
  private commentsWithFiles = 0;
  private readonly seenKeys: HashedKeySet | null;
  private readonly duplicates = new Map<string, RejectedDuplicate>();
  private readonly secrets: readonly string[];
  private readonly maxFailuresListed: number;
  private readonly maxCommentAttachmentsListed: number;

  constructor(options: ReportAccumulatorOptions = {}) {
    this.secrets = options.secrets ?? [];
    this.maxFailuresListed = options.maxFailuresListed ?? 1000;
    this.maxCommentAttachmentsListed = options.maxCommentAttachmentsListed ?? 1000;
    const maxGroups = options.maxReasonGroups ?? 500;
    const maxExamples = options.maxExamplesPerReason ?? 3;
    this.skipped = new ReasonGroups(maxGroups, maxExamples);
    this.failed = new ReasonGroups(maxGroups, maxExamples);
    this.flagged = new ReasonGroups(maxGroups, maxExamples);
    this.seenKeys = options.rejectDuplicates === false ? null : new HashedKeySet();
  }

  /** Counts the item, unless it repeats one already counted (then it is recorded as a duplicate). */
  add(item: ReportItem): AddOutcome {
    assertKnownKindAndStatus(item);
    if (this.isDuplicate(item)) return 'duplicate';

    countItem(this.totalsByKind, item.kind, item.status);
    countItem(this.inboxTotals(item.inbox ?? null), item.kind, item.status);

    if (item.status === 'skipped') {
      this.skipped.add(this.redact(item.reason) ?? NO_REASON_GIVEN, item.kind, item.frontId);
    } else if (item.status === 'failed') {
      this.recordFailure(item);
    }
    for (const flag of item.flags ?? []) {
      const note = this.redact(flag);
      if (note !== undefined) this.flagged.add(note, item.kind, item.frontId);
    }
    this.countByDesignCases(item);
    return 'counted';
  }

  /** A copy of the totals so far (usable for a partial report at any time). */
  get totals(): ReportTotals {
    return cloneReportTotals(this.totalsByKind);
  }

  summary(): ReportSummary {
    return {
      totals: this.totals,
      perInbox: this.perInbox(),
      skippedByReason: this.skipped.list(),
      failedByReason: this.failed.list(),
      flagged: this.flagged.list(),
      failures: this.failures.map((failure) => ({ ...failure })),
      failuresNotListed: this.failuresNotListed,
      commentAttachments: this.commentAttachments.map((entry) => ({ ...entry, names: [...entry.names] })),
      commentAttachmentsNotListed: this.commentAttachmentsNotListed,
      emailsOnMailServer: this.emailsOnMailServer,
      conversationsOver400Sms: this.conversationsOver400Sms,
      commentsWithFiles: this.commentsWithFiles,
      duplicates: [...this.duplicates.values()].map((duplicate) => ({ ...duplicate })),
    };
  }

  private isDuplicate(item: ReportItem): boolean {
    if (this.seenKeys === null) return false;
    const key = itemKey(item);
    if (this.seenKeys.add(key)) return false;
    const duplicate = this.duplicates.get(key);
    if (duplicate) duplicate.occurrences += 1;
    else this.duplicates.set(key, { kind: item.kind, frontId: item.frontId, occurrences: 1 });
    return true;
  }

  private inboxTotals(inbox: string | null): ReportTotals {
    let totals = this.totalsByInbox.get(inbox);
    if (!totals) {
      totals = emptyReportTotals();
      this.totalsByInbox.set(inbox, totals);
    }
    return totals;
  }

  private recordFailure(item: ReportItem): void {
    const error = this.redact(item.reason) ?? NO_ERROR_TEXT;
    this.failed.add(error, item.kind, item.frontId);
    if (this.failures.length >= this.maxFailuresListed) {
      this.failuresNotListed += 1;
      return;
    }
    this.failures.push({
      kind: item.kind,
      frontId: item.frontId,
      frontConversationId: item.frontConversationId,
      inbox: item.inbox ?? null,
      subject: this.redact(item.subject) ?? null,
      error,
    });
  }

  /** What the HTML's "not imported by design" section needs: counts and comment file names. */
  private countByDesignCases(item: ReportItem): void {
    if (item.kind === 'email' && item.status === 'skipped' && item.reason === SKIP_REASONS.emailSynced) {
      this.emailsOnMailServer += 1;
    }
    if (item.kind === 'conversation' && item.flags?.includes(FLAGS.over400Sms))
      this.conversationsOver400Sms += 1;
    if (item.kind !== 'comment') return;
    const hasNames = (item.attachmentsNotImported?.length ?? 0) > 0;
    if (hasNames || item.flags?.includes(FLAGS.commentFilesListed)) this.commentsWithFiles += 1;
    if (hasNames) this.recordCommentAttachments(item);
  }

  private recordCommentAttachments(item: ReportItem): void {
    if (this.commentAttachments.length >= this.maxCommentAttachmentsListed) {
      this.commentAttachmentsNotListed += 1;
      return;
    }
    this.commentAttachments.push({
      frontId: item.frontId,
      frontConversationId: item.frontConversationId,
      names: (item.attachmentsNotImported ?? []).map((name) => redactSecrets(name, this.secrets)),
    });
  }

  private perInbox(): InboxTotals[] {
    return [...this.totalsByInbox.entries()]
      .map(([inbox, totals]) => ({ inbox, totals: cloneReportTotals(totals) }))
      .sort((a, b) => compareInboxNames(a.inbox, b.inbox));
  }

  /** Redacted first, then shortened: cutting first could leave half a token readable. */
  private redact(text: string | undefined): string | undefined {
    if (text === undefined || text.trim() === '') return undefined;
    const redacted = redactSecrets(text, this.secrets);
    return redacted.length <= MAX_KEPT_TEXT_LENGTH
      ? redacted
      : `${redacted.slice(0, MAX_KEPT_TEXT_LENGTH - 1)}…`;
  }
}

/** Identity of an item across both passes: the same kind and Front ID is the same object. */
export function itemKey(item: Pick<ReportItem, 'kind' | 'frontId'>): string {
  return `${item.kind}\u0000${item.frontId}`;
}

/**
 * Second-pass filter: drops the occurrences the accumulator rejected as duplicates (it keeps the
 * first), so the items written match the totals. Remembers only the duplicated keys.
 */
export async function* withoutRejectedDuplicates(
  items: AsyncIterable<ReportItem> | Iterable<ReportItem>,
  duplicates: readonly RejectedDuplicate[],
): AsyncGenerator<ReportItem> {
  const duplicatedKeys = new Set(duplicates.map(itemKey));
  const alreadyWritten = new Set<string>();
  for await (const item of items) {
    if (duplicatedKeys.size > 0) {
      const key = itemKey(item);
      if (duplicatedKeys.has(key)) {
        if (alreadyWritten.has(key)) continue;
        alreadyWritten.add(key);
      }
    }
    yield item;
  }
}

function compareInboxNames(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1; // "(no inbox)" last
  if (b === null) return -1;
  return a.localeCompare(b, 'en', { sensitivity: 'base' }) || (a < b ? -1 : 1);
}

/** Items grouped by one text (a skip reason or an error text), capped in distinct texts. */
class ReasonGroups {
  private readonly groups = new Map<string, ReasonGroup>();

  constructor(
    private readonly maxGroups: number,
    private readonly maxExamples: number,
  ) {}

  add(reason: string, kind: ItemKind, frontId: string): void {
    const group = this.groups.get(reason) ?? this.newGroup(reason);
    group.count += 1;
    group.byKind[kind] = (group.byKind[kind] ?? 0) + 1;
    if (group.examples.length < this.maxExamples) group.examples.push(frontId);
  }

  /** Largest groups first; copies, so later additions do not change them. */
  list(): ReasonGroup[] {
    return [...this.groups.values()]
      .map((group) => ({ ...group, byKind: { ...group.byKind }, examples: [...group.examples] }))
      .sort((a, b) => b.count - a.count || (a.reason < b.reason ? -1 : a.reason > b.reason ? 1 : 0));
  }

  private newGroup(reason: string): ReasonGroup {
    const overflowing = this.groups.size >= this.maxGroups;
    const key = overflowing ? OTHER_REASONS : reason;
    const existing = this.groups.get(key);
    if (existing) return existing;
    const group: ReasonGroup = { reason: key, count: 0, byKind: {}, examples: [] };
    this.groups.set(key, group);
    return group;
  }
}
