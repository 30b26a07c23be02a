/**
 * A test bed for the import engine in Node: a generated Front export, indexed into a fake IndexedDB
 * by the real ingest pipeline, a ledger, and the Missive sandbox over HTTP with compressed windows.
 * Plus the ground truth, read from the zips independently of the importer's parser.
 */
import 'fake-indexeddb/auto';
import { BlobReader, TextWriter, ZipReader } from '@zip.js/zip.js';
import { File } from 'node:buffer';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { IngestPipeline } from '../../src/adapters/ingest-pipeline.ts';
import { ImportEngine, type EngineDeps } from '../../src/adapters/import-engine.ts';
import type { ImportProgress, RunRequest } from '../../src/adapters/import-engine-types.ts';
import { Ledger, type RunChoices } from '../../src/adapters/ledger.ts';
import { ExportStore } from '../../src/adapters/store.ts';
import { fingerprint, readEntryByPath, type SourceBlob } from '../../src/adapters/zip-source.ts';
import type { EntryRef } from '../../src/domain/model.ts';
import { generateFrontExport, type HardCases } from '../../testbed/front-export-generator/generate.ts';
import type { ExportManifest } from '../../testbed/front-export-generator/manifest.ts';
import {
  startMissiveSandbox,
  type MissiveSandbox,
  type SandboxOptions,
} from '../../testbed/missive-sandbox/server.ts';

/** Every hard case that concerns the import; orphans and huge bodies belong to the Load step's tests. */
export const IMPORT_HARD_CASES: HardCases = {
  sharedAcrossInboxes: 2,
  splitAcrossZips: 2,
  deleted: 2,
  commentOnly: 2,
  malformedJson: 1,
  junkEntries: true,
  arrayVariant: 2,
  missingAttachmentBytes: 1,
};

/** A time scale for tests: a minute lasts 300 ms (the 15-minute window 4.5 s). */
export const TEST_TIME_SCALE = 0.005;

export function compressedLimits(timeScale: number): SandboxOptions['limits'] {
  return { minuteMs: Math.round(60_000 * timeScale), fifteenMinutesMs: Math.round(900_000 * timeScale) };
}

export const DEFAULT_CHOICES: RunChoices = {
  includeDeleted: false,
  placement: 'closed',
  commentMode: 'per-comment',
  relayInboxKeys: [],
};

export interface GeneratedExport {
  paths: string[];
  manifest: ExportManifest;
}

const generated = new Map<string, Promise<GeneratedExport>>();

export function generate(
  seed: number,
  conversations: number,
  hardCases: HardCases = IMPORT_HARD_CASES,
): Promise<GeneratedExport> {
  const key = JSON.stringify([seed, conversations, hardCases]);
  let result = generated.get(key);
  if (!result) {
    const outDir = join(tmpdir(), `f2m-engine-${process.pid}-${generated.size}`);
    result = generateFrontExport({ outDir, seed, conversations, zips: 2, hardCases }).then((g) => ({
      paths: g.files,
      manifest: g.manifest,
    }));
    generated.set(key, result);
  }
  return result;
}

export async function asFiles(paths: readonly string[]): Promise<SourceBlob[]> {
  return Promise.all(
    paths.map(
      async (path) =>
        new File([await readFile(path)], basename(path), {
          lastModified: 1_700_000_000_000,
        }) as unknown as SourceBlob,
    ),
  );
}

// ---- Ground truth -------------------------------------------------------------------------------

export interface TruthConversation {
  id: string;
  deleted: boolean;
  /** SMS message IDs, oldest first. */
  sms: string[];
  emails: number;
  comments: string[];
}

export interface ExportTruth {
  conversations: Map<string, TruthConversation>;
  /** SMS Missive must receive exactly once (conversations not deleted). */
  expectedSms: Set<string>;
  /** Comments posted into the conversation of their SMS. */
  smsRouteComments: Set<string>;
  /** Comments that wait for their email to be in Missive. */
  emailRouteComments: Set<string>;
  /** Each SMS's text as Front's JSON holds it (`text`). */
  smsText: Map<string, string>;
}

function resultsOf(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  const results = (value as { _results?: unknown } | null)?._results;
  return Array.isArray(results) ? results : [value];
}

/** Reads the zips directly (not with the importer's parser): which SMS and comments exist where. */
export async function readTruth(paths: readonly string[]): Promise<ExportTruth> {
  const conversations = new Map<string, TruthConversation>();
  const get = (id: string) => {
    let c = conversations.get(id);
    if (!c) conversations.set(id, (c = { id, deleted: false, sms: [], emails: 0, comments: [] }));
    return c;
  };
  const smsTimes = new Map<string, number>();
  const smsText = new Map<string, string>();
  // Only the files the generator made malformed or junk on purpose may fail to parse (its
  // manifest.json lies beside the zips); any other parse failure is a broken premise, not a skip.
  const malformed = new Set<string>();
  for (const dir of new Set(paths.map((path) => dirname(path)))) {
    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as ExportManifest;
    for (const file of manifest.unrecognized) {
      if (file.reason === 'malformed-json') malformed.add(`${file.file}/${file.path}`);
    }
    for (const file of manifest.ignored) malformed.add(`${file.file}/${file.path}`);
  }
  for (const path of paths) {
    const reader = new ZipReader(new BlobReader(new Blob([await readFile(path)])));
    for (const entry of await reader.getEntries()) {
      if (entry.directory || !entry.filename.endsWith('.json') || entry.filename.includes('/_meta/'))
        continue;
      const folder = /^export\/[^/]+\/(cnv_[^/]+)\//.exec(entry.filename)?.[1] ?? null;
      let parsed: unknown;
      try {
        parsed = JSON.parse(await entry.getData!(new TextWriter()));
      } catch (error) {
        if (malformed.has(`${basename(path)}/${entry.filename}`)) continue;
        throw new Error(`readTruth: ${basename(path)}: ${entry.filename} is not valid JSON`, {
          cause: error,
        });
      }
      for (const object of resultsOf(parsed)) {
        const o = object as Record<string, unknown>;
        const id = typeof o?.id === 'string' ? o.id : '';
        if (id.startsWith('cnv_')) {
          if (o.status === 'deleted') get(id).deleted = true;
        } else if (id.startsWith('msg_') && folder) {
          const c = get(folder);
          if (o.type === 'sms' && !c.sms.includes(id)) {
            c.sms.push(id);
            smsTimes.set(id, Number(o.created_at));
            smsText.set(id, String(o.text ?? ''));
          } else if (o.type === 'email') c.emails++;
        } else if (id.startsWith('com_') && folder) {
          if (!get(folder).comments.includes(id)) get(folder).comments.push(id);
        }
      }
    }
    await reader.close();
  }
  const truth: ExportTruth = {
    conversations,
    expectedSms: new Set(),
    smsRouteComments: new Set(),
    emailRouteComments: new Set(),
    smsText,
  };
  for (const c of conversations.values()) {
    c.sms.sort((a, b) => smsTimes.get(a)! - smsTimes.get(b)! || (a < b ? -1 : 1));
    if (c.deleted) continue;
    for (const id of c.sms) truth.expectedSms.add(id);
    const into = c.sms.length > 0 ? truth.smsRouteComments : c.emails > 0 ? truth.emailRouteComments : null;
    for (const id of c.comments) into?.add(id);
  }
  return truth;
}

// ---- What the sandbox holds ---------------------------------------------------------------------

export interface Received {
  /** external_id (`msg_…`, `msg_…:part-n`) → how many Missive messages carry it. */
  sms: Map<string, number>;
  /** Comment marker (`com_…`, or `com_…, part k of n`) → how many posts carry it. */
  comments: Map<string, number>;
  /** Missive message external_ids per Missive conversation, in arrival order. */
  byConversation: Map<string, string[]>;
  /** Missive conversation of each post's comment markers. */
  postConversations: Map<string, string>;
}

function count(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

export function received(sandbox: MissiveSandbox): Received {
  const state = sandbox.snapshot();
  const result: Received = {
    sms: new Map(),
    comments: new Map(),
    byConversation: new Map(),
    postConversations: new Map(),
  };
  for (const message of state.messages) {
    if (!message.external_id) continue;
    count(result.sms, message.external_id);
    const list = result.byConversation.get(message.conversation) ?? [];
    list.push(message.external_id);
    result.byConversation.set(message.conversation, list);
  }
  for (const post of state.posts) {
    for (const block of post.attachments) {
      const footer = String((block as { footer?: unknown }).footer ?? '');
      if (!footer.startsWith('Front comment com_')) continue;
      const marker = footer.slice('Front comment '.length);
      count(result.comments, marker);
      result.postConversations.set(marker, post.conversation);
    }
  }
  return result;
}

/** Keys received more than once. */
export function duplicates(map: Map<string, number>): string[] {
  return [...map].filter(([, n]) => n > 1).map(([key]) => key);
}

/** Front IDs received at least once (SMS parts and comment chunks folded into their item). */
export function itemIds(map: Map<string, number>): Set<string> {
  return new Set(
    [...map.keys()].map((key) => key.replace(/:part-\d+$/, '').replace(/, part \d+ of \d+$/, '')),
  );
}

// ---- The bed ------------------------------------------------------------------------------------

export interface EngineBed {
  sandbox: MissiveSandbox;
  store: ExportStore;
  ledger: Ledger;
  files: Map<string, SourceBlob>;
  /** A new engine, as a reloaded page would create (same databases). */
  engine(deps?: Partial<EngineDeps>): ImportEngine;
  readFile(ref: EntryRef): Promise<Uint8Array | null>;
  request(mode: RunRequest['mode'], extra?: Partial<RunRequest>): RunRequest;
  /** Adds export files to the index (a newer export). */
  ingest(paths: readonly string[]): Promise<void>;
  /** Reopens the ledger (a new page after a crash) and returns it. */
  reopenLedger(): Promise<Ledger>;
  close(): Promise<void>;
}

let bedCount = 0;

export async function startEngineBed(
  paths: readonly string[],
  sandboxOptions: SandboxOptions = {},
  options: { timeScale?: number; choices?: Partial<RunChoices> } = {},
): Promise<EngineBed> {
  const timeScale = options.timeScale ?? TEST_TIME_SCALE;
  const sandbox = await startMissiveSandbox({ limits: compressedLimits(timeScale), ...sandboxOptions });
  const id = ++bedCount;
  const store = await ExportStore.open({ name: `engine-export-${process.pid}-${id}` });
  const ledgerName = `engine-ledger-${process.pid}-${id}`;
  let ledger = await Ledger.open({ name: ledgerName });
  const files = new Map<string, SourceBlob>();
  const ingest = async (list: readonly string[]) => {
    const blobs = await asFiles(list);
    for (const blob of blobs) files.set(fingerprint(blob), blob);
    await new IngestPipeline(store, { progressIntervalMs: 0 }).ingest(blobs);
  };
  await ingest(paths);
  const readFileFn = async (ref: EntryRef) => {
    const file = files.get(ref.source);
    return file ? readEntryByPath(file, ref.path) : null;
  };
  const bed: EngineBed = {
    sandbox,
    store,
    get ledger() {
      return ledger;
    },
    files,
    engine: (deps = {}) => new ImportEngine({ store, ledger, progressIntervalMs: 20, ...deps }),
    readFile: readFileFn,
    request: (mode, extra = {}) => ({
      token: sandbox.token,
      apiBase: sandbox.url,
      mode,
      timeScale,
      user: { id: sandbox.userId, name: 'Test', email: null },
      ...(mode === 'resume'
        ? {}
        : {
            plan: {
              choices: { ...DEFAULT_CHOICES, ...options.choices },
              target: {
                account: sandbox.accountId,
                organization: sandbox.organizationId,
                team: null,
                sharedLabelId: null,
              },
            },
          }),
      ...extra,
    }),
    ingest,
    reopenLedger: async () => {
      ledger.close();
      ledger = await Ledger.open({ name: ledgerName });
      return ledger;
    },
    close: async () => {
      ledger.close();
      store.close();
      await Promise.all([sandbox.close(), Ledger.destroy(ledgerName), ExportStore.destroy(store.name)]);
    },
  };
  return bed;
}

/** Runs an engine to its end, keeping every progress snapshot. */
export async function runToEnd(
  engine: ImportEngine,
  bed: EngineBed,
  request: RunRequest,
): Promise<{ final: ImportProgress; snapshots: ImportProgress[] }> {
  const snapshots: ImportProgress[] = [];
  const final = await engine.run(
    request,
    (ref) => bed.readFile(ref),
    (p) => snapshots.push(p),
  );
  return { final, snapshots };
}

/**
 * Everything wrong with what the sandbox holds, compared with the truth: duplicates, missing or
 * unexpected items, SMS of one Front conversation spread over several Missive conversations or out
 * of order, comments posted elsewhere than into their SMS conversation. Empty when all is well.
 */
export function importProblems(
  sandbox: MissiveSandbox,
  truth: ExportTruth,
  options: {
    comments?: Set<string>;
    sms?: Set<string>;
    /** Conversations over 400 SMS: Missive continues them in a new conversation. */
    over400?: readonly string[];
  } = {},
): string[] {
  const got = received(sandbox);
  const problems: string[] = [];
  const dupSms = duplicates(got.sms);
  const dupComments = duplicates(got.comments);
  if (dupSms.length) problems.push(`SMS received twice: ${dupSms.join(', ')}`);
  if (dupComments.length) problems.push(`comments posted twice: ${dupComments.join(', ')}`);
  const compare = (what: string, expected: Set<string>, actual: Set<string>) => {
    const missing = [...expected].filter((id) => !actual.has(id));
    const extra = [...actual].filter((id) => !expected.has(id));
    if (missing.length) problems.push(`${what} missing: ${missing.join(', ')}`);
    if (extra.length) problems.push(`${what} unexpected: ${extra.join(', ')}`);
  };
  compare('SMS', options.sms ?? truth.expectedSms, itemIds(got.sms));
  compare('comments', options.comments ?? truth.smsRouteComments, itemIds(got.comments));

  const ownerOf = new Map<string, TruthConversation>();
  for (const c of truth.conversations.values()) for (const id of c.sms) ownerOf.set(id, c);
  const missiveOf = new Map<string, Set<string>>();
  for (const [missiveId, externalIds] of got.byConversation) {
    const ids = externalIds.map((e) => e.replace(/:part-\d+$/, ''));
    for (const id of ids) {
      const owner = ownerOf.get(id);
      if (!owner) continue;
      const set = missiveOf.get(owner.id) ?? new Set();
      set.add(missiveId);
      missiveOf.set(owner.id, set);
    }
    const positions = ids.map((id) => ownerOf.get(id)?.sms.indexOf(id) ?? -1);
    if (positions.some((p, i) => i > 0 && p < positions[i - 1]!)) {
      problems.push(`SMS out of order in Missive conversation ${missiveId}: ${ids.join(', ')}`);
    }
  }
  for (const [front, set] of missiveOf) {
    if (set.size > 1 && !options.over400?.includes(front))
      problems.push(`SMS of ${front} spread over ${set.size} Missive conversations`);
  }
  for (const [marker, missiveId] of got.postConversations) {
    const commentId = marker.replace(/, part \d+ of \d+$/, '');
    const owner = [...truth.conversations.values()].find((c) => c.comments.includes(commentId));
    const expected = owner ? missiveOf.get(owner.id) : undefined;
    // Past 400 SMS the comments go into the newest of its conversations (any of them is fine here).
    if (expected && !expected.has(missiveId))
      problems.push(`comment ${marker} posted outside its SMS conversation`);
  }
  return problems;
}
