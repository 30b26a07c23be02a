/**
 * The page's import and plan state over the real import API (no Worker): the buttons' actions, the
 * wake lock and the leave warning while a run goes, the compressed time scale rules, the plan
 * restored after a reload.
 */
import 'fake-indexeddb/auto';
import type { Remote } from 'comlink';
import { afterEach, describe, expect, it } from 'vitest';
import { createImportApi, type ImportApi } from '../../src/adapters/import-engine-api.ts';
import { Connection } from '../../src/state/connection.svelte.ts';
import { ImportState, importTimeScale, type ImportBridge } from '../../src/state/import.svelte.ts';
import { PlanState } from '../../src/state/plan.svelte.ts';
import { Settings } from '../../src/state/settings.svelte.ts';
import {
  TEST_TIME_SCALE,
  generate,
  importProblems,
  readTruth,
  startEngineBed,
  type EngineBed,
} from '../support/engine-fixtures.ts';

let bed: EngineBed | null = null;
afterEach(async () => {
  await bed?.close();
  bed = null;
});

function bridgeOver(api: ImportApi): ImportBridge {
  return { call: (_signal, fn) => fn(api as unknown as Remote<ImportApi>) };
}

describe('import time scale', () => {
  it('is honoured only with a loopback API base, and only between 0 and 1', () => {
    expect(importTimeScale('?import-time-scale=0.01', 'http://127.0.0.1:4010/v1')).toBe(0.01);
    expect(importTimeScale('?import-time-scale=0.01', 'http://localhost:4010/v1')).toBe(0.01);
    expect(importTimeScale('?import-time-scale=0.01', 'https://public.missiveapp.com/v1')).toBe(1);
    expect(importTimeScale('?import-time-scale=0.01', 'https://evil.example.com/v1')).toBe(1);
    expect(importTimeScale('?import-time-scale=5', 'http://127.0.0.1:4010/v1')).toBe(1);
    expect(importTimeScale('?import-time-scale=nope', 'http://127.0.0.1:4010/v1')).toBe(1);
    expect(importTimeScale('', 'http://127.0.0.1:4010/v1')).toBe(1);
  });
});

describe('import state', () => {
  it('runs an import from the page: wake lock and leave warning while running, never backwards, Import complete', async () => {
    const { paths } = await generate(71, 30);
    const truth = await readTruth(paths);
    bed = await startEngineBed(paths);
    const current = bed;
    const api = createImportApi({
      exportDbName: current.store.name,
      ledgerDbName: current.ledger.name,
    });
    const settings = new Settings(`?missive-api=${encodeURIComponent(current.sandbox.url)}`, null);
    const connection = new Connection(null);
    connection.token = current.sandbox.token;
    let unloadListener: ((event: BeforeUnloadEvent) => void) | null = null;
    const locks: { released: boolean }[] = [];
    const state = new ImportState({
      bridge: bridgeOver(api),
      connection,
      settings,
      search: `?import-time-scale=${TEST_TIME_SCALE}`,
      readFile: (ref) => current.readFile(ref),
      browser: {
        requestWakeLock: async () => {
          const lock = { released: false, release: async () => void (lock.released = true) };
          locks.push(lock);
          return lock;
        },
        addEventListener: (_type, listener) => (unloadListener = listener),
      },
    });
    const plan = new PlanState({
      bridge: bridgeOver(api),
      connection,
      settings,
      relayInboxKeys: () => [],
      timeScale: () => state.timeScale,
      exportVersion: () => null,
    });
    expect(state.timeScale).toBe(TEST_TIME_SCALE);
    await state.load();
    expect(state.state).toBe('idle');
    expect(plan.missing).toEqual(['the SMS custom channel account ID', 'the organization']);
    plan.account = current.sandbox.accountId;
    plan.organization = current.sandbox.organizationId;
    expect(plan.missing).toEqual([]);
    await plan.refresh();
    expect(plan.overview!.summary.requests['per-comment'].total).toBeGreaterThan(0);

    const seen: number[] = [];
    const warnings: boolean[] = [];
    const watch = setInterval(() => {
      if (state.progress) seen.push(state.progress.counts.sms.imported);
      const event = {
        defaultPrevented: false,
        preventDefault() {},
        returnValue: undefined,
      } as unknown as BeforeUnloadEvent;
      let prevented = false;
      event.preventDefault = () => void (prevented = true);
      unloadListener?.(event);
      if (state.running) warnings.push(prevented);
    }, 2);
    await state.start('full', plan.request());
    clearInterval(watch);

    expect(state.complete).toBe(true);
    expect(state.running).toBe(false);
    expect(importProblems(current.sandbox, truth)).toEqual([]);
    expect(seen.every((value, i) => i === 0 || value >= seen[i - 1]!)).toBe(true);
    expect(warnings.length).toBeGreaterThan(0);
    expect(warnings.every(Boolean)).toBe(true);
    expect(locks).toHaveLength(1);
    expect(locks[0]!.released).toBe(true);
    const after = { defaultPrevented: false, preventDefault: () => (after.defaultPrevented = true) };
    unloadListener!(after as unknown as BeforeUnloadEvent);
    expect(after.defaultPrevented).toBe(false);

    // A new page: the plan comes back from the ledger.
    const reloaded = new ImportState({
      bridge: bridgeOver(api),
      connection,
      settings,
      readFile: async () => null,
      browser: {},
    });
    await reloaded.load();
    const restored = new PlanState({
      bridge: bridgeOver(api),
      connection,
      settings,
      relayInboxKeys: () => [],
      timeScale: () => 1,
      exportVersion: () => null,
    });
    restored.restore(reloaded.progress?.plan);
    expect(restored.account).toBe(current.sandbox.accountId);
    expect(restored.organization).toBe(current.sandbox.organizationId);
  }, 60_000);

  it('asks for the token before starting without one', async () => {
    const settings = new Settings('', null);
    const connection = new Connection(null);
    const state = new ImportState({
      bridge: { call: () => Promise.reject(new Error('not called')) },
      connection,
      settings,
      readFile: async () => null,
      browser: {},
    });
    await state.resume();
    expect(state.error).toBe('Enter your Missive API token first.');
  });
});
