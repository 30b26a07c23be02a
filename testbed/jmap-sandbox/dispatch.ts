/**
 * The API request envelope (RFC 8620 §3.3–3.7): `using` capabilities, method calls in order,
 * result references (`#name` arguments), creation ids shared across calls, method-level errors.
 */
import type { JmapAccount } from './account.ts';
import { isObject, type JsonObject } from './args.ts';
import { emailGet, emailImport, emailQuery } from './email-methods.ts';
import {
  MethodError,
  invalidArguments,
  limitExceeded,
  notJson,
  notRequest,
  unknownCapability,
} from './errors.ts';
import { mailboxGet, mailboxQuery, mailboxSet } from './mailbox-methods.ts';
import {
  CORE_CAPABILITY,
  MAIL_CAPABILITY,
  type DuplicatePolicy,
  type HeaderMatch,
  type JmapCoreLimits,
} from './types.ts';

export interface MethodContext {
  account: JmapAccount;
  limits: JmapCoreLimits;
  duplicates: DuplicatePolicy;
  /** Creation id → server id, for `#creationId` references (RFC 8620 §5.3). */
  createdIds: Map<string, string>;
  now(): number;
  headerMatch: HeaderMatch;
  /** An email is found by Email/query only this long after its import. */
  indexDelayMs: number;
  /** The account is read-only: writes are refused with `forbidden`. */
  readOnly: boolean;
  /** The refusal type the next imported email gets (and counts it down), or null. */
  takeImportRefusal(): 'rateLimit' | 'overQuota' | null;
}

export type MethodHandler = (args: JsonObject, context: MethodContext) => JsonObject | Promise<JsonObject>;

interface Method {
  capability: string;
  handler: MethodHandler;
  /** Core/echo has no account. */
  takesAccount: boolean;
}

const METHODS: Record<string, Method> = {
  'Core/echo': { capability: CORE_CAPABILITY, handler: (args) => args, takesAccount: false },
  'Mailbox/get': { capability: MAIL_CAPABILITY, handler: mailboxGet, takesAccount: true },
  'Mailbox/query': { capability: MAIL_CAPABILITY, handler: mailboxQuery, takesAccount: true },
  'Mailbox/set': { capability: MAIL_CAPABILITY, handler: mailboxSet, takesAccount: true },
  'Email/import': { capability: MAIL_CAPABILITY, handler: emailImport, takesAccount: true },
  'Email/query': { capability: MAIL_CAPABILITY, handler: emailQuery, takesAccount: true },
  'Email/get': { capability: MAIL_CAPABILITY, handler: emailGet, takesAccount: true },
};

const KNOWN_CAPABILITIES = new Set([CORE_CAPABILITY, MAIL_CAPABILITY]);

type Invocation = [name: string, args: JsonObject, callId: string];

export interface Envelope {
  using: string[];
  methodCalls: Invocation[];
  createdIds: Record<string, string> | null;
}

/** Request-level checks: JSON, shape, capabilities, maxCallsInRequest. Throws RequestError. */
export function parseEnvelope(raw: Buffer, limits: JmapCoreLimits): Envelope {
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch {
    throw notJson('The request body is not valid JSON');
  }
  if (!isObject(json) || !isStringArray(json.using) || !Array.isArray(json.methodCalls)) {
    throw notRequest('Expected {"using": [...], "methodCalls": [...]}');
  }
  const methodCalls = json.methodCalls;
  if (!methodCalls.every(isInvocation))
    throw notRequest('Each method call is [name, arguments object, call id]');
  const unknown = json.using.find((capability) => !KNOWN_CAPABILITIES.has(capability));
  if (unknown !== undefined) throw unknownCapability(unknown);
  if (methodCalls.length > limits.maxCallsInRequest) {
    throw limitExceeded('maxCallsInRequest', 400, `More than ${limits.maxCallsInRequest} method calls`);
  }
  const createdIds = json.createdIds;
  if (
    createdIds !== undefined &&
    !(isObject(createdIds) && Object.values(createdIds).every((v) => typeof v === 'string'))
  ) {
    throw notRequest('createdIds must map creation ids to ids');
  }
  return {
    using: json.using,
    methodCalls,
    createdIds: (createdIds as Record<string, string> | undefined) ?? null,
  };
}

export async function runEnvelope(
  envelope: Envelope,
  context: Omit<MethodContext, 'createdIds'>,
  sessionState: string,
): Promise<JsonObject> {
  const createdIds = new Map(Object.entries(envelope.createdIds ?? {}));
  const methodContext: MethodContext = { ...context, createdIds };
  const methodResponses: Invocation[] = [];
  for (const [name, args, callId] of envelope.methodCalls) {
    methodResponses.push(await runCall(name, args, callId, envelope.using, methodResponses, methodContext));
  }
  return {
    methodResponses,
    sessionState,
    ...(envelope.createdIds === null ? {} : { createdIds: Object.fromEntries(createdIds) }),
  };
}

async function runCall(
  name: string,
  args: JsonObject,
  callId: string,
  using: string[],
  earlier: Invocation[],
  context: MethodContext,
): Promise<Invocation> {
  try {
    const method = METHODS[name];
    if (!method || !using.includes(method.capability))
      throw new MethodError('unknownMethod', `Unknown method ${name}`);
    const resolved = resolveResultReferences(args, earlier);
    if (method.takesAccount && resolved.accountId !== context.account.accountId) {
      throw new MethodError('accountNotFound', `No account ${String(resolved.accountId)}`);
    }
    return [name, await method.handler(resolved, context), callId];
  } catch (error) {
    if (error instanceof MethodError) return ['error', error.json(), callId];
    throw error;
  }
}

/** Replaces `#name: {resultOf, name, path}` arguments by values from earlier responses (§3.7). */
function resolveResultReferences(args: JsonObject, earlier: Invocation[]): JsonObject {
  const resolved: JsonObject = {};
  for (const [key, value] of Object.entries(args)) {
    if (!key.startsWith('#')) {
      resolved[key] = value;
      continue;
    }
    const name = key.slice(1);
    if (name in args) throw invalidArguments(`Both ${name} and #${name} given`);
    resolved[name] = referencedValue(value, earlier);
  }
  return resolved;
}

function referencedValue(reference: unknown, earlier: Invocation[]): unknown {
  const invalid = (why: string) => new MethodError('invalidResultReference', why);
  if (!isObject(reference) || typeof reference.resultOf !== 'string' || typeof reference.name !== 'string') {
    throw invalid('A ResultReference needs resultOf, name and path');
  }
  if (typeof reference.path !== 'string') throw invalid('A ResultReference needs a path');
  const response = earlier.find((invocation) => invocation[2] === reference.resultOf);
  if (!response || response[0] !== reference.name)
    throw invalid(`No ${reference.name} response for ${reference.resultOf}`);
  const value = evaluatePointer(response[1], reference.path.split('/').slice(1));
  if (value === undefined) throw invalid(`Path ${reference.path} not found`);
  return value;
}

/** JSON Pointer with JMAP's `*` (apply to every array item and flatten), RFC 8620 §3.7. */
function evaluatePointer(value: unknown, tokens: string[]): unknown {
  if (tokens.length === 0) return value;
  const [rawToken = '', ...rest] = tokens;
  const token = rawToken.replace(/~1/g, '/').replace(/~0/g, '~');
  if (Array.isArray(value)) {
    if (token === '*') {
      const results = value.map((item) => evaluatePointer(item, rest));
      if (results.includes(undefined)) return undefined;
      return results.flatMap((result) => (Array.isArray(result) ? result : [result]));
    }
    return /^\d+$/.test(token) ? evaluatePointer(value[Number(token)], rest) : undefined;
  }
  return isObject(value) && Object.hasOwn(value, token) ? evaluatePointer(value[token], rest) : undefined;
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

function isInvocation(value: unknown): value is Invocation {
  return (
    Array.isArray(value) &&
    value.length === 3 &&
    typeof value[0] === 'string' &&
    isObject(value[1]) &&
    typeof value[2] === 'string'
  );
}
