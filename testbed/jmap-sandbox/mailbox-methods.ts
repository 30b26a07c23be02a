/** Mailbox/get, Mailbox/query and Mailbox/set (RFC 8621 §2). */
import type { MailboxFields } from './account.ts';
import {
  checkIfInState,
  idsArgument,
  isObject,
  objectMap,
  pick,
  propertiesArgument,
  resolveCreationId,
  type JsonObject,
} from './args.ts';
import type { MethodContext, MethodHandler } from './dispatch.ts';
import {
  MethodError,
  accountReadOnly,
  invalidArguments,
  invalidProperties,
  type SetError,
} from './errors.ts';
import { containsText, runQuery, type Conditions } from './query.ts';
import type { JmapMailbox } from './types.ts';

const MAILBOX_PROPERTIES = [
  'id',
  'name',
  'parentId',
  'role',
  'sortOrder',
  'totalEmails',
  'unreadEmails',
  'totalThreads',
  'unreadThreads',
  'myRights',
  'isSubscribed',
];
const SETTABLE = new Set(['name', 'parentId', 'role', 'sortOrder', 'isSubscribed']);
const SERVER_SET_PROPERTIES = ['totalEmails', 'unreadEmails', 'totalThreads', 'unreadThreads', 'myRights'];
/** IANA "JMAP Mailbox Roles" registry values a client may set. */
const ROLES = new Set([
  'all',
  'archive',
  'drafts',
  'flagged',
  'important',
  'inbox',
  'junk',
  'sent',
  'subscribed',
  'trash',
]);
/** RFC 8621 §2: maxSizeMailboxName must be at least 100; 490 is common. */
const MAX_NAME_OCTETS = 490;

const FULL_RIGHTS = Object.freeze({
  mayReadItems: true,
  mayAddItems: true,
  mayRemoveItems: true,
  maySetSeen: true,
  maySetKeywords: true,
  mayCreateChild: true,
  mayRename: true,
  mayDelete: true,
  maySubmit: true,
});

function mailboxJson(mailbox: JmapMailbox, context: MethodContext): JsonObject {
  return { ...mailbox, ...context.account.mailboxCounts(mailbox.id), myRights: { ...FULL_RIGHTS } };
}

export const mailboxGet: MethodHandler = (args, context) => {
  const { account, limits } = context;
  const ids = idsArgument(args.ids, limits.maxObjectsInGet);
  const properties = propertiesArgument(
    args.properties,
    (name) => MAILBOX_PROPERTIES.includes(name),
    MAILBOX_PROPERTIES,
  );
  const wanted = ids ?? account.mailboxes().map((mailbox) => mailbox.id);
  const found = wanted.map((id) => account.mailbox(id)).filter((mailbox) => mailbox !== undefined);
  return {
    accountId: account.accountId,
    state: account.state('Mailbox'),
    list: found.map((mailbox) => pick(mailboxJson(mailbox, context), properties)),
    notFound: wanted.filter((id) => !account.mailbox(id)),
  };
};

const MAILBOX_CONDITIONS: Conditions<JmapMailbox> = {
  parentId: (mailbox, value) => mailbox.parentId === value,
  name: (mailbox, value) => containsText(mailbox.name, value),
  role: (mailbox, value) => mailbox.role === value,
  hasAnyRole: (mailbox, value) => (mailbox.role !== null) === value,
  isSubscribed: (mailbox, value) => mailbox.isSubscribed === value,
};

export const mailboxQuery: MethodHandler = (args, { account }) => {
  if (args.sortAsTree === true || args.filterAsTree === true) {
    throw invalidArguments('sortAsTree and filterAsTree are not modelled by the sandbox');
  }
  const page = runQuery(account.mailboxes(), args, MAILBOX_CONDITIONS, {
    name: (a, b) => a.name.localeCompare(b.name),
    sortOrder: (a, b) => a.sortOrder - b.sortOrder,
  });
  return {
    accountId: account.accountId,
    queryState: account.state('Mailbox'),
    canCalculateChanges: false,
    position: page.position,
    ids: page.ids,
    ...(args.calculateTotal === true ? { total: page.total } : {}),
  };
};

type Checked = { ok: true; changes: Partial<MailboxFields> } | { ok: false; error: SetError };

const refuse = (properties: string[], description: string): Checked => ({
  ok: false,
  error: invalidProperties(properties, description),
});

/** Checks one create/update object: the fields it sets, or the SetError to answer. */
function mailboxChanges(input: unknown, context: MethodContext): Checked {
  if (!isObject(input)) return refuse([], 'Expected a Mailbox object');
  const bad = Object.keys(input).filter((name) => !SETTABLE.has(name));
  if (bad.length > 0) return refuse(bad, 'Server-set, unknown or patch-path properties');
  const { name, parentId, role, sortOrder, isSubscribed } = input;
  const changes: Partial<MailboxFields> = {};
  if (name !== undefined) {
    if (typeof name !== 'string' || name === '' || Buffer.byteLength(name) > MAX_NAME_OCTETS) {
      return refuse(['name'], `name must be 1–${MAX_NAME_OCTETS} octets`);
    }
    changes.name = name;
  }
  if (parentId !== undefined) {
    if (parentId !== null && typeof parentId !== 'string')
      return refuse(['parentId'], 'parentId must be an Id or null');
    const resolved = parentId === null ? null : resolveCreationId(parentId, context.createdIds);
    if (parentId !== null && resolved === null)
      return refuse(['parentId'], `Unknown creation id ${parentId}`);
    changes.parentId = resolved;
  }
  if (role !== undefined) {
    if (role !== null && !(typeof role === 'string' && ROLES.has(role)))
      return refuse(['role'], 'Unknown role');
    changes.role = role;
  }
  if (sortOrder !== undefined) {
    if (!Number.isInteger(sortOrder) || (sortOrder as number) < 0)
      return refuse(['sortOrder'], 'UnsignedInt');
    changes.sortOrder = sortOrder as number;
  }
  if (isSubscribed !== undefined) {
    if (typeof isSubscribed !== 'boolean') return refuse(['isSubscribed'], 'Boolean');
    changes.isSubscribed = isSubscribed;
  }
  return { ok: true, changes };
}

interface SetOutcome {
  done: JsonObject;
  failed: JsonObject;
}

function createMailboxes(create: JsonObject, context: MethodContext): SetOutcome {
  const outcome: SetOutcome = { done: {}, failed: {} };
  for (const [creationId, input] of Object.entries(create)) {
    const checked = mailboxChanges(input, context);
    if (!checked.ok) {
      outcome.failed[creationId] = checked.error;
      continue;
    }
    const { name, ...rest } = checked.changes;
    if (name === undefined) {
      outcome.failed[creationId] = invalidProperties(['name'], 'name is required');
      continue;
    }
    const created = context.account.createMailbox({
      parentId: null,
      role: null,
      sortOrder: 0,
      isSubscribed: true,
      ...rest,
      name,
    });
    if ('type' in created) {
      outcome.failed[creationId] = created;
      continue;
    }
    context.createdIds.set(creationId, created.id);
    // The response carries the id and the properties the server chose (RFC 8620 §5.3).
    const json = mailboxJson(created, context);
    outcome.done[creationId] = pick(json, ['id', ...SERVER_SET_PROPERTIES]);
  }
  return outcome;
}

function updateMailboxes(update: JsonObject, context: MethodContext): SetOutcome {
  const outcome: SetOutcome = { done: {}, failed: {} };
  for (const [rawId, patch] of Object.entries(update)) {
    const id = resolveCreationId(rawId, context.createdIds) ?? rawId;
    const checked = mailboxChanges(patch, context);
    const problem = checked.ok ? context.account.updateMailbox(id, checked.changes) : checked.error;
    if (problem) outcome.failed[rawId] = problem;
    else outcome.done[rawId] = null;
  }
  return outcome;
}

function destroyMailboxes(destroy: string[], removeEmails: boolean, context: MethodContext) {
  const outcome = { done: [] as string[], failed: {} as JsonObject };
  for (const rawId of destroy) {
    const id = resolveCreationId(rawId, context.createdIds) ?? rawId;
    const problem = context.account.destroyMailbox(id, removeEmails);
    if (problem) outcome.failed[rawId] = problem;
    else outcome.done.push(rawId);
  }
  return outcome;
}

export const mailboxSet: MethodHandler = (args, context) => {
  const { account, limits } = context;
  if (context.readOnly) throw accountReadOnly();
  const create = objectMap(args.create, 'create');
  const update = objectMap(args.update, 'update');
  const destroy = idsArgument(args.destroy, Number.MAX_SAFE_INTEGER) ?? [];
  const count = Object.keys(create).length + Object.keys(update).length + destroy.length;
  if (count > limits.maxObjectsInSet)
    throw new MethodError('requestTooLarge', `More than ${limits.maxObjectsInSet} objects`);
  checkIfInState(args.ifInState, account.state('Mailbox'));
  const oldState = account.state('Mailbox');
  const created = createMailboxes(create, context);
  const updated = updateMailboxes(update, context);
  const destroyed = destroyMailboxes(destroy, args.onDestroyRemoveEmails === true, context);
  return {
    accountId: account.accountId,
    oldState,
    newState: account.state('Mailbox'),
    created: nullIfEmpty(created.done),
    updated: nullIfEmpty(updated.done),
    destroyed: destroyed.done.length > 0 ? destroyed.done : null,
    notCreated: nullIfEmpty(created.failed),
    notUpdated: nullIfEmpty(updated.failed),
    notDestroyed: nullIfEmpty(destroyed.failed),
  };
};

/** RFC 8620 §5.3: maps with no entries are answered as null. */
export function nullIfEmpty(map: JsonObject): JsonObject | null {
  return Object.keys(map).length > 0 ? map : null;
}
