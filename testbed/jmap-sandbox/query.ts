/**
 * The generic part of Foo/query (RFC 8620 §5.5): FilterOperator trees, sort comparators,
 * position and limit. Each data type supplies its conditions and sortable properties.
 */
import { MethodError, invalidArguments } from './errors.ts';
import { isObject, type JsonObject } from './args.ts';

/** FilterCondition properties a data type understands, each tested against one item. */
export type Conditions<T> = Record<string, (item: T, value: unknown) => boolean>;
export type Comparators<T> = Record<string, (a: T, b: T) => number>;

export interface QueryPage {
  ids: string[];
  position: number;
  total: number;
}

/** Applies filter, sort, position and limit to `items` (already in their default order). */
export function runQuery<T extends { id: string }>(
  items: T[],
  args: Record<string, unknown>,
  conditions: Conditions<T>,
  comparators: Comparators<T>,
): QueryPage {
  const filter = args.filter ?? null;
  // Checked before any item is tested, so an empty account still reports a bad filter.
  if (filter !== null) checkFilter(filter, conditions);
  const matching = filter === null ? items : items.filter((item) => matchesFilter(item, filter, conditions));
  const sorted = sortItems(matching, args.sort ?? null, comparators);
  if (args.anchor !== undefined && args.anchor !== null) {
    throw invalidArguments('anchor is not modelled by the sandbox; use position');
  }
  const position = startPosition(args.position, sorted.length);
  const limit = args.limit ?? null;
  if (limit !== null && !(Number.isInteger(limit) && (limit as number) >= 0)) {
    throw invalidArguments('limit must be an unsigned integer');
  }
  const end = limit === null ? undefined : position + (limit as number);
  return { ids: sorted.slice(position, end).map((item) => item.id), position, total: sorted.length };
}

function checkFilter<T>(filter: unknown, conditions: Conditions<T>): void {
  if (!isObject(filter)) throw invalidArguments('filter must be an object');
  if (!('operator' in filter)) {
    const unknown = Object.keys(filter).find((name) => !Object.hasOwn(conditions, name));
    if (unknown !== undefined)
      throw new MethodError('unsupportedFilter', `Filter condition not supported: ${unknown}`);
    return;
  }
  const { operator, conditions: nested } = filter;
  if (operator !== 'AND' && operator !== 'OR' && operator !== 'NOT') {
    throw new MethodError('unsupportedFilter', `Unknown operator ${String(operator)}`);
  }
  if (!Array.isArray(nested)) throw invalidArguments('FilterOperator needs conditions');
  for (const condition of nested) checkFilter(condition, conditions);
}

function matchesFilter<T>(item: T, filter: unknown, conditions: Conditions<T>): boolean {
  const node = filter as JsonObject;
  if (!('operator' in node)) {
    return Object.entries(node).every(([name, value]) => conditions[name]?.(item, value) ?? false);
  }
  const results = (node.conditions as unknown[]).map((condition) =>
    matchesFilter(item, condition, conditions),
  );
  if (node.operator === 'AND') return results.every(Boolean);
  if (node.operator === 'OR') return results.some(Boolean);
  return !results.some(Boolean);
}

function sortItems<T extends { id: string }>(items: T[], sort: unknown, comparators: Comparators<T>): T[] {
  if (sort === null) return [...items];
  if (!Array.isArray(sort)) throw invalidArguments('sort must be an array of Comparators');
  const steps = sort.map((comparator) => {
    if (!isObject(comparator) || typeof comparator.property !== 'string') {
      throw invalidArguments('each Comparator needs a property');
    }
    const compare = comparators[comparator.property];
    if (!compare) throw new MethodError('unsupportedSort', `Cannot sort by ${comparator.property}`);
    const direction = comparator.isAscending === false ? -1 : 1;
    return (a: T, b: T) => direction * compare(a, b);
  });
  return [...items].sort((a, b) => {
    for (const step of steps) {
      const order = step(a, b);
      if (order !== 0) return order;
    }
    return 0;
  });
}

/** A negative position counts from the end (RFC 8620 §5.5). */
function startPosition(position: unknown, total: number): number {
  if (position === undefined || position === null) return 0;
  if (!Number.isInteger(position)) throw invalidArguments('position must be an integer');
  const value = position as number;
  return value < 0 ? Math.max(0, total + value) : Math.min(value, total);
}

/** Case-insensitive "contains", the text matching RFC 8621 §4.4.1 describes for most properties. */
export function containsText(haystack: string | null | undefined, needle: unknown): boolean {
  if (typeof needle !== 'string') throw invalidArguments('text conditions take a string');
  return (haystack ?? '').toLowerCase().includes(needle.toLowerCase());
}
