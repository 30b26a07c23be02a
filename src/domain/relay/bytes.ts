/** Byte helpers shared by the relay builders: UTF-8, concatenation and line-ending normalisation. */

const encoder = new TextEncoder();

export const CR = 0x0d;
export const LF = 0x0a;

export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Joins chunks with a single allocation (no quadratic growth for big attachments). */
export function concatBytes(chunks: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const chunk of chunks) total += chunk.length;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

/** Collects the pieces of a message; strings are UTF-8 encoded, bytes are kept as they are. */
export class ChunkList {
  private readonly chunks: Uint8Array[] = [];

  text(value: string): this {
    if (value.length > 0) this.chunks.push(utf8(value));
    return this;
  }

  bytes(value: Uint8Array): this {
    if (value.length > 0) this.chunks.push(value);
    return this;
  }

  toBytes(): Uint8Array {
    return concatBytes(this.chunks);
  }
}

/** Line breaks of any style (CRLF, LF, CR) as CRLF, for strings about to become text parts. */
export function crlfText(text: string): string {
  return text.replace(/\r\n|\r|\n/g, '\r\n');
}

/** True when the bytes contain a CR not followed by LF or an LF not preceded by CR. */
export function hasBareLineBreak(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i]!;
    if (byte === CR && bytes[i + 1] !== LF) return true;
    if (byte === LF && (i === 0 || bytes[i - 1] !== CR)) return true;
  }
  return false;
}

/** Every bare CR or bare LF becomes CRLF; existing CRLF pairs are kept. */
export function toCrlfBytes(bytes: Uint8Array): Uint8Array {
  let extra = 0;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i]!;
    if ((byte === CR && bytes[i + 1] !== LF) || (byte === LF && (i === 0 || bytes[i - 1] !== CR))) extra++;
  }
  if (extra === 0) return bytes;
  const out = new Uint8Array(bytes.length + extra);
  let o = 0;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i]!;
    if (byte === CR && bytes[i + 1] !== LF) {
      out[o++] = CR;
      out[o++] = LF;
    } else if (byte === LF && (i === 0 || bytes[i - 1] !== CR)) {
      out[o++] = CR;
      out[o++] = LF;
    } else {
      out[o++] = byte;
    }
  }
  return out;
}

/** 64-bit FNV-1a of a string's UTF-8 bytes as 16 hex digits: a stable, non-cryptographic tag. */
export function stableHash(value: string): string {
  // Two 32-bit halves: BigInt would be simpler but is slower and this only labels boundaries.
  let hi = 0xcbf29ce4;
  let lo = 0x84222325;
  for (const byte of utf8(value)) {
    lo = (lo ^ byte) >>> 0;
    // Multiply (hi, lo) by the FNV prime 0x100000001b3 = 2^40 + 0x1b3, modulo 2^64.
    const loTimes = lo * 0x1b3;
    const carry = Math.floor(loTimes / 0x100000000);
    const newLo = loTimes >>> 0;
    const newHi = (hi * 0x1b3 + carry + ((lo << 8) >>> 0)) >>> 0;
    hi = newHi;
    lo = newLo;
  }
  return hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0');
}
