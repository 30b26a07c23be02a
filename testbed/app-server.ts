/** Serves the built app (dist/) on loopback with Vite's preview server. */
import { preview, type PreviewServer } from 'vite';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

export interface AppServer {
  url: string;
  close(): Promise<void>;
}

export async function serveBuiltApp(port = 0): Promise<AppServer> {
  if (!existsSync(new URL('../dist/index.html', import.meta.url))) {
    throw new Error('dist/ is missing: run `npm run build` first.');
  }
  const server: PreviewServer = await preview({
    root,
    configFile: false,
    logLevel: 'warn',
    preview: { host: '127.0.0.1', port, strictPort: port !== 0, open: false },
  });
  const address = server.httpServer.address();
  if (!address || typeof address === 'string') throw new Error('App server has no TCP address');
  return {
    url: `http://127.0.0.1:${address.port}/`,
    close: () => server.close(),
  };
}
