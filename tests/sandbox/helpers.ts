/** Shared helpers for the sandbox tests: start a sandbox, call it the way the app does. */
import { afterEach } from 'vitest';
import {
  startMissiveSandbox,
  type MissiveSandbox,
  type SandboxOptions,
} from '../../testbed/missive-sandbox/server.ts';

const started: MissiveSandbox[] = [];

afterEach(async () => {
  await Promise.all(started.splice(0).map((sandbox) => sandbox.close()));
});

/** A sandbox closed automatically after the test. */
export async function sandbox(options: SandboxOptions = {}): Promise<MissiveSandbox> {
  const instance = await startMissiveSandbox(options);
  started.push(instance);
  return instance;
}

export interface Answer {
  status: number;
  headers: Headers;
  /** Parsed JSON, or null for an empty body. */
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests read arbitrary fields
  text: string;
}

export async function call(
  box: MissiveSandbox,
  method: string,
  path: string,
  body?: unknown,
  token: string | null = box.token,
): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (token !== null) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(box.url + path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: text ? JSON.parse(text) : null };
}

export const get = (box: MissiveSandbox, path: string) => call(box, 'GET', path);
export const post = (box: MissiveSandbox, path: string, body: unknown) => call(box, 'POST', path, body);

export function message(box: MissiveSandbox, fields: Record<string, unknown> = {}) {
  return post(box, '/messages', {
    messages: {
      account: box.accountId,
      from_field: { id: '+15550001', username: '+15550001', name: 'Customer' },
      to_fields: [{ id: '+15550002', username: '+15550002', name: 'Support line' }],
      body: 'Hello',
      delivered_at: 1_701_292_690,
      ...fields,
    },
  });
}

export function comment(box: MissiveSandbox, fields: Record<string, unknown> = {}) {
  return post(box, '/posts', {
    posts: {
      username: 'Sam Lee (Front)',
      markdown: 'Imported comment',
      notification: { title: 'Imported Front comment', body: 'Sam Lee' },
      ...fields,
    },
  });
}

export async function control(box: MissiveSandbox, method: 'GET' | 'POST', name: string, body?: unknown) {
  const res = await fetch(`${box.origin}/__sandbox/${name}`, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

/** Counts answers by status, e.g. { 200: 10, 429: 2 }. */
export function tally(statuses: number[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const status of statuses) counts[status] = (counts[status] ?? 0) + 1;
  return counts;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
