/**
 * `GET /v1/conversations` (missive-api.md §5): which conversations one filter selects, seen by the
 * token's owner. Missive requires one filter, a mailbox (`inbox=true`, …) or a shared label or team
 * (`shared_label=<id>`, …); `organization` narrows it further. Paging is done by the route.
 */
import { USER_ID } from './fixtures.ts';
import type { Conversation, SandboxStore } from './store.ts';
import { SandboxError, badRequest } from './validate.ts';

/** Mailbox filters: pass `true`. */
export const MAILBOX_FILTERS = [
  'inbox',
  'all',
  'assigned',
  'closed',
  'snoozed',
  'flagged',
  'trashed',
  'junked',
  'drafts',
] as const;

/** Filters that take a shared label or team ID. */
export const ID_FILTERS = ['shared_label', 'team_inbox', 'team_closed', 'team_all'] as const;

type MailboxFilter = (typeof MAILBOX_FILTERS)[number];
type IdFilter = (typeof ID_FILTERS)[number];

export type ConversationFilter =
  { kind: 'mailbox'; name: MailboxFilter } | { kind: 'id'; name: IdFilter; id: string };

const FILTER_HINT =
  `one of ${MAILBOX_FILTERS.join(', ')} (pass true), ` + `or ${ID_FILTERS.join(', ')} (pass an ID)`;

/**
 * The one filter of the query. No filter is a 400 (Missive: "must be filtered by"); so are two
 * (the sandbox's choice: Missive documents one), a mailbox given anything but `true`, and an
 * empty ID. An ID that names no shared label or team is a 404.
 */
export function parseConversationFilter(store: SandboxStore, query: URLSearchParams): ConversationFilter {
  const given = [...MAILBOX_FILTERS, ...ID_FILTERS].filter((name) => query.has(name));
  if (given.length === 0) throw badRequest(`GET /conversations must be filtered by ${FILTER_HINT}`);
  if (given.length > 1) throw badRequest(`pass only one filter (got ${given.join(', ')}): ${FILTER_HINT}`);
  const name = given[0]!;
  const value = query.get(name) ?? '';
  if ((MAILBOX_FILTERS as readonly string[]).includes(name)) {
    if (value !== 'true') throw badRequest(`${name} must be true`);
    return { kind: 'mailbox', name: name as MailboxFilter };
  }
  if (!value) throw badRequest(`${name} must be an ID`);
  if (name === 'shared_label') {
    if (!store.sharedLabels.some((label) => label.id === value)) {
      throw new SandboxError(404, `shared label ${value} not found`);
    }
  } else if (!store.teams.some((team) => team.id === value)) {
    throw new SandboxError(404, `team ${value} not found`);
  }
  return { kind: 'id', name: name as IdFilter, id: value };
}

/**
 * Whether the filter selects the conversation. The sandbox has one user (the token's owner) and
 * no snoozing, flags, trash, spam or drafts, so those mailboxes are always empty.
 */
export function matchesFilter(conversation: Conversation, filter: ConversationFilter): boolean {
  const open = conversation.in_inbox && !conversation.closed;
  if (filter.kind === 'id') {
    switch (filter.name) {
      case 'shared_label':
        return conversation.shared_labels.has(filter.id);
      case 'team_inbox':
        return conversation.team === filter.id && open;
      case 'team_closed':
        return conversation.team === filter.id && conversation.closed;
      case 'team_all':
        return conversation.team === filter.id;
    }
  }
  if (!conversation.users.has(USER_ID)) return false;
  switch (filter.name) {
    case 'inbox':
      return open;
    case 'all':
      return true;
    case 'assigned':
      return conversation.assignees.has(USER_ID);
    case 'closed':
      return conversation.closed;
    case 'snoozed':
    case 'flagged':
    case 'trashed':
    case 'junked':
    case 'drafts':
      return false;
  }
}

/** The conversations the query selects, unsorted (in creation order). */
export function selectConversations(store: SandboxStore, query: URLSearchParams): Conversation[] {
  const filter = parseConversationFilter(store, query);
  const organization = query.get('organization');
  return [...store.conversations.values()].filter(
    (conversation) =>
      matchesFilter(conversation, filter) && (!organization || conversation.organization === organization),
  );
}
