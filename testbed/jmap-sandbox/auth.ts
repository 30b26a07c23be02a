/** Bearer API tokens: the configured ones, ones issued later, expiry/revocation. */
import { unauthorized } from './errors.ts';
import { randomHex, type Random } from '../sandbox-kit/random.ts';

export const DEFAULT_API_TOKEN = 'fmu1-sandbox-jmap-0000demo';

export class TokenRegistry {
  readonly #configured: string[];
  readonly #random: Random;
  #valid = new Set<string>();

  constructor(configured: string[] | undefined, random: Random) {
    this.#configured = configured ?? [DEFAULT_API_TOKEN];
    if (this.#configured.length === 0) throw new RangeError('tokens must hold at least one API token');
    this.#random = random;
    this.reset();
  }

  get firstToken(): string {
    return this.#configured[0] ?? DEFAULT_API_TOKEN;
  }

  /** Throws a 401 problem for a missing, unknown or expired token. */
  authenticate(authorization: string | undefined): void {
    const token = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
    if (!token) throw unauthorized('Missing credentials: send Authorization: Bearer <API token>');
    if (!this.#valid.has(token)) throw unauthorized('The API token is invalid, expired or revoked');
  }

  issue(): string {
    const token = `fmu1-sandbox-${randomHex(this.#random, 24)}`;
    this.#valid.add(token);
    return token;
  }

  /** Returns false for a token the sandbox does not accept anyway. */
  expire(token: string): boolean {
    return this.#valid.delete(token);
  }

  reset(): void {
    this.#valid = new Set(this.#configured);
  }
}
