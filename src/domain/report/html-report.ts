/**
 * The readable HTML summary: one self-contained file (inline CSS, no scripts, no external
 * resources; a Content-Security-Policy forbids them even if escaping ever failed) that opens
 * offline and prints cleanly. It is written from the first pass's ReportSummary, never from the
 * items, and every list is capped so the file stays small for a million items.
 *
 * Every interpolated string goes through escapeHtml: subjects, reasons, file names and error
 * texts come from Front content or Missive responses and are untrusted.
 */
import type { ItemKind } from '../model.ts';
import { accountingIdentityViolations } from './accounting.ts';
import { ChunkBuffer } from './chunks.ts';
import { redactSecrets } from './redact.ts';
import { sanitizeReportHeader } from './sanitize.ts';
import {
  ITEM_KINDS,
  REPORT_FORMAT,
  REPORT_VERSION,
  type KindTotals,
  type ReasonGroup,
  type ReportHeader,
  type ReportSummary,
  type ReportTotals,
} from './types.ts';

export interface HtmlReportOptions {
  /** Strings to redact from every text (pass the Missive token). */
  secrets?: readonly string[];
  /** Rows listed per long list (failures, unrecognised files, comment attachments). Default 1,000. */
  maxListed?: number;
  chunkSize?: number;
}

export const KIND_LABELS: Record<ItemKind, string> = {
  conversation: 'Conversations',
  sms: 'SMS',
  comment: 'Comments',
  email: 'Emails',
  other_message: 'Other messages',
  contact: 'Contacts',
};

const STATUS_COLUMNS = ['Found', 'Imported', 'Skipped', 'Failed', 'Pending'];

const STYLE = `
:root { color-scheme: light; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1d1d1f;
  background: #fff; max-width: 64rem; margin: 2rem auto; padding: 0 1.25rem; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
h2 { font-size: 1.2rem; margin: 2rem 0 .5rem; padding-bottom: .25rem; border-bottom: 1px solid #d0d0d7; }
h3 { font-size: 1rem; margin: 1.25rem 0 .25rem; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; font-size: .9rem; }
th, td { text-align: left; vertical-align: top; padding: .3rem .5rem; border-bottom: 1px solid #e4e4ea; }
th { background: #f3f3f6; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.text { overflow-wrap: anywhere; white-space: pre-line; }
code { font: .85em ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; overflow-wrap: anywhere; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; }
dt { font-weight: 600; }
dd { margin: 0; overflow-wrap: anywhere; }
.banner { padding: .6rem .8rem; border-radius: 6px; margin: .75rem 0; }
.ok { background: #e8f6ec; border: 1px solid #9fd3ad; }
.warn { background: #fff4e0; border: 1px solid #f0c36d; }
.muted { color: #5f5f6b; }
footer { margin-top: 3rem; font-size: .8rem; color: #5f5f6b; }
@media print {
  @page { margin: 15mm; }
  body { font-size: 10pt; max-width: none; margin: 0; padding: 0; }
  h2, h3 { break-after: avoid; }
  tr, li, .banner { break-inside: avoid; }
  thead { display: table-header-group; }
  th { background: #eee !important; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  .ok, .warn { background: none; }
}
`;

/** Error texts can be whole HTML error pages; the summary shows the start, the JSON keeps all. */
const MAX_TEXT_LENGTH = 500;

const CONTENT_SECURITY_POLICY =
  "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'";

/** Yields the HTML summary in chunks. */
export async function* reportHtmlChunks(
  header: ReportHeader,
  summary: ReportSummary,
  options: HtmlReportOptions = {},
): AsyncGenerator<string> {
  const secrets = options.secrets ?? [];
  const maxListed = options.maxListed ?? 1000;
  const safeHeader = sanitizeReportHeader(header, secrets);
  const text = (value: string): string =>
    escapeHtml(truncate(redactSecrets(value, secrets), MAX_TEXT_LENGTH));
  const buffer = new ChunkBuffer(options.chunkSize);

  const sections: Iterable<string>[] = [
    [documentStart(safeHeader)],
    [overviewSection(safeHeader, summary)],
    [totalsSection(summary.totals, summary)],
    [inboxSection(summary)],
    [skippedSection(summary.skippedByReason, text)],
    [notesSection(summary.flagged, text)],
    failuresSection(summary, maxListed, text),
    unrecognizedSection(safeHeader, maxListed),
    byDesignSection(summary, maxListed, text),
    [documentEnd()],
  ];
  for (const section of sections) {
    for (const html of section) {
      const chunk = buffer.push(html);
      if (chunk !== null) yield chunk;
    }
  }
  const rest = buffer.flush();
  if (rest !== null) yield rest;
}

/** Escapes the five characters that matter in element content and quoted attributes. */
export function escapeHtml(value: string): string {
  return value
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

export function formatCount(value: number): string {
  return value.toLocaleString('en-US');
}

export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${formatCount(value)} bytes` : `${value.toFixed(1)} ${units[unit]}`;
}

function documentStart(header: ReportHeader): string {
  const state =
    header.finishedAt === null
      ? `<p class="banner warn"><strong>Partial report.</strong> The import had not finished when this report was generated; pending items may still be imported.</p>`
      : `<p class="muted">Import finished ${escapeHtml(header.finishedAt)}.</p>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(CONTENT_SECURITY_POLICY)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Front to Missive import report</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>Front to Missive import report</h1>
${state}
</header>
`;
}

function documentEnd(): string {
  return `<footer>${escapeHtml(REPORT_FORMAT)}, version ${REPORT_VERSION}. The JSON and CSV reports list every item.</footer>
</body>
</html>
`;
}

function overviewSection(header: ReportHeader, summary: ReportSummary): string {
  const rows: [string, string][] = [
    ['Started', escapeHtml(header.startedAt)],
    ['Finished', header.finishedAt === null ? 'not yet' : escapeHtml(header.finishedAt)],
  ];
  if (header.generatedAt !== undefined) rows.push(['Report generated', escapeHtml(header.generatedAt)]);
  rows.push(
    ['Missive API', `<code>${escapeHtml(header.missive.apiBase)}</code>`],
    [
      'Missive organization',
      header.missive.organization === null
        ? 'none'
        : `<code>${escapeHtml(header.missive.organization)}</code>`,
    ],
  );
  const sourceRows = header.sources.map((source) => [
    `<td class="text">${escapeHtml(source.name)}</td>`,
    numCell(source.size, formatBytes(source.size)),
    numCell(source.entries),
    numCell(source.unrecognized.length),
  ]);
  const duplicates = summary.duplicates.reduce((sum, duplicate) => sum + duplicate.occurrences, 0);
  const duplicateNote =
    duplicates > 0
      ? `<p class="muted">${formatCount(duplicates)} repeated ${plural(duplicates, 'entry', 'entries')} of the same Front object (across or within the export files) ${duplicates === 1 ? 'was' : 'were'} counted once.</p>`
      : '';
  return `<section id="overview">
<h2>Overview</h2>
<dl>${rows.map(([term, value]) => `<dt>${term}</dt><dd>${value}</dd>`).join('')}</dl>
<h3>Export files</h3>
${table(['File', 'Size', 'Entries', 'Unrecognised'], sourceRows, [1, 2, 3], 'No export files.')}
${duplicateNote}
</section>
`;
}

function totalsSection(totals: ReportTotals, summary: ReportSummary): string {
  const rows = ITEM_KINDS.map((kind) => [`<td>${KIND_LABELS[kind]}</td>`, ...statusCells(totals[kind])]);
  const violations = accountingIdentityViolations(totals);
  const check =
    violations.length === 0
      ? `<p class="banner ok">Every item is accounted for: for each kind, found = imported + skipped + failed + pending.</p>`
      : `<div class="banner warn"><strong>The counts do not add up:</strong><ul>${violations
          .map((violation) => `<li>${escapeHtml(violation.message)}</li>`)
          .join('')}</ul></div>`;
  const splitNote =
    summary.conversationsOver400Sms > 0
      ? `<p class="muted">${formatCount(summary.conversationsOver400Sms)} ${plural(summary.conversationsOver400Sms, 'conversation has', 'conversations have')} more than 400 SMS; Missive holds at most 400 messages per conversation, so the rest continue in a new conversation.</p>`
      : '';
  return `<section id="totals">
<h2>Totals</h2>
${table(['Kind', ...STATUS_COLUMNS], rows, [1, 2, 3, 4, 5])}
${check}
${splitNote}
</section>
`;
}

function inboxSection(summary: ReportSummary): string {
  const rows: string[][] = [];
  for (const { inbox, totals } of summary.perInbox) {
    for (const kind of ITEM_KINDS) {
      if (totals[kind].found === 0) continue;
      const inboxCell =
        inbox === null ? '<td class="muted">(no inbox)</td>' : `<td class="text">${escapeHtml(inbox)}</td>`;
      rows.push([inboxCell, `<td>${KIND_LABELS[kind]}</td>`, ...statusCells(totals[kind])]);
    }
  }
  return `<section id="inboxes">
<h2>Per inbox</h2>
${table(['Inbox', 'Kind', ...STATUS_COLUMNS], rows, [2, 3, 4, 5, 6], 'No items yet.')}
</section>
`;
}

function skippedSection(groups: ReasonGroup[], text: (value: string) => string): string {
  return `<section id="skipped">
<h2>What was skipped, and why</h2>
${reasonTable('Reason', groups, text, 'Nothing was skipped.')}
</section>
`;
}

function notesSection(groups: ReasonGroup[], text: (value: string) => string): string {
  if (groups.length === 0) return '';
  return `<section id="notes">
<h2>Imported with notes</h2>
<p>These items were imported, but not exactly as they were in Front.</p>
${reasonTable('Note', groups, text, '')}
</section>
`;
}

function* failuresSection(
  summary: ReportSummary,
  maxListed: number,
  text: (value: string) => string,
): Generator<string> {
  const totalFailed = ITEM_KINDS.reduce((sum, kind) => sum + summary.totals[kind].failed, 0);
  yield `<section id="failures">
<h2>Failures</h2>
`;
  if (totalFailed === 0) {
    yield `<p>No failures.</p>
</section>
`;
    return;
  }
  yield `<p>${formatCount(totalFailed)} ${plural(totalFailed, 'item', 'items')} failed. Failed items can be retried from the app; the error text is Missive's own.</p>
<h3>By error</h3>
${reasonTable("Missive's error", summary.failedByReason, text, '')}
<h3>Failed items</h3>
`;
  const listed = summary.failures.slice(0, maxListed);
  yield tableStart(['Kind', 'Front ID', 'Conversation', 'Inbox', "Missive's error"], []);
  for (const failure of listed) {
    const subject = failure.subject === null ? '' : `<br>${text(failure.subject)}`;
    yield row([
      `<td>${KIND_LABELS[failure.kind]}</td>`,
      `<td><code>${escapeHtml(failure.frontId)}</code></td>`,
      `<td class="text"><code>${escapeHtml(failure.frontConversationId ?? '')}</code>${subject}</td>`,
      `<td class="text">${escapeHtml(failure.inbox ?? '')}</td>`,
      `<td class="text">${text(failure.error)}</td>`,
    ]);
  }
  yield tableEnd();
  const notListed = summary.failures.length - listed.length + summary.failuresNotListed;
  if (notListed > 0) {
    yield `<p class="muted">… and ${formatCount(notListed)} more ${plural(notListed, 'failure', 'failures')}, listed in the JSON and CSV reports.</p>\n`;
  }
  yield `</section>\n`;
}

function* unrecognizedSection(header: ReportHeader, maxListed: number): Generator<string> {
  const total = header.sources.reduce((sum, source) => sum + source.unrecognized.length, 0);
  yield `<section id="unrecognized">
<h2>Unrecognised files</h2>
`;
  if (total === 0) {
    yield `<p>Every file in the export was recognised.</p>
</section>
`;
    return;
  }
  yield `<p>${formatCount(total)} ${plural(total, 'file', 'files')} in the export could not be read as Front data and ${total === 1 ? 'was' : 'were'} not imported.</p>\n`;
  yield tableStart(['Export file', 'Path', 'Reason'], []);
  let listed = 0;
  for (const source of header.sources) {
    for (const file of source.unrecognized) {
      if (listed >= maxListed) break;
      listed += 1;
      yield row([
        `<td class="text">${escapeHtml(source.name)}</td>`,
        `<td><code>${escapeHtml(file.path)}</code></td>`,
        `<td class="text">${escapeHtml(file.reason)}</td>`,
      ]);
    }
  }
  yield tableEnd();
  if (total > listed) {
    yield `<p class="muted">… and ${formatCount(total - listed)} more, listed in the JSON report.</p>\n`;
  }
  yield `</section>\n`;
}

function* byDesignSection(
  summary: ReportSummary,
  maxListed: number,
  text: (value: string) => string,
): Generator<string> {
  const emails = summary.emailsOnMailServer;
  const contacts = summary.totals.contact;
  yield `<section id="by-design">
<h2>What was not imported by design, and what to do</h2>
<h3>Emails synced from your mail server</h3>
<p>${formatCount(emails)} ${plural(emails, 'email lives', 'emails live')} on your own mail server (Gmail, Office 365, IMAP) and ${emails === 1 ? 'was' : 'were'} not copied from the export: Missive brings such emails in itself. In Missive, connect every email account your team used in Front (Settings → Accounts) and set each to sync <strong>All history</strong>. Front comments are attached to those emails once they are in Missive; comments whose email is not in Missive yet stay in this report (pending or skipped) and can be retried after the sync.</p>
<h3>Files attached to comments</h3>
<p>Missive posts cannot carry files, so files attached to Front comments were not uploaded: each imported comment lists its files by name, and the files remain in your Front export. ${commentFilesSummary(summary)}</p>
`;
  const listed = summary.commentAttachments.slice(0, maxListed);
  if (listed.length > 0) {
    yield tableStart(['Conversation', 'Comment', 'Files'], []);
    for (const entry of listed) {
      yield row([
        `<td><code>${escapeHtml(entry.frontConversationId ?? '')}</code></td>`,
        `<td><code>${escapeHtml(entry.frontId)}</code></td>`,
        `<td class="text">${entry.names.map(text).join('<br>')}</td>`,
      ]);
    }
    yield tableEnd();
    const notListed = summary.commentAttachments.length - listed.length + summary.commentAttachmentsNotListed;
    if (notListed > 0) {
      yield `<p class="muted">… and ${formatCount(notListed)} more ${plural(notListed, 'comment', 'comments')} with files, listed in the JSON report.</p>\n`;
    }
  }
  const contactsDone =
    contacts.found > 0
      ? ` This run handled ${formatCount(contacts.found)} ${plural(contacts.found, 'contact', 'contacts')}: ${formatCount(contacts.imported)} imported, ${formatCount(contacts.skipped)} skipped, ${formatCount(contacts.failed)} failed, ${formatCount(contacts.pending)} pending.`
      : '';
  yield `<h3>Contacts</h3>
<p>Missive's own Front import does not bring contacts. Use the contacts CSV from this app (import it into a Missive contact book, or into Google Contacts or Outlook for a synced contact book), or the app's direct import into a Missive contact book of your choice.${contactsDone}</p>
</section>
`;
}

function commentFilesSummary(summary: ReportSummary): string {
  const count = summary.commentsWithFiles;
  if (count === 0) return 'No comment in this import had files.';
  const listed = summary.commentAttachments.length > 0 ? ' Their names are listed below.' : '';
  return `${formatCount(count)} ${plural(count, 'comment has', 'comments have')} files.${listed}`;
}

function reasonTable(
  title: string,
  groups: ReasonGroup[],
  text: (value: string) => string,
  empty: string,
): string {
  const rows = groups.map((group) => [
    `<td class="text">${text(group.reason)}</td>`,
    numCell(group.count),
    `<td>${ITEM_KINDS.filter((kind) => group.byKind[kind])
      .map((kind) => `${KIND_LABELS[kind]} ${formatCount(group.byKind[kind] ?? 0)}`)
      .join(', ')}</td>`,
    `<td>${group.examples.map((id) => `<code>${escapeHtml(id)}</code>`).join(' ')}</td>`,
  ]);
  return table([title, 'Count', 'Kinds', 'Examples'], rows, [1], empty);
}

function statusCells(totals: KindTotals): string[] {
  return [totals.found, totals.imported, totals.skipped, totals.failed, totals.pending].map((n) =>
    numCell(n),
  );
}

function numCell(value: number, shown: string = formatCount(value)): string {
  return `<td class="num">${escapeHtml(shown)}</td>`;
}

/** A whole table from prepared cells (cells are full `<td>` elements, already escaped). */
function table(headers: string[], rows: string[][], numericColumns: number[] = [], empty = ''): string {
  if (rows.length === 0) return empty === '' ? '' : `<p>${escapeHtml(empty)}</p>`;
  return tableStart(headers, numericColumns) + rows.map(row).join('') + tableEnd();
}

function tableStart(headers: string[], numericColumns: number[]): string {
  const cells = headers.map(
    (header, index) =>
      `<th scope="col"${numericColumns.includes(index) ? ' class="num"' : ''}>${escapeHtml(header)}</th>`,
  );
  return `<table>\n<thead><tr>${cells.join('')}</tr></thead>\n<tbody>\n`;
}

function row(cells: string[]): string {
  return `<tr>${cells.join('')}</tr>\n`;
}

function tableEnd(): string {
  return `</tbody>\n</table>\n`;
}

function truncate(value: string, maxLength: number): string {
  return value.length <= maxLength ? value : `${value.slice(0, maxLength - 1)}…`;
}

function plural(count: number, one: string, many: string): string {
  return count === 1 ? one : many;
}
