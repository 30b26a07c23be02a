import { describe, expect, it } from 'vitest';
import {
  DEFAULT_MISSIVE_API_BASE,
  apiBaseFromQuery,
  apiBaseProblem,
  isLoopbackUrl,
  normaliseApiBase,
} from '../../src/domain/missive-base.ts';
import { Settings } from '../../src/state/settings.svelte.ts';

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

  it('refuses userinfo, a query and a fragment, typed or from the link', () => {
    for (const base of [
      'https://public.missiveapp.com@evil.example/v1',
      'https://user:pass@public.missiveapp.com/v1',
      'https://public.missiveapp.com/v1?x=1',
      'https://public.missiveapp.com/v1?',
      'https://public.missiveapp.com/v1#frag',
    ]) {
      expect(normaliseApiBase(base), base).toBeNull();
      expect(apiBaseProblem(base), base).not.toBeNull();
    }
    expect(
      apiBaseFromQuery('?missive-api=' + encodeURIComponent('http://127.0.0.1:4010/v1?to=x')),
    ).toBeNull();
    expect(apiBaseFromQuery('?missive-api=' + encodeURIComponent('http://u@127.0.0.1:4010/v1'))).toBeNull();
  });

  it('refuses plain http:// in Advanced settings except for loopback', () => {
    expect(apiBaseProblem('http://api.example.com/v1')).toMatch(/https/);
    expect(normaliseApiBase('http://api.example.com/v1')).toBeNull();
    expect(apiBaseProblem('http://127.0.0.1:8787/v1')).toBeNull();
    expect(apiBaseProblem('http://localhost:8787/v1')).toBeNull();
    expect(apiBaseProblem('https://api.example.com/v1')).toBeNull();
  });

  it('the Advanced setting says why it refuses a base and keeps the current one', () => {
    const settings = new Settings('', null);
    expect(settings.setApiBase('http://api.example.com/v1')).toMatch(/https/);
    expect(settings.setApiBase('https://public.missiveapp.com/v1#x')).toMatch(/fragment/);
    expect(settings.apiBase).toBe(DEFAULT_MISSIVE_API_BASE);
    expect(settings.setApiBase('http://127.0.0.1:8787/v1')).toBeNull();
    expect(settings.apiBase).toBe('http://127.0.0.1:8787/v1');
  });
});
