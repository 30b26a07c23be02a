/**
 * `npm start`: the whole flow on this machine, no Missive account needed. Builds the app, starts
 * the Missive sandbox, writes a small generated Front export, serves the app, and prints what to
 * paste where. Ctrl-C stops everything.
 */
import { build } from 'vite';
import { fileURLToPath } from 'node:url';
import { rm } from 'node:fs/promises';
import { serveBuiltApp } from './app-server.ts';
import { startMissiveSandbox } from './missive-sandbox/server.ts';
import { generateFrontExport } from './front-export-generator/generate.ts';
import { startGmailSandbox } from './gmail-sandbox/server.ts';
import { startJmapSandbox } from './jmap-sandbox/server.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const demoDir = fileURLToPath(new URL('../demo-export', import.meta.url));
const appPort = Number(process.env.APP_PORT ?? 4173);
const sandboxPort = Number(process.env.SANDBOX_PORT ?? 4010);
const gmailPort = Number(process.env.GMAIL_SANDBOX_PORT ?? 4020);
const jmapPort = Number(process.env.JMAP_SANDBOX_PORT ?? 4030);

async function main(): Promise<void> {
  console.log('Building the app…');
  // The testbed build: the test-only parameters (sandboxes for Gmail, compressed limits) work there.
  await build({ root, mode: 'testbed', logLevel: 'warn' });

  console.log('Writing the demo Front export…');
  await rm(demoDir, { recursive: true, force: true });
  const demo = await generateFrontExport({
    outDir: demoDir,
    seed: 42,
    conversations: 60,
    zips: 3,
    hardCases: {
      sharedAcrossInboxes: 2,
      splitAcrossZips: 2,
      deleted: 2,
      commentOnly: 2,
      malformedJson: 1,
      junkEntries: true,
    },
  });

  const sandbox = await startMissiveSandbox({ port: sandboxPort });
  // Relay mode's targets: Gmail (with a stand-in for Google's sign-in script) and a JMAP server.
  const gmail = await startGmailSandbox({ port: gmailPort });
  const jmap = await startJmapSandbox({ port: jmapPort });
  const app = await serveBuiltApp(appPort);
  const query = new URLSearchParams({
    'missive-api': sandbox.url,
    'gmail-api': gmail.url,
    'gis-client': gmail.gisClientUrl,
  });
  const appUrl = `${app.url}?${query}`;

  console.log(`
Front → Missive importer, demo on the local Missive sandbox

  Open the app:                     ${appUrl}
  Missive API token (sandbox):      ${sandbox.token}
  SMS custom channel account ID:    ${sandbox.accountId}
  Demo Front export files:          ${demoDir}
${demo.files.map((f) => `                                    ${f}`).join('\n')}

  Sandbox state (what it received): ${sandbox.origin}/__sandbox/state

  Relay emails step (inboxes marked as SMTP forwarding):
    Gmail sandbox: any OAuth client ID works; what it holds: ${gmail.origin}/__sandbox/state
    JMAP sandbox:  session URL ${jmap.sessionUrl}
                   API token   ${jmap.token}
                   what it holds: ${jmap.origin}/__sandbox/state

Drop the demo .zip files on the page, paste the token, and follow the steps. Ctrl-C stops everything.
`);

  const stop = async () => {
    await Promise.allSettled([app.close(), sandbox.close(), gmail.close(), jmap.close()]);
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
