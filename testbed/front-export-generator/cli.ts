/**
 * npx tsx testbed/front-export-generator/cli.ts --out <dir> [--conversations 200] [--zips 3]
 *   [--seed 7] [--hard-cases] [--target-mb 50] [--no-eml] [--no-attachments] [--no-channels]
 *
 * Writes the zips and manifest.json into <dir>, then prints the manifest summary and the speed.
 */
import { parseArgs } from 'node:util';
import { DEFAULT_HARD_CASES, generateFrontExport, type ExportManifest } from './generate.ts';

const USAGE = `usage: cli.ts --out <dir> [--conversations N] [--zips N] [--seed N] [--hard-cases]
              [--target-mb N] [--no-eml] [--no-attachments] [--no-channels]`;

function positiveInteger(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0)
    throw new Error(`--${name} must be a whole number, got "${value}"`);
  return parsed;
}

function summary(manifest: ExportManifest, seconds: number): string {
  const totalBytes = manifest.files.reduce((sum, file) => sum + file.size, 0);
  const megabytes = totalBytes / 1e6;
  const lines = [
    ...manifest.files.map((f) => `  ${f.name}  ${(f.size / 1e6).toFixed(1)} MB  ${f.entries} entries`),
    `conversations ${manifest.conversations} (deleted ${manifest.deletedConversations}, comment-only ${manifest.commentOnlyConversations}, SMS ${manifest.smsConversations}, email ${manifest.emailConversations})`,
    `messages: ${manifest.sms} SMS, ${manifest.emails} emails (${manifest.emlFiles} .eml), ${manifest.otherMessages} other`,
    `comments ${manifest.comments} (eligible ${manifest.eligibleComments}, ineligible ${manifest.ineligibleComments})`,
    `attachments ${manifest.attachments} (${manifest.attachmentsWithBytes} with bytes)`,
    `unrecognized ${manifest.unrecognized.length}, ignored junk ${manifest.ignored.length}, >400 SMS: ${manifest.conversationsOver400Sms.join(', ') || 'none'}`,
    'per inbox:',
    ...Object.entries(manifest.perInbox).map(
      ([name, c]) =>
        `  ${name}: ${c.conversations} conv, ${c.sms} SMS, ${c.emails} emails, ${c.otherMessages} other, ${c.comments} comments`,
    ),
    `${megabytes.toFixed(1)} MB in ${seconds.toFixed(1)} s = ${(megabytes / seconds).toFixed(1)} MB/s, peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`,
  ];
  return lines.join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      out: { type: 'string' },
      conversations: { type: 'string' },
      zips: { type: 'string' },
      seed: { type: 'string' },
      'hard-cases': { type: 'boolean', default: false },
      'target-mb': { type: 'string' },
      'no-eml': { type: 'boolean', default: false },
      'no-attachments': { type: 'boolean', default: false },
      'no-channels': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help || !values.out) {
    console.log(USAGE);
    process.exitCode = values.help ? 0 : 2;
    return;
  }
  const targetMb = positiveInteger('target-mb', values['target-mb'], 0);
  const started = performance.now();
  let lastReport = 0;
  const result = await generateFrontExport({
    outDir: values.out,
    seed: positiveInteger('seed', values.seed, 1),
    conversations: positiveInteger('conversations', values.conversations, 200),
    zips: positiveInteger('zips', values.zips, 2),
    includeEml: !values['no-eml'],
    includeAttachments: !values['no-attachments'],
    includeChannelObjects: !values['no-channels'],
    hardCases: values['hard-cases'] ? DEFAULT_HARD_CASES : {},
    targetBytes: targetMb * 1e6,
    onProgress: ({ conversations, bytes }) => {
      const now = performance.now();
      if (now - lastReport < 2000) return;
      lastReport = now;
      process.stderr.write(`\r${conversations} conversations, ${(bytes / 1e6).toFixed(0)} MB…`);
    },
  });
  if (lastReport > 0) process.stderr.write('\n');
  console.log(result.files.join('\n'));
  console.log(summary(result.manifest, (performance.now() - started) / 1000));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
