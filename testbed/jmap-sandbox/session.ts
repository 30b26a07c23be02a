/** The JMAP Session resource (RFC 8620 §2), shaped like Fastmail's. */
import { createHash } from 'node:crypto';
import { CORE_CAPABILITY, MAIL_CAPABILITY, type JmapCoreLimits } from './types.ts';

export interface SessionInput {
  origin: string;
  accountId: string;
  username: string;
  limits: JmapCoreLimits;
  readOnly?: boolean;
}

export const API_PATH = '/jmap/api/';
export const SESSION_PATH = '/jmap/session';

export function sessionJson({
  origin,
  accountId,
  username,
  limits,
  readOnly = false,
}: SessionInput): Record<string, unknown> {
  const session = {
    capabilities: {
      [CORE_CAPABILITY]: {
        ...limits,
        collationAlgorithms: ['i;ascii-numeric', 'i;ascii-casemap', 'i;unicode-casemap'],
      },
      [MAIL_CAPABILITY]: {},
    },
    accounts: {
      [accountId]: {
        name: username,
        isPersonal: true,
        isReadOnly: readOnly,
        accountCapabilities: {
          [CORE_CAPABILITY]: {},
          [MAIL_CAPABILITY]: {
            maxMailboxesPerEmail: null,
            maxMailboxDepth: null,
            maxSizeMailboxName: 490,
            maxSizeAttachmentsPerEmail: limits.maxSizeUpload,
            emailQuerySortOptions: ['receivedAt', 'sentAt', 'size', 'subject'],
            mayCreateTopLevelMailbox: true,
          },
        },
      },
    },
    primaryAccounts: { [CORE_CAPABILITY]: accountId, [MAIL_CAPABILITY]: accountId },
    username,
    apiUrl: `${origin}${API_PATH}`,
    downloadUrl: `${origin}/jmap/download/{accountId}/{blobId}/{name}?accept={type}`,
    uploadUrl: `${origin}/jmap/upload/{accountId}/`,
    eventSourceUrl: `${origin}/jmap/eventsource/?types={types}&closeafter={closeafter}&ping={ping}`,
  };
  return { ...session, state: sessionState(session) };
}

/** Changes whenever anything in the session changes (limits, URLs). */
export function sessionState(session: unknown): string {
  return createHash('sha1').update(JSON.stringify(session)).digest('hex').slice(0, 12);
}
