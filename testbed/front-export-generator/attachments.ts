/**
 * Attachment files people actually send a coffee roaster: phone photos, screenshots, invoices,
 * price lists, CSV reports, logs, calendar invites, MMS pictures and signature logos. Sizes are
 * log-uniform, so most files are small and a few are several megabytes, as in real mailboxes.
 */
import { csvBytes, icsBytes, jpegBytes, pdfBytes, pngBytes, textBytes, type Filler } from './binary-files.ts';
import type { Rng } from './random.ts';

export type AttachmentKind =
  'photo' | 'screenshot' | 'invoice' | 'priceList' | 'report' | 'log' | 'invite' | 'mms' | 'logo';

export interface AttachmentFile {
  filename: string;
  contentType: string;
  bytes: Buffer;
  /** False for formats that are already compressed: a smart zipper stores them as they are. */
  compress: boolean;
}

export interface AttachmentContext {
  rng: Rng;
  filler: Filler;
  /** A human title for documents (shown in PDFs, calendar invites). */
  title: string;
  atSeconds: number;
  french: boolean;
}

export function makeAttachment(kind: AttachmentKind, context: AttachmentContext): AttachmentFile {
  const { rng, filler } = context;
  switch (kind) {
    case 'photo':
      return {
        filename: rng.pick([
          `IMG_${rng.int(1000, 9999)}.jpg`,
          `photo (${rng.int(1, 9)}).jpg`,
          'Photo colis abîmé.jpg',
          'PXL_20231129_101402.jpg',
        ]),
        contentType: 'image/jpeg',
        bytes: jpegBytes(rng, filler, rng.logUniform(40_000, 3_500_000)),
        compress: false,
      };
    case 'screenshot':
      return {
        filename: context.french
          ? `Capture d’écran 2023-11-${rng.int(10, 28)} à 10.14.02.png`
          : `Screenshot 2023-11-${rng.int(10, 28)} at 10.14.02.png`,
        contentType: 'image/png',
        bytes: pngBytes(rng, filler, rng.logUniform(20_000, 1_200_000)),
        compress: false,
      };
    case 'invoice':
      return {
        filename: context.french
          ? `Facture n°${rng.int(100, 999)} – été.pdf`
          : `invoice-INV-2023-${rng.int(1000, 9999)}.pdf`,
        contentType: 'application/pdf',
        bytes: pdfBytes(context.title, filler, rng.logUniform(10_000, 400_000)),
        compress: true,
      };
    case 'priceList':
      return rng.chance(0.6)
        ? {
            filename: 'Wholesale price list 2024.pdf',
            contentType: 'application/pdf',
            bytes: pdfBytes('Wholesale price list 2024', filler, rng.logUniform(50_000, 2_000_000)),
            compress: true,
          }
        : {
            filename: 'tarifs_pro.csv',
            contentType: 'text/csv',
            bytes: csvBytes(rng, rng.int(20, 400)),
            compress: true,
          };
    case 'report':
      return {
        filename: `orders_2023-${String(rng.int(1, 12)).padStart(2, '0')}.csv`,
        contentType: 'text/csv',
        bytes: csvBytes(rng, rng.logUniform(20, 20_000)),
        compress: true,
      };
    case 'log':
      return {
        filename: 'sync-log.txt',
        contentType: 'text/plain',
        bytes: textBytes(rng, rng.logUniform(10, 5_000)),
        compress: true,
      };
    case 'invite':
      return {
        filename: context.french ? 'invitation-dégustation.ics' : 'invite.ics',
        contentType: 'text/calendar',
        bytes: icsBytes(rng, context.title, context.atSeconds),
        compress: true,
      };
    case 'mms':
      return rng.chance(0.75)
        ? {
            filename: `IMG_${rng.int(1000, 9999)}.jpeg`,
            contentType: 'image/jpeg',
            bytes: jpegBytes(rng, filler, rng.logUniform(15_000, 800_000)),
            compress: false,
          }
        : {
            filename: 'image.png',
            contentType: 'image/png',
            bytes: pngBytes(rng, filler, rng.logUniform(3_000, 300_000)),
            compress: false,
          };
    case 'logo':
      return {
        filename: 'image001.png',
        contentType: 'image/png',
        bytes: pngBytes(rng, filler, rng.logUniform(2_000, 12_000)),
        compress: false,
      };
  }
}

/** What a customer (inbound) or the team (outbound) typically attaches to an email. */
export function pickEmailAttachmentKind(rng: Rng, inbound: boolean): AttachmentKind {
  return inbound
    ? rng.weighted<AttachmentKind>([
        ['photo', 4],
        ['screenshot', 3],
        ['invoice', 1],
        ['report', 1],
        ['log', 1],
      ])
    : rng.weighted<AttachmentKind>([
        ['invoice', 4],
        ['priceList', 2],
        ['report', 1],
        ['invite', 1],
      ]);
}

/** "image.png", "image (2).png": a message may hold two files with the same name. */
export function uniqueFilename(filename: string, taken: Set<string>): string {
  let candidate = filename;
  const dot = filename.lastIndexOf('.');
  const stem = dot > 0 ? filename.slice(0, dot) : filename;
  const extension = dot > 0 ? filename.slice(dot) : '';
  for (let n = 2; taken.has(candidate); n++) candidate = `${stem} (${n})${extension}`;
  taken.add(candidate);
  return candidate;
}
