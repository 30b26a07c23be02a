import {
  MissiveClient,
  readAllPages,
  type MissiveFailureKind,
  type PageRead,
} from '../adapters/missive-client.ts';
import type {
  MissiveOrganization,
  MissiveSharedLabel,
  MissiveTeam,
  MissiveUser,
} from '../domain/missive-types.ts';

const TOKEN_KEY = 'front-missive:token';

type TokenStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

/** The Missive connection: the token (memory only unless the user asks), who it belongs to, pickers. */
export class Connection {
  token = $state('');
  /**
   * Keep the token in sessionStorage: survives a reload of this tab only. Written only once Missive
   * has accepted the token (a successful Verify), removed at once when unticked: see `setRemember`.
   */
  rememberForTab = $state(false);
  status = $state<'idle' | 'verifying' | 'connected' | 'failed'>('idle');
  failure = $state<{ kind: MissiveFailureKind; message: string } | null>(null);
  user = $state.raw<MissiveUser | null>(null);
  organizations = $state.raw<MissiveOrganization[]>([]);
  teams = $state.raw<MissiveTeam[]>([]);
  sharedLabels = $state.raw<MissiveSharedLabel[]>([]);

  #storage: TokenStorage | null;
  /** The token Missive last accepted; only this one may be remembered. */
  #verifiedToken: string | null = null;

  readonly #fetch: typeof fetch | undefined;

  constructor(storage: TokenStorage | null, fetchImpl?: typeof fetch) {
    this.#storage = storage;
    this.#fetch = fetchImpl;
    const remembered = storage?.getItem(TOKEN_KEY);
    if (remembered) {
      this.token = remembered;
      this.rememberForTab = true;
    }
  }

  client(apiBase: string): MissiveClient {
    return new MissiveClient(apiBase, this.token, this.#fetch);
  }

  async verify(apiBase: string): Promise<void> {
    if (!this.token.trim()) {
      this.status = 'failed';
      this.failure = { kind: 'unauthorized', message: 'Paste your Missive API token first.' };
      return;
    }
    this.status = 'verifying';
    this.failure = null;
    this.#verifiedToken = null;
    const token = this.token;
    const client = this.client(apiBase);
    const users = await listAll<'users', MissiveUser>(client, 'users');
    if (!users.ok) {
      const { kind, message } = users.failure;
      this.status = 'failed';
      this.failure = { kind, message: connectMessage(kind, message) };
      return;
    }
    const me = users.items.find((u) => u.me) ?? null;
    if (!me) {
      this.status = 'failed';
      this.failure = {
        kind: 'client',
        message: 'Missive answered, but did not say which user owns this token (no user with "me": true).',
      };
      return;
    }
    const [orgs, teams, labels] = await Promise.all([
      listAll<'organizations', MissiveOrganization>(client, 'organizations'),
      listAll<'teams', MissiveTeam>(client, 'teams'),
      listAll<'shared_labels', MissiveSharedLabel>(client, 'shared_labels'),
    ]);
    this.user = me;
    this.organizations = orgs.ok ? orgs.items : [];
    this.teams = teams.ok ? teams.items : [];
    this.sharedLabels = labels.ok ? labels.items : [];
    this.status = 'connected';
    this.#verifiedToken = token;
    this.#storeIfVerified();
  }

  /** The "Remember the token in this tab" box: unticking forgets the stored copy at once. */
  setRemember(remember: boolean): void {
    this.rememberForTab = remember;
    if (remember) this.#storeIfVerified();
    else this.#storage?.removeItem(TOKEN_KEY);
  }

  #storeIfVerified(): void {
    if (!this.rememberForTab || this.#verifiedToken === null) return;
    // The field may have been edited since Missive accepted it: never store an unverified token.
    if (this.#verifiedToken !== this.token) return;
    this.#storage?.setItem(TOKEN_KEY, this.#verifiedToken);
  }

  /** Always offered: clears the token from memory and from the tab's storage, connected or not. */
  forget(): void {
    this.token = '';
    this.#verifiedToken = null;
    this.rememberForTab = false;
    this.user = null;
    this.status = 'idle';
    this.failure = null;
    this.#storage?.removeItem(TOKEN_KEY);
  }
}

/** A whole listing (`GET /<key>`), page by page: the pickers must not be cut short at 200. */
function listAll<K extends string, T>(
  client: MissiveClient,
  key: K,
): Promise<PageRead<T, { kind: MissiveFailureKind; message: string }>> {
  return readAllPages(async (query) => {
    const response = await client.request<Partial<Record<K, T[]>>>('GET', `/${key}?${query}`);
    if (!response.ok) return { ok: false, failure: { kind: response.kind, message: response.message } };
    return { ok: true, items: response.body?.[key] ?? [] };
  });
}

export function connectMessage(kind: MissiveFailureKind, detail: string): string {
  switch (kind) {
    case 'unauthorized':
      return `Missive rejected this token (401). Check that you copied the whole token and that it was not revoked. (${detail})`;
    case 'forbidden':
      return `This token may not use the API (403): API tokens need an organization on the Productive plan. (${detail})`;
    case 'rate_limited':
      return `Missive asks us to slow down (429). Wait a minute and verify again. (${detail})`;
    default:
      return detail;
  }
}
