import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

/**
 * `npm run build` (mode `production`) is what users host: it carries no test hooks. The end-to-end
 * tests and the demo use `vite build --mode testbed` (into `dist-testbed/`), whose bundle honours the
 * test-only URL parameters (`?gis-client=`, `?gmail-api=`, `?import-time-scale=`); unit tests run in
 * mode `test` with them too. `__TEST_HOOKS__` is replaced at build time, so the production bundle
 * drops that code altogether.
 */
export const TESTBED_OUT_DIR = 'dist-testbed';

export default defineConfig(({ mode }) => ({
  plugins: [svelte()],
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
