/**
 * Import duration at Missive's published rate limits (missive-api.md §2): at most 5 requests per
 * second and 900 requests per 15 minutes. The fastest compliant schedule sends each block of 900
 * as a burst at 5/s (3 minutes), then waits for the next 15-minute window.
 */

export const MISSIVE_BURST_RATE_PER_SECOND = 5;
export const MISSIVE_REQUESTS_PER_WINDOW = 900;
export const MISSIVE_WINDOW_SECONDS = 15 * 60;

/** Seconds needed to send `requests` API requests: 900 → 180, 901 → 900.2, 1800 → 1080. */
export function estimateImportSeconds(requests: number): number {
  if (!(requests > 0)) return 0;
  const count = Math.ceil(requests);
  const earlierWindows = Math.floor((count - 1) / MISSIVE_REQUESTS_PER_WINDOW);
  const inLastWindow = count - earlierWindows * MISSIVE_REQUESTS_PER_WINDOW;
  return earlierWindows * MISSIVE_WINDOW_SECONDS + inLastWindow / MISSIVE_BURST_RATE_PER_SECOND;
}
