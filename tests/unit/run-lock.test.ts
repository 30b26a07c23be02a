import { describe, expect, it } from 'vitest';
import type { Remote } from 'comlink';
import { IMPORT_LOCK, RUNNING_ELSEWHERE, RunLock, type LockManagerLike } from '../../src/lib/run-lock.ts';
import { ImportState, type ImportBridge } from '../../src/state/import.svelte.ts';
import { Settings } from '../../src/state/settings.svelte.ts';
import { Connection } from '../../src/state/connection.svelte.ts';
import type { ImportApi } from '../../src/adapters/import-engine-api.ts';
import type { ImportProgress } from '../../src/adapters/import-engine-types.ts';

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
