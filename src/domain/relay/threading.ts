/**
 * Message-IDs and threading headers for relayed emails. Missive and Gmail thread on
 * `References`/`In-Reply-To`, so every reply carries the full chain of its conversation.
 */
import type { Message } from '../model.ts';

/** Reserved TLD (RFC 2606): a derived ID can never clash with a real one. Never change it: IDs must be stable. */
export const DERIVED_MESSAGE_ID_DOMAIN = 'front-import.invalid';

/** The threading headers of one message, values with angle brackets. */
export interface ThreadContext {
  frontMessageId: string;
  messageId: string;
  inReplyTo: string | null;
  /** Oldest first; never contains `messageId` itself. */
  references: string[];
}

/**
 * The same `<front-msg_…@front-import.invalid>` on every run for a given Front message ID.
 * Characters outside the dot-atom set are written as `=XX` (UTF-8 hex), which keeps the mapping
 * one-to-one (`=` itself is escaped too).
 */
export function derivedMessageId(frontMessageId: string): string {
  let local = '';
  for (const byte of new TextEncoder().encode(frontMessageId)) {
    const char = String.fromCharCode(byte);
    local += /[A-Za-z0-9_-]/.test(char) ? char : `=${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return `<front-${local}@${DERIVED_MESSAGE_ID_DOMAIN}>`;
}

/** Longer IDs would not fit a header line; real ones are far shorter. */
const MAX_MESSAGE_ID_LENGTH = 900;

/**
 * An original Message-ID in canonical `<…>` form (brackets added when missing, as Google's
 * migration tool does), or null when unusable: empty, whitespace inside, stray brackets,
 * non-printable characters.
 */
export function normaliseMessageId(raw: string | null | undefined): string | null {
  if (raw == null) return null;
  const trimmed = raw.trim();
  const inner = trimmed.startsWith('<') && trimmed.endsWith('>') ? trimmed.slice(1, -1).trim() : trimmed;
  if (inner === '' || inner.length > MAX_MESSAGE_ID_LENGTH) return null;
  if (!/^[\x21-\x7e]+$/.test(inner) || /[<>]/.test(inner)) return null;
  return `<${inner}>`;
}

/** The Message-ID a relayed copy carries: the original when known, else the derived one. */
export function relayMessageId(message: Pick<Message, 'id' | 'messageId'>): string {
  return normaliseMessageId(message.messageId) ?? derivedMessageId(message.id);
}

/** Oldest first; ties broken by Front ID so the order (and so every header) is the same on every run. */
export function sortOldestFirst<T extends Pick<Message, 'id' | 'createdAt'>>(messages: readonly T[]): T[] {
  return [...messages].sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

function uniqueIds(ids: Iterable<string>, exclude: string): string[] {
  const seen = new Set<string>([exclude]);
  const out: string[] = [];
  for (const id of ids) {
    if (seen.has(id)) continue;
    seen.add(id);
    out.push(id);
  }
  return out;
}

/**
 * Threading headers for the messages of one conversation (the ones being relayed), keyed by
 * Front message ID. Messages are ordered oldest first here, whatever the input order.
 *
 * - Message-ID: the original, else derived.
 * - In-Reply-To: the original when known, else the previous message of the conversation.
 * - References: the original chain when known (plus its In-Reply-To if missing at the end);
 *   else the parent's chain + the parent when the parent is in the conversation; else the
 *   conversation's chain so far + the outside parent. Either way a reply always points back into
 *   its conversation, which is what keeps the relayed copies in one thread.
 */
export function threadHeaders(conversationMessages: readonly Message[]): Map<string, ThreadContext> {
  const contexts = new Map<string, ThreadContext>();
  const chainByMessageId = new Map<string, string[]>();
  let previous: ThreadContext | null = null;

  for (const message of sortOldestFirst(conversationMessages)) {
    const messageId = relayMessageId(message);
    const originalParent = normaliseMessageId(message.inReplyTo);
    const originalReferences = message.references
      .map((reference) => normaliseMessageId(reference))
      .filter((reference): reference is string => reference !== null);
    const inReplyTo = originalParent ?? previous?.messageId ?? null;

    let references: string[];
    if (originalReferences.length > 0) {
      const endsWithParent = inReplyTo === null || originalReferences.at(-1) === inReplyTo;
      references = endsWithParent ? originalReferences : [...originalReferences, inReplyTo];
    } else if (inReplyTo !== null && chainByMessageId.has(inReplyTo)) {
      references = [...chainByMessageId.get(inReplyTo)!, inReplyTo];
    } else {
      const conversationSoFar = previous ? [...previous.references, previous.messageId] : [];
      references = inReplyTo !== null ? [...conversationSoFar, inReplyTo] : conversationSoFar;
    }

    const context: ThreadContext = {
      frontMessageId: message.id,
      messageId,
      inReplyTo: inReplyTo === messageId ? null : inReplyTo,
      references: uniqueIds(references, messageId),
    };
    contexts.set(message.id, context);
    if (!chainByMessageId.has(messageId)) chainByMessageId.set(messageId, context.references);
    previous = context;
  }
  return contexts;
}
