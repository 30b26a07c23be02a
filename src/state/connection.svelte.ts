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
  /** Keep the token in sessionStorage: survives a reload of this tab only. */
  rememberForTab = $state(false);
  status = $state<'idle' | 'verifying' | 'connected' | 'failed'>('idle');
  failure = $state<{ kind: MissiveFailureKind; message: string } | null>(null);
  user = $state.raw<MissiveUser | null>(null);
  organizations = $state.raw<MissiveOrganization[]>([]);
  teams = $state.raw<MissiveTeam[]>([]);
  sharedLabels = $state.raw<MissiveSharedLabel[]>([]);

  #storage: TokenStorage | null;

  constructor(storage: TokenStorage | null) {
    this.#storage = storage;
    const remembered = storage?.getItem(TOKEN_KEY);
    if (remembered) {
      this.token = remembered;
      this.rememberForTab = true;
    }
  }

  client(apiBase: string): MissiveClient {
    return new MissiveClient(apiBase, this.token);
  }

  async verify(apiBase: string): Promise<void> {
    if (!this.token.trim()) {
      this.status = 'failed';
      this.failure = { kind: 'unauthorized', message: 'Paste your Missive API token first.' };
      return;
    }
    this.status = 'verifying';
    this.failure = null;
    if (this.rememberForTab) this.#storage?.setItem(TOKEN_KEY, this.token);
    else this.#storage?.removeItem(TOKEN_KEY);
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
  }

  forget(): void {
    this.token = '';
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
