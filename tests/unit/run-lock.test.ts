import { describe, expect, it } from 'vitest';
import type { Remote } from 'comlink';
import {
  IMPORT_LOCK,
  INGEST_LOCK,
  INGEST_RUNNING_ELSEWHERE,
  RELAY_RUNNING_ELSEWHERE,
  RUNNING_ELSEWHERE,
  RunLock,
  relayLockName,
  type LockManagerLike,
} from '../../src/lib/run-lock.ts';
import { ImportState, type ImportBridge } from '../../src/state/import.svelte.ts';
import { Settings } from '../../src/state/settings.svelte.ts';
import { Connection } from '../../src/state/connection.svelte.ts';
import type { ImportApi } from '../../src/adapters/import-engine-api.ts';
import type { ImportProgress } from '../../src/adapters/import-engine-types.ts';
import { RelayState, type RelayBridge } from '../../src/state/relay.svelte.ts';
import type { RelayApi } from '../../src/adapters/relay/relay-api.ts';
import type { RelayProgress } from '../../src/adapters/relay/types.ts';
import { ExportState, type IngestBridge } from '../../src/state/export.svelte.ts';
import type { IngestApi } from '../../src/adapters/ingest-api.ts';

/** The browser's LockManager as the tabs of one origin share it: exclusive locks, ifAvailable, query. */
class SharedLocks implements LockManagerLike {
  readonly held = new Set<string>();
  async request<T>(
    name: string,
    _options: { ifAvailable: true },
    callback: (lock: unknown) => Promise<T> | T,
  ): Promise<T> {
    if (this.held.has(name)) return callback(null);
    this.held.add(name);
    try {
      return await callback({ name });
    } finally {
      this.held.delete(name);
    }
  }
  async query(): Promise<{ held: { name: string }[] }> {
    return { held: [...this.held].map((name) => ({ name })) };
  }
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

const PAUSED = { seq: 1, state: 'paused', mode: 'full' } as unknown as ImportProgress;
const FINISHED = { seq: 2, state: 'finished', mode: 'full' } as unknown as ImportProgress;

/** A tab: its own import worker (counting runs; each run ends when `finish` is called). */
function tab(locks: LockManagerLike) {
  const runs: (() => void)[] = [];
  const api = {
    status: async () => PAUSED,
    run: async () => {
      const done = deferred();
      runs.push(done.resolve);
      await done.promise;
      return FINISHED;
    },
  };
  const bridge: ImportBridge = { call: (_signal, fn) => fn(api as unknown as Remote<ImportApi>) };
  const connection = new Connection(null);
  connection.token = 'token';
  const state = new ImportState({
    bridge,
    connection,
    settings: new Settings('', null),
    readFile: async () => null,
    browser: {},
    runLock: new RunLock(locks),
  });
  return { state, runs };
}

describe('one run at a time across tabs', () => {
  it('a second tab cannot start or resume while the first runs; it can once the first ended', async () => {
    const locks = new SharedLocks();
    const first = tab(locks);
    const second = tab(locks);
    await second.state.load();
    expect(second.state.resumable).toBe(true);

    const firstRun = first.state.resume();
    await expect.poll(() => first.runs.length).toBe(1);
    expect(locks.held.has(IMPORT_LOCK)).toBe(true);

    await second.state.resume();
    expect(second.runs).toHaveLength(0); // nothing sent from the second tab
    expect(second.state.error).toContain(RUNNING_ELSEWHERE);
    expect(second.state.busyElsewhere).toBe(true);
    expect(second.state.resumable).toBe(false); // no Resume offered
    await second.state.start('full', {} as never);
    expect(second.runs).toHaveLength(0);

    first.runs[0]!();
    await firstRun;
    expect(locks.held.has(IMPORT_LOCK)).toBe(false);
    const secondRun = second.state.resume();
    await expect.poll(() => second.runs.length).toBe(1);
    second.runs[0]!();
    await secondRun;
  });

  it('watch tells whether another tab holds the lock, and when it lets go', async () => {
    const locks = new SharedLocks();
    const seen: boolean[] = [];
    const watcher = new RunLock(locks);
    const stop = watcher.watch(
      () => IMPORT_LOCK,
      (elsewhere) => seen.push(elsewhere),
      10,
    );
    await expect.poll(() => seen).toEqual([false]);
    const release = deferred();
    const run = new RunLock(locks).runExclusive(IMPORT_LOCK, () => release.promise);
    await expect.poll(() => seen).toEqual([false, true]);
    // The lock this tab holds itself is not "elsewhere".
    expect(await new RunLock(locks).heldElsewhere('other')).toBe(false);
    release.resolve();
    expect(await run).toBe(true);
    await expect.poll(() => seen).toEqual([false, true, false]);
    stop();
  });
});

const TARGET = {
  key: 'jmap:ann@example.com@api.fastmail.com',
  kind: 'jmap',
  label: 'Fastmail ann@example.com',
};
const OTHER_TARGET = { key: 'gmail:ann@example.com', kind: 'gmail', label: 'Gmail ann@example.com' };

/** A tab in relay mode: its own relay worker (counting runs; each run ends when `finish` is called). */
function relayTab(locks: LockManagerLike, account: typeof TARGET = TARGET) {
  const runs: (() => void)[] = [];
  let seq = 0;
  const snapshot = (state: string) =>
    ({
      seq: ++seq,
      state,
      target: account,
      counts: { total: 2, done: 0, failed: 0, pending: 2, sending: 0 },
    }) as unknown as RelayProgress;
  const api = {
    connect: async () => ({
      account,
      destination: 'mailbox Front import',
      folders: null,
      progress: snapshot('paused'),
    }),
    start: async () => {
      const done = deferred();
      runs.push(done.resolve);
      await done.promise;
      return snapshot('finished');
    },
    progress: async () => snapshot('paused'),
    targets: async () => [],
    commentsWaiting: async () => ({ emails: 0 }),
  };
  const bridge: RelayBridge = {
    call: (_signal, fn) => fn(api as unknown as Remote<RelayApi>),
    terminate: () => undefined,
  };
  const state = new RelayState({ bridge, runLock: new RunLock(locks) });
  return { state, runs };
}

describe('one relay per target account across tabs', () => {
  it('a second tab cannot start or resume the relay to the same account while the first runs', async () => {
    const locks = new SharedLocks();
    const first = relayTab(locks);
    const second = relayTab(locks);
    const elsewhere = relayTab(locks, OTHER_TARGET);
    for (const tab of [first, second, elsewhere]) {
      tab.state.jmapToken = 'token';
      await tab.state.connectJmap();
    }

    const firstRun = first.state.start();
    await expect.poll(() => first.runs.length).toBe(1);
    expect(locks.held.has(relayLockName(TARGET.key))).toBe(true);

    await second.state.start();
    await second.state.start(true); // Retry the failed emails
    expect(second.runs).toHaveLength(0); // nothing sent from the second tab
    expect(second.state.error).toContain(RELAY_RUNNING_ELSEWHERE);
    expect(second.state.busyElsewhere).toBe(true);
    expect(second.state.running).toBe(false);

    // Another account relays at the same time.
    const otherRun = elsewhere.state.start();
    await expect.poll(() => elsewhere.runs.length).toBe(1);
    elsewhere.runs[0]!();
    await otherRun;

    first.runs[0]!();
    await firstRun;
    expect(locks.held.has(relayLockName(TARGET.key))).toBe(false);
    const secondRun = second.state.start();
    await expect.poll(() => second.runs.length).toBe(1);
    expect(second.state.error).toBeNull();
    second.runs[0]!();
    await secondRun;
  });
});

const EMPTY_SNAPSHOT = { sources: [], summary: null, estimate: null, inboxes: [], unrecognized: [] };

/** A tab's Load step: its own ingest worker (counting ingests and clears). */
function ingestTab(locks: LockManagerLike) {
  const ingests: (() => void)[] = [];
  let clears = 0;
  const api = {
    load: async () => EMPTY_SNAPSHOT,
    ingest: async () => {
      const done = deferred();
      ingests.push(done.resolve);
      await done.promise;
      return { progress: null, messages: [], snapshot: EMPTY_SNAPSHOT };
    },
    clear: async () => {
      clears++;
      return EMPTY_SNAPSHOT;
    },
  };
  const bridge: IngestBridge = {
    call: (_signal, fn) => fn(api as unknown as Remote<IngestApi>),
    terminate: () => undefined,
  };
  const state = new ExportState(bridge, null, new RunLock(locks));
  return { state, ingests, clears: () => clears };
}

describe('one ingest at a time across tabs', () => {
  it('a second tab refuses dropped files and Clear while the first indexes; it takes them after', async () => {
    const locks = new SharedLocks();
    const first = ingestTab(locks);
    const second = ingestTab(locks);
    await first.state.load();
    await second.state.load();

    const firstIngest = first.state.addFiles([new File(['a'], 'export-1.zip')]);
    await expect.poll(() => first.ingests.length).toBe(1);
    expect(locks.held.has(INGEST_LOCK)).toBe(true);

    await second.state.addFiles([new File(['b'], 'export-2.zip')]);
    expect(second.ingests).toHaveLength(0); // nothing read in the second tab
    expect(second.state.busyElsewhere).toBe(true);
    expect(second.state.status).toBe('idle');
    expect(second.state.messages.map((message) => message.text).join(' ')).toContain(
      `${INGEST_RUNNING_ELSEWHERE}: "export-2.zip" not read here`,
    );
    await second.state.clear();
    expect(second.clears()).toBe(0); // the index the first tab writes is not wiped

    // A drop during the first tab's own ingest waits its turn under the same lock.
    const queuedDrop = first.state.addFiles([new File(['c'], 'export-3.zip')]);
    first.ingests[0]!();
    await expect.poll(() => first.ingests.length).toBe(2);
    expect(locks.held.has(INGEST_LOCK)).toBe(true);
    first.ingests[1]!();
    await firstIngest;
    await queuedDrop;
    expect(locks.held.has(INGEST_LOCK)).toBe(false);

    const secondIngest = second.state.addFiles([new File(['b'], 'export-2.zip')]);
    await expect.poll(() => second.ingests.length).toBe(1);
    second.ingests[0]!();
    await secondIngest;
    await second.state.clear();
    expect(second.clears()).toBe(1);
  });
});
