/**
 * A small bridge to a comlink-exposed worker (after GoogleChromeLabs/squoosh's WorkerBridge): creates the
 * worker lazily, keeps its proxy, takes an AbortSignal on every call, and restarts the worker when an
 * aborted call does not settle in time (a stuck worker is terminated; the next call gets a fresh one).
 */
import { wrap, releaseProxy, type Remote } from 'comlink';

export class AbortedError extends Error {
  constructor() {
    super('Cancelled.');
    this.name = 'AbortError';
  }
}

export interface BridgeOptions<T> {
  /** Asks the worker to stop its current work; the call should then settle by itself. */
  cancel?: (api: Remote<T>) => Promise<void> | void;
  /** How long an aborted call may take to settle before the worker is terminated. */
  graceMs?: number;
}

export class WorkerBridge<T> {
  readonly #create: () => Worker;
  readonly #options: BridgeOptions<T>;
  #worker: Worker | null = null;
  #api: Remote<T> | null = null;
  /** Rejecters of the calls in flight: a worker that dies must not leave them pending forever. */
  readonly #pending = new Set<(error: Error) => void>();

  constructor(create: () => Worker, options: BridgeOptions<T> = {}) {
    this.#create = create;
    this.#options = options;
  }

  get api(): Remote<T> {
    if (!this.#api) {
      const worker = this.#create();
      worker.addEventListener('error', (event) => {
        event.preventDefault?.();
        const message = (event as Partial<ErrorEvent>).message || 'it could not run';
        this.#failAll(
          new Error(`The background worker stopped (${message}). Try again; reload the page if it persists.`),
        );
        this.terminate();
      });
      this.#worker = worker;
      this.#api = wrap<T>(worker);
    }
    return this.#api;
  }

  /**
   * Runs `fn` against the worker. When `signal` aborts, the worker is asked to cancel; if the call has not
   * settled after the grace period, the worker is terminated and the call rejects with an AbortError.
   */
  async call<R>(signal: AbortSignal | undefined, fn: (api: Remote<T>) => Promise<R>): Promise<R> {
    if (signal?.aborted) throw new AbortedError();
    const api = this.api;
    const work = fn(api);
    return new Promise<R>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | null = null;
      const onAbort = () => {
        void Promise.resolve(this.#options.cancel?.(api)).catch(() => undefined);
        timer = setTimeout(() => {
          this.terminate();
          reject(new AbortedError());
        }, this.#options.graceMs ?? 5000);
      };
      const settle = () => {
        this.#pending.delete(fail);
        signal?.removeEventListener('abort', onAbort);
        if (timer !== null) clearTimeout(timer);
      };
      const fail = (error: Error) => {
        settle();
        reject(error);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#pending.add(fail);
      work.then(
        (value) => {
          settle();
          resolve(value);
        },
        (error: unknown) => {
          settle();
          reject(error);
        },
      );
    });
  }

  #failAll(error: Error): void {
    for (const fail of [...this.#pending]) fail(error);
  }

  /** Stops the worker now (calls in flight fail); the next call starts a new one. */
  terminate(): void {
    this.#failAll(new AbortedError());
    if (this.#api) this.#api[releaseProxy]();
    this.#worker?.terminate();
    this.#worker = null;
    this.#api = null;
  }
}
