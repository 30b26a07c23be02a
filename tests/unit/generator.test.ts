/**
 * The Front export generator: determinism, manifest truth (re-counted here from the zips with
 * @zip.js/zip.js, independently of the generator and of the app's parser), every hard case,
 * coherent .eml threading, option switches and zip64.
 *
 * The >65,535-entry zip64 test takes about 10 s; set SKIP_ZIP64_TEST=1 to skip it.
 */
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { openAsBlob } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { BlobReader, ZipReader, configure, type Entry } from '@zip.js/zip.js';
import PostalMime from 'postal-mime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  generateFrontExport,
  type ExportManifest,
  type GeneratedExport,
  type HardCases,
} from '../../testbed/front-export-generator/generate.ts';

configure({ useWebWorkers: false });

const HARD_CASES: HardCases = {
  sharedAcrossInboxes: 2,
  splitAcrossZips: 2,
  deleted: 2,
  commentOnly: 2,
  malformedJson: 5,
  junkEntries: true,
  largeBodies: 1,
  tinyFiles: 300,
  arrayVariant: 3,
  longSmsConversation: true,
  orphanMessages: 3,
  missingAttachmentBytes: 2,
  replyOnlyThreads: 2,
};

const BASE_OPTIONS = { seed: 42, conversations: 60, zips: 3, hardCases: HARD_CASES };

// ---------------------------------------------------------------------------------------------
// An independent reading of the zips

interface ZipFileEntry {
  zip: string;
  path: string;
  directory: boolean;
  method: number;
  bytes: () => Promise<Uint8Array>;
}

interface FrontObject {
  id: string;
  [key: string]: unknown;
}

interface ReadExport {
  entries: ZipFileEntry[];
  /** Conversation ID -> object and the inbox folders it appeared in. */
  conversations: Map<string, { object: FrontObject; folders: Set<string>; copies: string[] }>;
  messages: Map<string, { object: FrontObject; zip: string; path: string; copies: string[] }>;
  comments: Map<string, { object: FrontObject; zip: string; copies: string[] }>;
  malformed: { zip: string; path: string }[];
  junk: { zip: string; path: string }[];
  attachmentFiles: Set<string>;
  emlByMessage: Map<string, { zip: string; path: string; bytes: () => Promise<Uint8Array> }>;
  containers: { path: string; kind: 'array' | 'envelope' }[];
  /** `tag_…` objects (distinct IDs): Front objects the import does not use. */
  tags: number;
}

const JUNK_NAMES = new Set(['.DS_Store', 'Thumbs.db', 'progress.log']);

async function listZip(file: string): Promise<ZipFileEntry[]> {
  const reader = new ZipReader(new BlobReader(await openAsBlob(file)));
  const entries = await reader.getEntries();
  return entries.map((entry: Entry) => ({
    zip: basename(file),
    path: entry.filename,
    directory: entry.directory,
    method: entry.compressionMethod,
    bytes: async () => {
      if (entry.directory) return new Uint8Array();
      const { Uint8ArrayWriter } = await import('@zip.js/zip.js');
      return entry.getData(new Uint8ArrayWriter());
    },
  }));
}

function objectsIn(parsed: unknown): { objects: FrontObject[]; container: 'array' | 'envelope' | null } {
  if (Array.isArray(parsed)) return { objects: parsed as FrontObject[], container: 'array' };
  if (parsed && typeof parsed === 'object' && Array.isArray((parsed as { _results?: unknown })._results)) {
    return { objects: (parsed as { _results: FrontObject[] })._results, container: 'envelope' };
  }
  return { objects: [parsed as FrontObject], container: null };
}

function conversationIdOf(object: FrontObject): string {
  const links = object._links as { related?: { conversation?: string } } | undefined;
  const url = links?.related?.conversation ?? '';
  return url.split('?')[0]?.split('/').pop() ?? '';
}

async function readExport(files: string[]): Promise<ReadExport> {
  const result: ReadExport = {
    entries: [],
    conversations: new Map(),
    messages: new Map(),
    comments: new Map(),
    malformed: [],
    junk: [],
    attachmentFiles: new Set(),
    emlByMessage: new Map(),
    containers: [],
    tags: 0,
  };
  const tagIds = new Set<string>();
  for (const file of files) result.entries.push(...(await listZip(file)));
  const decoder = new TextDecoder('utf-8', { fatal: true });
  for (const entry of result.entries) {
    if (entry.directory) continue;
    const name = entry.path.split('/').pop() ?? '';
    if (entry.path.startsWith('__MACOSX/') || JUNK_NAMES.has(name)) {
      result.junk.push({ zip: entry.zip, path: entry.path });
      continue;
    }
    const attachment = /\/attachments\/(msg_[^/]+)\/([^/]+)$/.exec(entry.path);
    if (attachment) {
      result.attachmentFiles.add(`${attachment[1]}/${attachment[2]}`);
      continue;
    }
    const eml = /-message-(msg_[0-9a-z]+)\.eml$/.exec(entry.path);
    if (eml?.[1]) {
      result.emlByMessage.set(eml[1], entry);
      continue;
    }
    if (!name.endsWith('.json')) throw new Error(`unexpected entry ${entry.path}`);
    const text = decoder.decode(await entry.bytes());
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      result.malformed.push({ zip: entry.zip, path: entry.path });
      continue;
    }
    const { objects, container } = objectsIn(parsed);
    if (container) result.containers.push({ path: entry.path, kind: container });
    const folder = entry.path.split('/')[1] ?? '';
    for (const object of objects) {
      if (object.id.startsWith('tag_')) tagIds.add(object.id);
      else record(result, object, entry, folder);
    }
  }
  result.tags = tagIds.size;
  return result;
}

function record(result: ReadExport, object: FrontObject, entry: ZipFileEntry, folder: string): void {
  const copy = JSON.stringify(object);
  if (object.id.startsWith('cnv_')) {
    const known = result.conversations.get(object.id) ?? { object, folders: new Set<string>(), copies: [] };
    known.folders.add(folder);
    known.copies.push(copy);
    result.conversations.set(object.id, known);
  } else if (object.id.startsWith('msg_')) {
    const known = result.messages.get(object.id) ?? { object, zip: entry.zip, path: entry.path, copies: [] };
    known.copies.push(copy);
    result.messages.set(object.id, known);
  } else if (object.id.startsWith('com_')) {
    const known = result.comments.get(object.id) ?? { object, zip: entry.zip, copies: [] };
    known.copies.push(copy);
    result.comments.set(object.id, known);
  }
}

/** Counts as the manifest defines them, from what was read back. */
function recount(
  read: ReadExport,
): Omit<
  ExportManifest,
  'seed' | 'files' | 'hardCaseConversations' | 'idsIncluded' | 'emlFiles' | 'emailThreads'
> {
  const byConversation = new Map<string, { sms: number; emails: number; other: number; comments: number }>();
  const slot = (id: string): { sms: number; emails: number; other: number; comments: number } => {
    const existing = byConversation.get(id) ?? { sms: 0, emails: 0, other: 0, comments: 0 };
    byConversation.set(id, existing);
    return existing;
  };
  const ids = {
    conversations: [...read.conversations.keys()],
    sms: [] as string[],
    emails: [] as string[],
    comments: [] as string[],
    otherMessages: [] as string[],
  };
  const perInbox: ExportManifest['perInbox'] = {};
  const inbox = (folder: string) =>
    (perInbox[folder] ??= { conversations: 0, sms: 0, emails: 0, otherMessages: 0, comments: 0 });
  let attachments = 0;
  let attachmentsWithBytes = 0;
  const threading = new Map<string, number>();
  // Every message counts, orphans too; an orphan counts in the inbox folder it sits in.
  for (const { object, path } of read.messages.values()) {
    const conversationId = conversationIdOf(object);
    const counts = slot(conversationId);
    const orphanInbox = read.conversations.has(conversationId) ? null : inbox(path.split('/')[1] ?? '');
    if (object.type === 'sms') {
      counts.sms++;
      ids.sms.push(object.id);
      if (orphanInbox) orphanInbox.sms++;
    } else if (object.type === 'email') {
      counts.emails++;
      const headers = (object.metadata as { headers?: Record<string, unknown> } | undefined)?.headers;
      let bits = threading.get(conversationId) ?? 0;
      if (read.emlByMessage.has(object.id) || typeof headers?.message_id === 'string') bits |= 1;
      if (typeof headers?.in_reply_to === 'string') bits |= 2;
      threading.set(conversationId, bits);
      ids.emails.push(object.id);
      if (orphanInbox) orphanInbox.emails++;
    } else {
      counts.other++;
      ids.otherMessages.push(object.id);
      if (orphanInbox) orphanInbox.otherMessages++;
    }
    for (const attachment of object.attachments as { filename: string }[]) {
      attachments++;
      if (read.attachmentFiles.has(`${object.id}/${attachment.filename}`)) attachmentsWithBytes++;
    }
  }
  for (const { object } of read.comments.values()) {
    slot(conversationIdOf(object)).comments++;
    ids.comments.push(object.id);
  }
  let eligibleComments = 0;
  let ineligibleComments = 0;
  for (const [id, { folders }] of read.conversations) {
    const counts = slot(id);
    if (counts.sms + counts.emails > 0) eligibleComments += counts.comments;
    else ineligibleComments += counts.comments;
    for (const folder of folders) {
      const row = inbox(folder);
      row.conversations++;
      row.sms += counts.sms;
      row.emails += counts.emails;
      row.otherMessages += counts.other;
      row.comments += counts.comments;
    }
  }
  const conversations = [...read.conversations.values()].map((c) => c.object);
  const orphans = [...read.messages.values()].filter(
    (m) => !read.conversations.has(conversationIdOf(m.object)),
  );
  const all = [...byConversation.entries()].filter(([id]) => read.conversations.has(id));
  return {
    conversations: read.conversations.size,
    missingConversations: new Set(orphans.map((m) => conversationIdOf(m.object))).size,
    deletedConversations: conversations.filter((c) => c.status === 'deleted').length,
    commentOnlyConversations: conversations.filter(
      (c) => c.type === 'discussion' && slot(c.id).sms + slot(c.id).emails + slot(c.id).other === 0,
    ).length,
    sms: ids.sms.length,
    emails: ids.emails.length,
    otherMessages: ids.otherMessages.length,
    comments: read.comments.size,
    attachments,
    attachmentsWithBytes,
    eligibleComments,
    ineligibleComments,
    perInbox,
    unrecognized: read.malformed.map((m) => ({ file: m.zip, path: m.path, reason: 'malformed-json' })),
    orphans: orphans.map((m) => ({
      file: m.zip,
      path: m.path,
      messageId: m.object.id,
      conversationId: conversationIdOf(m.object),
    })),
    unusedObjects: read.tags > 0 ? { tag: read.tags } : {},
    ignored: read.junk.map((j) => ({ file: j.zip, path: j.path })),
    smsConversations: all.filter(([, c]) => c.sms > 0).length,
    emailConversations: all.filter(([, c]) => c.emails > 0).length,
    emailConversationsLocatable: {
      byMessageId: [...threading.values()].filter((bits) => bits & 1).length,
      byInReplyToOnly: [...threading.values()].filter((bits) => bits === 2).length,
      notLocatable: [...threading.values()].filter((bits) => bits === 0).length,
    },
    conversationsOver400Sms: all.filter(([, c]) => c.sms > 400).map(([id]) => id),
    ids,
  };
}

const sorted = <T>(items: T[]): T[] =>
  [...items].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

// ---------------------------------------------------------------------------------------------

let workDir: string;
let first: GeneratedExport;
let read: ReadExport;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'front-export-generator-'));
  first = await generateFrontExport({ ...BASE_OPTIONS, outDir: join(workDir, 'a') });
  read = await readExport(first.files);
}, 120_000);

afterAll(async () => {
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

describe('front export generator', () => {
  it('is deterministic: same seed and options give byte-identical zips; another seed differs', async () => {
    const again = await generateFrontExport({ ...BASE_OPTIONS, outDir: join(workDir, 'b') });
    expect(again.files.map((f) => basename(f))).toEqual(first.files.map((f) => basename(f)));
    for (let i = 0; i < first.files.length; i++) {
      const [a, b] = await Promise.all([
        readFile(first.files[i] as string),
        readFile(again.files[i] as string),
      ]);
      expect(a.equals(b)).toBe(true);
    }
    expect(again.manifest).toEqual(first.manifest);
    const other = await generateFrontExport({ ...BASE_OPTIONS, seed: 43, outDir: join(workDir, 'c') });
    const [a, c] = await Promise.all([
      readFile(first.files[0] as string),
      readFile(other.files[0] as string),
    ]);
    expect(a.equals(c)).toBe(false);
  }, 120_000);

  it('names the zips by seed and writes manifest.json beside them, not inside', async () => {
    expect(first.files.map((f) => basename(f))).toEqual([
      'front-export-42-1.zip',
      'front-export-42-2.zip',
      'front-export-42-3.zip',
    ]);
    const written = JSON.parse(await readFile(join(workDir, 'a', 'manifest.json'), 'utf8')) as ExportManifest;
    expect(written).toEqual(first.manifest);
    expect(read.entries.some((e) => e.path.endsWith('manifest.json'))).toBe(false);
    for (const [i, file] of first.files.entries()) {
      expect(first.manifest.files[i]?.size).toBe((await stat(file)).size);
      expect(first.manifest.files[i]?.entries).toBe(
        read.entries.filter((e) => e.zip === basename(file)).length,
      );
    }
  });

  it('has a manifest matching an independent re-count of the zips', () => {
    const truth = recount(read);
    const m = first.manifest;
    expect(m.conversations).toBe(60);
    for (const key of [
      'conversations',
      'missingConversations',
      'deletedConversations',
      'commentOnlyConversations',
      'sms',
      'emails',
      'otherMessages',
      'comments',
      'attachments',
      'attachmentsWithBytes',
      'eligibleComments',
      'ineligibleComments',
      'smsConversations',
      'emailConversations',
      'emailConversationsLocatable',
    ] as const) {
      expect({ [key]: m[key] }).toEqual({ [key]: truth[key] });
    }
    expect(m.perInbox).toEqual(truth.perInbox);
    expect(sorted(m.unrecognized)).toEqual(sorted(truth.unrecognized));
    expect(sorted(m.orphans)).toEqual(sorted(truth.orphans));
    expect(m.unusedObjects).toEqual(truth.unusedObjects);
    expect(sorted(m.ignored)).toEqual(sorted(truth.ignored));
    expect(sorted(m.conversationsOver400Sms)).toEqual(sorted(truth.conversationsOver400Sms));
    expect(m.idsIncluded).toBe(true);
    for (const key of ['conversations', 'sms', 'emails', 'comments', 'otherMessages'] as const) {
      expect(sorted(m.ids[key])).toEqual(sorted(truth.ids[key]));
    }
    expect(m.emlFiles).toBe(read.emlByMessage.size);
    // Every kind of content is present.
    expect(m.sms).toBeGreaterThan(400);
    expect(m.emails).toBeGreaterThan(20);
    expect(m.otherMessages).toBeGreaterThan(0);
    expect(m.attachmentsWithBytes).toBeGreaterThan(0);
  });

  it('follows the reference layout, ID styles and object shapes', () => {
    const files = read.entries.filter(
      (e) => !e.directory && e.path.startsWith('export/') && !e.path.startsWith('export/_meta/'),
    );
    for (const [id, { object }] of read.messages) {
      expect(id).toMatch(/^msg_[0-9a-z]+$/);
      const conversationId = conversationIdOf(object);
      expect(conversationId).toMatch(/^cnv_[0-9a-z]+$/);
      expect(object._links).toMatchObject({
        related: { conversation: `https://acme.api.frontapp.com/conversations/${conversationId}` },
      });
      expect(object).toHaveProperty('recipients');
      expect(typeof object.created_at).toBe('number');
    }
    for (const { object } of read.comments.values()) {
      expect(object.id).toMatch(/^com_[0-9a-z]+$/);
      expect((object.author as { id: string }).id).toMatch(/^tea_/);
      expect(typeof object.posted_at).toBe('number');
    }
    // File names carry the object's own timestamp, as integers and as decimals.
    const perObject = files.filter((e) => /-(message|comment)-(msg|com)_[0-9a-z]+\.json$/.test(e.path));
    const stamps = perObject.map((e) => /\/([0-9.]+)-(?:message|comment)-/.exec(e.path)?.[1] ?? '');
    expect(stamps.some((s) => s.includes('.'))).toBe(true);
    expect(stamps.some((s) => !s.includes('.'))).toBe(true);
    for (const entry of perObject) {
      const [, stamp, , id] =
        /\/([0-9.]+)-(message|comment)-((?:msg|com)_[0-9a-z]+)\.json$/.exec(entry.path) ?? [];
      const object = read.messages.get(id ?? '')?.object ?? read.comments.get(id ?? '')?.object;
      if (!object) continue; // malformed files are named like objects too
      expect(String(object.created_at ?? object.posted_at)).toBe(stamp);
    }
    const conversationFiles = files.filter((e) => /\/(cnv_[0-9a-z]+)\/\1\.json$/.test(e.path));
    expect(conversationFiles.length).toBeGreaterThan(50);
    // Non-ASCII inbox folder names, E.164 phone handles, both zip compression methods.
    expect(files.some((e) => e.path.startsWith('export/Équipe Café ☕/'))).toBe(true);
    const smsHandles = [...read.messages.values()]
      .filter((m) => m.object.type === 'sms')
      .flatMap((m) => (m.object.recipients as { handle: string }[]).map((r) => r.handle));
    for (const handle of smsHandles) expect(handle).toMatch(/^\+[1-9]\d{7,14}$/);
    expect(new Set(read.entries.filter((e) => !e.directory).map((e) => e.method))).toEqual(new Set([0, 8]));
    // Channel objects let the importer learn channel types.
    expect(read.entries.some((e) => e.path === 'export/_meta/channels.json')).toBe(true);
  });

  it('dates every message and comment before the export was made', () => {
    const exportedAt = Date.UTC(2024, 6, 2) / 1000;
    const stamps = [
      ...[...read.messages.values()].map((m) => m.object.created_at as number),
      ...[...read.comments.values()].map((c) => c.object.posted_at as number),
    ];
    expect(Math.max(...stamps)).toBeLessThan(exportedAt);
    expect(Math.min(...stamps)).toBeGreaterThan(Date.UTC(2021, 0, 1) / 1000);
  });

  it('contains hostile HTML, unicode and emoji, null contact names and @mentions', () => {
    const bodies = [...read.messages.values()].map((m) => String(m.object.body));
    expect(bodies.some((b) => /<script|onerror=|javascript:|onload=/.test(b))).toBe(true);
    const comments = [...read.comments.values()].map((c) => String(c.object.body));
    expect(comments.some((b) => /@[a-z]+/.test(b))).toBe(true);
    const everything = [
      ...bodies,
      ...comments,
      ...[...read.conversations.values()].map((c) => String(c.object.subject)),
    ].join('\n');
    expect(everything).toMatch(/\p{Extended_Pictographic}/u);
    expect(everything).toMatch(/[éèçà]/);
    const names = [...read.messages.values()].flatMap((m) =>
      (m.object.recipients as { name: string | null }[]).map((r) => r.name),
    );
    expect(names).toContain(null);
  });

  it('puts shared conversations in two inbox folders as identical copies', () => {
    const shared = first.manifest.hardCaseConversations.shared;
    expect(shared).toHaveLength(2);
    for (const id of shared) {
      const conversation = read.conversations.get(id);
      expect(conversation?.folders.size).toBe(2);
      expect(new Set(conversation?.copies).size).toBe(1);
    }
    for (const message of read.messages.values()) expect(new Set(message.copies).size).toBe(1);
  });

  it('spreads split conversations over several zips', () => {
    const split = first.manifest.hardCaseConversations.split;
    expect(split).toHaveLength(2);
    for (const id of split) {
      const zips = new Set(
        read.entries.filter((e) => !e.directory && e.path.includes(`/${id}/`)).map((e) => e.zip),
      );
      expect(zips.size).toBeGreaterThanOrEqual(2);
      const conversationZip = read.entries.find((e) => e.path.endsWith(`/${id}/${id}.json`))?.zip;
      const messageZips = [...read.messages.values()]
        .filter((m) => conversationIdOf(m.object) === id)
        .map((m) => m.zip);
      expect(messageZips.length).toBeGreaterThan(0);
      expect(messageZips.every((zip) => zip !== conversationZip)).toBe(true);
    }
  });

  it('has deleted, comment-only, long-SMS and large-body conversations', () => {
    const cases = first.manifest.hardCaseConversations;
    for (const id of cases.deleted) expect(read.conversations.get(id)?.object.status).toBe('deleted');
    expect(cases.deleted).toHaveLength(2);
    for (const id of cases.commentOnly) {
      expect(read.conversations.get(id)?.object.type).toBe('discussion');
      expect([...read.messages.values()].some((m) => conversationIdOf(m.object) === id)).toBe(false);
      expect([...read.comments.values()].some((c) => conversationIdOf(c.object) === id)).toBe(true);
    }
    const [longSms] = cases.longSms;
    const smsInLong = [...read.messages.values()].filter(
      (m) => conversationIdOf(m.object) === longSms && m.object.type === 'sms',
    );
    expect(smsInLong.length).toBeGreaterThan(400);
    expect(first.manifest.conversationsOver400Sms).toEqual([longSms]);
    const largest = Math.max(...[...read.messages.values()].map((m) => String(m.object.body).length));
    expect(largest).toBeGreaterThan(2_000_000);
  });

  it('has malformed JSON, orphan messages, junk, tiny files and missing attachment bytes', () => {
    const m = first.manifest;
    expect(m.unrecognized.filter((u) => u.reason === 'malformed-json')).toHaveLength(5);
    expect(m.orphans).toHaveLength(3);
    expect(m.missingConversations).toBe(3);
    for (const orphan of m.orphans) {
      expect(m.ids.conversations).not.toContain(orphan.conversationId);
      expect([...m.ids.sms, ...m.ids.emails, ...m.ids.otherMessages]).toContain(orphan.messageId);
    }
    const junkPaths = m.ignored.map((i) => i.path);
    expect(junkPaths.some((p) => p.startsWith('__MACOSX/'))).toBe(true);
    expect(junkPaths.some((p) => p.endsWith('.DS_Store'))).toBe(true);
    expect(junkPaths.some((p) => p.endsWith('progress.log'))).toBe(true);
    expect(m.comments).toBeGreaterThan(300);
    expect(m.attachments - m.attachmentsWithBytes).toBe(2);
    expect(m.hardCaseConversations.missingAttachmentBytes).toHaveLength(2);
  });

  it('writes array-variant conversations as a top-level array, a _results envelope and message envelopes', () => {
    const ids = first.manifest.hardCaseConversations.arrayVariant;
    expect(ids).toHaveLength(3);
    for (const id of ids) {
      expect(read.conversations.has(id)).toBe(true);
      expect(read.entries.some((e) => e.path.endsWith(`/${id}/${id}.json`))).toBe(false);
      expect(read.entries.some((e) => e.path.endsWith(`/${id}/messages.json`))).toBe(true);
    }
    const listFiles = read.containers.filter((c) => /^export\/[^/]+\/inb_[0-9a-z]+\.json$/.test(c.path));
    expect(listFiles.length).toBeGreaterThan(0);
    expect(read.containers.some((c) => c.path.endsWith('/messages.json') && c.kind === 'envelope')).toBe(
      true,
    );
  });

  it('has reply-only threads: no Message-ID exported, each reply naming its parent in in_reply_to', () => {
    const m = first.manifest;
    expect(m.hardCaseConversations.replyOnly).toHaveLength(HARD_CASES.replyOnlyThreads!);
    expect(m.emailConversationsLocatable.byInReplyToOnly).toBeGreaterThanOrEqual(
      HARD_CASES.replyOnlyThreads!,
    );
    for (const id of m.hardCaseConversations.replyOnly) {
      const thread = m.emailThreads.find((t) => t.conversationId === id)!;
      expect(thread.messageIds.length).toBeGreaterThanOrEqual(2);
      const emails = [...read.messages.values()]
        .map((e) => e.object)
        .filter((o) => o.type === 'email' && conversationIdOf(o) === id)
        .sort((a, b) => (a.created_at as number) - (b.created_at as number));
      expect(emails.map((e) => read.emlByMessage.has(e.id))).toEqual(emails.map(() => false));
      const inReplyTo = emails.map(
        (e) => (e.metadata as { headers?: { in_reply_to?: string } }).headers?.in_reply_to,
      );
      expect(inReplyTo).toEqual([undefined, ...thread.messageIds.slice(0, -1)]);
    }
  });

  it('writes .eml files with coherent Message-ID / In-Reply-To / References threading', async () => {
    // Orphan messages travel without their .eml, and so do reply-only threads.
    const replyOnly = new Set(first.manifest.hardCaseConversations.replyOnly);
    const emails = [...read.messages.values()].filter(
      (m) =>
        m.object.type === 'email' &&
        read.conversations.has(conversationIdOf(m.object)) &&
        !replyOnly.has(conversationIdOf(m.object)),
    );
    expect(read.emlByMessage.size).toBe(emails.length);
    const byConversation = new Map<string, FrontObject[]>();
    for (const { object } of emails) {
      const list = byConversation.get(conversationIdOf(object)) ?? [];
      list.push(object);
      byConversation.set(conversationIdOf(object), list);
    }
    const seenIds = new Set<string>();
    let threaded = 0;
    let withoutHeaders = 0;
    for (const thread of byConversation.values()) {
      thread.sort((a, b) => (a.created_at as number) - (b.created_at as number));
      let previous: string[] = [];
      for (const message of thread) {
        const file = read.emlByMessage.get(message.id);
        if (!file) throw new Error(`no .eml for ${message.id}`);
        const raw = await file.bytes();
        const text = new TextDecoder().decode(raw);
        expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/); // CRLF line ends only
        const headerBlock = text.slice(0, text.indexOf('\r\n\r\n'));
        for (const line of headerBlock.split('\r\n')) expect(line.length).toBeLessThanOrEqual(998);
        const parsed = await PostalMime.parse(raw);
        const messageId = parsed.messageId ?? '';
        expect(messageId).toMatch(/^<[^<>\s]+@[^<>\s]+>$/);
        expect(seenIds.has(messageId)).toBe(false);
        seenIds.add(messageId);
        expect(parsed.subject).toBe(message.subject);
        const from = (message.recipients as { handle: string; role: string }[]).find(
          (r) => r.role === 'from',
        );
        expect(parsed.from?.address).toBe(from?.handle);
        expect(new Date(parsed.date ?? '').getTime()).toBe(Math.floor(message.created_at as number) * 1000);
        const references = (parsed.references ?? '').split(/\s+/).filter(Boolean);
        if (previous.length === 0) {
          expect(parsed.inReplyTo).toBeUndefined();
        } else {
          expect(parsed.inReplyTo).toBe(previous[previous.length - 1]);
          expect(references).toEqual(previous);
          threaded++;
        }
        const headers = (
          message.metadata as { headers?: { message_id?: string; in_reply_to?: string | null } }
        ).headers;
        if (headers) {
          expect(headers.message_id).toBe(messageId);
          expect(headers.in_reply_to ?? undefined).toBe(parsed.inReplyTo);
        } else {
          withoutHeaders++;
        }
        const exported = (message.attachments as { filename: string }[]).filter((a) =>
          read.attachmentFiles.has(`${message.id}/${a.filename}`),
        );
        expect(parsed.attachments.map((a) => a.filename).sort()).toEqual(
          exported.map((a) => a.filename).sort(),
        );
        previous = [...previous, messageId];
      }
    }
    expect(threaded).toBeGreaterThan(5);
    expect(withoutHeaders).toBeGreaterThan(0);
  }, 60_000);

  it('honours includeEml, includeAttachments and includeChannelObjects = false', async () => {
    const bare = await generateFrontExport({
      outDir: join(workDir, 'bare'),
      seed: 5,
      conversations: 40,
      zips: 1,
      includeEml: false,
      includeAttachments: false,
      includeChannelObjects: false,
    });
    const entries = (await listZip(bare.files[0] as string)).filter((e) => !e.directory);
    expect(entries.some((e) => e.path.endsWith('.eml'))).toBe(false);
    expect(entries.some((e) => e.path.includes('/attachments/'))).toBe(false);
    expect(entries.some((e) => e.path.startsWith('export/_meta/'))).toBe(false);
    expect(bare.manifest.attachments).toBeGreaterThan(0);
    expect(bare.manifest.attachmentsWithBytes).toBe(0);
    expect(bare.manifest.emlFiles).toBe(0);
    expect(bare.manifest.unrecognized).toEqual([]);
    expect(bare.manifest.orphans).toEqual([]);
    expect(bare.manifest.unusedObjects).toEqual({});
    expect(bare.manifest.ignored).toEqual([]);
  }, 60_000);

  it('takes custom inbox lists and records their channel types', async () => {
    const custom = await generateFrontExport({
      outDir: join(workDir, 'custom'),
      seed: 8,
      conversations: 30,
      zips: 1,
      inboxes: [
        { name: 'Billing/Finance', channelType: 'office365' },
        { name: 'Legacy IMAP', channelType: 'imap' },
        { name: 'Aircall SMS', channelType: 'custom' },
      ],
    });
    const entries = await listZip(custom.files[0] as string);
    const channelsEntry = entries.find((e) => e.path === 'export/_meta/channels.json');
    const channels = JSON.parse(new TextDecoder().decode(await channelsEntry?.bytes())) as {
      _results: { name: string; type: string; address: string }[];
    };
    expect(channels._results.map((c) => [c.name, c.type])).toEqual(
      expect.arrayContaining([
        ['Billing/Finance', 'office365'],
        ['Legacy IMAP', 'imap'],
        ['Aircall SMS', 'custom'],
      ]),
    );
    // "/" cannot be part of a folder name; the display name stays in the manifest.
    expect(entries.some((e) => e.path.startsWith('export/Billing_Finance/cnv_'))).toBe(true);
    expect(Object.keys(custom.manifest.perInbox)).toEqual(['Billing/Finance', 'Legacy IMAP', 'Aircall SMS']);
    const aircall = custom.manifest.perInbox['Aircall SMS'];
    expect(aircall?.conversations).toBeGreaterThan(0);
    expect(aircall?.otherMessages).toBeGreaterThan(0);
    expect(aircall?.sms).toBe(0);
  }, 60_000);

  it('grows to a target size', async () => {
    const progress: number[] = [];
    const sized = await generateFrontExport({
      outDir: join(workDir, 'sized'),
      seed: 9,
      conversations: 5,
      zips: 2,
      targetBytes: 8_000_000,
      onProgress: (p) => progress.push(p.conversations),
    });
    const total = sized.manifest.files.reduce((sum, f) => sum + f.size, 0);
    expect(total).toBeGreaterThanOrEqual(8_000_000);
    expect(sized.manifest.conversations).toBeGreaterThan(5);
    expect(progress.length).toBeGreaterThan(0);
  }, 60_000);

  it('rejects impossible hard-case requests', async () => {
    await expect(
      generateFrontExport({
        outDir: join(workDir, 'bad'),
        conversations: 2,
        zips: 1,
        hardCases: { splitAcrossZips: 1 },
      }),
    ).rejects.toThrow(/zips/);
    await expect(
      generateFrontExport({ outDir: join(workDir, 'bad'), conversations: 2, hardCases: { deleted: 5 } }),
    ).rejects.toThrow(/hard-case/);
  });

  it.skipIf(process.env.SKIP_ZIP64_TEST === '1')(
    'switches to zip64 past 65,535 entries and still opens with @zip.js/zip.js',
    async () => {
      const huge = await generateFrontExport({
        outDir: join(workDir, 'zip64'),
        seed: 3,
        conversations: 20,
        zips: 1,
        includeAttachments: false,
        includeEml: false,
        hardCases: { tinyFiles: 66_000 },
      });
      const file = huge.files[0] as string;
      const entries = await listZip(file);
      expect(entries.length).toBeGreaterThan(65_535);
      expect(entries.length).toBe(huge.manifest.files[0]?.entries);
      // The zip64 end-of-central-directory record and locator precede the classic record.
      const tail = (await readFile(file)).subarray(-22 - 20 - 56);
      expect(tail.readUInt32LE(0)).toBe(0x06064b50);
      expect(tail.readUInt32LE(56)).toBe(0x07064b50);
      expect(tail.readUInt16LE(56 + 20 + 10)).toBe(0xffff);
      const last = entries[entries.length - 1];
      expect(last && JSON.parse(new TextDecoder().decode(await last.bytes()))).toBeTruthy();
    },
    120_000,
  );
});
