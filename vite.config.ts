import { defineConfig, type Plugin } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

/**
 * index.html holds the production Content-Security-Policy. The testbed build also loads the sandbox's
 * stand-in for Google's sign-in script from loopback; the dev server injects inline styles and its
 * HMR socket. Production keeps the policy exactly as written in index.html.
 */
function contentSecurityPolicy(mode: string, command: 'build' | 'serve'): Plugin {
  const extra: Record<string, string> = {};
  if (mode === 'testbed') extra['script-src'] = 'http://127.0.0.1:*';
  if (command === 'serve') {
    extra['style-src'] = "'unsafe-inline'";
    extra['connect-src'] = 'ws://127.0.0.1:*';
  }
  return {
    name: 'front-missive:csp',
    transformIndexHtml(html) {
      let out = html;
      for (const [directive, sources] of Object.entries(extra)) {
        const before = out;
        out = out.replace(new RegExp(`(${directive} [^;"]*)`), `$1 ${sources}`);
        if (out === before) throw new Error(`index.html's CSP has no ${directive} directive`);
      }
      return out;
    },
  };
}

/**
 * `npm run build` (mode `production`) is what users host: it carries no test hooks. The end-to-end
 * tests and the demo use `vite build --mode testbed` (into `dist-testbed/`), whose bundle honours the
 * test-only URL parameters (`?gis-client=`, `?gmail-api=`, `?import-time-scale=`); unit tests run in
 * mode `test` with them too. `__TEST_HOOKS__` is replaced at build time, so the production bundle
 * drops that code altogether.
 */
export const TESTBED_OUT_DIR = 'dist-testbed';

export default defineConfig(({ mode, command }) => ({
  plugins: [svelte(), contentSecurityPolicy(mode, command)],
  // Relative base: the build can be hosted from any folder of any static host.
  base: './',
  define: { __TEST_HOOKS__: JSON.stringify(mode === 'testbed' || mode === 'test') },
  worker: { format: 'es' },
  build: { target: 'es2022', sourcemap: true, outDir: mode === 'testbed' ? TESTBED_OUT_DIR : 'dist' },
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
  test: {
    include: ['tests/unit/**/*.test.ts', 'tests/sandbox/**/*.test.ts'],
    environment: 'node',
  },
}));
