/**
 * `npm run bench:relay`: the relay's CPU figures, measured here rather than asserted in unit tests
 * (a timed assertion there fails with the machine's load, not with the code). Each figure is the
 * median of three runs of the process's CPU time (user + system, `process.cpuUsage`), printed with
 * its target; the command exits non-zero when a target is missed.
 *
 * - base64 of 8 MiB (an attachment's transfer encoding), target 1,500 ms;
 * - an email built with a 12 MiB attachment, target 2,000 ms;
 * - htmlToText on malformed untrusted HTML, target 1,000 ms, and its growth when the input is 4
 *   times longer (linear: about 4; target ≤ 6).
 */
import { base64Encode } from '../src/domain/relay/encoding.ts';
import { buildRfc5322, htmlToText, resolveAttachments, threadHeaders } from '../src/domain/relay/index.ts';
import { attachment, conversation, message } from '../tests/support/relay-messages.ts';

const RUNS = 3;

function cpuMs(work: () => unknown): number {
  const start = process.cpuUsage();
  work();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function medianCpuMs(work: () => unknown): number {
  return median(Array.from({ length: RUNS }, () => cpuMs(work)));
}

const missed: string[] = [];
function report(name: string, value: number, target: number, unit: string): void {
  const met = value <= target;
  if (!met) missed.push(name);
  console.log(
    `${name.padEnd(40)} ${value.toFixed(unit === 'ms' ? 0 : 2).padStart(8)} ${unit}   target ≤ ${target} ${met ? 'met' : 'MISSED'}`,
  );
}

const MiB = 1024 * 1024;

const data = new Uint8Array(8 * MiB).map((_, i) => i & 255);
report(
  'base64 of 8 MiB (CPU)',
  medianCpuMs(() => base64Encode(data)),
  1500,
  'ms',
);

const big = new Uint8Array(12 * MiB);
for (let i = 0; i < big.length; i++) big[i] = (i * 31 + (i >>> 8)) & 255;
const msg = message({ attachments: [attachment({ filename: 'big.bin' })] });
const thread = threadHeaders([msg]).get(msg.id)!;
report(
  'email with a 12 MiB attachment (CPU)',
  medianCpuMs(() =>
    buildRfc5322(msg, conversation(), thread, resolveAttachments(msg, new Map([[0, big]])), {}),
  ),
  2000,
  'ms',
);

const malformed = (scale: number) =>
  '<a href="https://x.example/a>t '.repeat(4000 * scale) +
  '<style>x '.repeat(20000 * scale) +
  'a < b '.repeat(50000 * scale);
const once = medianCpuMs(() => htmlToText(malformed(1)));
const fourTimes = medianCpuMs(() => htmlToText(malformed(4)));
report('htmlToText, malformed HTML (CPU)', once, 1000, 'ms');
report('htmlToText, 4× the input: time ×', fourTimes / Math.max(once, 1), 6, '×');

if (missed.length) {
  console.error(`Missed: ${missed.join(', ')}`);
  process.exit(1);
}
