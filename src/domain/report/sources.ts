/** The report's `sources`: the dropped zip files, each with the entries that could not be read. */
import type { SourceFile, UnrecognizedEntry } from '../model.ts';
import type { ReportSource } from './types.ts';

/**
 * One source per dropped file, in the given order, with its unrecognised entries. An entry naming a
 * file that is not in `files` still gets a source (size and entries 0), so nothing is lost.
 */
export function reportSources(
  files: readonly Pick<SourceFile, 'name' | 'size' | 'entries'>[],
  unrecognized: Iterable<UnrecognizedEntry>,
): ReportSource[] {
  const byName = new Map<string, ReportSource>();
  for (const file of files) {
    if (!byName.has(file.name)) {
      byName.set(file.name, { name: file.name, size: file.size, entries: file.entries, unrecognized: [] });
    }
  }
  for (const entry of unrecognized) {
    let source = byName.get(entry.source);
    if (!source) {
      source = { name: entry.source, size: 0, entries: 0, unrecognized: [] };
      byName.set(entry.source, source);
    }
    source.unrecognized.push({ path: entry.path, reason: entry.reason });
  }
  return [...byName.values()];
}
