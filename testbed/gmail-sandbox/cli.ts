/**
 * The Gmail sandbox alone, for manual runs and the app's dev server:
 *
 *   npx tsx testbed/gmail-sandbox/cli.ts [--port 4020] [--token ya29.x] [--email me@example.com]
 *                                        [--window-ms 60000] [--units 15000] [--search-lag-ms 0]
 *
 * Prints the API origin, the access token and the control URLs. Ctrl-C stops it.
 */
import { parseArgs } from 'node:util';
import { closeOnSignals, optionalNumber } from '../sandbox-kit/cli.ts';
import { startGmailSandbox } from './server.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '4020' },
    host: { type: 'string', default: '127.0.0.1' },
    token: { type: 'string' },
    email: { type: 'string' },
    'window-ms': { type: 'string' },
    units: { type: 'string' },
    'search-lag-ms': { type: 'string' },
    quiet: { type: 'boolean', default: false },
  },
});

const sandbox = await startGmailSandbox({
  host: values.host,
  port: Number(values.port),
  tokens: values.token ? [values.token] : undefined,
  emailAddress: values.email,
  quota: { windowMs: optionalNumber(values['window-ms']), unitsPerWindow: optionalNumber(values.units) },
  searchIndexLagMs: optionalNumber(values['search-lag-ms']),
  log: values.quiet ? undefined : (line) => console.log(line),
});

console.log(`Gmail sandbox

  API origin (instead of https://gmail.googleapis.com): ${sandbox.url}
  Access token:          ${sandbox.token}
  Mailbox:               ${sandbox.emailAddress}
  GIS stand-in script:   ${sandbox.gisClientUrl}
  State:                 ${sandbox.origin}/__sandbox/state
  Requests:              ${sandbox.origin}/__sandbox/requests

Ctrl-C stops it.`);

closeOnSignals(sandbox);
