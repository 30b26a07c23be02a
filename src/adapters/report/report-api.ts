/**
 * The API the report worker exposes (through comlink): the report's snapshot, view, pages and
 * downloads, and the contacts (list, CSV, direct import). A plain object over the export index,
 * the import ledger and the contacts outcomes, so it runs the same in the worker and in Node tests.
 *
 * The token comes in with the calls that need it (to redact it, or to call Missive) and stays in
 * the worker's memory for that call only.
 */
import type { CustomerContact } from '../../domain/contacts/build.ts';
import { contactsCsvChunks } from '../../domain/contacts/csv.ts';
import type { ItemKind } from '../../domain/model.ts';
import { accountingIdentityViolations } from '../../domain/report/accounting.ts';
import type { ReportHeader, ReportSummary } from '../../domain/report/types.ts';
import type { PlanRequest } from '../import-engine-types.ts';
import type { RunMeta, RunState } from '../ledger-schema.ts';
import { RelayLedger } from '../relay/ledger.ts';
import { ExportStore } from '../store.ts';
import { ContactOutcomeStore } from './contact-outcomes.ts';
import { buildContactListFromStore, summarizeContacts, type ContactListSummary } from './contact-list.ts';
import {
  ContactsImporter,
  type ContactBook,
  type ContactsImportProgress,
  type ContactsImportRequest,
  type MissiveAccess,
} from './contacts-import.ts';
import { LedgerReader } from './ledger-reader.ts';
import { relayedEmails } from './relayed-emails.ts';
import { reportHeader } from './report-header.ts';
import {
  REPORT_MIME_TYPES,
  reportChunks,
  reportFileName,
  writeChunks,
  type ReportFile,
  type ReportFormat,
  type WritableTarget,
} from './report-download.ts';
import {
  exportObjectCounts,
  reportItems,
  reportPlanChoices,
  type RelayedEmailLookup,
} from './report-items.ts';
import {
  ReportSnapshot,
  ReportSnapshotBuilder,
  type ItemFilter,
  type ItemsPage,
  type ReasonCount,
} from './report-snapshot.ts';

export interface ReportApiOptions {
  exportDbName?: string;
  ledgerDbName?: string;
  contactsDbName?: string;
  relayDbName?: string;
  fetch?: typeof fetch;
  now?: () => number;
  /** Relay mode's email items; by default read from the relay ledger (see relayed-emails.ts). */
  relayedEmails?: RelayedEmailLookup | null;
}

export interface ReportRequest {
  /** Redacted from every text of the report (pass the Missive token): an error text may echo it. */
  secrets: string[];
  /** The page's Missive API base, for a report made before any import run. */
  apiBase: string;
}

export interface ReportProgress {
  items: number;
  /** Objects in the export (and contacts imported): the items the report will hold. */
  expected: number;
}

export interface ReportView {
  header: ReportHeader;
  summary: ReportSummary;
  reasons: ReasonCount[];
  itemCount: number;
  /** The export index's own counts, which the report's totals must match. */
  exportCounts: Partial<Record<ItemKind, number>>;
  /** Empty when every object is accounted for exactly once. */
  violations: string[];
  run: { state: RunState; mode: RunMeta['mode'] } | null;
}

export interface ReportDownload extends ReportFile {
  /** The snapshot the file was written from: the screen shows the same numbers. */
  view: ReportView;
}

/** What "Retry failed" starts: a new run of the last run's kind with its stored choices (failed items go again). */
export interface RetryPlan {
  mode: RunMeta['mode'];
  plan: PlanRequest;
}

export interface ReportApi {
  /** The report as it stands; `fresh` walks the items again even when nothing seems to have changed. */
  view(
    request: ReportRequest,
    fresh: boolean,
    onProgress?: (progress: ReportProgress) => void,
  ): Promise<ReportView>;
  /** A page of the current snapshot's items matching the filter. */
  page(filter: ItemFilter, offset: number, limit: number): Promise<ItemsPage>;
  /** The report file, from a snapshot taken now when anything may have changed (and that snapshot's view). */
  download(
    format: ReportFormat,
    request: ReportRequest,
    target: WritableTarget | null,
    onProgress?: (progress: ReportProgress) => void,
  ): Promise<ReportDownload>;
  retryPlan(): Promise<RetryPlan | null>;
  /** The customer's contacts, built from the export (cached until the export changes). */
  contactList(): Promise<ContactListSummary>;
  contactsCsv(target: WritableTarget | null): Promise<ReportFile>;
  contactBooks(access: MissiveAccess): Promise<ContactBook[]>;
  importContacts(
    request: ContactsImportRequest,
    onProgress?: (progress: ContactsImportProgress) => void,
  ): Promise<ContactsImportProgress>;
  cancelContacts(): void;
}

interface Sources {
  store: ExportStore;
  ledger: LedgerReader;
  contacts: ContactOutcomeStore;
  importer: ContactsImporter;
}

interface Taken {
  snapshot: ReportSnapshot;
  view: ReportView;
  fingerprint: string;
}

const PROGRESS_EVERY_MS = 100;

export function createReportApi(options: ReportApiOptions = {}): ReportApi {
  const now = options.now ?? Date.now;
  let opened: Promise<Sources> | null = null;
  const open = () =>
    (opened ??= (async () => {
      const [store, ledger, contacts] = await Promise.all([
        ExportStore.open(options.exportDbName ? { name: options.exportDbName } : {}),
        LedgerReader.open(options.ledgerDbName),
        ContactOutcomeStore.open(options.contactsDbName),
      ]);
      const importer = new ContactsImporter({
        outcomes: contacts,
        ...(options.fetch ? { fetch: options.fetch } : {}),
      });
      return { store, ledger, contacts, importer };
    })());

  let relayLedger: Promise<RelayLedger> | null = null;
  const openRelayLedger = () =>
    (relayLedger ??= RelayLedger.open(options.relayDbName ? { name: options.relayDbName } : {}));

  let current: Taken | null = null;
  let taking: Promise<Taken> | null = null;
  let contactList: { fingerprint: string; contacts: Promise<CustomerContact[]> } | null = null;

  /** Changes when anything the report reads may have changed; a running import always differs. */
  async function fingerprint(sources: Sources): Promise<string> {
    const [run, inboxes, contactsRun, contactsCount, conversations, messages, comments] = await Promise.all([
      sources.ledger.getRun(),
      sources.store.listInboxes(),
      sources.contacts.getRun(),
      sources.contacts.count(),
      sources.store.count('conversations'),
      sources.store.count('messages'),
      sources.store.count('comments'),
    ]);
    // A running import changes item by item, and relay runs have no cheap marker: read again.
    const relayInUse = inboxes.some((inbox) => inbox.smtpForwarding);
    const moving = run?.state === 'running' || relayInUse ? now() : 0;
    return JSON.stringify([
      run?.updatedAt,
      run?.state,
      moving,
      contactsRun,
      contactsCount,
      conversations,
      messages,
      comments,
    ]);
  }

  async function take(
    request: ReportRequest,
    onProgress?: (progress: ReportProgress) => void,
  ): Promise<Taken> {
    const sources = await open();
    const stamp = await fingerprint(sources);
    const run = await sources.ledger.getRun();
    const [choices, exportCounts, contactCount] = await Promise.all([
      reportPlanChoices(sources.store, run),
      exportObjectCounts(sources.store),
      sources.contacts.count(),
    ]);
    const expected = Object.values(exportCounts).reduce((sum, n) => sum + (n ?? 0), 0) + contactCount;
    // The one place relay mode's email items come in (see withRelayedEmails in report-items.ts).
    const relayed =
      options.relayedEmails !== undefined
        ? options.relayedEmails
        : await relayedEmails(sources.store, openRelayLedger, choices.includeDeleted);
    const builder = new ReportSnapshotBuilder({ secrets: request.secrets });
    let lastProgress = 0;
    const items = reportItems(
      {
        store: sources.store,
        ledger: sources.ledger,
        contacts: contactCount > 0 ? sources.contacts : null,
        relayedEmails: relayed,
      },
      { choices },
    );
    for await (const item of items) {
      builder.add(item);
      if (onProgress && now() - lastProgress >= PROGRESS_EVERY_MS) {
        lastProgress = now();
        onProgress({ items: builder.count, expected });
      }
    }
    onProgress?.({ items: builder.count, expected });
    const snapshot = builder.finish();
    const header = await reportHeader(sources.store, run, { apiBase: request.apiBase, now: now() });
    const violations = accountingIdentityViolations(snapshot.summary.totals, exportCounts).map(
      (v) => v.message,
    );
    return {
      snapshot,
      fingerprint: stamp,
      view: {
        header,
        summary: snapshot.summary,
        reasons: snapshot.reasons(),
        itemCount: snapshot.itemCount,
        exportCounts,
        violations,
        run: run ? { state: run.state, mode: run.mode } : null,
      },
    };
  }

  /** The current snapshot when still valid, else a new one (one walk at a time). */
  async function snapshot(
    request: ReportRequest,
    fresh: boolean,
    onProgress?: (progress: ReportProgress) => void,
  ): Promise<Taken> {
    if (taking) return taking;
    if (!fresh && current && current.fingerprint === (await fingerprint(await open()))) return current;
    taking = take(request, onProgress);
    try {
      current = await taking;
      return current;
    } finally {
      taking = null;
    }
  }

  async function contacts(): Promise<CustomerContact[]> {
    const sources = await open();
    const [conversations, messages] = await Promise.all([
      sources.store.count('conversations'),
      sources.store.count('messages'),
    ]);
    const stamp = `${conversations}/${messages}`;
    if (!contactList || contactList.fingerprint !== stamp) {
      const built = buildContactListFromStore(sources.store);
      contactList = { fingerprint: stamp, contacts: built };
      built.catch(() => {
        if (contactList?.contacts === built) contactList = null;
      });
    }
    return contactList.contacts;
  }

  return {
    async view(request, fresh, onProgress) {
      return (await snapshot(request, fresh, onProgress)).view;
    },

    async page(filter, offset, limit) {
      const taken = current ?? (await snapshot({ secrets: [], apiBase: '' }, false));
      return taken.snapshot.page(filter, offset, limit);
    },

    async download(format, request, target, onProgress) {
      const taken = await snapshot(request, false, onProgress);
      const header = taken.view.header;
      const file = { name: reportFileName(format, header), type: REPORT_MIME_TYPES[format] };
      const written = await writeChunks(
        reportChunks(format, header, taken.snapshot, request.secrets),
        file,
        target,
      );
      return { ...written, view: taken.view };
    },

    async retryPlan() {
      const run = await (await open()).ledger.getRun();
      if (!run) return null;
      return {
        mode: run.mode,
        plan: {
          choices: { ...run.choices, relayInboxKeys: [...run.choices.relayInboxKeys] },
          target: {
            account: run.target.account,
            organization: run.target.organization,
            team: run.target.team,
            sharedLabelId: run.target.sharedLabelId,
          },
        },
      };
    },

    async contactList() {
      return summarizeContacts(await contacts());
    },

    async contactsCsv(target) {
      const list = await contacts();
      const stamp = new Date(now())
        .toISOString()
        .replace(/\.\d+Z$/, 'Z')
        .replaceAll(':', '-');
      const file = { name: `front-contacts-${stamp}.csv`, type: REPORT_MIME_TYPES.csv };
      return writeChunks(contactsCsvChunks(list), file, target);
    },

    async contactBooks(access) {
      return (await open()).importer.listBooks(access);
    },

    async importContacts(request, onProgress) {
      const [sources, list] = await Promise.all([open(), contacts()]);
      return sources.importer.run(list, request, onProgress);
    },

    cancelContacts() {
      void opened?.then((sources) => sources.importer.cancel());
    },
  };
}
