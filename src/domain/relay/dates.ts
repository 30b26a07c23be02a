/** Date formats of mail headers and mbox separators, always in UTC so output never depends on the machine. */

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function two(value: number): string {
  return String(value).padStart(2, '0');
}

/** An invalid time falls back to the epoch: output must stay deterministic and parseable. */
function safeDate(unixMs: number): Date {
  return new Date(Number.isFinite(unixMs) ? unixMs : 0);
}

function clock(date: Date): string {
  return `${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())}`;
}

/** RFC 5322 §3.3 date-time, e.g. `Wed, 29 Nov 2023 21:17:19 +0000`. */
export function rfc5322Date(unixMs: number): string {
  const date = safeDate(unixMs);
  return (
    `${DAYS[date.getUTCDay()]}, ${two(date.getUTCDate())} ${MONTHS[date.getUTCMonth()]} ` +
    `${date.getUTCFullYear()} ${clock(date)} +0000`
  );
}

/** C `asctime` as used by mbox `From ` lines (RFC 4155), e.g. `Wed Nov  1 21:17:19 2023`. */
export function asctimeDate(unixMs: number): string {
  const date = safeDate(unixMs);
  const day = String(date.getUTCDate()).padStart(2, ' ');
  return `${DAYS[date.getUTCDay()]} ${MONTHS[date.getUTCMonth()]} ${day} ${clock(date)} ${date.getUTCFullYear()}`;
}
