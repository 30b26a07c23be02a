/**
 * Microsoft sign-in through a fake MSAL: the redirect leaves the page, and the return (a new page
 * load) picks the token up from `handleRedirectPromise`; a cached account needs no redirect at all.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';

const calls: string[] = [];
const fake = {
  accounts: [] as { username: string }[],
  redirectResult: null as { accessToken: string; account: { username: string } } | null,
  config: null as unknown,
};

vi.mock('@azure/msal-browser', () => {
  class InteractionRequiredAuthError extends Error {}
  class PublicClientApplication {
    constructor(config: unknown) {
      fake.config = config;
    }
    async initialize(): Promise<void> {
      calls.push('initialize');
    }
    async handleRedirectPromise() {
      calls.push('handleRedirectPromise');
      return fake.redirectResult;
    }
    getAllAccounts() {
      return fake.accounts;
    }
    async acquireTokenSilent(request: { scopes: string[]; account: { username: string } }) {
      calls.push(`silent:${request.account.username}`);
      return { accessToken: 'silent-token' };
    }
    async acquireTokenRedirect(request: { scopes: string[] }) {
      calls.push(`redirect:${request.scopes.length}`);
    }
  }
  return {
    PublicClientApplication,
    InteractionRequiredAuthError,
    BrowserCacheLocation: { MemoryStorage: 'memoryStorage' },
  };
});

beforeEach(() => {
  calls.length = 0;
  fake.accounts = [];
  fake.redirectResult = null;
  vi.stubGlobal('location', { origin: 'https://importer.example.com', pathname: '/app/' });
});

describe('Microsoft sign-in (fake MSAL)', () => {
  it('goes to Microsoft (redirect) when no account is signed in, then the return brings the token', async () => {
    const { signInWithMicrosoft, completeMicrosoftSignIn, MICROSOFT_AUTHORITY } =
      await import('../../src/adapters/relay/microsoft-identity.ts');
    await expect(signInWithMicrosoft('client-1')).resolves.toBeNull();
    expect(calls).toEqual(['initialize', 'redirect:3']);
    expect(fake.config).toMatchObject({
      auth: {
        clientId: 'client-1',
        authority: MICROSOFT_AUTHORITY,
        redirectUri: 'https://importer.example.com/app/',
      },
      cache: { cacheLocation: 'memoryStorage' },
    });
    // The return: a new page load with Microsoft's answer in the address.
    fake.redirectResult = { accessToken: 'graph-token', account: { username: 'ann@contoso.example' } };
    await expect(completeMicrosoftSignIn('client-1')).resolves.toEqual({
      token: 'graph-token',
      account: 'ann@contoso.example',
    });
    // A page load that is not a return has nothing to pick up.
    fake.redirectResult = null;
    await expect(completeMicrosoftSignIn('client-1')).resolves.toBeNull();
  });

  it('uses the signed-in account without leaving the page, and refuses an empty client ID', async () => {
    const { signInWithMicrosoft } = await import('../../src/adapters/relay/microsoft-identity.ts');
    fake.accounts = [{ username: 'ann@contoso.example' }];
    await expect(signInWithMicrosoft('client-2')).resolves.toEqual({
      token: 'silent-token',
      account: 'ann@contoso.example',
    });
    expect(calls).toContain('silent:ann@contoso.example');
    expect(calls.some((call) => call.startsWith('redirect'))).toBe(false);
    await expect(signInWithMicrosoft('  ')).rejects.toThrow(/client\) ID/);
  });
});
