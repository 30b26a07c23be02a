/**
 * Google sign-in for the Gmail target, in the page (Google Identity Services' token model,
 * email-relay.md §1.6): the script is loaded from `https://accounts.google.com/gsi/client` (or, for
 * tests only, a loopback stand-in), `initTokenClient` with the user's OAuth client ID, and
 * `requestAccessToken()` from a click. The access token lives in memory only; an expired one is
 * replaced by asking again ("Continue").
 */
import { isLoopbackUrl, queryParam } from '../../domain/missive-base.ts';
import { GMAIL_RELAY_SCOPES } from './gmail-target.ts';

export const GIS_CLIENT_URL = 'https://accounts.google.com/gsi/client';

interface TokenResponse {
  access_token?: string;
  expires_in?: number | string;
  scope?: string;
  error?: string;
  error_description?: string;
}

interface TokenClient {
  requestAccessToken(override?: { prompt?: string }): void;
}

interface GoogleOauth2 {
  initTokenClient(config: {
    client_id: string;
    scope: string;
    callback: (response: TokenResponse) => void;
    error_callback?: (error: { type?: string; message?: string }) => void;
  }): TokenClient;
  hasGrantedAllScopes?(response: TokenResponse, ...scopes: string[]): boolean;
}

export interface GoogleToken {
  token: string;
  /** Unix ms. */
  expiresAt: number;
}

/**
 * `?gis-client=` (a stand-in for Google's script) exists only in the testbed build, and even there is
 * honoured for loopback script URLs only: the production bundle always loads Google's.
 */
export function gisClientUrl(search: string): string {
  if (!__TEST_HOOKS__) return GIS_CLIENT_URL;
  const fromQuery = queryParam(search, 'gis-client');
  return fromQuery && isLoopbackUrl(fromQuery) ? fromQuery : GIS_CLIENT_URL;
}

/** `?gmail-api=` points the Gmail target at a loopback sandbox (testbed build only); else Google's. */
export function gmailApiFromQuery(search: string): string | null {
  if (!__TEST_HOOKS__) return null;
  const fromQuery = queryParam(search, 'gmail-api');
  return fromQuery && isLoopbackUrl(fromQuery) ? fromQuery.replace(/\/+$/, '') : null;
}

const loading = new Map<string, Promise<void>>();

function loadScript(url: string): Promise<void> {
  let promise = loading.get(url);
  if (!promise) {
    promise = new Promise<void>((resolve, reject) => {
      const script = document.createElement('script');
      script.src = url;
      script.async = true;
      script.onload = () => resolve();
      script.onerror = () => {
        loading.delete(url);
        reject(
          new Error(
            `Could not load Google's sign-in script from ${url} (offline, or blocked by an extension?).`,
          ),
        );
      };
      document.head.append(script);
    });
    loading.set(url, promise);
  }
  return promise;
}

function oauth2(): GoogleOauth2 | null {
  const google = (globalThis as { google?: { accounts?: { oauth2?: GoogleOauth2 } } }).google;
  return google?.accounts?.oauth2 ?? null;
}

export class GoogleSignIn {
  readonly #scriptUrl: string;
  #ready: Promise<void> | null = null;

  constructor(scriptUrl: string) {
    this.#scriptUrl = scriptUrl;
  }

  /** Loads the script ahead of the click: the popup must open within the click's own task. */
  preload(): Promise<void> {
    return (this.#ready ??= loadScript(this.#scriptUrl));
  }

  /** Opens Google's consent popup (call from a click) and resolves with an access token. */
  async requestToken(clientId: string): Promise<GoogleToken> {
    if (!clientId.trim()) throw new Error('Enter your Google OAuth client ID first.');
    await this.preload();
    const api = oauth2();
    if (!api) throw new Error("Google's sign-in script loaded, but it offers no token client.");
    const scopes = [...GMAIL_RELAY_SCOPES];
    return new Promise<GoogleToken>((resolve, reject) => {
      const client = api.initTokenClient({
        client_id: clientId.trim(),
        scope: scopes.join(' '),
        callback: (response) => {
          if (response.error || !response.access_token) {
            reject(
              new Error(
                `Google did not grant access: ${response.error_description ?? response.error ?? 'no token'}`,
              ),
            );
            return;
          }
          if (api.hasGrantedAllScopes && !api.hasGrantedAllScopes(response, ...scopes)) {
            reject(
              new Error(
                'Some permissions were not granted. Sign in again and tick every box Google shows (insert, labels and read).',
              ),
            );
            return;
          }
          const seconds = Number(response.expires_in ?? 3600);
          resolve({
            token: response.access_token,
            expiresAt: Date.now() + (Number.isFinite(seconds) ? seconds : 3600) * 1000,
          });
        },
        error_callback: (error) =>
          reject(
            new Error(
              error.type === 'popup_closed'
                ? 'The Google window was closed before access was granted.'
                : `Google sign-in failed: ${error.message ?? error.type ?? 'unknown error'}`,
            ),
          ),
      });
      client.requestAccessToken();
    });
  }
}
