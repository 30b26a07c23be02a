/**
 * Microsoft Graph's documented Outlook throttling, per app and mailbox, as a pure model with an
 * injected clock (Microsoft Graph throttling limits, "Outlook service limits"):
 *
 * - 4 concurrent requests;
 * - 10,000 requests per 10 minutes;
 * - 150 MB of uploads (PATCH, POST, PUT bodies) per 5 minutes.
 *
 * A request past any of them is answered 429 with `Retry-After` in seconds (when the window frees
 * enough; 1 s for concurrency), and is not processed. Used by the unit fake of Graph, and the base of
 * an HTTP Graph sandbox.
 */

export interface GraphThrottleLimits {
  concurrency: number;
  requestsPerWindow: number;
  requestWindowMs: number;
  uploadBytesPerWindow: number;
  uploadWindowMs: number;
}

export const GRAPH_DOCUMENTED_LIMITS: GraphThrottleLimits = {
  concurrency: 4,
  requestsPerWindow: 10_000,
  requestWindowMs: 10 * 60_000,
  uploadBytesPerWindow: 150_000_000,
  uploadWindowMs: 5 * 60_000,
};

export type ThrottleVerdict =
  | { admitted: true; release: () => void }
  | { admitted: false; reason: 'concurrency' | 'requests' | 'uploads'; retryAfterSeconds: number };

export class GraphThrottle {
  readonly #limits: GraphThrottleLimits;
  readonly #now: () => number;
  #inFlight = 0;
  /** Admitted requests' start times. */
  #requests: number[] = [];
  /** Admitted uploads: start time and body bytes. */
  #uploads: { at: number; bytes: number }[] = [];
  /** Every refusal, for tests. */
  readonly refusals: { at: number; reason: string; retryAfterSeconds: number }[] = [];

  constructor(now: () => number, limits: GraphThrottleLimits = GRAPH_DOCUMENTED_LIMITS) {
    this.#now = now;
    this.#limits = limits;
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  /** Admits a request with `uploadBytes` of body (0 for a read), or says why not and for how long. */
  admit(uploadBytes: number): ThrottleVerdict {
    const now = this.#now();
    const limits = this.#limits;
    this.#requests = this.#requests.filter((at) => at > now - limits.requestWindowMs);
    this.#uploads = this.#uploads.filter((upload) => upload.at > now - limits.uploadWindowMs);
    const refuse = (reason: 'concurrency' | 'requests' | 'uploads', waitMs: number): ThrottleVerdict => {
      const retryAfterSeconds = Math.max(1, Math.ceil(waitMs / 1000));
      this.refusals.push({ at: now, reason, retryAfterSeconds });
      return { admitted: false, reason, retryAfterSeconds };
    };
    if (this.#inFlight >= limits.concurrency) return refuse('concurrency', 1000);
    if (this.#requests.length >= limits.requestsPerWindow) {
      return refuse('requests', this.#requests[0]! + limits.requestWindowMs - now);
    }
    let used = this.#uploads.reduce((sum, upload) => sum + upload.bytes, 0);
    if (uploadBytes > 0 && used + uploadBytes > limits.uploadBytesPerWindow) {
      // When enough earlier uploads leave the window for this one to fit.
      let freeAt = now + limits.uploadWindowMs;
      for (const upload of this.#uploads) {
        used -= upload.bytes;
        if (used + uploadBytes <= limits.uploadBytesPerWindow) {
          freeAt = upload.at + limits.uploadWindowMs;
          break;
        }
      }
      return refuse('uploads', freeAt - now);
    }
    this.#inFlight++;
    this.#requests.push(now);
    if (uploadBytes > 0) this.#uploads.push({ at: now, bytes: uploadBytes });
    let released = false;
    return {
      admitted: true,
      release: () => {
        if (!released) this.#inFlight--;
        released = true;
      },
    };
  }
}
