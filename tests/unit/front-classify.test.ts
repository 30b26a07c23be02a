import { describe, expect, it } from 'vitest';
import { classifyEntry, MAX_JSON_ENTRY_BYTES } from '../../src/domain/front/index.ts';
import type { EntryInfo } from '../../src/domain/front/index.ts';

function entry(path: string, overrides: Partial<EntryInfo> = {}): EntryInfo {
  return {
    source: 'front-export-acme-1.zip',
    path,
    uncompressedSize: 1200,
    directory: false,
    encrypted: false,
    ...overrides,
  };
}

describe('classifyEntry', () => {
  it('parses JSON objects of the sample-exporter layout, whatever the case of the extension', () => {
    expect(classifyEntry(entry('export/Support/cnv_yo1kg5q/cnv_yo1kg5q.json'))).toEqual({
      action: 'parse-json',
    });
    expect(classifyEntry(entry('export/Support/cnv_yo1kg5q/1701292639-message-msg_1q15qmtq.json'))).toEqual({
      action: 'parse-json',
    });
    expect(classifyEntry(entry('Support/inb_8a2k.JSON'))).toEqual({ action: 'parse-json' });
  });

  it('refuses JSON entries too large to parse in a browser', () => {
    expect(classifyEntry(entry('big.json', { uncompressedSize: MAX_JSON_ENTRY_BYTES }))).toEqual({
      action: 'parse-json',
    });
    expect(classifyEntry(entry('big.json', { uncompressedSize: 300 * 1024 * 1024 }))).toEqual({
      action: 'unrecognized',
      reason: 'JSON entry too large: 300 MiB exceeds the 256 MiB a browser can parse at once',
    });
  });

  it('reads .eml headers with the message ID from the file name or the enclosing msg_ folder', () => {
    expect(classifyEntry(entry('export/Support/cnv_1/1701292639-message-msg_1q15qmtq.eml'))).toEqual({
      action: 'read-eml-headers',
      frontMessageId: 'msg_1q15qmtq',
    });
    expect(classifyEntry(entry('Support/cnv_1/1701292639.5-msg_2y67qldq.eml'))).toEqual({
      action: 'read-eml-headers',
      frontMessageId: 'msg_2y67qldq',
    });
    expect(classifyEntry(entry('Support/msg_9x/original.EML'))).toEqual({
      action: 'read-eml-headers',
      frontMessageId: 'msg_9x',
    });
    expect(classifyEntry(entry('received/<abc@mail.example>.eml'))).toEqual({
      action: 'read-eml-headers',
      frontMessageId: null,
    });
  });

  it('treats files in attachments/{msg_id}/ and in msg_ folders as attachment bytes', () => {
    expect(classifyEntry(entry('export/Support/cnv_yo1kg5q/attachments/msg_1q15qmtq/invoice.pdf'))).toEqual({
      action: 'attachment',
      frontMessageId: 'msg_1q15qmtq',
      filename: 'invoice.pdf',
    });
    expect(classifyEntry(entry('Support/msg_1q15qmtq/Facture été 2023.pdf'))).toEqual({
      action: 'attachment',
      frontMessageId: 'msg_1q15qmtq',
      filename: 'Facture été 2023.pdf',
    });
    // A JSON or .eml file attached by a customer stays an attachment.
    expect(classifyEntry(entry('cnv_1/attachments/msg_7/forwarded.eml'))).toEqual({
      action: 'attachment',
      frontMessageId: 'msg_7',
      filename: 'forwarded.eml',
    });
    expect(classifyEntry(entry('cnv_1/Attachments/data.json'))).toEqual({
      action: 'attachment',
      frontMessageId: null,
      filename: 'data.json',
    });
  });

  it('tolerates Windows separators', () => {
    expect(classifyEntry(entry('export\\Support\\cnv_1\\attachments\\msg_3\\a.png'))).toEqual({
      action: 'attachment',
      frontMessageId: 'msg_3',
      filename: 'a.png',
    });
  });

  it('passes over directories, and ignores (to count) macOS metadata, system files and exporter logs', () => {
    expect(classifyEntry(entry('export/Support/', { directory: true }))).toEqual({ action: 'directory' });
    expect(classifyEntry(entry('export/Support/'))).toEqual({ action: 'directory' });
    expect(classifyEntry(entry('__MACOSX/export/Support/._cnv_1.json'))).toEqual({
      action: 'ignore',
      reason: 'macOS metadata',
    });
    expect(classifyEntry(entry('export/.DS_Store'))).toEqual({ action: 'ignore', reason: 'system file' });
    expect(classifyEntry(entry('export/Support/Thumbs.db'))).toEqual({
      action: 'ignore',
      reason: 'system file',
    });
    expect(classifyEntry(entry('export/Support/._cnv_1.json'))).toEqual({
      action: 'ignore',
      reason: 'system file',
    });
    expect(classifyEntry(entry('export/Support/progress.log'))).toEqual({
      action: 'ignore',
      reason: 'exporter log',
    });
  });

  it('reports encrypted entries before looking at their kind', () => {
    expect(classifyEntry(entry('export/Support/cnv_1/cnv_1.json', { encrypted: true }))).toEqual({
      action: 'unrecognized',
      reason: 'encrypted entry: ask Front for an unencrypted export',
    });
  });

  it('asks for the JSON export when it meets CSV files', () => {
    const action = classifyEntry(entry('export-messages-acme-2023-07-19-212d-e55df0.csv'));
    expect(action.action).toBe('unrecognized');
    expect(action.action === 'unrecognized' && action.reason).toMatch(/^CSV file: .*JSON/);
  });

  it('reports nested archives and unknown files with a reason', () => {
    expect(classifyEntry(entry('export/part-2.zip'))).toEqual({
      action: 'unrecognized',
      reason: 'nested archive: extract .zip files and add their contents as separate files',
    });
    expect(classifyEntry(entry('export/Support/notes.txt'))).toEqual({
      action: 'unrecognized',
      reason: 'unsupported file: .txt outside any attachments folder',
    });
    expect(classifyEntry(entry('export/README'))).toEqual({
      action: 'unrecognized',
      reason: 'unsupported file: no extension, outside any attachments folder',
    });
  });
});
