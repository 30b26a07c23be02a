/**
 * Serves the testbed build of the app (`dist-testbed/`, `npm run build:testbed`: the production
 * bundle plus the test-only URL parameters) on loopback with Vite's preview server.
 */
import { preview, type PreviewServer } from 'vite';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { TESTBED_OUT_DIR } from '../vite.config.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

export interface AppServer {
  url: string;
  close(): Promise<void>;
}

/** `outDir` `dist` serves the production build instead (tests that it ignores the test hooks). */
export async function serveBuiltApp(port = 0, outDir = TESTBED_OUT_DIR): Promise<AppServer> {
  if (!existsSync(new URL(`../${outDir}/index.html`, import.meta.url))) {
    const command = outDir === TESTBED_OUT_DIR ? 'npm run build:testbed' : 'npm run build';
    throw new Error(`${outDir}/ is missing: run \`${command}\` first.`);
  }
  const server: PreviewServer = await preview({
    root,
    configFile: false,
    logLevel: 'warn',
    build: { outDir },
    preview: { host: '127.0.0.1', port, strictPort: port !== 0, open: false },
  });
  const address = server.httpServer.address();
  if (!address || typeof address === 'string') throw new Error('App server has no TCP address');
  return {
    url: `http://127.0.0.1:${address.port}/`,
    close: () => server.close(),
  };
}
