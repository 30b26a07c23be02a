/** Argument checks shared by the method handlers: each failure is an invalidArguments method error. */
import { MethodError, invalidArguments } from './errors.ts';

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `ids: Id[] | null`; over maxObjectsInGet is requestTooLarge (RFC 8620 §5.1). */
export function idsArgument(value: unknown, maxObjects: number): string[] | null {
  if (value === undefined || value === null) return null;
  if (!Array.isArray(value) || !value.every((id) => typeof id === 'string')) {
    throw invalidArguments('ids must be an array of Ids or null');
  }
  if (value.length > maxObjects) throw new MethodError('requestTooLarge', `More than ${maxObjects} ids`);
  return value;
}

/** `properties: String[] | null`, each one of `known`; null gives `defaults`. `id` always comes back. */
export function propertiesArgument(
  value: unknown,
  known: (name: string) => boolean,
  defaults: string[],
): string[] {
  if (value === undefined || value === null) return defaults;
  if (!Array.isArray(value) || !value.every((name) => typeof name === 'string')) {
    throw invalidArguments('properties must be an array of strings or null');
  }
  const unknown = value.find((name) => !known(name));
  if (unknown !== undefined) throw invalidArguments(`Unknown or unsupported property: ${unknown}`);
  return value.includes('id') ? value : ['id', ...value];
}

export function pick(source: JsonObject, properties: string[]): JsonObject {
  return Object.fromEntries(properties.map((name) => [name, source[name]]));
}

/** `ifInState`: when given it must be the current state (RFC 8620 §5.3). */
export function checkIfInState(value: unknown, current: string): void {
  if (value === undefined || value === null) return;
  if (value !== current) throw new MethodError('stateMismatch', `State is ${current}, not ${String(value)}`);
}

/** A map of creation id → object, as in `create` and Email/import's `emails`. */
export function objectMap(value: unknown, name: string): JsonObject {
  if (value === undefined || value === null) return {};
  if (!isObject(value)) throw invalidArguments(`${name} must be an object`);
  return value;
}

/** `#creationId` references to objects created earlier in the same request (RFC 8620 §5.3). */
export function resolveCreationId(id: string, createdIds: Map<string, string>): string | null {
  if (!id.startsWith('#')) return id;
  return createdIds.get(id.slice(1)) ?? null;
}

/** RFC 8620 §1.4 UTCDate: "2014-10-30T06:12:00Z" (fractional seconds allowed, always Z). */
export function isUtcDate(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z$/.test(value) &&
    Number.isFinite(Date.parse(value))
  );
}
