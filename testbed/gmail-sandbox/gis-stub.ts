/**
 * A stand-in for Google Identity Services' token client (https://accounts.google.com/gsi/client),
 * served by the sandbox so a browser test can run the app's real sign-in code path:
 * `google.accounts.oauth2.initTokenClient({client_id, scope, callback, error_callback})` and
 * `requestAccessToken()` hand out a fresh sandbox token, like a user pressing "Continue" after an
 * expiry. Only the calls relay mode uses are modelled.
 */

export function gisClientScript(origin: string): string {
  return `// Gmail sandbox stand-in for Google Identity Services (token model only).
(() => {
  const origin = ${JSON.stringify(origin)};
  const post = (path, body) =>
    fetch(origin + path, { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: JSON.stringify(body) })
      .then((response) => { if (!response.ok) throw new Error('sandbox answered ' + response.status); return response.json(); });
  const granted = (tokenResponse) => String((tokenResponse && tokenResponse.scope) || '').split(' ');
  window.google = window.google || {};
  window.google.accounts = window.google.accounts || {};
  window.google.accounts.oauth2 = {
    initTokenClient(config) {
      return {
        requestAccessToken(override) {
          const scope = (override && override.scope) || config.scope || '';
          post('/__sandbox/oauth/token', { client_id: config.client_id, scope })
            .then((token) => config.callback(token))
            .catch((error) => {
              if (config.error_callback) config.error_callback({ type: 'popup_failed_to_open', message: String(error) });
            });
        },
      };
    },
    hasGrantedAllScopes: (tokenResponse, ...scopes) => scopes.every((s) => granted(tokenResponse).includes(s)),
    hasGrantedAnyScope: (tokenResponse, ...scopes) => scopes.some((s) => granted(tokenResponse).includes(s)),
    revoke(token, done) {
      post('/__sandbox/oauth/revoke', { token })
        .then(() => done && done({ successful: true }))
        .catch((error) => done && done({ successful: false, error: String(error) }));
    },
  };
})();
`;
}
