/**
 * Decides, before anything is written, which conversation carries which hard case and which
 * inbox folders each conversation lives in. Hard-case conversations are exclusive (a deleted
 * conversation is not also split) so each case can be checked on its own.
 */
import type { ConversationPlan, ConversationRole } from './conversation-builder.ts';
import { Rng } from './random.ts';
import type { World, WorldInbox } from './world.ts';

export interface HardCases {
  /** Conversations present in two inbox folders (identical copies, in different zips when there are several). */
  sharedAcrossInboxes?: number;
  /** Conversations whose conversation, messages and comments files are in different zips (needs zips >= 2). */
  splitAcrossZips?: number;
  /** Conversations with status "deleted". */
  deleted?: number;
  /** Conversations of type "discussion": comments, no messages. */
  commentOnly?: number;
  /** Truncated or otherwise invalid `.json` files, placed among real ones. */
  malformedJson?: number;
  /** `__MACOSX/` entries, `.DS_Store`, `Thumbs.db` and `progress.log` files. */
  junkEntries?: boolean;
  /** Emails with bodies of several MB. */
  largeBodies?: number;
  /** Extra one-word comments, one small file each, to stress the entry count. */
  tinyFiles?: number;
  /** Conversations listed in a per-inbox array file, with `{"_results": [...]}` message envelopes. */
  arrayVariant?: number;
  /** One SMS conversation with more than 400 SMS. */
  longSmsConversation?: boolean;
  /** Messages whose conversation appears nowhere in the export. */
  orphanMessages?: number;
  /** Attachment objects whose bytes are missing although attachments were requested (extension). */
  missingAttachmentBytes?: number;
  /**
   * Email conversations (two emails or more) exported without any Message-ID (no `.eml`, none in the
   * JSON): only each reply's `metadata.headers.in_reply_to` names its parent's. The first such
   * conversations of the export are picked, so nothing else of the export changes.
   */
  replyOnlyThreads?: number;
}

/** A modest set of every hard case, for `--hard-cases`, demos and end-to-end tests. */
export const DEFAULT_HARD_CASES: Required<HardCases> = {
  sharedAcrossInboxes: 3,
  splitAcrossZips: 3,
  deleted: 3,
  commentOnly: 3,
  malformedJson: 4,
  junkEntries: true,
  largeBodies: 2,
  tinyFiles: 600,
  arrayVariant: 4,
  longSmsConversation: true,
  orphanMessages: 3,
  missingAttachmentBytes: 3,
  replyOnlyThreads: 2,
};

export interface ConversationPlanExtras {
  /** Invalid `.json` files to drop into this conversation's folder. */
  malformedFiles: number;
  /** Orphan messages to write right after this conversation. */
  orphansAfter: number;
}

export type PlannedConversation = ConversationPlan & ConversationPlanExtras;

const TINY_COMMENTS_PER_CONVERSATION = 250;

export class ConversationPlanner {
  private readonly roles = new Map<number, ConversationRole>();
  private readonly tinyComments = new Map<number, number>();
  private readonly missingBytes = new Map<number, number>();
  private readonly malformed = new Map<number, number>();
  private readonly orphans = new Map<number, number>();

  constructor(
    private readonly world: World,
    private readonly seed: number,
    conversations: number,
    zipCount: number,
    hardCases: HardCases,
  ) {
    validate(world, conversations, zipCount, hardCases);
    const rng = new Rng(seed).fork('plan');
    this.assignRoles(rng, conversations, hardCases);
    const regular = this.regularIndexes(conversations);
    spread(this.tinyComments, regular, hardCases.tinyFiles ?? 0, TINY_COMMENTS_PER_CONVERSATION);
    spread(this.missingBytes, [...regular].reverse(), hardCases.missingAttachmentBytes ?? 0, 1);
    spread(this.malformed, rng.sample(regular, regular.length), hardCases.malformedJson ?? 0, 1);
    spread(this.orphans, rng.sample(regular, regular.length), hardCases.orphanMessages ?? 0, 1);
  }

  /** The plan of conversation `index`; indexes past the requested count (target size mode) are regular. */
  planFor(index: number): PlannedConversation {
    const role = this.roles.get(index) ?? 'regular';
    const rng = new Rng(this.seed).fork(`inboxes:${index}`);
    return {
      index,
      role,
      inboxes: this.inboxesFor(role, rng),
      tinyComments: this.tinyComments.get(index) ?? 0,
      attachmentsWithoutBytes: this.missingBytes.get(index) ?? 0,
      malformedFiles: this.malformed.get(index) ?? 0,
      orphansAfter: this.orphans.get(index) ?? 0,
    };
  }

  private assignRoles(rng: Rng, conversations: number, hardCases: HardCases): void {
    const wanted: [ConversationRole, number][] = [
      ['shared', hardCases.sharedAcrossInboxes ?? 0],
      ['split', hardCases.splitAcrossZips ?? 0],
      ['deleted', hardCases.deleted ?? 0],
      ['commentOnly', hardCases.commentOnly ?? 0],
      ['arrayVariant', hardCases.arrayVariant ?? 0],
      ['largeBody', hardCases.largeBodies ?? 0],
      ['longSms', hardCases.longSmsConversation ? 1 : 0],
    ];
    const free = (): number => {
      for (;;) {
        const index = rng.int(0, conversations - 1);
        if (!this.roles.has(index)) return index;
      }
    };
    for (const [role, count] of wanted) for (let i = 0; i < count; i++) this.roles.set(free(), role);
  }

  private regularIndexes(conversations: number): number[] {
    const regular: number[] = [];
    for (let i = 0; i < conversations; i++) if (!this.roles.has(i)) regular.push(i);
    return regular;
  }

  private inboxesFor(role: ConversationRole, rng: Rng): WorldInbox[] {
    const inboxes = this.world.inboxes;
    const weightedPick = (from: WorldInbox[]): WorldInbox =>
      rng.weighted(from.map((inbox) => [inbox, inbox.weight] as const));
    const smsInboxes = inboxes.filter((inbox) => inbox.primaryKind === 'sms');
    const emailInboxes = inboxes.filter((inbox) => inbox.primaryKind === 'email');
    if (role === 'longSms') return [smsInboxes[0] ?? weightedPick(inboxes)];
    if (role === 'largeBody') return [weightedPick(emailInboxes.length > 0 ? emailInboxes : inboxes)];
    const home = weightedPick(inboxes);
    if (role !== 'shared') return [home];
    return [home, weightedPick(inboxes.filter((inbox) => inbox !== home))];
  }
}

/** Puts `total` units on the given indexes, at most `perIndex` each, spilling over when short of indexes. */
function spread(target: Map<number, number>, indexes: number[], total: number, perIndex: number): void {
  if (total <= 0 || indexes.length === 0) return;
  const used = Math.min(indexes.length, Math.max(1, Math.ceil(total / perIndex)));
  for (let k = 0; k < used; k++) {
    const share = Math.floor(total / used) + (k < total % used ? 1 : 0);
    const index = indexes[k] as number;
    target.set(index, (target.get(index) ?? 0) + share);
  }
}

function validate(world: World, conversations: number, zipCount: number, hardCases: HardCases): void {
  const exclusive =
    (hardCases.sharedAcrossInboxes ?? 0) +
    (hardCases.splitAcrossZips ?? 0) +
    (hardCases.deleted ?? 0) +
    (hardCases.commentOnly ?? 0) +
    (hardCases.arrayVariant ?? 0) +
    (hardCases.largeBodies ?? 0) +
    (hardCases.longSmsConversation ? 1 : 0);
  const needsRegular =
    (hardCases.tinyFiles ?? 0) > 0 ||
    (hardCases.malformedJson ?? 0) > 0 ||
    (hardCases.orphanMessages ?? 0) > 0 ||
    (hardCases.missingAttachmentBytes ?? 0) > 0;
  if (exclusive + (needsRegular ? 1 : 0) > conversations) {
    throw new Error(
      `${conversations} conversations cannot hold the ${exclusive} hard-case conversations requested`,
    );
  }
  if ((hardCases.splitAcrossZips ?? 0) > 0 && zipCount < 2)
    throw new Error('splitAcrossZips needs at least 2 zips');
  if ((hardCases.sharedAcrossInboxes ?? 0) > 0 && world.inboxes.length < 2) {
    throw new Error('sharedAcrossInboxes needs at least 2 inboxes');
  }
}
