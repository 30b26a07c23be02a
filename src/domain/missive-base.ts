/** Where the app sends Missive API requests, and which overrides are allowed. */

export const DEFAULT_MISSIVE_API_BASE = 'https://public.missiveapp.com/v1';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

export function isLoopbackUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return (u.protocol === 'http:' || u.protocol === 'https:') && LOOPBACK_HOSTS.has(u.hostname);
  } catch {
    return false;
  }
}

/**
 * Trailing slashes dropped so paths join predictably; null when not an http(s) URL, or when it
 * carries userinfo (`https://public.missiveapp.com@evil.example` reads as Missive but is not), a
 * query or a fragment (paths are appended to the base, so either would swallow them).
 */
export function normaliseApiBase(url: string): string | null {
  return apiBaseProblem(url) === null ? new URL(url.trim()).href.replace(/\/+$/, '') : null;
}

/** Why a base URL typed in Advanced settings is refused, or null when it is accepted. */
export function apiBaseProblem(url: string): string | null {
  let u: URL;
  try {
    u = new URL(url.trim());
  } catch {
    return 'Enter a full http(s) URL, for example https://public.missiveapp.com/v1';
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    return 'Enter a full http(s) URL, for example https://public.missiveapp.com/v1';
  if (u.username || u.password || url.includes('@'))
    return 'The URL must not hold a user name or password (text before @).';
  if (u.search || url.includes('?')) return 'The URL must not hold a query (text after ?).';
  if (u.hash || url.includes('#')) return 'The URL must not hold a fragment (text after #).';
  if (u.protocol === 'http:' && !LOOPBACK_HOSTS.has(u.hostname))
    return 'Use https://: plain http:// would send the token unencrypted (allowed only for 127.0.0.1 or localhost).';
  return null;
}

/**
 * The `?missive-api=` query parameter is honoured only when it points at a loopback host, so a
 * crafted link cannot send the customer's token elsewhere. Any other base must be typed in the
 * Advanced settings by the user.
 */
export function apiBaseFromQuery(search: string): string | null {
  const value = queryParam(search, 'missive-api');
  if (!value || !isLoopbackUrl(value)) return null;
  return normaliseApiBase(value);
}

export function queryParam(search: string, name: string): string | null {
  return new URLSearchParams(search).get(name);
}
