/**
 * One run at a time across the tabs of a browser: a Web Lock (`navigator.locks`, shared by every tab
 * of the app's origin) held for the whole of an import run, of a relay target's run, of an ingest.
 * Two tabs sending from one pending queue would post comments twice (posts carry no idempotency key)
 * and store relayed emails twice; a tab that cannot get the lock sends nothing and says why.
 */

export const IMPORT_LOCK = 'front-missive:import';
export const INGEST_LOCK = 'front-missive:ingest';
/** One lock per relay target (account): two targets may relay at once, one target only once. */
export function relayLockName(targetKey: string): string {
  return `front-missive:relay:${targetKey}`;
}

/** What the app says in the tab that cannot get the lock. */
export const RUNNING_ELSEWHERE = 'This import is running in another tab';
export const RELAY_RUNNING_ELSEWHERE = 'This relay is running in another tab';
export const INGEST_RUNNING_ELSEWHERE = 'The export is being loaded in another tab';

/** The part of the browser's LockManager used here (injected in unit tests). */
export interface LockManagerLike {
  request<T>(
    name: string,
    options: { ifAvailable: true },
    callback: (lock: unknown) => Promise<T> | T,
  ): Promise<T>;
  query(): Promise<{ held?: { name?: string }[] }>;
}

export function browserLocks(): LockManagerLike | null {
  return typeof navigator !== 'undefined' && navigator.locks ? navigator.locks : null;
}

export class RunLock {
  readonly #locks: LockManagerLike | null;
  /** Names held by this tab right now (the query also lists them, as held by someone). */
  readonly #heldHere = new Set<string>();

  constructor(locks: LockManagerLike | null = browserLocks()) {
    this.#locks = locks;
  }

  /**
   * Runs `task` while holding `name`; when another tab holds it, returns false at once without
   * running it. A browser without Web Locks runs the task (nothing to coordinate with).
   */
  async runExclusive(name: string, task: () => Promise<void>): Promise<boolean> {
    if (!this.#locks) {
      await task();
      return true;
    }
    return this.#locks.request(name, { ifAvailable: true }, async (lock) => {
      if (!lock) return false;
      this.#heldHere.add(name);
      try {
        await task();
      } finally {
        this.#heldHere.delete(name);
      }
      return true;
    });
  }

  /** Whether another tab holds `name` now. */
  async heldElsewhere(name: string): Promise<boolean> {
    if (!this.#locks || this.#heldHere.has(name)) return false;
    try {
      const snapshot = await this.#locks.query();
      // The snapshot may predate a lock this tab took meanwhile.
      if (this.#heldHere.has(name)) return false;
      return (snapshot.held ?? []).some((lock) => lock.name === name);
    } catch {
      return false;
    }
  }

  /**
   * Tells `onChange` whether another tab holds `name`, now and whenever that changes (the lock
   * manager has no events: asked every `intervalMs`). Returns the function that stops watching.
   */
  watch(name: () => string | null, onChange: (elsewhere: boolean) => void, intervalMs = 1000): () => void {
    if (!this.#locks) return () => undefined;
    let last: boolean | null = null;
    let stopped = false;
    const check = async () => {
      const current = name();
      const elsewhere = current !== null && (await this.heldElsewhere(current));
      if (stopped || elsewhere === last) return;
      last = elsewhere;
      onChange(elsewhere);
    };
    void check();
    const timer = setInterval(() => void check(), intervalMs);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }
}
