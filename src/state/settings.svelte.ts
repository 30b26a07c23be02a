import {
  DEFAULT_MISSIVE_API_BASE,
  apiBaseFromQuery,
  apiBaseProblem,
  normaliseApiBase,
  queryParam,
} from '../domain/missive-base.ts';

const STORAGE_KEY = 'front-missive:api-base';

/** User settings that outlive a step: the Missive API base URL. Never the token. */
export class Settings {
  apiBase = $state(DEFAULT_MISSIVE_API_BASE);
  /** Set when a `?missive-api=` parameter was ignored because it is not a loopback URL. */
  rejectedQueryBase = $state<string | null>(null);
  readonly isDefaultBase = $derived(this.apiBase === DEFAULT_MISSIVE_API_BASE);

  constructor(search: string, storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | null) {
    const fromQuery = apiBaseFromQuery(search);
    const stored = storage?.getItem(STORAGE_KEY);
    if (fromQuery) this.apiBase = fromQuery;
    else if (stored && normaliseApiBase(stored)) this.apiBase = normaliseApiBase(stored)!;
    const raw = queryParam(search, 'missive-api');
    if (raw && !fromQuery) this.rejectedQueryBase = raw;
    this.#storage = storage;
  }

  #storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | null;

  /** Returns an error message, or null when the base was accepted. */
  setApiBase(value: string): string | null {
    const problem = apiBaseProblem(value);
    const base = normaliseApiBase(value);
    if (problem || !base) return problem ?? 'Enter a full http(s) URL';
    this.apiBase = base;
    if (base === DEFAULT_MISSIVE_API_BASE) this.#storage?.removeItem(STORAGE_KEY);
    else this.#storage?.setItem(STORAGE_KEY, base);
    return null;
  }
}
