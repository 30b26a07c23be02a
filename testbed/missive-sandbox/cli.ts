/**
 * The Missive sandbox on its own:
 *
 *   npx tsx testbed/missive-sandbox/cli.ts --port 4010 [--minute-ms 6000 --fifteen-minutes-ms 90000]
 *     [--latency 50 --jitter 100 --server-error-rate 0.05 --drop-rate 0.01] [--messages-response empty]
 *     [--duplicate-external-id reject] [--no-cors] [--no-expose-rate-headers] [--seed 7] [--quiet]
 *
 * Prints the API URL, token and custom channel account ID; Ctrl-C stops it.
 */
import { parseArgs } from 'node:util';
import { closeOnSignals } from '../sandbox-kit/cli.ts';
import {
  startMissiveSandbox,
  type SandboxFaults,
  type SandboxLimits,
  type SandboxOptions,
} from './server.ts';

const { values } = parseArgs({
  options: {
    host: { type: 'string' },
    port: { type: 'string', default: '4010' },
    token: { type: 'string' },
    'account-id': { type: 'string' },
    'minute-ms': { type: 'string' },
    'fifteen-minutes-ms': { type: 'string' },
    concurrent: { type: 'string' },
    'per-minute': { type: 'string' },
    'per-15-minutes': { type: 'string' },
    latency: { type: 'string' },
    jitter: { type: 'string' },
    'server-error-rate': { type: 'string' },
    'drop-rate': { type: 'string' },
    'messages-response': { type: 'string' },
    'duplicate-external-id': { type: 'string' },
    'conversation-cap': { type: 'string' },
    'no-cors': { type: 'boolean', default: false },
    'no-expose-rate-headers': { type: 'boolean', default: false },
    seed: { type: 'string' },
    quiet: { type: 'boolean', default: false },
  },
});

function numberOption(name: keyof typeof values): number | undefined {
  const raw = values[name];
  if (typeof raw !== 'string') return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value)) throw new Error(`--${name} must be a number (got ${raw})`);
  return value;
}

/** Only the options actually given, so the sandbox's own defaults apply to the rest. */
function defined<T extends object>(object: T): Partial<T> {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined)) as Partial<T>;
}

function optionsFromArgs(): SandboxOptions {
  const limits: Partial<SandboxLimits> = defined({
    concurrent: numberOption('concurrent'),
    perMinute: numberOption('per-minute'),
    per15Minutes: numberOption('per-15-minutes'),
    minuteMs: numberOption('minute-ms'),
    fifteenMinutesMs: numberOption('fifteen-minutes-ms'),
  });
  const faults: SandboxFaults = defined({
    latencyMs: numberOption('latency'),
    jitterMs: numberOption('jitter'),
    serverErrorRate: numberOption('server-error-rate'),
    dropRate: numberOption('drop-rate'),
  });
  return {
    ...defined({
      host: values.host,
      port: numberOption('port'),
      token: values.token,
      accountId: values['account-id'],
      conversationCap: numberOption('conversation-cap'),
      seed: numberOption('seed'),
      messagesResponse: values['messages-response'] as SandboxOptions['messagesResponse'],
      duplicateExternalId: values['duplicate-external-id'] as SandboxOptions['duplicateExternalId'],
    }),
    limits,
    faults,
    cors: !values['no-cors'],
    exposeRateHeaders: !values['no-expose-rate-headers'],
    log: values.quiet ? undefined : (line) => console.log(line),
  };
}

async function main(): Promise<void> {
  const sandbox = await startMissiveSandbox(optionsFromArgs());
  console.log(`Missive sandbox running

  API base URL:                   ${sandbox.url}
  API token:                      ${sandbox.token}
  Token without API plan (403):   ${sandbox.forbiddenToken}
  Custom channel account ID:      ${sandbox.accountId}
  Organization ID:                ${sandbox.organizationId}
  State (what it received):       ${sandbox.origin}/__sandbox/state

Ctrl-C stops it.`);
  closeOnSignals(sandbox);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
