/**
 * Did a write whose answer was lost reach Missive? Asked before sending it again, with documented
 * reads only (missive-api.md §11):
 * - an SMS: `GET /conversations/:id/messages`, newest first and then around its `delivered_at` (in
 *   case Missive dated it when it arrived), looking for its `external_id`;
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

/** Newest messages pages read at most before the dated page (and "cannot tell" if both miss). */
const MAX_SMS_PAGES = 5;

/**
 * Looks for the message with this `external_id` in the conversation, under both readings of a past
 * `delivered_at` (Missive does not document whether it keeps it):
 * - kept: the message sits among those delivered at or before `deliveredAt` (Unix seconds), on the
 *   page read with `until = deliveredAt + 1` (SMS are sent oldest first, so it is on that page);
 * - ignored: it is dated when it arrived, so among the newest, back to a little before `sentAtMs`.
 * The newest pages come first (where the SMS sent last usually is), then the dated page.
 */
export async function findSmsInConversation(
  requester: Pick<Requester, 'read'>,
  missiveConversationId: string,
  externalId: string,
  deliveredAt: number,
  sentAtMs: number,
): Promise<Check> {
  const messagesPath = `/conversations/${encodeURIComponent(missiveConversationId)}/messages?limit=${SUBLIST_PAGE}`;
  const match = (messages: Record<string, unknown>[]): Check | null => {
    const found = messages.find((m) => m.external_id === externalId);
    return found ? { kind: 'stored', messageId: idOf(found), postId: null } : null;
  };

  const oldestWorthReading = Math.floor(sentAtMs / 1000) - CLOCK_SKEW_S;
  let newestReadToTheEnd = false;
  let until: number | null = null;
  for (let page = 0; page < MAX_SMS_PAGES; page++) {
    const result = await requester.read(messagesPath + (until === null ? '' : `&until=${until}`));
    if (!result.ok) return failed(result);
    const messages = list(result.body, 'messages');
    const found = match(messages);
    if (found) return found;
    const times = messages.map((m) => m.delivered_at).filter((t): t is number => typeof t === 'number');
    const oldest = times.length > 0 ? Math.min(...times) : null;
    if (messages.length < SUBLIST_PAGE || oldest === null || oldest < oldestWorthReading) {
      newestReadToTheEnd = true;
      break;
    }
    if (until !== null && oldest >= until) break; // the list does not move back: stop rather than loop
    until = oldest;
  }

  const dated = await requester.read(`${messagesPath}&until=${deliveredAt + 1}`);
  if (!dated.ok) return failed(dated);
  const found = match(list(dated.body, 'messages'));
  if (found) return found;
  return newestReadToTheEnd
    ? { kind: 'not-stored' }
    : { kind: 'unknown', reason: 'too many recent messages in that conversation to find this SMS' };
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
