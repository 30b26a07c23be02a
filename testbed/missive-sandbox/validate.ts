/**
 * Shape checks for request payloads. Missive's own messages are undocumented; the sandbox names the
 * offending field so a failing import says what to fix.
 */

export type JsonObject = Record<string, unknown>;

/** Answered as `{"error": message}` with `status`. */
export class SandboxError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function badRequest(message: string): SandboxError {
  return new SandboxError(400, message);
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads typed fields from one JSON object and remembers which were read (the rest are ignored). */
export class Fields {
  readonly #source: JsonObject;
  readonly #where: string;
  readonly #read = new Set<string>();

  constructor(source: JsonObject, where: string) {
    this.#source = source;
    this.#where = where;
  }

  /** Absent and null both mean "not given", as Missive's Rails API treats them. */
  #take(name: string): unknown {
    this.#read.add(name);
    const value = this.#source[name];
    return value === null ? undefined : value;
  }

  fail(name: string, expectation: string): never {
    throw badRequest(`${this.#where}.${name} ${expectation}`);
  }

  string(name: string): string | null {
    const value = this.#take(name);
    if (value === undefined) return null;
    if (typeof value !== 'string') this.fail(name, 'must be a string');
    return value;
  }

  requiredString(name: string): string {
    const value = this.string(name);
    if (value === null || value === '') this.fail(name, 'is required');
    return value;
  }

  boolean(name: string): boolean | null {
    const value = this.#take(name);
    if (value === undefined) return null;
    if (typeof value !== 'boolean') this.fail(name, 'must be true or false');
    return value;
  }

  number(name: string): number | null {
    const value = this.#take(name);
    if (value === undefined) return null;
    if (typeof value !== 'number' || !Number.isFinite(value)) this.fail(name, 'must be a number');
    return value;
  }

  object(name: string): JsonObject | null {
    const value = this.#take(name);
    if (value === undefined) return null;
    if (!isObject(value)) this.fail(name, 'must be an object');
    return value;
  }

  stringArray(name: string): string[] {
    const value = this.#take(name);
    if (value === undefined) return [];
    if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
      this.fail(name, 'must be an array of strings');
    }
    return value as string[];
  }

  objectArray(name: string): JsonObject[] {
    const value = this.#take(name);
    if (value === undefined) return [];
    if (!Array.isArray(value) || !value.every(isObject)) this.fail(name, 'must be an array of objects');
    return value as JsonObject[];
  }

  /** Fields present in the payload that nothing read: Missive ignores unknown fields silently. */
  unread(): string[] {
    return Object.keys(this.#source).filter((key) => !this.#read.has(key));
  }
}

/** Unwraps Missive's resource envelope, e.g. `{"messages": {...}}`. */
export function envelope(body: unknown, key: string): JsonObject {
  if (!isObject(body) || !isObject(body[key])) {
    throw badRequest(`Request body must be {"${key}": {...}}`);
  }
  return body[key];
}

export function envelopeArray(body: unknown, key: string): JsonObject[] {
  const items = isObject(body) ? body[key] : undefined;
  if (!Array.isArray(items) || items.length === 0 || !items.every(isObject)) {
    throw badRequest(`Request body must be {"${key}": [{...}, ...]} with at least one object`);
  }
  return items as JsonObject[];
}

const NAMED_COLORS = new Set(['good', 'warning', 'danger']);
const HEX_COLOR = /^#?(?:[0-9a-f]{3}|[0-9a-f]{6})$/i;

export function color(fields: Fields, name: string): string | null {
  const value = fields.string(name);
  if (value !== null && !NAMED_COLORS.has(value) && !HEX_COLOR.test(value)) {
    fields.fail(name, 'must be a HEX color or "good", "warning", "danger"');
  }
  return value;
}

/** Unix seconds; a value this large is a milliseconds timestamp, a classic import bug. */
const LATEST_PLAUSIBLE_SECONDS = 100_000_000_000;

export function unixSeconds(fields: Fields, name: string): number | null {
  const value = fields.number(name);
  if (value === null) return null;
  if (value < 0) fields.fail(name, 'must be Unix seconds (not negative)');
  if (value >= LATEST_PLAUSIBLE_SECONDS)
    fields.fail(name, 'must be Unix seconds (this looks like milliseconds)');
  return value;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Decoded size of a base64 string, or null when it is not base64. */
export function base64DecodedSize(data: string): number | null {
  const compact = /\s/.test(data) ? data.replace(/\s+/g, '') : data;
  if (compact.length % 4 === 1 || !BASE64.test(compact)) return null;
  const padding = compact.endsWith('==') ? 2 : compact.endsWith('=') ? 1 : 0;
  return Math.floor((compact.length * 3) / 4) - padding;
}
