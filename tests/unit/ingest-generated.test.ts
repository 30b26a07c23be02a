/**
 * A generated export with every hard case, ingested by the real pipeline into a fake IndexedDB: every
 * line of the Export summary and every inbox must match the generator's manifest (the same rules on
 * both sides: orphans counted, their conversations missing; tags not used; junk ignored).
 */
import 'fake-indexeddb/auto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExportStore } from '../../src/adapters/store.ts';
import { IngestPipeline } from '../../src/adapters/ingest-pipeline.ts';
import { summaryRows } from '../../src/ui/load/summary-rows.ts';
import {
  DEFAULT_HARD_CASES,
  generateFrontExport,
  type GeneratedExport,
} from '../../testbed/front-export-generator/generate.ts';
import { expectedInboxes, expectedSummaryRows } from '../support/export-expectations.ts';
import { toFile } from './ingest-fixtures.ts';

let workDir: string;
let generated: GeneratedExport;
let store: ExportStore;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'ingest-generated-'));
  generated = await generateFrontExport({
    outDir: workDir,
    seed: 11,
    conversations: 40,
    zips: 3,
    hardCases: { ...DEFAULT_HARD_CASES, largeBodies: 1, tinyFiles: 250 },
  });
  store = await ExportStore.open({ name: 'ingest-generated' });
}, 120_000);

afterAll(async () => {
  store?.close();
  await ExportStore.destroy('ingest-generated');
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

describe('a generated export, ingested', () => {
  it('shows exactly what the manifest says', async () => {
    const files = await Promise.all(
      generated.files.map(async (path) => toFile(new Uint8Array(await readFile(path)), basename(path))),
    );
    const { snapshot } = await new IngestPipeline(store, { progressIntervalMs: 0 }).ingest(files);
    const summary = snapshot.summary!;
    const shown = Object.fromEntries(summaryRows(summary).map((row) => [row.id, row.value]));
    const expected = expectedSummaryRows(generated.manifest);
    expect(Object.fromEntries(Object.keys(expected).map((id) => [id, shown[id]]))).toEqual(expected);
    // Reply-only threads (no Message-ID exported) are found through a reply's In-Reply-To.
    expect(summary.emailConversationsLocatable).toEqual(generated.manifest.emailConversationsLocatable);
    expect(summary.emailConversationsLocatable.byInReplyToOnly).toBeGreaterThanOrEqual(
      DEFAULT_HARD_CASES.replyOnlyThreads,
    );
    expect(summary.unusedObjects.kinds).toEqual(
      Object.entries(generated.manifest.unusedObjects).map(([kind, count]) => ({ kind, count })),
    );
    expect(summary.unrecognized.groups.map((group) => [group.category, group.count])).toEqual([
      ['malformed JSON', generated.manifest.unrecognized.length],
    ]);
    const inboxes = Object.fromEntries(
      snapshot.inboxes.map((inbox) => [
        inbox.name,
        {
          conversations: inbox.conversations,
          sms: inbox.sms,
          emails: inbox.emails,
          otherMessages: inbox.otherMessages,
          comments: inbox.comments,
        },
      ]),
    );
    expect(inboxes).toEqual(expectedInboxes(generated.manifest));
  }, 120_000);
});
