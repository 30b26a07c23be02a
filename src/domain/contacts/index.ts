/**
 * The customer's contacts (issue 5): built from Front contacts and message recipients, written as
 * a CSV for Missive's (or Google's) contact import, or sent to a Missive contact book in batches,
 * skipping people the book already has.
 */
export * from './handles.ts';
export * from './names.ts';
export * from './build.ts';
export * from './missive.ts';
export * from './csv.ts';
export * from './report-items.ts';
