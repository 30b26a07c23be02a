/// <reference lib="webworker" />
/**
 * The relay worker: builds each email (the export's .eml unchanged, else RFC 5322 from the JSON),
 * reads attachments from the zips and sends the copies to the chosen mailbox, off the main thread.
 * Thin on purpose: the work lives in src/adapters/relay/relay-api.ts (testable without a Worker).
 */
import { expose } from 'comlink';
import { createRelayApi } from '../src/adapters/relay/relay-api.ts';

expose(createRelayApi());
