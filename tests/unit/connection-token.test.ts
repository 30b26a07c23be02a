import { describe, expect, it } from 'vitest';
import { Connection } from '../../src/state/connection.svelte.ts';

const BASE = 'https://public.missiveapp.com/v1';
const KEY = 'front-missive:token';

class MemoryStorage {
  readonly items = new Map<string, string>();
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.items.set(key, value);
  }
  removeItem(key: string): void {
    this.items.delete(key);
  }
}

/** A Missive that accepts only `good-token`. */
const missive: typeof fetch = async (input, init) => {
  const auth = new Headers(init?.headers).get('Authorization');
  if (auth !== 'Bearer good-token') return new Response('{"error":"unauthorized"}', { status: 401 });
  const path = new URL(String(input)).pathname;
  const body = path.endsWith('/users')
    ? { users: [{ id: 'u1', name: 'Ada', me: true }] }
    : { organizations: [], teams: [], shared_labels: [] };
  return new Response(JSON.stringify(body), { status: 200, headers: { 'Content-Type': 'application/json' } });
};

describe('the remembered token', () => {
  it('is stored only after Missive accepted it', async () => {
    const storage = new MemoryStorage();
    const connection = new Connection(storage, missive);
    connection.token = 'bad-token';
    connection.setRemember(true);
    expect(storage.getItem(KEY)).toBeNull();
    await connection.verify(BASE);
    expect(connection.status).toBe('failed');
    expect(storage.getItem(KEY)).toBeNull();

    connection.token = 'good-token';
    expect(storage.getItem(KEY)).toBeNull();
    await connection.verify(BASE);
    expect(connection.status).toBe('connected');
    expect(storage.getItem(KEY)).toBe('good-token');
  });

  it('ticked after a successful Verify: stored at once, unless the field changed since', async () => {
    const storage = new MemoryStorage();
    const connection = new Connection(storage, missive);
    connection.token = 'good-token';
    await connection.verify(BASE);
    expect(storage.getItem(KEY)).toBeNull();
    connection.setRemember(true);
    expect(storage.getItem(KEY)).toBe('good-token');

    connection.setRemember(false);
    connection.token = 'edited-not-verified';
    connection.setRemember(true);
    expect(storage.getItem(KEY)).toBeNull();
  });

  it('unticking removes it at once; Forget token clears memory and storage', async () => {
    const storage = new MemoryStorage();
    storage.setItem(KEY, 'good-token');
    const connection = new Connection(storage, missive);
    expect(connection.token).toBe('good-token');
    expect(connection.rememberForTab).toBe(true);
    connection.setRemember(false);
    expect(storage.getItem(KEY)).toBeNull();

    connection.setRemember(true);
    await connection.verify(BASE);
    expect(storage.getItem(KEY)).toBe('good-token');
    connection.forget();
    expect(connection.token).toBe('');
    expect(connection.rememberForTab).toBe(false);
    expect(storage.getItem(KEY)).toBeNull();
  });

  it('Forget token works before any Verify (a remembered token, never connected)', () => {
    const storage = new MemoryStorage();
    storage.setItem(KEY, 'good-token');
    const connection = new Connection(storage, missive);
    connection.forget();
    expect(connection.token).toBe('');
    expect(storage.getItem(KEY)).toBeNull();
  });
});
