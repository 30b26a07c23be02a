/**
 * Gmail's documented rule for adding a message to an existing thread
 * (https://developers.google.com/gmail/api/guides/threads): the request names the `threadId`, the
 * References and In-Reply-To headers are RFC 2822 compliant, and the Subject matches. Anything
 * else starts a new thread; threads cannot be created directly.
 */
import { bareMessageId, baseSubject, messageIdList } from './rfc822.ts';
import type { ParsedHeaders, ThreadDecision, ThreadReferenceRule } from './types.ts';

export interface ThreadRecord {
  id: string;
  /** Base subject of the thread's first message. */
  baseSubject: string;
  /** Gmail ids, in import order. */
  messageIds: string[];
  /** Bare Message-IDs of the thread's messages. */
  rfcMessageIds: Set<string>;
}

export function decideThread(
  requestedThreadId: string | null,
  thread: ThreadRecord | undefined,
  headers: ParsedHeaders,
  rule: ThreadReferenceRule,
): ThreadDecision {
  const refuse = (reason: string): ThreadDecision => ({ requestedThreadId, joined: false, reason });
  if (requestedThreadId === null) return refuse('no threadId given');
  if (!thread) return refuse(`thread ${requestedThreadId} does not exist`);
  const inReplyTo = messageIdList(headers.inReplyTo);
  const references = messageIdList(headers.references);
  if (headers.inReplyTo === null || headers.references === null) {
    return refuse('References and In-Reply-To must both be present');
  }
  if (!inReplyTo || !references) return refuse('References or In-Reply-To is not RFC 2822 compliant');
  if (baseSubject(headers.subject) !== thread.baseSubject) return refuse('Subject does not match the thread');
  if (rule === 'in-thread' && !refersIntoThread([...inReplyTo, ...references], thread)) {
    return refuse('no referenced Message-ID belongs to the thread');
  }
  return { requestedThreadId, joined: true, reason: 'joined' };
}

function refersIntoThread(ids: string[], thread: ThreadRecord): boolean {
  return ids.some((id) => thread.rfcMessageIds.has(bareMessageId(id)));
}
