/**
 * What the import reads from the export index: one conversation with its messages and comments,
 * and the contacts' names for SMS parties Front left unnamed.
 */
import type { Comment, Conversation, Message } from '../domain/model.ts';
import type { ExportStore } from './store.ts';

export type ExportReader = Pick<ExportStore, 'getConversation' | 'messagesOf' | 'commentsOf'>;

export interface ConversationData {
  conversation: Conversation;
  messages: Message[];
  comments: Comment[];
}

/** A conversation known only through its items (its own file was not in the export). */
export function emptyConversation(id: string): Conversation {
  return {
    id,
    seen: false,
    subject: '',
    status: '',
    type: 'conversation',
    createdAt: null,
    inboxKeys: [],
    tags: [],
    assigneeName: null,
    recipientHandle: null,
  };
}

export async function readConversation(store: ExportReader, id: string): Promise<ConversationData> {
  const [row, messages, comments] = await Promise.all([
    store.getConversation(id),
    store.messagesOf(id),
    store.commentsOf(id),
  ]);
  if (!row) return { conversation: emptyConversation(id), messages, comments };
  const { stats: _stats, ...conversation } = row;
  return { conversation, messages, comments };
}

/** Names for phone handles the export's contacts know (Front often leaves SMS recipients unnamed). */
export async function contactNames(store: Pick<ExportStore, 'forEachContact'>): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  await store.forEachContact((contact) => {
    const name = contact.name?.trim();
    if (!name) return;
    for (const { handle } of contact.handles) if (!names.has(handle.trim())) names.set(handle.trim(), name);
  });
  return names;
}
