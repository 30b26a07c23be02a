/**
 * `/__sandbox/*`: the in-process controls over HTTP, for processes that only have the URL (the
 * demo, a browser test, curl). No auth, loopback clients only.
 *
 *   GET  /__sandbox/info | state | labels | requests?since=N | messages[?raw=1] | gsi/client
 *   POST /__sandbox/reset | faults | options | inject | clock {advanceMs}
 *   POST /__sandbox/tokens {scopes?} → {token} | expire-token {token}
 *   POST /__sandbox/oauth/token | oauth/revoke   (used by the GIS stand-in script)
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  ControlError,
  badRequest,
  commonControlRoutes,
  controlRouteName,
  dispatchControl,
  parseInjection,
  type ControlRoutes,
} from '../sandbox-kit/control-api.ts';
import { gisClientScript } from './gis-stub.ts';
import { sendJson, sendText } from './http-io.ts';
import type {
  GmailFaults,
  GmailLabel,
  GmailSandboxState,
  InjectedResponse,
  MutableGmailOptions,
  RecordedRequest,
  StoredGmailMessage,
} from './types.ts';

export interface ControlTarget {
  origin: string;
  info(): Record<string, unknown>;
  snapshot(): GmailSandboxState;
  labels(): GmailLabel[];
  messages(): StoredGmailMessage[];
  requestsSince(seq: number): RecordedRequest[];
  issueToken(scopes?: readonly string[]): string;
  expireToken(token: string): boolean;
  advanceClock(ms: number): void;
  setFaults(faults: GmailFaults): void;
  setOptions(options: MutableGmailOptions): void;
  injectResponses(injection: InjectedResponse): void;
  reset(): void;
}

const TOKEN_LIFETIME_SECONDS = 3599;

const common = commonControlRoutes<GmailFaults, MutableGmailOptions, InjectedResponse>(parseInjection);

const routes: ControlRoutes<ControlTarget> = {
  get: {
    ...common.get,
    labels: (t) => ({ status: 200, body: { labels: t.labels() } }),
    messages: (t, _b, url) => {
      const withRaw = url.searchParams.get('raw') === '1';
      return { status: 200, body: { messages: t.messages().map((m) => messageForControl(m, withRaw)) } };
    },
  },
  post: {
    ...common.post,
    clock: (t, body) => {
      if (typeof body.advanceMs !== 'number' || !(body.advanceMs >= 0))
        throw badRequest('advanceMs (number ≥ 0) is required');
      t.advanceClock(body.advanceMs);
      return { status: 200, body: { advancedMs: body.advanceMs } };
    },
    tokens: (t, body) => ({ status: 201, body: { token: t.issueToken(scopesFrom(body.scopes)) } }),
    'expire-token': (t, body) => {
      if (typeof body.token !== 'string') throw badRequest('token (string) is required');
      if (!t.expireToken(body.token)) throw new ControlError(404, 'unknown token');
      return { status: 200, body: { expired: true } };
    },
    'oauth/token': (t, body) => {
      const scope = typeof body.scope === 'string' ? body.scope : '';
      const scopes = scope.split(/\s+/).filter(Boolean);
      const token = t.issueToken(scopes.length > 0 ? scopes : undefined);
      return {
        status: 200,
        body: {
          access_token: token,
          expires_in: TOKEN_LIFETIME_SECONDS,
          scope,
          token_type: 'Bearer',
          prompt: '',
        },
      };
    },
    'oauth/revoke': (t, body) => {
      if (typeof body.token === 'string') t.expireToken(body.token);
      return { status: 200, body: { successful: true } };
    },
  },
};

function messageForControl(message: StoredGmailMessage, withRaw: boolean): Record<string, unknown> {
  const { raw, ...rest } = message;
  return withRaw ? { ...rest, raw: raw.toString('base64url') } : rest;
}

function scopesFrom(value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every((scope) => typeof scope === 'string')) {
    throw badRequest('scopes must be an array of strings');
  }
  return value;
}

export async function handleControl(
  target: ControlTarget,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const name = controlRouteName(req, res, url, sendJson);
  if (name === null) return;
  if (req.method === 'GET' && name === 'gsi/client') {
    return sendText(res, 200, 'text/javascript; charset=utf-8', gisClientScript(target.origin));
  }
  // JSON in any content type: the GIS stand-in posts text/plain to avoid a preflight.
  return dispatchControl(routes, target, name, req, res, url, { sendJson });
}
