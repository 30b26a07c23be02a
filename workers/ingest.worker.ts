/// <reference lib="webworker" />
/**
 * The ingest worker: unzips, parses and indexes the dropped Front export off the main thread. Thin on
 * purpose: the work lives in src/adapters/ingest-api.ts (testable without a Worker); this only exposes it.
 * The File objects arrive by structured clone (no bytes copied); progress comes back through the
 * callback proxy the page passes to `ingest`.
 */
import { expose } from 'comlink';
import { createIngestApi } from '../src/adapters/ingest-api.ts';

expose(createIngestApi());
