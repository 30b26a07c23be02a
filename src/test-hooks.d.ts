/**
 * True only in the testbed build (`vite build --mode testbed`) and unit tests: the test-only URL
 * parameters are honoured. Replaced by a constant at build time (vite.config.ts `define`), so the
 * production bundle holds none of that code.
 */
declare const __TEST_HOOKS__: boolean;
