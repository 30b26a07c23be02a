/**
 * `/__sandbox/*`: the in-process controls over HTTP, for processes that only have the URL (the
 * demo, a browser test, curl). No auth, loopback clients only.
 *
 *   GET  /__sandbox/info | state | mailboxes | emails[?raw=1] | requests?since=N
 *   POST /__sandbox/reset | faults | options | inject | clock {advanceMs}
 *   POST /__sandbox/tokens → {token} | expire-token {token}
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  ControlError,
  badRequest,
  commonControlRoutes,
  handleControlRequest,
  parseInjection,
  type ControlRoutes,
  type JsonObject,
} from '../sandbox-kit/control-api.ts';
import { sendJson } from './http-io.ts';
import type {
  InjectedResponse,
  JmapFaults,
  JmapMailbox,
  JmapSandboxState,
  MutableJmapOptions,
  RecordedRequest,
  StoredJmapEmail,
} from './types.ts';

export interface ControlTarget {
  info(): Record<string, unknown>;
  snapshot(): JmapSandboxState;
  mailboxes(): JmapMailbox[];
  emails(): StoredJmapEmail[];
  requestsSince(seq: number): RecordedRequest[];
  issueToken(): string;
  expireToken(token: string): boolean;
  advanceClock(ms: number): void;
  setFaults(faults: JmapFaults): void;
  setOptions(options: MutableJmapOptions): void;
  injectResponses(injection: InjectedResponse): void;
  reset(): void;
}

const common = commonControlRoutes<JmapFaults, MutableJmapOptions, InjectedResponse>(parseInjection);

const routes: ControlRoutes<ControlTarget> = {
  get: {
    ...common.get,
    mailboxes: (t) => ({ status: 200, body: { mailboxes: t.mailboxes() } }),
    emails: (t, _b, url) => {
      const withRaw = url.searchParams.get('raw') === '1';
      return { status: 200, body: { emails: t.emails().map((email) => emailForControl(email, withRaw)) } };
    },
  },
  post: {
    ...common.post,
    clock: (t, body) => {
      if (typeof body.advanceMs !== 'number' || !(body.advanceMs >= 0)) {
        throw badRequest('advanceMs (number ≥ 0) is required');
      }
      t.advanceClock(body.advanceMs);
      return { status: 200, body: { advancedMs: body.advanceMs } };
    },
    tokens: (t) => ({ status: 201, body: { token: t.issueToken() } }),
    'expire-token': (t, body) => {
      if (typeof body.token !== 'string') throw badRequest('token (string) is required');
      if (!t.expireToken(body.token)) throw new ControlError(404, 'unknown token');
      return { status: 200, body: { expired: true } };
    },
  },
};

function emailForControl(email: StoredJmapEmail, withRaw: boolean): JsonObject {
  const { raw, ...rest } = email;
  return withRaw ? { ...rest, raw: raw.toString('base64url') } : rest;
}

export function handleControl(
  target: ControlTarget,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  return handleControlRequest(routes, target, req, res, url, { sendJson });
}
