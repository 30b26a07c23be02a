import { describe, expect, it } from 'vitest';
import {
  REDACTED,
  redactSecrets,
  sanitizeReportItem,
  withoutCredentials,
  type ReportItem,
} from '../../src/domain/report/index.ts';

const TOKEN = 'missive_pat-AbC123_xyz.987';
const UUID_TOKEN = '3f2b8c1e-9d4a-4b7e-8f00-123456789abc';

describe('token redaction', () => {
  it('removes a given secret wherever it appears, also URL-encoded or JSON-escaped', () => {
    const secret = 'tok"en/with+odd=chars';
    const text = `plain ${secret} url ${encodeURIComponent(secret)} json ${JSON.stringify(secret)}`;
    const redacted = redactSecrets(text, [secret]);
    expect(redacted).not.toContain(secret);
    expect(redacted).not.toContain(encodeURIComponent(secret));
    expect(redacted).not.toContain('tok\\"en');
    expect(redacted.split(REDACTED)).toHaveLength(4);
  });

  it('removes old UUID-style tokens when given, and Missive-looking tokens and Bearer headers even when not', () => {
    expect(redactSecrets(`Authorization: Bearer ${UUID_TOKEN}`, [])).toBe('Authorization: Bearer [redacted]');
    expect(redactSecrets(`bad token ${UUID_TOKEN}`, [UUID_TOKEN])).toBe('bad token [redacted]');
    expect(redactSecrets(`{"error":"invalid ${TOKEN}"}`, [])).toBe('{"error":"invalid [redacted]"}');
  });

  it('ignores blank secrets and leaves other text alone', () => {
    expect(redactSecrets('HTTP 422: conversation not found', ['', '  '])).toBe(
      'HTTP 422: conversation not found',
    );
  });

  it('is applied to every free-text field of an item, and unknown fields are dropped', () => {
    const item = {
      kind: 'comment',
      frontId: 'com_1',
      frontConversationId: 'cnv_1',
      status: 'failed',
      reason: `echo ${TOKEN}`,
      inbox: `inbox ${TOKEN}`,
      target: `target ${TOKEN}`,
      attachmentsNotImported: [`${TOKEN}.pdf`],
      headers: { Authorization: `Bearer ${TOKEN}` },
    } as unknown as ReportItem;
    const safe = sanitizeReportItem(item, [TOKEN]);
    expect(JSON.stringify(safe)).not.toContain(TOKEN);
    expect(safe).not.toHaveProperty('headers');
    expect(safe.reason).toBe('echo [redacted]');
  });

  it('strips credentials, query and fragment from a custom API base', () => {
    expect(withoutCredentials('https://u:p@proxy.example:8443/v1?token=x#y')).toBe(
      'https://proxy.example:8443/v1',
    );
    expect(withoutCredentials('https://public.missiveapp.com/v1')).toBe('https://public.missiveapp.com/v1');
    expect(withoutCredentials('not a url')).toBe('not a url');
  });
});
