/** Bearer access tokens: the configured ones, ones issued later (re-authorisation), expiry. */
import { insufficientScopes, invalidCredentials, missingCredentials } from './google-errors.ts';
import { randomHex, type Random } from '../sandbox-kit/random.ts';
import { DEFAULT_TOKEN_SCOPES, type AccessTokenGrant } from './types.ts';

export const DEFAULT_ACCESS_TOKEN = 'ya29.sandbox-gmail-0000demo';

interface Grant {
  scopes: readonly string[];
  expired: boolean;
}

export class TokenRegistry {
  readonly #configured: AccessTokenGrant[];
  readonly #random: Random;
  #grants = new Map<string, Grant>();

  constructor(configured: (string | AccessTokenGrant)[] | undefined, random: Random) {
    const grants = configured ?? [DEFAULT_ACCESS_TOKEN];
    if (grants.length === 0) throw new RangeError('tokens must hold at least one access token');
    this.#configured = grants.map((grant) => (typeof grant === 'string' ? { token: grant } : grant));
    this.#random = random;
    this.reset();
  }

  get firstToken(): string {
    return this.#configured[0]?.token ?? DEFAULT_ACCESS_TOKEN;
  }

  /** The caller's scopes, or Google's 401 for a missing, unknown or expired token. */
  authenticate(authorization: string | undefined): readonly string[] {
    const token = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
    if (!token) throw missingCredentials();
    const grant = this.#grants.get(token);
    if (!grant || grant.expired) throw invalidCredentials();
    return grant.scopes;
  }

  requireAnyScope(granted: readonly string[], accepted: readonly string[]): void {
    if (!accepted.some((scope) => granted.includes(scope))) throw insufficientScopes(accepted);
  }

  issue(scopes: readonly string[] = DEFAULT_TOKEN_SCOPES): string {
    const token = `ya29.sandbox-${randomHex(this.#random, 24)}`;
    this.#grants.set(token, { scopes: [...scopes], expired: false });
    return token;
  }

  /** Returns false for a token the sandbox never knew. */
  expire(token: string): boolean {
    const grant = this.#grants.get(token);
    if (grant) grant.expired = true;
    return grant !== undefined;
  }

  reset(): void {
    this.#grants = new Map(
      this.#configured.map((grant) => [
        grant.token,
        { scopes: [...(grant.scopes ?? DEFAULT_TOKEN_SCOPES)], expired: false },
      ]),
    );
  }
}
