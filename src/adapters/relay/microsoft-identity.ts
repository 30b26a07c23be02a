/**
 * Microsoft sign-in for the experimental Microsoft 365 target (email-relay.md §3.3): MSAL.js with
 * authorization code + PKCE, redirect flow, the app registered as a **Single-page application**.
 * Tokens are kept in MSAL's memory cache only; the redirect's own short-lived state uses the tab's
 * session storage (MSAL's temporary cache). Loaded on demand: most users never pick this target.
 */
import { GRAPH_RELAY_SCOPES } from './graph-target.ts';

/** Work or school accounts only: importMime is not offered to personal Microsoft accounts. */
export const MICROSOFT_AUTHORITY = 'https://login.microsoftonline.com/organizations';

export interface MicrosoftToken {
  token: string;
  account: string;
}

type Msal = typeof import('@azure/msal-browser');

let app: {
  clientId: string;
  instance: Promise<import('@azure/msal-browser').PublicClientApplication>;
} | null = null;

async function client(clientId: string): Promise<import('@azure/msal-browser').PublicClientApplication> {
  if (app?.clientId !== clientId) {
    const instance = (async () => {
      const msal: Msal = await import('@azure/msal-browser');
      const pca = new msal.PublicClientApplication({
        auth: { clientId, authority: MICROSOFT_AUTHORITY, redirectUri: location.origin + location.pathname },
        cache: { cacheLocation: msal.BrowserCacheLocation.MemoryStorage },
      });
      await pca.initialize();
      return pca;
    })();
    app = { clientId, instance };
  }
  return app.instance;
}

/** The token a redirect just brought back, if this page load is the return from Microsoft's sign-in. */
export async function completeMicrosoftSignIn(clientId: string): Promise<MicrosoftToken | null> {
  const pca = await client(clientId);
  const result = await pca.handleRedirectPromise();
  if (!result?.accessToken) return null;
  return { token: result.accessToken, account: result.account?.username ?? '' };
}

/** A token without leaving the page when MSAL can; otherwise goes to Microsoft's sign-in (redirect). */
export async function signInWithMicrosoft(clientId: string): Promise<MicrosoftToken | null> {
  if (!clientId.trim()) throw new Error('Enter your Microsoft application (client) ID first.');
  const msal: Msal = await import('@azure/msal-browser');
  const pca = await client(clientId.trim());
  const scopes = [...GRAPH_RELAY_SCOPES];
  const account = pca.getAllAccounts()[0];
  if (account) {
    try {
      const result = await pca.acquireTokenSilent({ scopes, account });
      return { token: result.accessToken, account: account.username };
    } catch (error) {
      if (!(error instanceof msal.InteractionRequiredAuthError)) throw error;
    }
  }
  await pca.acquireTokenRedirect({ scopes });
  return null; // the page navigates to Microsoft; completeMicrosoftSignIn picks the token up on return
}
