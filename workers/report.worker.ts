/// <reference lib="webworker" />
/**
 * The report worker: walks the export index and the import ledger into the report, writes the
 * downloads (JSON, CSV, HTML) and runs the contacts (list, CSV, direct import), off the main
 * thread. Thin on purpose: the work lives in src/adapters/report/ (testable in Node).
 */
import { expose } from 'comlink';
import { createReportApi } from '../src/adapters/report/report-api.ts';

expose(createReportApi());
