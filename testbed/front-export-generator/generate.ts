/**
 * Deterministic Front export generator: several zips laid out like Front's JSON export (see
 * layout.ts), plus `manifest.json`, the ground truth tests compare the importer against.
 *
 * Same seed + same options => byte-identical zips: all content comes from seeded streams, zip
 * entries carry a fixed timestamp and are written in a fixed order, and "how big is it so far"
 * (target size mode) is measured on conversations whose compression has settled, never on
 * whatever the disk happens to have received.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { buildConversation, type BuildSettings, type BuiltConversation } from './conversation-builder.ts';
import { poolFiller } from './binary-files.ts';
import type { FrontConversation } from './front-types.ts';
import { junkEntries, malformedJsonEntry, orphanMessageEntry } from './hard-case-files.ts';
import {
  arrayVariantListEntries,
  conversationEntries,
  conversationFolder,
  metaEntries,
  placementsFor,
  sortEntries,
  type ExportEntry,
} from './layout.ts';
import { ManifestBuilder, type ExportManifest } from './manifest.ts';
import { ConversationPlanner, type HardCases, type PlannedConversation } from './plan.ts';
import { Rng, randomBytePool } from './random.ts';
import { DEFAULT_INBOXES, buildWorld, type InboxSpec, type World, type WorldInbox } from './world.ts';
import { StreamingZipWriter } from './zip-writer.ts';

export { DEFAULT_HARD_CASES, type HardCases } from './plan.ts';
export { DEFAULT_INBOXES, type InboxSpec } from './world.ts';
export type { ExportManifest, InboxCounts, ManifestFile, OrphanFile, UnrecognizedFile } from './manifest.ts';

export interface GeneratorOptions {
  /** Created if missing. Zips are named `front-export-<seed>-<n>.zip`; `manifest.json` sits beside them. */
  outDir: string;
  /** Default 1. */
  seed?: number;
  /** Conversations to generate (a minimum when `targetBytes` is set). */
  conversations: number;
  /** Zip files to spread the export over (default 2). */
  zips?: number;
  /** Default: Support (smtp), Sales (gmail), SMS Line (twilio), Jane Doe (gmail, private), Équipe Café ☕ (smtp). */
  inboxes?: InboxSpec[];
  /** Write `export/_meta/{inboxes,channels,teammates,tags}.json` (default true). */
  includeChannelObjects?: boolean;
  /** `.eml` beside each email message (default true). */
  includeEml?: boolean;
  /** Attachment bytes under `attachments/{msg id}/{filename}` (default true). */
  includeAttachments?: boolean;
  hardCases?: HardCases;
  /** Keep adding conversations until the zips reach about this many bytes. */
  targetBytes?: number;
  onProgress?: (progress: { conversations: number; bytes: number }) => void;
}

export interface GeneratedExport {
  /** Absolute paths of the zips, in order. */
  files: string[];
  manifest: ExportManifest;
}

/** Conversations whose compressed size may still be pending when deciding to stop (target size mode). */
const SIZE_LAG_CONVERSATIONS = 32;
/** Incompressible filler shared by all binary attachments (see randomBytePool). */
const FILLER_POOL_BYTES = 8 * 1024 * 1024;
const PROGRESS_EVERY_CONVERSATIONS = 50;

interface ResolvedOptions {
  outDir: string;
  seed: number;
  conversations: number;
  zips: number;
  inboxes: InboxSpec[];
  includeChannelObjects: boolean;
  settings: BuildSettings;
  hardCases: HardCases;
  targetBytes: number;
  onProgress: GeneratorOptions['onProgress'];
}

export async function generateFrontExport(options: GeneratorOptions): Promise<GeneratedExport> {
  const config = resolveOptions(options);
  await mkdir(config.outDir, { recursive: true });
  const world = buildWorld(config.seed, config.inboxes);
  // Planned (and validated) before any zip file is opened.
  const planner = new ConversationPlanner(
    world,
    config.seed,
    config.conversations,
    config.zips,
    config.hardCases,
  );
  const zipNames = Array.from({ length: config.zips }, (_, n) => `front-export-${config.seed}-${n + 1}.zip`);
  const sink = new ZipSink(config.outDir, zipNames, world.exportedAt);
  const run = new GenerationRun(config, world, planner, sink);
  try {
    await run.writeAll();
  } catch (error) {
    await sink.abandon();
    throw error;
  }
  const closed = await sink.close();
  const manifest = run.manifest.manifest;
  manifest.files = closed.map((result, n) => ({
    name: zipNames[n] as string,
    size: result.size,
    entries: result.entries,
  }));
  await writeFile(join(config.outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  config.onProgress?.({
    conversations: manifest.conversations,
    bytes: closed.reduce((sum, r) => sum + r.size, 0),
  });
  return { files: zipNames.map((name) => join(config.outDir, name)), manifest };
}

function resolveOptions(options: GeneratorOptions): ResolvedOptions {
  const seed = options.seed ?? 1;
  const zips = options.zips ?? 2;
  if (!Number.isInteger(seed)) throw new Error(`seed must be an integer, got ${seed}`);
  if (!Number.isInteger(zips) || zips < 1) throw new Error(`zips must be a positive integer, got ${zips}`);
  if (!Number.isInteger(options.conversations) || options.conversations < 1) {
    throw new Error(`conversations must be a positive integer, got ${options.conversations}`);
  }
  const inboxes = options.inboxes ?? DEFAULT_INBOXES;
  if (inboxes.length === 0) throw new Error('at least one inbox is needed');
  return {
    outDir: resolve(options.outDir),
    seed,
    conversations: options.conversations,
    zips,
    inboxes,
    includeChannelObjects: options.includeChannelObjects ?? true,
    settings: {
      includeEml: options.includeEml ?? true,
      includeAttachments: options.includeAttachments ?? true,
    },
    hardCases: options.hardCases ?? {},
    targetBytes: options.targetBytes ?? 0,
    onProgress: options.onProgress,
  };
}

/** One generation: walks the conversations, routes their files to the zips and keeps the manifest. */
class GenerationRun {
  readonly manifest: ManifestBuilder;
  private readonly root: Rng;
  private readonly pool: Buffer;
  private readonly arrayLists = new Map<WorldInbox, FrontConversation[]>();
  private readonly pendingSizes: Promise<number>[] = [];
  private settledBytes = 0;
  private malformedWritten = 0;
  private replyOnlyThreads = 0;

  constructor(
    private readonly config: ResolvedOptions,
    private readonly world: World,
    private readonly planner: ConversationPlanner,
    private readonly sink: ZipSink,
  ) {
    this.manifest = new ManifestBuilder(
      config.seed,
      config.inboxes.map((inbox) => inbox.name),
    );
    this.root = new Rng(config.seed);
    this.pool = randomBytePool(config.seed, FILLER_POOL_BYTES);
  }

  async writeAll(): Promise<void> {
    if (this.config.includeChannelObjects) {
      await this.write(metaEntries(this.world));
      // Inboxes, channels and teammates are used by the import; tags are not.
      this.manifest.addUnusedObjects('tag', this.world.tags.length);
    }
    for (let index = 0; this.wantsMore(index); index++) {
      await this.writeConversation(this.planner.planFor(index));
      await this.settleOldSizes();
      if (index % PROGRESS_EVERY_CONVERSATIONS === 0) {
        this.config.onProgress?.({
          conversations: this.manifest.manifest.conversations,
          bytes: this.settledBytes,
        });
      }
    }
    await this.write(arrayVariantListEntries(this.world, this.arrayLists));
    if (this.config.hardCases.junkEntries) await this.writeJunk();
  }

  private wantsMore(index: number): boolean {
    if (index < this.config.conversations) return true;
    return this.config.targetBytes > 0 && this.settledBytes < this.config.targetBytes;
  }

  private async writeConversation(plan: PlannedConversation): Promise<void> {
    const rng = this.root.fork(`conversation:${plan.index}`);
    const built = buildConversation(
      this.world,
      plan,
      rng,
      poolFiller(this.pool, rng.fork('filler')),
      this.config.settings,
    );
    if (this.replyOnlyThreads < (this.config.hardCases.replyOnlyThreads ?? 0) && keepReplyIdsOnly(built)) {
      this.replyOnlyThreads++;
      this.manifest.manifest.hardCaseConversations.replyOnly.push(built.conversation.id);
    }
    const placements = placementsFor(plan, this.config.zips);
    const arrayVariant = plan.role === 'arrayVariant';
    const entries = placements.flatMap((placement) => conversationEntries(built, placement, arrayVariant));
    if (arrayVariant) this.listInArrayFile(plan.inboxes[0], built.conversation);
    entries.push(...this.malformedFiles(built, plan));
    await this.write(entries);
    this.manifest.addConversation(built);
    for (let k = 0; k < plan.orphansAfter; k++) await this.writeOrphan(plan, k);
  }

  private listInArrayFile(inbox: WorldInbox | undefined, conversation: FrontConversation): void {
    if (!inbox) return;
    const list = this.arrayLists.get(inbox) ?? [];
    list.push(conversation);
    this.arrayLists.set(inbox, list);
  }

  private malformedFiles(built: BuiltConversation, plan: PlannedConversation): ExportEntry[] {
    const [placement] = placementsFor(plan, this.config.zips);
    if (!placement || plan.malformedFiles === 0) return [];
    const folder = conversationFolder(placement.inbox, built.conversation.id);
    const entries: ExportEntry[] = [];
    for (let k = 0; k < plan.malformedFiles; k++) {
      const entry = malformedJsonEntry(
        this.world,
        built.messages[0],
        folder,
        placement.conversationZip,
        this.malformedWritten++,
      );
      this.manifest.addUnrecognized(this.sink.nameOf(entry.zip), entry.path, 'malformed-json');
      entries.push(entry);
    }
    return entries;
  }

  /** A message of a throwaway conversation: its conversation object is never written anywhere. */
  private async writeOrphan(plan: PlannedConversation, k: number): Promise<void> {
    const rng = this.root.fork(`orphan:${plan.index}:${k}`);
    const throwaway: PlannedConversation = {
      ...plan,
      role: 'regular',
      inboxes: plan.inboxes.slice(0, 1),
      tinyComments: 0,
      attachmentsWithoutBytes: 0,
      malformedFiles: 0,
      orphansAfter: 0,
    };
    const built = buildConversation(
      this.world,
      throwaway,
      rng,
      poolFiller(this.pool, rng.fork('filler')),
      this.config.settings,
    );
    const [message] = built.messages;
    const [inbox] = throwaway.inboxes;
    if (!message || !inbox) return;
    const entry = orphanMessageEntry(message, inbox, built.conversation.id, plan.index % this.config.zips);
    this.manifest.addOrphanMessage(
      this.sink.nameOf(entry.zip),
      entry.path,
      message,
      built.conversation.id,
      inbox.spec.name,
    );
    await this.write([entry]);
  }

  private async writeJunk(): Promise<void> {
    const rng = this.root.fork('junk');
    for (let zip = 0; zip < this.config.zips; zip++) {
      const entries = junkEntries(
        rng,
        this.world,
        zip,
        this.config.zips,
        this.sink.firstConversationFile(zip),
      );
      for (const entry of entries) this.manifest.addIgnored(this.sink.nameOf(zip), entry.path);
      await this.write(entries);
    }
  }

  private async write(entries: ExportEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const sizes = await this.sink.write(entries);
    const batch = Promise.all(sizes).then((all) => all.reduce((sum, size) => sum + size, 0));
    // The last batches are never awaited; a failure surfaces from close() instead.
    batch.catch(() => undefined);
    this.pendingSizes.push(batch);
  }

  /** Counts the sizes of all but the most recent batches: deterministic, and never stalls the pipeline. */
  private async settleOldSizes(): Promise<void> {
    while (this.pendingSizes.length > SIZE_LAG_CONVERSATIONS) {
      this.settledBytes += await (this.pendingSizes.shift() as Promise<number>);
    }
  }
}

/** The zips being written, with the directory entries a zipper walking the export folder would add. */
class ZipSink {
  private readonly writers: StreamingZipWriter[];
  /** `export/` and inbox-level folders already added, per zip. Deeper folders are only ever written in one batch. */
  private readonly topFolders: Set<string>[];
  private readonly firstConversationFiles: (string | null)[];

  constructor(
    outDir: string,
    private readonly names: string[],
    modifiedAt: Date,
  ) {
    this.writers = names.map((name) => new StreamingZipWriter(join(outDir, name), { modifiedAt }));
    this.topFolders = names.map(() => new Set<string>());
    this.firstConversationFiles = names.map(() => null);
  }

  nameOf(zip: number): string {
    return this.names[zip] as string;
  }

  firstConversationFile(zip: number): string | null {
    return this.firstConversationFiles[zip] ?? null;
  }

  /** Queues entries (and their folders) in directory-walk order; resolves with each entry's size promise. */
  async write(entries: ExportEntry[]): Promise<Promise<number>[]> {
    const sizes: Promise<number>[] = [];
    const batchFolders = new Set<string>();
    for (const entry of sortEntries(entries)) {
      const writer = this.writers[entry.zip];
      if (!writer) throw new Error(`no zip number ${entry.zip}`);
      for (const folder of parentFolders(entry.path)) {
        const known = folderDepth(folder) <= 2 ? this.topFolders[entry.zip] : batchFolders;
        const key = known === batchFolders ? `${entry.zip}:${folder}` : folder;
        if (!known || known.has(key)) continue;
        known.add(key);
        await writer.waitForRoom();
        sizes.push(writer.addDirectory(folder));
      }
      await writer.waitForRoom();
      sizes.push(writer.add(entry.path, entry.data, { compress: entry.compress }));
      if (this.firstConversationFiles[entry.zip] === null && /\/(cnv_[^/]+)\/\1\.json$/.test(entry.path)) {
        this.firstConversationFiles[entry.zip] = entry.path;
      }
    }
    return sizes;
  }

  async close(): Promise<{ size: number; entries: number }[]> {
    return Promise.all(this.writers.map((writer) => writer.close()));
  }

  async abandon(): Promise<void> {
    await Promise.allSettled(this.writers.map((writer) => writer.close()));
  }
}

/** "export/Support/cnv_1/attachments/msg_2/a.pdf" -> ["export/", "export/Support/", ...]. */
function parentFolders(path: string): string[] {
  const parts = path.split('/');
  const folders: string[] = [];
  for (let i = 1; i < parts.length; i++) folders.push(`${parts.slice(0, i).join('/')}/`);
  return folders;
}

function folderDepth(folder: string): number {
  return folder.split('/').length - 1;
}

/**
 * The reply-only hard case: a regular email conversation of two emails or more loses every
 * Message-ID the export would carry (its `.eml` files, `metadata.headers.message_id`); each reply
 * keeps `in_reply_to`, its parent's Message-ID. False (nothing changed) for other conversations.
 */
function keepReplyIdsOnly(built: BuiltConversation): boolean {
  const emails = built.messages.filter((m) => m.kind === 'email' && m.messageId);
  if (built.plan.role !== 'regular' || emails.length < 2 || emails.length !== countEmails(built))
    return false;
  emails.forEach((email, i) => {
    const parent = emails[i - 1]?.messageId;
    email.json.metadata = parent ? { headers: { in_reply_to: parent } } : {};
    email.eml = null;
  });
  return true;
}

function countEmails(built: BuiltConversation): number {
  return built.messages.filter((m) => m.kind === 'email').length;
}
