/**
 * The import engine: plans the export, merges the plan into the ledger, and sends what Missive does
 * not hold yet, conversations in parallel under one rate scheduler, until everything is sent, the
 * user pauses, or Missive needs a new token. Plain module (no DOM): the worker exposes it, and the
 * unit tests run it in Node against the sandbox over HTTP.
 */
import { planConversation } from '../domain/import/plan.ts';
import { RateScheduler, scaledLimits, type SchedulerClock } from '../domain/import/rate-scheduler.ts';
import type { EntryRef } from '../domain/model.ts';
import { unixSeconds } from '../domain/import/text.ts';
import type { ReopenReading } from '../domain/import/missive-payloads.ts';
import { ConversationTask, type RunContext } from './import-engine-conversation.ts';
import { ensureSharedLabel } from './import-engine-label.ts';
import { contactNames, readConversation } from './import-engine-export.ts';
import { importTarget, planChoices, planExport, remainingRequests } from './import-engine-plan.ts';
import { buildPreview } from './import-engine-preview.ts';
import { listSource, queueSource, type ConversationSource } from './import-engine-queue.ts';
import { decideUnknownItems } from './import-engine-decide.ts';
import { PROGRESS_INTERVAL_MS, ProgressChannel, timeLeftMs } from './import-engine-progress.ts';
import { Requester, type StopState } from './import-engine-requests.ts';
import { ConversationResolver, missiveWebUrl } from './import-engine-resolve.ts';
import type {
  EngineState,
  ImportProgress,
  PlanOverview,
  PlanRequest,
  ReasonCount,
  RunRequest,
  TrialLink,
  UnknownChoice,
} from './import-engine-types.ts';
import type { Ledger, RunMeta } from './ledger.ts';
import { MissiveClient } from './missive-client.ts';
import type { ExportStore } from './store.ts';

/** Conversations imported at the same time: twice the requests allowed in flight keeps them busy. */
export const DEFAULT_LANES = 10;
/** Resolver passes per run (each one follows conversations that waited for their Missive ID). */
const MAX_ROUNDS = 8;

export interface EngineClock extends SchedulerClock {
  epochNow(): number;
}

export const realClock: EngineClock = {
  now: () => performance.now(),
  epochNow: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason);
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal.reason);
      };
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal.addEventListener('abort', onAbort, { once: true });
    }),
};

export interface EngineDeps {
  store: ExportStore;
  ledger: Ledger;
  fetch?: typeof fetch;
  clock?: EngineClock;
  rng?: () => number;
  progressIntervalMs?: number;
  lanes?: number;
}

export type ReadFile = (ref: EntryRef) => Promise<Uint8Array | null>;
export type ProgressListener = (progress: ImportProgress) => void;

/** Everything one run holds while it goes. */
interface ActiveRun {
  meta: RunMeta;
  /** Resumed after Missive refused the token: the new token is proven before anything is written. */
  tokenRefusedBefore: boolean;
  controller: AbortController;
  scheduler: RateScheduler;
  requester: Requester;
  resolver: ConversationResolver | null;
  stop: { state: StopState | 'paused'; reason: string | null } | null;
  engineState: EngineState;
  remaining: number;
  filesNeeded: Set<string>;
  checkedAfterRestart: number;
  trialLinks: TrialLink[];
  reopenReading: ReopenReading | null;
  deliveredAtKept: boolean | null;
  over400Sms: string[];
  unknownItems: number;
  reasons: ReasonCount[];
  channel: ProgressChannel;
  listener: ProgressListener;
}

export class ImportEngine {
  readonly #deps: Required<Omit<EngineDeps, 'fetch'>> & Pick<EngineDeps, 'fetch'>;
  #active: ActiveRun | null = null;
  #seq = 0;

  constructor(deps: EngineDeps) {
    this.#deps = {
      clock: realClock,
      rng: Math.random,
      progressIntervalMs: PROGRESS_INTERVAL_MS,
      lanes: DEFAULT_LANES,
      ...deps,
    };
  }

  get running(): boolean {
    return this.#active !== null;
  }

  // ---- Plan --------------------------------------------------------------------------------------

  /** Totals for both comment modes, what is left given the ledger, and the preview. Writes nothing. */
  async plan(request: PlanRequest, timeScale = 1): Promise<PlanOverview> {
    const { store, ledger } = this.#deps;
    const names = await contactNames(store);
    const limits = scaledLimits(timeScale);
    const sharedLabelId = request.target.sharedLabelId;
    const pass = await planExport(store, ledger, request, { write: null, limits, sharedLabelId, names });
    const preview = await buildPreview(store, request, pass.previewSource, pass.trialConversationIds, {
      sharedLabelId,
      names,
    });
    const { trialConversationIds: _trial, previewSource: _source, ...overview } = pass;
    return { ...overview, preview };
  }

  // ---- Status ------------------------------------------------------------------------------------

  /** What the ledger says now (after a reload: a run the closed tab left behind shows as paused). */
  async status(): Promise<ImportProgress> {
    if (this.#active) return this.#snapshot(this.#active);
    const { ledger } = this.#deps;
    const meta = (await ledger.getRun()) ?? null;
    const unknown = (await ledger.itemsWithStatus('in_flight')).filter((i) => i.attempt?.unknown).length;
    let state: EngineState = meta?.state ?? 'idle';
    let reason = meta?.stateReason ?? null;
    if (state === 'running') {
      state = 'paused';
      reason =
        'The import stopped when the page was closed or reloaded. Press Resume to continue where it stopped.';
    }
    return {
      seq: ++this.#seq,
      state,
      mode: meta?.mode ?? null,
      stateReason: reason,
      counts: ledger.counts(),
      requests: emptyRequestStats(),
      remainingRequests: 0,
      timeLeftMs: null,
      unknownItems: unknown,
      checkedAfterRestart: 0,
      filesNeeded: [],
      trialLinks: meta ? await this.#trialLinks(meta.trialConversationIds) : [],
      reopenReading: (await ledger.getObservations()).reopenReading,
      deliveredAtKept: (await ledger.getObservations()).deliveredAtKept,
      reasons: await this.#reasons(),
      over400Sms: [],
      startedAt: meta?.startedAt ?? null,
      finishedAt: meta?.finishedAt ?? null,
      apiBase: meta?.apiBase ?? null,
      plan: meta ? { choices: meta.choices, target: meta.target } : null,
    };
  }

  // ---- Run ---------------------------------------------------------------------------------------

  /**
   * Runs until everything is sent, or the user pauses, or Missive needs a new token or an answer
   * from the user. Resolves with the last progress snapshot.
   */
  async run(request: RunRequest, readFile: ReadFile, listener: ProgressListener): Promise<ImportProgress> {
    if (this.#active) throw new Error('An import is already running.');
    const { ledger, clock } = this.#deps;
    const tokenRefusedBefore = request.mode === 'resume' && (await ledger.getRun())?.state === 'needs-token';
    const meta = await this.#startMeta(request);
    await ledger.putRun(meta);
    const controller = new AbortController();
    const limits = scaledLimits(meta.timeScale);
    const scheduler = new RateScheduler(clock, limits);
    const client = new MissiveClient(meta.apiBase, request.token, this.#deps.fetch);
    const active: ActiveRun = {
      meta,
      tokenRefusedBefore,
      controller,
      scheduler,
      requester: null!,
      resolver: null,
      stop: null,
      engineState: 'preparing',
      remaining: 0,
      filesNeeded: new Set(),
      checkedAfterRestart: 0,
      trialLinks: [],
      reopenReading: null,
      deliveredAtKept: null,
      over400Sms: [],
      unknownItems: 0,
      reasons: [],
      channel: null!,
      listener,
    };
    active.requester = new Requester({
      client,
      scheduler,
      clock,
      signal: controller.signal,
      rng: this.#deps.rng,
      timeScale: meta.timeScale,
      stop: (state, reason) => this.#stop(active, state, reason),
    });
    active.channel = new ProgressChannel(
      () => active.listener(this.#snapshot(active)),
      this.#deps.progressIntervalMs,
    );
    this.#active = active;
    try {
      await this.#execute(active, request, readFile);
    } catch (error) {
      if (!active.stop) active.stop = { state: 'paused', reason: `The import stopped: ${errorText(error)}` };
    } finally {
      scheduler.dispose();
    }
    await this.#conclude(active);
    this.#active = null;
    const last = this.#snapshot(active);
    listener(last);
    return last;
  }

  /** Stops sending: requests already in flight finish; `run` then resolves with the state `paused`. */
  pause(): void {
    const active = this.#active;
    if (!active || active.stop) return;
    active.stop = { state: 'paused', reason: null };
    active.engineState = 'pausing';
    active.controller.abort();
    active.channel.flush();
  }

  /**
   * The user's answer for items Missive could not tell about: send them again, count them as
   * imported, or skip them. Resume afterwards.
   */
  async decide(choice: UnknownChoice): Promise<ImportProgress> {
    if (this.#active) throw new Error('Pause the import first.');
    const { ledger } = this.#deps;
    await decideUnknownItems(ledger, choice);
    const meta = await ledger.getRun();
    if (meta && meta.state === 'needs-decision')
      await ledger.putRun({ ...meta, state: 'paused', stateReason: null });
    return this.status();
  }

  async #startMeta(request: RunRequest): Promise<RunMeta> {
    const previous = await this.#deps.ledger.getRun();
    const now = this.#deps.clock.epochNow();
    const timeScale = request.timeScale ?? 1;
    if (request.mode === 'resume') {
      if (!previous) throw new Error('There is no import to resume.');
      return {
        ...previous,
        state: 'running',
        stateReason: null,
        apiBase: request.apiBase,
        timeScale,
        user: request.user ?? previous.user,
      };
    }
    const plan = request.plan;
    if (!plan) throw new Error('A new import needs its plan.');
    return {
      mode: request.mode,
      state: 'running',
      stateReason: null,
      choices: { ...plan.choices, relayInboxKeys: [...plan.choices.relayInboxKeys] },
      target: { ...plan.target },
      user: request.user ?? null,
      apiBase: request.apiBase,
      timeScale,
      startedAt: now,
      finishedAt: null,
      updatedAt: now,
      trialConversationIds: previous?.trialConversationIds ?? [],
    };
  }

  async #execute(active: ActiveRun, request: RunRequest, readFile: ReadFile): Promise<void> {
    const { store, ledger, clock } = this.#deps;
    const meta = active.meta;
    active.channel.flush();
    if (active.tokenRefusedBefore) {
      // One read first: with a wrong token, the writes and checks that would otherwise leave
      // together (up to 5 in flight) would all go out before the first refusal came back.
      const probe = await active.requester.read('/users?limit=1');
      if (!probe.ok && probe.why === 'stopped') return;
    }

    const planRequest: PlanRequest = { choices: meta.choices, target: meta.target };
    const names = await contactNames(store);
    const limits = active.scheduler.limits;
    const pass = await planExport(store, ledger, planRequest, {
      write: { retryFailed: request.mode !== 'resume' },
      limits,
      sharedLabelId: meta.target.sharedLabelId,
      names,
      signal: active.controller.signal,
    });
    // The label once the plan is in the ledger: nothing is created in Missive for a plan that fails.
    let labelId = meta.target.sharedLabelId;
    if (!labelId) {
      const label = await ensureSharedLabel(active.requester, clock, meta.target.organization);
      if (!label.ok) {
        if (!label.stopped) this.#stop(active, 'paused', label.message);
        return;
      }
      labelId = label.id;
      meta.target.sharedLabelId = labelId;
      await ledger.putRun(meta);
    }

    if (request.mode !== 'resume' || meta.trialConversationIds.length === 0) {
      meta.trialConversationIds = pass.trialConversationIds;
      await ledger.putRun(meta);
    }
    await this.#markTrial(meta.trialConversationIds);
    active.over400Sms = pass.summary.over400SmsConversationIds;
    const commentMode = meta.choices.commentMode;
    active.remaining =
      meta.mode === 'trial'
        ? await this.#remainingOf(meta.trialConversationIds, planRequest)
        : pass.remaining[commentMode].total;

    const inFlight = await ledger.itemsWithStatus('in_flight');
    active.checkedAfterRestart = inFlight.filter((item) => !item.attempt?.unknown).length;
    const resolver = new ConversationResolver(active.requester, ledger, labelId);
    active.resolver = resolver;
    const observations = await ledger.getObservations();
    active.reopenReading = observations.reopenReading;
    active.deliveredAtKept = observations.deliveredAtKept;
    const ctx: RunContext = {
      ledger,
      store,
      requester: active.requester,
      resolver,
      target: importTarget(planRequest, labelId, names),
      choices: planChoices(meta.choices),
      readFile,
      clock,
      epochNow: () => clock.epochNow(),
      events: {
        requestSettled: () => {
          active.remaining = Math.max(0, active.remaining - 1);
        },
        filesNeeded: (list) => {
          for (const name of list) active.filesNeeded.add(name);
        },
        changed: () => active.channel.changed(),
      },
      reopen: {
        reading: observations.reopenReading,
        probing: false,
        waiting: new Set(),
        observe: async (reading, missiveConversationId) => {
          await ledger.putObservations({ reopenReading: reading, reopenObservedOn: missiveConversationId });
          active.reopenReading = reading;
          active.channel.changed();
        },
      },
    };
    active.engineState = 'running';
    active.channel.flush();

    let source =
      meta.mode === 'trial'
        ? listSource(meta.trialConversationIds)
        : queueSource(ledger, [...new Set(inFlight.map((item) => item.conversationId))]);
    for (let round = 0; round < MAX_ROUNDS && !active.stop; round++) {
      const deferred = await this.#lanes(active, ctx, source);
      // Comments that waited for the reopen probe go again once another conversation observed it.
      const waited = ctx.reopen.reading === null ? [] : [...ctx.reopen.waiting];
      ctx.reopen.waiting.clear();
      if (active.stop || deferred.length + waited.length === 0) break;
      if (deferred.length > 0 && !(await resolver.resolve(deferred))) break;
      source = listSource([...deferred, ...waited]);
    }
    if (meta.mode === 'trial' && !active.stop) {
      active.trialLinks = await this.#resolveTrialLinks(active, meta.trialConversationIds);
      if (active.deliveredAtKept === null) await this.#probeDeliveredAt(active, meta.trialConversationIds);
    }
  }

  /**
   * Reads back one SMS the trial created and compares its `delivered_at` with Front's date: whether
   * Missive keeps a past `delivered_at` is undocumented (the check before a resend works either way;
   * this tells the user which way their account behaves).
   */
  async #probeDeliveredAt(active: ActiveRun, ids: readonly string[]): Promise<void> {
    const { ledger, store } = this.#deps;
    for (const id of ids) {
      const row = await ledger.getConversation(id);
      if (!row?.missiveConversationId) continue;
      const sent = (await ledger.itemsOf(id)).filter((item) => item.kind === 'sms' && item.status === 'done');
      if (sent.length === 0) continue;
      const path = `/conversations/${encodeURIComponent(row.missiveConversationId)}/messages?limit=10`;
      const result = await active.requester.read<{ messages?: unknown }>(path);
      if (!result.ok) return;
      const listed = Array.isArray(result.body?.messages) ? (result.body.messages as unknown[]) : [];
      for (const entry of listed) {
        const listedMessage = entry as { external_id?: unknown; delivered_at?: unknown };
        if (typeof listedMessage.external_id !== 'string' || typeof listedMessage.delivered_at !== 'number')
          continue;
        const frontId = listedMessage.external_id.replace(/:part-\d+$/, '');
        if (!sent.some((item) => item.frontId === frontId)) continue;
        const front = await store.getMessage(frontId);
        if (!front) continue;
        active.deliveredAtKept = listedMessage.delivered_at === unixSeconds(front.createdAt);
        await ledger.putObservations({ deliveredAtKept: active.deliveredAtKept });
        active.channel.changed();
        return;
      }
    }
  }

  /** Runs conversations in parallel lanes until the source is empty; returns those that wait for their ID. */
  async #lanes(active: ActiveRun, ctx: RunContext, source: ConversationSource): Promise<string[]> {
    const deferred: string[] = [];
    const lane = async () => {
      while (!active.stop) {
        const id = await source.next();
        if (id === null) return;
        const result = await new ConversationTask(ctx, id).run();
        if (result === 'deferred') deferred.push(id);
        active.channel.changed();
      }
    };
    await Promise.all(Array.from({ length: this.#deps.lanes }, lane));
    return deferred;
  }

  async #markTrial(ids: readonly string[]): Promise<void> {
    const { ledger } = this.#deps;
    for (const id of ids) {
      const row = await ledger.getConversation(id);
      if (row && !row.trial) await ledger.putConversation(row, { ...row, trial: true });
    }
  }

  async #remainingOf(ids: readonly string[], request: PlanRequest): Promise<number> {
    const { store, ledger } = this.#deps;
    const choices = planChoices(request.choices);
    let total = 0;
    for (const id of ids) {
      const [data, items, conversation] = await Promise.all([
        readConversation(store, id),
        ledger.itemsOf(id),
        ledger.getConversation(id),
      ]);
      const plan = planConversation(data.conversation, data.messages, data.comments, choices);
      const byId = new Map(items.map((i) => [i.frontId, i]));
      total += remainingRequests(plan, data.comments, byId, conversation)[request.choices.commentMode].total;
    }
    return total;
  }

  /** Links to the trial's conversations in Missive (looked up when Missive answered without an ID). */
  async #resolveTrialLinks(active: ActiveRun, ids: readonly string[]): Promise<TrialLink[]> {
    const { ledger } = this.#deps;
    const unknown: string[] = [];
    for (const id of ids) {
      const row = await ledger.getConversation(id);
      if (row && !row.missiveConversationId && row.smsSent > 0) unknown.push(id);
    }
    if (unknown.length > 0 && active.resolver) await active.resolver.resolve(unknown);
    return this.#trialLinks(ids);
  }

  async #trialLinks(ids: readonly string[]): Promise<TrialLink[]> {
    const { ledger } = this.#deps;
    const links: TrialLink[] = [];
    for (const id of ids) {
      const row = await ledger.getConversation(id);
      links.push({
        frontConversationId: id,
        missiveConversationId: row?.missiveConversationId ?? null,
        // Built from the ID, never a URL from an API answer: the link is clicked in the app's origin.
        webUrl: row?.missiveConversationId ? missiveWebUrl(row.missiveConversationId) : null,
      });
    }
    return links;
  }

  /** Pending and failed items grouped by kind and reason, most frequent first. */
  async #reasons(): Promise<ReasonCount[]> {
    const counts = new Map<string, ReasonCount>();
    await this.#deps.ledger.forEachItem((item) => {
      const status = item.status === 'in_flight' ? 'pending' : item.status;
      if ((status !== 'pending' && status !== 'failed') || !item.reason) return;
      const key = `${status}\n${item.kind}\n${item.reason}`;
      const entry = counts.get(key) ?? { status, kind: item.kind, reason: item.reason, count: 0 };
      entry.count++;
      counts.set(key, entry);
    });
    return [...counts.values()].sort((a, b) => b.count - a.count);
  }

  #stop(active: ActiveRun, state: StopState | 'paused', reason: string | null): void {
    if (active.stop) return;
    const words =
      state === 'needs-token'
        ? `Missive refused the token (${reason ?? '401'}). Enter a valid token and press Resume: nothing was lost.`
        : reason;
    active.stop = { state, reason: words };
    active.engineState = state === 'paused' ? 'pausing' : state;
    active.controller.abort();
    active.channel.flush();
  }

  /** The run's final state, in the ledger and on screen. */
  async #conclude(active: ActiveRun): Promise<void> {
    const { ledger, clock } = this.#deps;
    const meta = active.meta;
    const inFlight = await ledger.itemsWithStatus('in_flight');
    const unknown = inFlight.filter((item) => item.attempt?.unknown).length;
    if (active.stop) {
      meta.state = active.stop.state;
      meta.stateReason = active.stop.reason;
    } else if (unknown > 0) {
      meta.state = 'needs-decision';
      meta.stateReason = `${unknown} item(s) were sent, but Missive could not tell whether they arrived. Choose what to do with them.`;
    } else if (inFlight.length > 0) {
      meta.state = 'paused';
      meta.stateReason = `${inFlight.length} item(s) still need to be checked with Missive: press Resume.`;
    } else {
      meta.state = 'finished';
      meta.stateReason = null;
      meta.finishedAt = clock.epochNow();
    }
    await ledger.putRun(meta);
    active.engineState = meta.state;
    active.unknownItems = unknown;
    active.reasons = await this.#reasons();
    if (meta.mode === 'trial' && active.trialLinks.length === 0) {
      active.trialLinks = await this.#trialLinks(meta.trialConversationIds);
    }
  }

  #snapshot(active: ActiveRun): ImportProgress {
    const { ledger, clock } = this.#deps;
    const stats = active.scheduler.stats();
    const now = clock.now();
    const meta = active.meta;
    return {
      seq: ++this.#seq,
      state: active.engineState,
      mode: meta.mode,
      stateReason: active.stop?.reason ?? meta.stateReason,
      counts: ledger.counts(),
      requests: {
        sent: active.requester.sent,
        inFlight: stats.inFlight,
        lastMinute: stats.sentLastMinute,
        last15Minutes: stats.sentLast15Minutes,
        perMinuteLimit: stats.limits.perMinute,
        per15MinutesLimit: stats.limits.per15Minutes,
        rateLimited: active.requester.rateLimited,
        pausedForMs: stats.pausedUntil !== null ? Math.max(0, stats.pausedUntil - now) : null,
        retryAfterUnreadable: stats.retryAfterUnreadable,
      },
      remainingRequests: active.remaining,
      timeLeftMs: active.engineState === 'running' ? timeLeftMs(active.remaining, stats, now) : null,
      unknownItems: active.unknownItems,
      checkedAfterRestart: active.checkedAfterRestart,
      filesNeeded: [...active.filesNeeded],
      trialLinks: active.trialLinks,
      reopenReading: active.reopenReading,
      deliveredAtKept: active.deliveredAtKept,
      reasons: active.reasons,
      over400Sms: active.over400Sms,
      startedAt: meta.startedAt,
      finishedAt: meta.finishedAt,
      apiBase: meta.apiBase,
      plan: { choices: meta.choices, target: meta.target },
    };
  }
}

function emptyRequestStats(): ImportProgress['requests'] {
  return {
    sent: 0,
    inFlight: 0,
    lastMinute: 0,
    last15Minutes: 0,
    perMinuteLimit: 300,
    per15MinutesLimit: 900,
    rateLimited: 0,
    pausedForMs: null,
    retryAfterUnreadable: false,
  };
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
