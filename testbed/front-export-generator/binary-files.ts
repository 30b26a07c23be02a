/**
 * Attachment bytes that real programs can open: PNG and baseline JPEG images (a blocky gradient),
 * minimal PDFs, CSV, plain text and iCalendar files. Big files are padded with incompressible
 * filler inside a container slot the format defines as skippable (a private PNG chunk, a JPEG
 * comment segment, an unreferenced PDF stream), so they stay valid at any size.
 */
import { crc32, deflateSync } from 'node:zlib';
import type { Rng } from './random.ts';

export interface Filler {
  /** `size` incompressible bytes. */
  bytes(size: number): Buffer;
}

/** Slices of a random pool (see randomBytePool); the offset comes from the caller's stream. */
export function poolFiller(pool: Buffer, rng: Rng): Filler {
  return {
    bytes(size: number): Buffer {
      if (size <= pool.length) {
        const start = rng.int(0, pool.length - size);
        return pool.subarray(start, start + size);
      }
      const parts: Buffer[] = [];
      for (let left = size; left > 0; left -= pool.length)
        parts.push(pool.subarray(0, Math.min(left, pool.length)));
      return Buffer.concat(parts);
    },
  };
}

interface Rgb {
  r: number;
  g: number;
  b: number;
}

function randomColour(rng: Rng): Rgb {
  return { r: rng.int(0, 255), g: rng.int(0, 255), b: rng.int(0, 255) };
}

/** Colour of block (x, y) of a diagonal gradient between two colours. */
function gradientAt(from: Rgb, to: Rgb, t: number): Rgb {
  const lerp = (a: number, b: number): number => Math.round(a + (b - a) * t);
  return { r: lerp(from.r, to.r), g: lerp(from.g, to.g), b: lerp(from.b, to.b) };
}

// ---------------------------------------------------------------------------------------------
// PNG

function pngChunk(type: string, data: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt32BE(data.length, 0);
  header.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(data, crc32(header.subarray(4))), 0);
  return Buffer.concat([header, data, crc]);
}

/** A valid RGB PNG of at least `targetSize` bytes (padding in a private ancillary chunk). */
export function pngBytes(rng: Rng, filler: Filler, targetSize = 0): Buffer {
  const width = rng.int(16, 48);
  const height = rng.int(16, 48);
  const from = randomColour(rng);
  const to = randomColour(rng);
  const rows: Buffer[] = [];
  for (let y = 0; y < height; y++) {
    const row = Buffer.alloc(1 + width * 3); // filter byte 0, then RGB
    for (let x = 0; x < width; x++) {
      const c = gradientAt(from, to, (x + y) / (width + height));
      row[1 + x * 3] = c.r;
      row[2 + x * 3] = c.g;
      row[3 + x * 3] = c.b;
    }
    rows.push(row);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit, truecolour, deflate, adaptive filter, no interlace
  const parts = [
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(Buffer.concat(rows))),
  ];
  const baseSize = parts.reduce((sum, part) => sum + part.length, 0) + 12;
  // "prVt": lower-case first letter = ancillary, second = private; decoders skip it.
  if (targetSize > baseSize + 12) parts.push(pngChunk('prVt', filler.bytes(targetSize - baseSize - 12)));
  parts.push(pngChunk('IEND', Buffer.alloc(0)));
  return Buffer.concat(parts);
}

// ---------------------------------------------------------------------------------------------
// JPEG: a baseline encoder for images made of flat 8x8 blocks. A flat block has only a DC
// coefficient, so each block is "DC difference + end-of-block": no DCT needed, still a valid JPEG.

/** Standard luminance DC Huffman table (JPEG Annex K.3). */
const DC_CODE_COUNTS = [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0];
const DC_SYMBOLS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
/** An AC table holding only end-of-block (symbol 0x00, code "0"). */
const AC_CODE_COUNTS = [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
const AC_SYMBOLS = [0];
/** All quantisation steps 8: a flat block's DC coefficient is then simply (value - 128). */
const QUANT_STEP = 8;

function canonicalCodes(counts: number[], symbols: number[]): Map<number, { code: number; length: number }> {
  const codes = new Map<number, { code: number; length: number }>();
  let code = 0;
  let index = 0;
  counts.forEach((count, lengthMinusOne) => {
    for (let i = 0; i < count; i++)
      codes.set(symbols[index++] as number, { code: code++, length: lengthMinusOne + 1 });
    code <<= 1;
  });
  return codes;
}

const DC_CODES = canonicalCodes(DC_CODE_COUNTS, DC_SYMBOLS);

class BitWriter {
  private readonly bytes: number[] = [];
  private current = 0;
  private used = 0;

  write(value: number, length: number): void {
    for (let bit = length - 1; bit >= 0; bit--) {
      this.current = (this.current << 1) | ((value >> bit) & 1);
      if (++this.used === 8) this.pushByte();
    }
  }

  finish(): Buffer {
    if (this.used > 0) this.write(0xff, 8 - this.used); // pad with ones
    return Buffer.from(this.bytes);
  }

  private pushByte(): void {
    this.bytes.push(this.current);
    if (this.current === 0xff) this.bytes.push(0x00); // byte stuffing
    this.current = 0;
    this.used = 0;
  }
}

function encodeDc(bits: BitWriter, difference: number): void {
  const magnitude = Math.abs(difference);
  const category = magnitude === 0 ? 0 : Math.floor(Math.log2(magnitude)) + 1;
  const code = DC_CODES.get(category);
  if (!code) throw new Error(`DC category out of range: ${category}`);
  bits.write(code.code, code.length);
  if (category > 0) bits.write(difference >= 0 ? difference : difference + (1 << category) - 1, category);
  bits.write(0, 1); // end of block
}

function segment(marker: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(4);
  header.writeUInt16BE(marker, 0);
  header.writeUInt16BE(payload.length + 2, 2);
  return Buffer.concat([header, payload]);
}

function huffmanTableSegment(tableClassAndId: number, counts: number[], symbols: number[]): Buffer {
  return segment(0xffc4, Buffer.from([tableClassAndId, ...counts, ...symbols]));
}

/** A valid baseline JPEG (4:4:4, flat 8x8 blocks) of at least `targetSize` bytes (padding in comments). */
export function jpegBytes(rng: Rng, filler: Filler, targetSize = 0): Buffer {
  const blocksWide = rng.int(3, 8);
  const blocksHigh = rng.int(2, 6);
  const from = randomColour(rng);
  const to = randomColour(rng);
  const bits = new BitWriter();
  const previousDc = [0, 0, 0];
  for (let by = 0; by < blocksHigh; by++) {
    for (let bx = 0; bx < blocksWide; bx++) {
      const { r, g, b } = gradientAt(from, to, (bx + by) / (blocksWide + blocksHigh));
      const ycbcr = [
        0.299 * r + 0.587 * g + 0.114 * b,
        128 - 0.168736 * r - 0.331264 * g + 0.5 * b,
        128 + 0.5 * r - 0.418688 * g - 0.081312 * b,
      ];
      ycbcr.forEach((value, component) => {
        const dc = Math.round(((value - 128) * 8) / QUANT_STEP);
        encodeDc(bits, dc - (previousDc[component] as number));
        previousDc[component] = dc;
      });
    }
  }
  const width = blocksWide * 8;
  const height = blocksHigh * 8;
  const frame = Buffer.from([
    8,
    height >> 8,
    height & 0xff,
    width >> 8,
    width & 0xff,
    3,
    1,
    0x11,
    0,
    2,
    0x11,
    0,
    3,
    0x11,
    0,
  ]);
  const head = [
    Buffer.from([0xff, 0xd8]),
    segment(0xffe0, Buffer.from([0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0])), // JFIF 1.01
    segment(0xffdb, Buffer.from([0, ...new Array<number>(64).fill(QUANT_STEP)])),
    segment(0xffc0, frame),
    huffmanTableSegment(0x00, DC_CODE_COUNTS, DC_SYMBOLS),
    huffmanTableSegment(0x10, AC_CODE_COUNTS, AC_SYMBOLS),
  ];
  const scan = [
    segment(0xffda, Buffer.from([3, 1, 0x00, 2, 0x00, 3, 0x00, 0, 63, 0])),
    bits.finish(),
    Buffer.from([0xff, 0xd9]),
  ];
  const baseSize = [...head, ...scan].reduce((sum, part) => sum + part.length, 0);
  return Buffer.concat([...head, ...jpegPadding(filler, targetSize - baseSize), ...scan]);
}

/** COM segments (at most 65533 payload bytes each) filled with noise, like embedded camera data. */
function jpegPadding(filler: Filler, size: number): Buffer[] {
  const segments: Buffer[] = [];
  for (let left = size; left > 4;) {
    const payload = Math.min(65533, left - 4);
    segments.push(segment(0xfffe, filler.bytes(payload)));
    left -= payload + 4;
  }
  return segments;
}

// ---------------------------------------------------------------------------------------------
// PDF

function pdfEscape(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?').replace(/([()\\])/g, '\\$1');
}

/** A one-page PDF showing `title`; padded with an unreferenced binary stream (like embedded fonts). */
export function pdfBytes(title: string, filler: Filler, targetSize = 0): Buffer {
  const content = `BT /F1 18 Tf 72 720 Td (${pdfEscape(title)}) Tj ET`;
  const objects: Buffer[] = [
    Buffer.from('<< /Type /Catalog /Pages 2 0 R >>'),
    Buffer.from('<< /Type /Pages /Kids [3 0 R] /Count 1 >>'),
    Buffer.from(
      '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    ),
    Buffer.from(`<< /Length ${content.length} >>\nstream\n${content}\nendstream`),
    Buffer.from('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>'),
  ];
  const padding = targetSize - 900;
  if (padding > 0) {
    objects.push(
      Buffer.concat([
        Buffer.from(`<< /Length ${padding} >>\nstream\n`),
        filler.bytes(padding),
        Buffer.from('\nendstream'),
      ]),
    );
  }
  const parts: Buffer[] = [Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  const offsets: number[] = [];
  let offset = parts[0]?.length ?? 0;
  objects.forEach((body, index) => {
    offsets.push(offset);
    const object = Buffer.concat([Buffer.from(`${index + 1} 0 obj\n`), body, Buffer.from('\nendobj\n')]);
    parts.push(object);
    offset += object.length;
  });
  const xref = [
    'xref',
    `0 ${objects.length + 1}`,
    '0000000000 65535 f ',
    ...offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n `),
    'trailer',
    `<< /Size ${objects.length + 1} /Root 1 0 R >>`,
    'startxref',
    String(offset),
    '%%EOF',
    '',
  ].join('\n');
  parts.push(Buffer.from(xref));
  return Buffer.concat(parts);
}

// ---------------------------------------------------------------------------------------------
// Text formats

export function csvBytes(rng: Rng, rows: number): Buffer {
  const lines = ['order_id,date,sku,description,quantity,unit_price_eur'];
  const products = [
    'Espresso blend 1kg',
    'Décaféiné 250g',
    'Ethiopia Yirgacheffe',
    'Oat milk 1L',
    'Paper cups (x50)',
    'Grinder burr set',
  ];
  for (let i = 0; i < rows; i++) {
    const product = rng.pick(products);
    lines.push(
      `A-${rng.int(10000, 99999)},2023-${String(rng.int(1, 12)).padStart(2, '0')}-${String(rng.int(1, 28)).padStart(2, '0')},SKU-${rng.int(100, 999)},"${product}",${rng.int(1, 40)},${(rng.int(150, 9900) / 100).toFixed(2)}`,
    );
  }
  return Buffer.from(`${lines.join('\r\n')}\r\n`, 'utf8');
}

export function textBytes(rng: Rng, lines: number): Buffer {
  const levels = ['INFO', 'INFO', 'INFO', 'WARN', 'ERROR'];
  const events = [
    'sync started',
    'webhook delivered',
    'retrying request',
    'order paid',
    'label printed',
    'timeout contacting carrier',
  ];
  const out: string[] = [];
  for (let i = 0; i < lines; i++) {
    out.push(
      `2023-11-${String(rng.int(1, 30)).padStart(2, '0')}T${String(rng.int(0, 23)).padStart(2, '0')}:${String(rng.int(0, 59)).padStart(2, '0')}:00Z ${rng.pick(levels)} ${rng.pick(events)} id=${rng.hex(8)}`,
    );
  }
  return Buffer.from(`${out.join('\n')}\n`, 'utf8');
}

export function icsBytes(rng: Rng, summary: string, startSeconds: number): Buffer {
  const stamp = (seconds: number): string =>
    new Date(seconds * 1000)
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d{3}/, '');
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Acme Roasters//Booking//EN',
    'BEGIN:VEVENT',
    `UID:${rng.hex(16)}@acme.example`,
    `DTSTAMP:${stamp(startSeconds)}`,
    `DTSTART:${stamp(startSeconds + 86400 * rng.int(2, 20))}`,
    `DURATION:PT${rng.int(1, 3)}H`,
    `SUMMARY:${summary}`,
    'END:VEVENT',
    'END:VCALENDAR',
    '',
  ];
  return Buffer.from(lines.join('\r\n'), 'utf8');
}
