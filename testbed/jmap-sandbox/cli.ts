/**
 * The JMAP sandbox alone, for manual runs and the app's dev server:
 *
 *   npx tsx testbed/jmap-sandbox/cli.ts [--port 4030] [--token fmu1-x] [--duplicates allow|rejectSameMessageId|rejectSameContent]
 *                                       [--max-size-upload N] [--max-concurrent-requests N] [--max-objects-in-set N]
 *
 * Prints the session URL, the API token and the control URLs. Ctrl-C stops it.
 */
import { parseArgs } from 'node:util';
import { closeOnSignals, optionalNumber } from '../sandbox-kit/cli.ts';
import { startJmapSandbox, type DuplicatePolicy } from './server.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '4030' },
    host: { type: 'string', default: '127.0.0.1' },
    token: { type: 'string' },
    duplicates: { type: 'string' },
    'max-size-upload': { type: 'string' },
    'max-concurrent-requests': { type: 'string' },
    'max-concurrent-upload': { type: 'string' },
    'max-objects-in-set': { type: 'string' },
    quiet: { type: 'boolean', default: false },
  },
});

const sandbox = await startJmapSandbox({
  host: values.host,
  port: Number(values.port),
  tokens: values.token ? [values.token] : undefined,
  duplicates: values.duplicates as DuplicatePolicy | undefined,
  limits: {
    maxSizeUpload: optionalNumber(values['max-size-upload']),
    maxConcurrentRequests: optionalNumber(values['max-concurrent-requests']),
    maxConcurrentUpload: optionalNumber(values['max-concurrent-upload']),
    maxObjectsInSet: optionalNumber(values['max-objects-in-set']),
  },
  log: values.quiet ? undefined : (line) => console.log(line),
});

console.log(`JMAP sandbox

  Session URL (instead of https://api.fastmail.com/jmap/session): ${sandbox.sessionUrl}
  API token:   ${sandbox.token}
  Account id:  ${sandbox.accountId}
  State:       ${sandbox.origin}/__sandbox/state
  Requests:    ${sandbox.origin}/__sandbox/requests

Ctrl-C stops it.`);

closeOnSignals(sandbox);
