/**
 * The last line of defence for "never the token": Missive error texts, proxy error pages or a
 * pasted URL could echo an `Authorization` header back to us, and the report is meant to be handed
 * to other people.
 */

export const REDACTED = '[redacted]';

/** Personal tokens look like `missive_pat-…` (see missive-api.md §1). */
const MISSIVE_TOKEN_PATTERN = /missive_pat-[A-Za-z0-9_.~+/=-]+/g;
/** An echoed `Authorization: Bearer <token>` header, whatever the token looks like. */
const BEARER_PATTERN = /\b(Bearer)(\s+)[A-Za-z0-9_.~+/=-]+/gi;

/**
 * Replaces every occurrence of each secret (verbatim, URL-encoded and JSON-escaped forms) and any
 * token-looking or `Bearer …` text with `[redacted]`. Blank secrets are ignored.
 */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let redacted = text;
  for (const secret of secrets) {
    if (secret.trim() === '') continue;
    for (const form of secretForms(secret)) {
      redacted = redacted.split(form).join(REDACTED);
    }
  }
  return redacted.replace(MISSIVE_TOKEN_PATTERN, REDACTED).replace(BEARER_PATTERN, `$1$2${REDACTED}`);
}

/** Same as redactSecrets, for optional strings. */
export function redactOptional(text: string | undefined, secrets: readonly string[]): string | undefined {
  return text === undefined ? undefined : redactSecrets(text, secrets);
}

function secretForms(secret: string): Set<string> {
  return new Set([secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)]);
}
