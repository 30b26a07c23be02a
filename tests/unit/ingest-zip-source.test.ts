import { describe, expect, it } from 'vitest';
import {
  MAX_FILE_BYTES,
  ZipSource,
  readEntriesByPath,
  readEntryByPath,
} from '../../src/adapters/zip-source.ts';
import { makeZip, makeZip64, makeZipBomb, toFile } from './ingest-fixtures.ts';

const CONTENT = {
  'a/one.json': JSON.stringify({ id: 'cnv_1', text: 'x'.repeat(300) }),
  'a/two.eml': `Message-ID: <two@example.com>\r\n\r\n${'body '.repeat(5000)}`,
  'a/attachments/msg_1/three.bin': new Uint8Array(Array.from({ length: 5000 }, (_, i) => (i * 7) % 256)),
  'a/four.json': '{"id":"msg_4"}',
};

describe('zip source', () => {
  it('reads the same bytes whatever the read window (entries spanning windows)', async () => {
    const zip = await makeZip(CONTENT);
    const read = async (windowBytes?: number) => {
      const source = new ZipSource(zip, windowBytes);
      const out: string[] = [];
      for await (const item of source.entries()) {
        out.push(
          item.info.path.endsWith('.eml')
            ? await source.readHead(item, undefined, 100)
            : await source.readText(item),
        );
      }
      return out;
    };
    const reference = await read();
    expect(reference[0]).toBe(CONTENT['a/one.json']);
    expect(reference[1]).toBe(CONTENT['a/two.eml'].slice(0, 100));
    expect(reference[3]).toBe(CONTENT['a/four.json']);
    for (const windowBytes of [64, 100, 1000, 4096]) expect(await read(windowBytes)).toEqual(reference);
  });

  it('walks from a checkpoint without reading earlier entries, and knows the entry count', async () => {
    const zip = await makeZip(CONTENT);
    const source = new ZipSource(zip);
    const paths: [number, string][] = [];
    for await (const item of source.entries(2)) paths.push([item.index, item.info.path]);
    expect(paths).toEqual([
      [2, 'a/attachments/msg_1/three.bin'],
      [3, 'a/four.json'],
    ]);
    expect(source.totalEntries).toBe(4);
  });

  it('re-reads entries by path for the import step', async () => {
    const zip = await makeZip(CONTENT);
    const bytes = await readEntryByPath(zip, 'a/attachments/msg_1/three.bin');
    expect(bytes).toEqual(CONTENT['a/attachments/msg_1/three.bin']);
    expect(await readEntryByPath(zip, 'a/missing.bin')).toBeNull();
    const seen: string[] = [];
    const missing = await readEntriesByPath(zip, ['a/four.json', 'a/one.json', 'nope'], (path) => {
      seen.push(path);
    });
    expect(seen).toEqual(['a/one.json', 'a/four.json']);
    expect(missing).toEqual(['nope']);
  });

  it('names the file when it is not a zip', async () => {
    const source = new ZipSource(toFile(new Uint8Array(100), 'empty.zip'));
    await expect(source.entries().next()).rejects.toThrow(/"empty\.zip" is not a zip file/);
  });

  it('stops reading when cancelled', async () => {
    const zip = await makeZip(CONTENT);
    const source = new ZipSource(zip);
    const controller = new AbortController();
    const iterator = source.entries(0, controller.signal);
    const first = await iterator.next();
    controller.abort();
    await expect(source.readText(first.value!, controller.signal)).rejects.toMatchObject({ kind: 'aborted' });
    await expect(iterator.next()).rejects.toMatchObject({ kind: 'aborted' });
  });
});

describe('large archives', () => {
  it('walks a Zip64 archive of more than 100,000 entries, and resumes near its end quickly', async () => {
    const count = 100_500;
    function* entries(): Generator<[string, string]> {
      for (let i = 0; i < count; i++) yield [`export/_meta/teammates/tea_${i}.json`, `{"id":"tea_${i}"}`];
    }
    const zip = makeZip64(entries());
    const source = new ZipSource(zip);
    let seen = 0;
    let last = '';
    for await (const item of source.entries(100_000)) {
      seen++;
      last = await source.readText(item);
    }
    expect(source.totalEntries).toBe(count);
    expect(seen).toBe(500);
    expect(last).toBe(`{"id":"tea_${count - 1}"}`);
  }, 60_000);

  it('refuses a zip bomb by its declared size before inflating it, naming file and entry', async () => {
    const huge = MAX_FILE_BYTES + 16 * 1024 * 1024;
    const zip = await makeZipBomb(
      'a/attachments/msg_1/bomb.bin',
      huge,
      { 'a/small.txt': 'hello' },
      { name: 'bomb.zip' },
    );
    expect(zip.size).toBeLessThan(1024 * 1024);
    await expect(readEntryByPath(zip, 'a/attachments/msg_1/bomb.bin')).rejects.toThrow(
      /Entry "a\/attachments\/msg_1\/bomb\.bin" of "bomb\.zip" declares 64 MB, more than the 48 MB .* not read/,
    );
    // The rest of the zip stays readable.
    expect(new TextDecoder().decode((await readEntryByPath(zip, 'a/small.txt'))!)).toBe('hello');
  });

  it('stops inflating an entry once past the size its header declares (a lying header)', async () => {
    const zip = await makeZipBomb('a/liar.bin', 8 * 1024 * 1024, {}, { declare: 1000, name: 'liar.zip' });
    await expect(readEntryByPath(zip, 'a/liar.bin')).rejects.toThrow(
      /Entry "a\/liar\.bin" of "liar\.zip" inflates to more than the 1000 bytes its zip directory declares/,
    );
  });
});
