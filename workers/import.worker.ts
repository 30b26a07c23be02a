/// <reference lib="webworker" />
/**
 * The import worker: plans and sends the import to Missive off the main thread. Thin on purpose: the
 * work lives in src/adapters/import-engine*.ts (testable in Node); this only exposes it. The page
 * passes the token with each run, a proxy to read attachment bytes, and a progress callback.
 */
import { expose } from 'comlink';
import { createImportApi } from '../src/adapters/import-engine-api.ts';

expose(createImportApi());
