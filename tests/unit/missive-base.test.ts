import { describe, expect, it } from 'vitest';
import {
  DEFAULT_MISSIVE_API_BASE,
  apiBaseFromQuery,
  isLoopbackUrl,
  normaliseApiBase,
} from '../../src/domain/missive-base.ts';

describe('Missive API base URL', () => {
  it('accepts a loopback base from the link', () => {
    expect(apiBaseFromQuery('?missive-api=http%3A%2F%2F127.0.0.1%3A4010%2Fv1')).toBe(
      'http://127.0.0.1:4010/v1',
    );
    expect(apiBaseFromQuery('?missive-api=http://localhost:4010/v1/')).toBe('http://localhost:4010/v1');
    expect(apiBaseFromQuery('?missive-api=http://[::1]:4010/v1')).toBe('http://[::1]:4010/v1');
  });

  it('refuses any other host from the link, so a crafted link cannot capture the token', () => {
    expect(apiBaseFromQuery('?missive-api=https://evil.example.com/v1')).toBeNull();
    expect(apiBaseFromQuery('?missive-api=http://127.0.0.1.evil.example/v1')).toBeNull();
    expect(apiBaseFromQuery('?missive-api=http://localhost@evil.example/v1')).toBeNull();
    expect(apiBaseFromQuery('?missive-api=javascript:alert(1)')).toBeNull();
    expect(apiBaseFromQuery('')).toBeNull();
  });

  it('recognises loopback URLs only for http(s)', () => {
    expect(isLoopbackUrl('http://127.0.0.1/v1')).toBe(true);
    expect(isLoopbackUrl('ftp://127.0.0.1/v1')).toBe(false);
    expect(isLoopbackUrl('not a url')).toBe(false);
  });

  it('normalises typed bases', () => {
    expect(normaliseApiBase(' https://public.missiveapp.com/v1/ ')).toBe(DEFAULT_MISSIVE_API_BASE);
    expect(normaliseApiBase('public.missiveapp.com')).toBeNull();
  });
});
