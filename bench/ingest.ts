/**
 * Ingest benchmark (`npm run bench:ingest`, options: `--only 50mb|1gb`).
 *
 * In real Chromium, on generated Front exports of about 50 MB and about 1 GB (cached in `.bench/`), it
 * measures the app's ingest (the files set on "Front export files" → the Export summary shown) and, in
 * the same page on the same archives, the floor: a bare zip.js inflate of every entry in a worker with
 * the app's zip.js configuration. It prints MB/s, entries/s, conversations/s, the peak JS heap of the
 * ingest worker and of the page (sampled through the DevTools protocol), the floor and the ratio
 * ingest / floor. Targets: ratio ≤ 1.5 at 1 GB; peak JS heap under 300 MB, not growing with the size.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type CDPSession, type Page } from 'playwright-core';
import { build } from 'vite';
import {
  DEFAULT_HARD_CASES,
  generateFrontExport,
  type ExportManifest,
} from '../testbed/front-export-generator/generate.ts';
import { serveBuiltApp } from '../testbed/app-server.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../tests/e2e/harness.ts';
import type { FloorResult } from './inflate-floor.worker.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CACHE = join(ROOT, '.bench');
const MB = 1e6;
const MIB = 1024 * 1024;
/** How often the JS heaps are sampled while the ingest runs. */
const HEAP_SAMPLE_MS = 200;
const INGEST_TIMEOUT_MS = 60 * 60_000;

interface ExportSpec {
  name: string;
  targetBytes: number;
  zips: number;
}

const EXPORTS: ExportSpec[] = [
  { name: '50mb', targetBytes: 50 * MB, zips: 2 },
  { name: '1gb', targetBytes: 1000 * MB, zips: 4 },
];

interface CachedExport {
  spec: ExportSpec;
  files: string[];
  manifest: ExportManifest;
}

interface Measurement {
  spec: ExportSpec;
  bytes: number;
  entries: number;
  conversations: number;
  ingestMs: number;
  floorMs: number;
  floorRuns: number[];
  peakWorkerHeap: number;
  peakPageHeap: number;
  heapSamples: number;
  summaryConversations: number;
}

// ---- The app build and the exports ------------------------------------------------------------

async function newestMtime(path: string): Promise<number> {
  const info = await stat(path);
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = info.mtimeMs;
  for (const name of await readdir(path)) newest = Math.max(newest, await newestMtime(join(path, name)));
  return newest;
}

/** Builds dist/ when it is missing or older than the sources it is built from. */
async function ensureBuilt(): Promise<void> {
  const built = join(ROOT, 'dist', 'index.html');
  const sources = ['src', 'workers', 'index.html', 'vite.config.ts', 'package.json'].map((p) =>
    join(ROOT, p),
  );
  let stale = !existsSync(built);
  if (!stale) {
    const builtAt = (await stat(built)).mtimeMs;
    for (const source of sources)
      if (existsSync(source) && (await newestMtime(source)) > builtAt) stale = true;
  }
  if (!stale) return;
  console.log('Building the app (dist/ is missing or older than the sources)…');
  await build({ root: ROOT, logLevel: 'warn' });
}

/** The export of this size, generated once into `.bench/` and reused while its options are the same. */
async function cachedExport(spec: ExportSpec): Promise<CachedExport> {
  const outDir = join(CACHE, `ingest-${spec.name}`);
  const options = {
    seed: 2024,
    // The minimum the hard cases need: the target size decides how many more.
    conversations: 30,
    zips: spec.zips,
    hardCases: DEFAULT_HARD_CASES,
    targetBytes: spec.targetBytes,
  };
  const optionsFile = join(outDir, 'options.json');
  const manifestFile = join(outDir, 'manifest.json');
  if (existsSync(optionsFile) && existsSync(manifestFile)) {
    const same = (await readFile(optionsFile, 'utf8')) === JSON.stringify(options);
    const manifest = JSON.parse(await readFile(manifestFile, 'utf8')) as ExportManifest;
    const files = manifest.files.map((file) => join(outDir, file.name));
    if (same && files.every((file) => existsSync(file))) return { spec, files, manifest };
  }
  console.log(`Generating the ${spec.name} export into ${outDir}…`);
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  const started = performance.now();
  const generated = await generateFrontExport({ outDir, ...options });
  await writeFile(optionsFile, JSON.stringify(options));
  console.log(`  done in ${seconds(performance.now() - started)}`);
  return { spec, files: generated.files, manifest: generated.manifest };
}

/** The floor worker, bundled with the app's zip.js and reader, as one module's source. */
async function floorWorkerSource(): Promise<string> {
  const output = await build({
    root: ROOT,
    configFile: false,
    logLevel: 'warn',
    build: {
      write: false,
      minify: false,
      sourcemap: false,
      lib: { entry: join(ROOT, 'bench', 'inflate-floor.worker.ts'), formats: ['es'], fileName: 'floor' },
    },
  });
  const results = Array.isArray(output) ? output : [output];
  for (const result of results) {
    if (!('output' in result)) continue;
    for (const chunk of result.output) if (chunk.type === 'chunk' && chunk.isEntry) return chunk.code;
  }
  throw new Error('the floor worker was not bundled');
}

// ---- JS heap sampling ----------------------------------------------------------------------------

/**
 * Samples the JS heap of the page and of the ingest worker (a dedicated worker has its own heap, which
 * `performance.memory` does not see) through the DevTools protocol: the worker is reached through a
 * browser session attached to its target.
 */
class HeapSampler {
  peakWorker = 0;
  peakPage = 0;
  samples = 0;
  #timer: ReturnType<typeof setInterval> | null = null;
  #nextId = 0;

  private constructor(
    private readonly browserSession: CDPSession,
    private readonly pageSession: CDPSession,
    private readonly workerSessionId: string,
  ) {}

  static async attach(browser: Browser, page: Page): Promise<HeapSampler> {
    const browserSession = await browser.newBrowserCDPSession();
    const pageSession = await page.context().newCDPSession(page);
    const deadline = Date.now() + 30_000;
    let workerTarget: { targetId: string } | undefined;
    while (!workerTarget) {
      const { targetInfos } = await browserSession.send('Target.getTargets');
      workerTarget = targetInfos.find((t) => t.type === 'worker' && /ingest\.worker/.test(t.url));
      if (!workerTarget) {
        if (Date.now() > deadline) throw new Error('the ingest worker did not start');
        await new Promise((done) => setTimeout(done, 100));
      }
    }
    const { sessionId } = await browserSession.send('Target.attachToTarget', {
      targetId: workerTarget.targetId,
      flatten: false,
    });
    return new HeapSampler(browserSession, pageSession, sessionId);
  }

  /** Resets the peaks and samples every `intervalMs` until stop(). */
  start(intervalMs: number): void {
    this.peakWorker = 0;
    this.peakPage = 0;
    this.samples = 0;
    let busy = false;
    this.#timer = setInterval(() => {
      if (busy) return;
      busy = true;
      this.sample()
        .catch(() => undefined)
        .finally(() => (busy = false));
    }, intervalMs);
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.sample().catch(() => undefined);
  }

  async sample(): Promise<void> {
    const [worker, page] = await Promise.all([
      this.#workerHeap(),
      this.pageSession.send('Runtime.getHeapUsage'),
    ]);
    this.peakWorker = Math.max(this.peakWorker, worker);
    this.peakPage = Math.max(this.peakPage, page.usedSize);
    this.samples++;
  }

  /** Runtime.getHeapUsage in the worker, through the (non-flat) session attached to it. */
  #workerHeap(): Promise<number> {
    const id = ++this.#nextId;
    return new Promise((resolvePromise, reject) => {
      const timeout = setTimeout(() => {
        this.browserSession.off('Target.receivedMessageFromTarget', onMessage);
        reject(new Error('no answer from the worker'));
      }, 10_000);
      const onMessage = (event: { sessionId: string; message: string }) => {
        if (event.sessionId !== this.workerSessionId) return;
        const message = JSON.parse(event.message) as { id?: number; result?: { usedSize: number } };
        if (message.id !== id) return;
        clearTimeout(timeout);
        this.browserSession.off('Target.receivedMessageFromTarget', onMessage);
        resolvePromise(message.result?.usedSize ?? 0);
      };
      this.browserSession.on('Target.receivedMessageFromTarget', onMessage);
      void this.browserSession
        .send('Target.sendMessageToTarget', {
          sessionId: this.workerSessionId,
          message: JSON.stringify({ id, method: 'Runtime.getHeapUsage' }),
        })
        .catch(reject);
    });
  }

  async detach(): Promise<void> {
    await this.browserSession.detach().catch(() => undefined);
    await this.pageSession.detach().catch(() => undefined);
  }
}

// ---- Runs in the page ----------------------------------------------------------------------------

/** The bare inflate of every entry, in a worker started in the app's page, on the same files. */
async function runFloor(page: Page, workerSource: string, files: readonly string[]): Promise<FloorResult> {
  await page.evaluate(() => {
    document.getElementById('bench-floor-files')?.remove();
    const input = document.createElement('input');
    input.type = 'file';
    input.multiple = true;
    input.id = 'bench-floor-files';
    input.hidden = true;
    document.body.append(input);
  });
  await page.locator('#bench-floor-files').setInputFiles([...files]);
  return page.evaluate(async (source) => {
    const input = document.getElementById('bench-floor-files') as HTMLInputElement;
    const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
    const worker = new Worker(url, { type: 'module' });
    try {
      return await new Promise<FloorResult>((done, fail) => {
        worker.onmessage = (event: MessageEvent<FloorResult | { error: string }>) =>
          'error' in event.data ? fail(new Error(event.data.error)) : done(event.data);
        worker.onerror = (event) => fail(new Error(event.message));
        worker.postMessage({ files: [...input.files!] });
      });
    } finally {
      worker.terminate();
      URL.revokeObjectURL(url);
    }
  }, workerSource);
}

/** The app's ingest: from the files set on its input to the Export summary of the finished run. */
async function runIngest(page: Page, files: readonly string[]): Promise<number> {
  // A string, not a function: tsx would wrap the named arrow functions in a helper the page lacks.
  await page.evaluate(`(() => {
    const timing = { start: -1, end: -1 };
    window.benchIngest = timing;
    document.getElementById('front-export-files').addEventListener(
      'change',
      () => { timing.start = performance.now(); },
      { capture: true, once: true },
    );
    const observer = new MutationObserver(() => {
      if (timing.start < 0 || document.querySelector('[data-testid="export-summary"]') === null) return;
      if (document.querySelector('[data-testid="ingest-progress"] h3')?.textContent !== 'Last indexing run') return;
      timing.end = performance.now();
      observer.disconnect();
    });
    observer.observe(document.body, { childList: true, subtree: true, characterData: true });
  })()`);
  await page.getByLabel('Front export files').setInputFiles([...files]);
  await page.waitForFunction(
    () => (window as unknown as { benchIngest: { end: number } }).benchIngest.end >= 0,
    undefined,
    { timeout: INGEST_TIMEOUT_MS, polling: 250 },
  );
  return page.evaluate(() => {
    const { start, end } = (window as unknown as { benchIngest: { start: number; end: number } }).benchIngest;
    return end - start;
  });
}

async function measure(
  browser: Browser,
  appUrl: string,
  workerSource: string,
  exported: CachedExport,
): Promise<Measurement> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(appUrl);
    await page.getByLabel('Front export files').waitFor();
    const sampler = await HeapSampler.attach(browser, page);
    // Floor before and after the ingest (the first read may warm the disk cache): the faster one counts.
    const before = await runFloor(page, workerSource, exported.files);
    sampler.start(HEAP_SAMPLE_MS);
    const ingestMs = await runIngest(page, exported.files);
    await sampler.stop();
    const after = await runFloor(page, workerSource, exported.files);
    await sampler.detach();
    const summaryConversations = Number(
      await page.getByTestId('summary-conversations').getAttribute('data-value'),
    );
    const bytes = exported.manifest.files.reduce((sum, file) => sum + file.size, 0);
    const entries = exported.manifest.files.reduce((sum, file) => sum + file.entries, 0);
    if (before.entries !== entries)
      throw new Error(`the floor saw ${before.entries} entries, not ${entries}`);
    return {
      spec: exported.spec,
      bytes,
      entries,
      conversations: exported.manifest.conversations,
      ingestMs,
      floorMs: Math.min(before.ms, after.ms),
      floorRuns: [before.ms, after.ms],
      peakWorkerHeap: sampler.peakWorker,
      peakPageHeap: sampler.peakPage,
      heapSamples: sampler.samples,
      summaryConversations,
    };
  } finally {
    await context.close();
  }
}

// ---- Report -----------------------------------------------------------------------------------------

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function report(results: Measurement[], chromiumVersion: string): void {
  const rows = results.map((r) => {
    const s = r.ingestMs / 1000;
    return {
      export: r.spec.name,
      'size (MB)': (r.bytes / MB).toFixed(0),
      entries: r.entries,
      conversations: r.conversations,
      'ingest (s)': s.toFixed(1),
      'MB/s': (r.bytes / MB / s).toFixed(1),
      'entries/s': Math.round(r.entries / s),
      'conversations/s': Math.round(r.conversations / s),
      'floor (s)': (r.floorMs / 1000).toFixed(1),
      'ingest/floor': (r.ingestMs / r.floorMs).toFixed(2),
      'peak heap worker (MiB)': (r.peakWorkerHeap / MIB).toFixed(0),
      'peak heap page (MiB)': (r.peakPageHeap / MIB).toFixed(0),
    };
  });
  console.table(rows);
  for (const r of results) {
    const runs = r.floorRuns.map((ms) => seconds(ms)).join(' / ');
    console.log(
      `${r.spec.name}: floor runs ${runs}; ${r.heapSamples} heap samples; summary shows ${r.summaryConversations} of ${r.conversations} conversations`,
    );
  }
  const big = results.find((r) => r.spec.name === '1gb');
  const heaps = results.map((r) => r.peakWorkerHeap);
  const checks = [
    big ? `ratio at 1 GB ${(big.ingestMs / big.floorMs).toFixed(2)} (target ≤ 1.5)` : null,
    `peak worker heap ${heaps.map((h) => `${(h / MIB).toFixed(0)} MiB`).join(' → ')} (target < 300 MiB, flat)`,
  ].filter((line) => line !== null);
  console.log(checks.join('\n'));
  console.log(
    `Machine: ${cpus().length} cores (${cpus()[0]?.model.trim() ?? 'unknown CPU'}), Chromium ${chromiumVersion}, ` +
      `${new Date().toISOString().slice(0, 10)}`,
  );
}

async function main(): Promise<void> {
  const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : null;
  const specs = EXPORTS.filter((spec) => only === null || spec.name === only);
  if (specs.length === 0) throw new Error(`--only takes one of: ${EXPORTS.map((s) => s.name).join(', ')}`);
  await ensureBuilt();
  const exports: CachedExport[] = [];
  for (const spec of specs) exports.push(await cachedExport(spec));
  const workerSource = await floorWorkerSource();
  const app = await serveBuiltApp();
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
  });
  try {
    const results: Measurement[] = [];
    for (const exported of exports) {
      console.log(`Measuring ${exported.spec.name} (${exported.files.length} zips)…`);
      results.push(await measure(browser, app.url, workerSource, exported));
    }
    report(results, browser.version());
  } finally {
    await browser.close();
    await app.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
