/**
 * Did a write whose answer was lost reach Missive? Asked before sending it again, with documented
 * reads only (missive-api.md §11):
 * - an SMS: `GET /conversations/:id/messages` around its `delivered_at`, looking for its `external_id`;
 * - a comment post: `GET /conversations/:id/posts`, newest first, looking for its marker (the
 *   "Front comment com_…" footer of its attachment block) back to a little before it was sent.
 */
import type { Requester } from './import-engine-requests.ts';

export type Check =
  | { kind: 'stored'; messageId: string | null; postId: string | null }
  | { kind: 'not-stored' }
  /** Missive cannot tell (a read failed, or the answer would be ambiguous): the user chooses. */
  | { kind: 'unknown'; reason: string }
  /** The run stopped while checking (pause, 401): checked again on resume. */
  | { kind: 'stopped' };

/** Missive pages conversation sub-lists by 10. */
const SUBLIST_PAGE = 10;
/** Posts this much older than the send (client and server clocks differ a little) end the search. */
const CLOCK_SKEW_S = 600;
/** Posts pages read at most before saying "cannot tell". */
const MAX_POST_PAGES = 5;

function record(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;
}

function list(body: unknown, key: string): Record<string, unknown>[] {
  const value = record(body)?.[key];
  const items = Array.isArray(value) ? value : value ? [value] : [];
  return items.map(record).filter((item): item is Record<string, unknown> => item !== null);
}

function idOf(item: Record<string, unknown>): string | null {
  return typeof item.id === 'string' ? item.id : null;
}

function failed(result: { why: string; message: string }): Check {
  return result.why === 'stopped'
    ? { kind: 'stopped' }
    : { kind: 'unknown', reason: `Missive could not be asked: ${result.message}` };
}

/**
 * Looks for the message with this `external_id` among the conversation's messages delivered at or
 * before `deliveredAt` (Unix seconds): the SMS are sent oldest first, so it is on the first page.
 */
export async function findSmsInConversation(
  requester: Requester,
  missiveConversationId: string,
  externalId: string,
  deliveredAt: number,
): Promise<Check> {
  const path =
    `/conversations/${encodeURIComponent(missiveConversationId)}/messages` +
    `?limit=${SUBLIST_PAGE}&until=${deliveredAt + 1}`;
  const result = await requester.read(path);
  if (!result.ok) return failed(result);
  const found = list(result.body, 'messages').find((m) => m.external_id === externalId);
  return found ? { kind: 'stored', messageId: idOf(found), postId: null } : { kind: 'not-stored' };
}

function footers(post: Record<string, unknown>): string[] {
  const blocks = Array.isArray(post.attachments) ? post.attachments : [];
  return blocks.map((block) => record(block)?.footer).filter((f): f is string => typeof f === 'string');
}

/** The footer of the attachment block that marks a comment (or one part of a long one) in a post. */
export function commentFooter(commentId: string, part: number, parts: number): string {
  return `Front comment ${commentId}` + (parts > 1 ? `, part ${part} of ${parts}` : '');
}

/**
 * Looks for a post carrying `footer` (or exactly this `markdown`) among the conversation's posts,
 * newest first, back to a little before `sentAtMs`.
 */
export async function findPostInConversation(
  requester: Requester,
  missiveConversationId: string,
  marker: { footer: string; markdown: string | null },
  sentAtMs: number,
): Promise<Check> {
  const oldestWorthReading = Math.floor(sentAtMs / 1000) - CLOCK_SKEW_S;
  let until: number | null = null;
  for (let page = 0; page < MAX_POST_PAGES; page++) {
    const path =
      `/conversations/${encodeURIComponent(missiveConversationId)}/posts?limit=${SUBLIST_PAGE}` +
      (until === null ? '' : `&until=${until}`);
    const result = await requester.read(path);
    if (!result.ok) return failed(result);
    const posts = list(result.body, 'posts');
    const found = posts.find(
      (post) =>
        footers(post).includes(marker.footer) ||
        (marker.markdown !== null && post.markdown === marker.markdown),
    );
    if (found) return { kind: 'stored', messageId: null, postId: idOf(found) };
    const times = posts.map((post) => post.created_at).filter((t): t is number => typeof t === 'number');
    const oldest = times.length > 0 ? Math.min(...times) : null;
    if (posts.length < SUBLIST_PAGE || oldest === null || oldest < oldestWorthReading) {
      return { kind: 'not-stored' };
    }
    if (until !== null && oldest >= until) break; // the list does not move back: stop rather than loop
    until = oldest;
  }
  return { kind: 'unknown', reason: 'too many posts in that conversation to find this one' };
}
