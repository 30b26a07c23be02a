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

/** Trailing slashes dropped so paths join predictably; null when not an http(s) URL. */
export function normaliseApiBase(url: string): string | null {
  try {
    const u = new URL(url.trim());
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
    return u.href.replace(/\/+$/, '');
  } catch {
    return null;
  }
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
