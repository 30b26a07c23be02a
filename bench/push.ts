/**
 * `npm run bench:push`: the import engine (the same code the worker runs) pushes a generated export
 * into the Missive sandbox over HTTP, at the published limits on a compressed time scale, once per
 * comment mode. Prints the achieved request rate against the allowed one, the 429s received, the
 * duplicates in Missive, and requests per imported item.
 *
 * "Allowed" is the time Missive's published guidance gives the same number of requests, starting
 * with empty windows: bursts at 5 per second (300 per minute) up to 900, then 900 per 15 minutes
 * (`estimateDuration`, the figure the Plan step shows). Achieved / allowed = that time / the
 * measured time from the first request sent to the last answer. Also printed, stricter: the floor
 * where each minute's 300 would all leave at the same instant.
 *
 *   PUSH_CONVERSATIONS=1200 PUSH_TIME_SCALE=0.05 npm run bench:push
 */
import 'fake-indexeddb/auto';
import { File } from 'node:buffer';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { ImportEngine } from '../src/adapters/import-engine.ts';
import { Ledger, type RunChoices } from '../src/adapters/ledger.ts';
import { IngestPipeline } from '../src/adapters/ingest-pipeline.ts';
import { ExportStore } from '../src/adapters/store.ts';
import type { SourceBlob } from '../src/adapters/zip-source.ts';
import type { CommentMode } from '../src/domain/import/missive-payloads.ts';
import { estimateDuration, formatDuration } from '../src/domain/import/plan.ts';
import { scaledLimits } from '../src/domain/import/rate-scheduler.ts';
import { generateFrontExport } from '../testbed/front-export-generator/generate.ts';
import { startMissiveSandbox, type MissiveSandbox } from '../testbed/missive-sandbox/server.ts';

const CONVERSATIONS = Number(process.env.PUSH_CONVERSATIONS ?? 1200);
const TIME_SCALE = Number(process.env.PUSH_TIME_SCALE ?? 0.05);
const SEED = 7;
const OUT_DIR = join(process.cwd(), '.bench', `push-${SEED}-${CONVERSATIONS}`);

const count = new Intl.NumberFormat('en-US');

async function exportFiles(): Promise<SourceBlob[]> {
  const paths = [1, 2].map((n) => join(OUT_DIR, `front-export-${SEED}-${n}.zip`));
  if (!paths.every((path) => existsSync(path))) {
    // Bytes of attachments and .eml files do not change the pacing: left out to keep the export small.
    await generateFrontExport({
      outDir: OUT_DIR,
      seed: SEED,
      conversations: CONVERSATIONS,
      zips: 2,
      includeAttachments: false,
      includeEml: false,
    });
  }
  return Promise.all(
    paths.map(
      async (path) =>
        new File([await readFile(path)], basename(path), { lastModified: 0 }) as unknown as SourceBlob,
    ),
  );
}

/** Message-IDs of the export's emails: seeded into the sandbox as "synced", so comments can be placed. */
async function emailMessageIds(store: ExportStore): Promise<string[]> {
  const ids: string[] = [];
  await store.forEachConversation((row) => ids.push(row.id));
  const found: string[] = [];
  for (const id of ids) {
    for (const message of await store.messagesOf(id)) {
      if (message.kind === 'email' && message.messageId) found.push(message.messageId);
    }
  }
  return found;
}

/** The floor: request i leaves at (i div 900) × 15 min + ((i mod 900) div 300) × 1 min. */
function instantBurstFloorMs(requests: number, limits: ReturnType<typeof scaledLimits>): number {
  const last = requests - 1;
  return (
    Math.floor(last / limits.per15Minutes) * limits.fifteenMinutesMs +
    Math.floor((last % limits.per15Minutes) / limits.perMinute) * limits.minuteMs
  );
}

interface Result {
  mode: CommentMode;
  requests: number;
  elapsedMs: number;
  allowedMs: number;
  floorMs: number;
  rateLimited: number;
  duplicates: number;
  imported: number;
  importedSms: number;
  importedComments: number;
}

function duplicatesIn(sandbox: MissiveSandbox): number {
  const seen = new Map<string, number>();
  const state = sandbox.snapshot();
  for (const message of state.messages) {
    if (message.external_id) seen.set(message.external_id, (seen.get(message.external_id) ?? 0) + 1);
  }
  for (const post of state.posts) {
    for (const block of post.attachments) {
      const footer = String((block as { footer?: unknown }).footer ?? '');
      if (footer) seen.set(footer, (seen.get(footer) ?? 0) + 1);
    }
  }
  return [...seen.values()].filter((n) => n > 1).length;
}

async function run(store: ExportStore, emails: readonly string[], mode: CommentMode): Promise<Result> {
  const limits = scaledLimits(TIME_SCALE);
  const sandbox = await startMissiveSandbox({
    limits: { minuteMs: Math.round(limits.minuteMs), fifteenMinutesMs: Math.round(limits.fifteenMinutesMs) },
  });
  for (const messageId of emails) sandbox.seedEmail({ messageId });
  const ledgerName = `bench-push-${mode}`;
  await Ledger.destroy(ledgerName);
  const ledger = await Ledger.open({ name: ledgerName });
  const choices: RunChoices = {
    includeDeleted: false,
    placement: 'closed',
    commentMode: mode,
    relayInboxKeys: [],
  };
  try {
    const engine = new ImportEngine({ store, ledger });
    let lastLine = 0;
    const final = await engine.run(
      {
        token: sandbox.token,
        apiBase: sandbox.url,
        mode: 'full',
        timeScale: TIME_SCALE,
        plan: {
          choices,
          target: {
            account: sandbox.accountId,
            organization: sandbox.organizationId,
            team: null,
            sharedLabelId: null,
          },
        },
      },
      async () => null,
      (progress) => {
        if (Date.now() - lastLine < 2000 || progress.state !== 'running') return;
        lastLine = Date.now();
        process.stderr.write(
          `  ${mode}: ${count.format(progress.requests.sent)} sent, ${count.format(progress.remainingRequests)} to go, ` +
            `${progress.requests.last15Minutes}/900 in the 15-minute window\n`,
        );
      },
    );
    if (final.state !== 'finished') throw new Error(`The run ended ${final.state}: ${final.stateReason}`);
    const log = sandbox.requests().filter((r) => r.outcome !== 'preflight');
    const first = Math.min(...log.map((r) => r.startedAt));
    const last = Math.max(...log.map((r) => r.endedAt ?? r.startedAt));
    const counts = ledger.counts();
    const importedSms = counts.sms.imported;
    const importedComments = counts.comment.imported;
    return {
      mode,
      requests: log.length,
      elapsedMs: last - first,
      allowedMs: estimateDuration(log.length, limits),
      floorMs: instantBurstFloorMs(log.length, limits),
      rateLimited: log.filter((r) => r.status === 429).length,
      duplicates: duplicatesIn(sandbox),
      imported: importedSms + importedComments,
      importedSms,
      importedComments,
    };
  } finally {
    ledger.close();
    await Ledger.destroy(ledgerName);
    await sandbox.close();
  }
}

async function main(): Promise<void> {
  const files = await exportFiles();
  const store = await ExportStore.open({ name: 'bench-push-export' });
  await store.clear();
  await new IngestPipeline(store, { progressIntervalMs: 1000 }).ingest(files);
  const emails = await emailMessageIds(store);
  const conversations = await store.count('conversations');
  console.log(
    `Push benchmark: the import engine in Node (fake IndexedDB) against the Missive sandbox over HTTP, ` +
      `published limits compressed ×${TIME_SCALE} (a minute lasts ${60 * TIME_SCALE} s).`,
  );
  console.log(
    `Export: ${count.format(conversations)} conversations (seed ${SEED}), emails seeded as synced: ${count.format(emails.length)}.`,
  );
  const results: Result[] = [];
  for (const mode of ['per-comment', 'per-conversation'] as const) {
    const result = await run(store, emails, mode);
    results.push(result);
    const ratio = result.allowedMs / result.elapsedMs;
    console.log(
      `${mode}: ${count.format(result.requests)} requests in ${(result.elapsedMs / 1000).toFixed(1)} s ` +
        `(${formatDuration(result.elapsedMs / TIME_SCALE)} at real speed); allowed ${(result.allowedMs / 1000).toFixed(1)} s → ` +
        `achieved/allowed rate ${ratio.toFixed(3)} (against the instant-burst floor ` +
        `${(result.floorMs / result.elapsedMs).toFixed(3)}); 429 received ${result.rateLimited}; duplicates ${result.duplicates}; ` +
        `imported ${count.format(result.importedSms)} SMS + ${count.format(result.importedComments)} comments → ` +
        `${(result.requests / result.imported).toFixed(3)} requests per imported item`,
    );
  }
  store.close();
  await ExportStore.destroy('bench-push-export');
  const worst = Math.min(...results.map((r) => r.allowedMs / r.elapsedMs));
  if (worst < 0.97 || results.some((r) => r.duplicates > 0 || r.rateLimited > 0)) process.exitCode = 1;
}

await main();
