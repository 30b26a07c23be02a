/**
 * The SMS check before a resend (import-engine-verify.ts) under both readings of a past
 * `delivered_at`: kept by Missive, or replaced by the time the message arrived (undocumented).
 * Paging is the sandbox's own (`newestFirstPage`: newest first, `until` in seconds, max 10).
 */
import { describe, expect, it } from 'vitest';
import { findSmsInConversation } from '../../src/adapters/import-engine-verify.ts';
import type { ReadResult } from '../../src/adapters/import-engine-requests.ts';
import { newestFirstPage } from '../../testbed/missive-sandbox/api-routes.ts';

interface Message {
  id: string;
  external_id: string;
  delivered_at: number;
}

const NOW_S = 1_760_000_000;
const SENT_AT_MS = NOW_S * 1000;
const FRONT_DAY_S = 1_600_000_000;

/** A conversation's messages behind GET /conversations/:id/messages; counts the reads. */
function conversation(messages: Message[]) {
  const paths: string[] = [];
  const requester = {
    read<T>(path: string): Promise<ReadResult<T>> {
      paths.push(path);
      const query = new URL(path, 'https://missive.invalid').searchParams;
      const page = newestFirstPage(messages, (m) => m.delivered_at, query);
      return Promise.resolve({ ok: true, body: { messages: page } as T });
    },
  };
  return { requester, paths };
}

/** Front SMS `count`, one a minute from `start`; `external_id` sms-0, sms-1, … */
function sms(count: number, start: number, step = 60): Message[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `m${i}`,
    external_id: `sms-${i}`,
    delivered_at: start + i * step,
  }));
}

describe('findSmsInConversation', () => {
  it('delivered_at kept: an older SMS is found on the dated page after one newest page', async () => {
    const { requester, paths } = conversation(sms(40, FRONT_DAY_S));
    const check = await findSmsInConversation(requester, 'c1', 'sms-5', FRONT_DAY_S + 5 * 60, SENT_AT_MS);
    expect(check).toEqual({ kind: 'stored', messageId: 'm5', postId: null });
    expect(paths).toHaveLength(2);
    expect(paths[0]).not.toContain('until=');
    expect(paths[1]).toContain(`until=${FRONT_DAY_S + 5 * 60 + 1}`);
  });

  it('delivered_at ignored: the SMS dated now is found on the newest page', async () => {
    // 40 SMS stored during the run, all dated when they arrived (the last one is the lost answer).
    const { requester, paths } = conversation(sms(40, NOW_S - 40, 1));
    const check = await findSmsInConversation(requester, 'c1', 'sms-39', FRONT_DAY_S + 39 * 60, SENT_AT_MS);
    expect(check).toEqual({ kind: 'stored', messageId: 'm39', postId: null });
    expect(paths).toHaveLength(1);
  });

  it('delivered_at ignored, several pages of recent messages: paged back until found', async () => {
    const { requester, paths } = conversation(sms(40, NOW_S - 40, 1));
    const check = await findSmsInConversation(requester, 'c1', 'sms-15', FRONT_DAY_S + 15 * 60, SENT_AT_MS);
    expect(check).toEqual({ kind: 'stored', messageId: 'm15', postId: null });
    expect(paths).toHaveLength(3);
  });

  for (const reading of ['kept', 'ignored'] as const) {
    it(`not stored (${reading}): says so after a bounded number of reads`, async () => {
      const messages = reading === 'kept' ? sms(30, FRONT_DAY_S) : sms(30, NOW_S - 30, 1);
      const { requester, paths } = conversation(messages);
      const check = await findSmsInConversation(requester, 'c1', 'sms-99', FRONT_DAY_S + 99 * 60, SENT_AT_MS);
      expect(check).toEqual({ kind: 'not-stored' });
      expect(paths.length).toBeLessThanOrEqual(reading === 'kept' ? 2 : 5);
    });
  }

  it('more recent messages than it reads: cannot tell, rather than say "not stored"', async () => {
    const { requester, paths } = conversation(sms(120, NOW_S - 120, 1));
    const check = await findSmsInConversation(requester, 'c1', 'sms-missing', FRONT_DAY_S, SENT_AT_MS);
    expect(check.kind).toBe('unknown');
    expect(paths).toHaveLength(6);
  });
});
