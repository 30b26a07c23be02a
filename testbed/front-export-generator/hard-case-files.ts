/**
 * Files that are not clean Front objects: invalid JSON, orphan messages and operating-system
 * junk. Each is returned with the reason the manifest records for it.
 */
import type { BuiltMessage } from './conversation-builder.ts';
import type { ExportEntry } from './layout.ts';
import type { Rng } from './random.ts';
import type { World, WorldInbox } from './world.ts';

/** Invalid `.json` files named like real objects, in the shapes broken exports actually take. */
export function malformedJsonEntry(
  world: World,
  template: BuiltMessage | undefined,
  folder: string,
  zip: number,
  variant: number,
): ExportEntry {
  const id = world.ids.next('msg');
  const createdAt = template?.json.created_at ?? 1700000000;
  const stem = `${createdAt + 1}-message-${id}`;
  const realLooking = JSON.stringify({ ...(template?.json ?? {}), id });
  const variants: [string, string][] = [
    // Cut off mid-way, as when a download or the exporter died.
    [`${stem}.json`, realLooking.slice(0, Math.max(20, Math.floor(realLooking.length * 0.6)))],
    [`${createdAt + 2}-comment-${world.ids.next('com')}.json`, ''],
    [
      `${stem}.json`,
      '<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>\n',
    ],
    [`${stem}.json`, `${realLooking}\n{"id":"${id}","type":`],
    [`${stem}.json`, `{'id': '${id}', 'type': 'sms', 'created_at': NaN, }`],
  ];
  const [name, content] = variants[variant % variants.length] as [string, string];
  return { zip, path: `${folder}/${name}`, data: Buffer.from(content, 'utf8'), compress: true };
}

/** A message file in a conversation folder whose conversation object exists nowhere. */
export function orphanMessageEntry(
  message: BuiltMessage,
  inbox: WorldInbox,
  conversationId: string,
  zip: number,
): ExportEntry {
  // Only the JSON travels: no .eml and no attachment bytes, so the orphan is a single entry.
  const json = { ...message.json, attachments: [] };
  return {
    zip,
    path: `export/${inbox.folder}/${conversationId}/${json.created_at}-message-${json.id}.json`,
    data: Buffer.from(JSON.stringify(json), 'utf8'),
    compress: true,
  };
}

const DS_STORE_HEADER = Buffer.from([0, 0, 0, 1, 0x42, 0x75, 0x64, 0x31]); // "\0\0\0\1Bud1"
const APPLE_DOUBLE_HEADER = Buffer.from([0x00, 0x05, 0x16, 0x07, 0x00, 0x02, 0x00, 0x00]);

function dsStore(rng: Rng): Buffer {
  return Buffer.concat([DS_STORE_HEADER, Buffer.alloc(rng.int(2000, 6000))]);
}

/** AppleDouble resource fork ("._name") as macOS Archive Utility writes under __MACOSX/. */
function appleDouble(): Buffer {
  return Buffer.concat([APPLE_DOUBLE_HEADER, Buffer.from('Mac OS X        ', 'latin1'), Buffer.alloc(4058)]);
}

function progressLog(rng: Rng, inbox: WorldInbox): Buffer {
  const total = rng.int(50, 5000);
  const lines: string[] = [];
  for (let done = 0, minute = 0; done < total; minute++) {
    done = Math.min(total, done + rng.int(50, 400));
    lines.push(
      `2024-07-01T08:${String(minute % 60).padStart(2, '0')}:00Z [${inbox.spec.name}] exported ${done}/${total} conversations`,
    );
  }
  return Buffer.from(`${lines.join('\n')}\n`, 'utf8');
}

/**
 * Junk for one zip: Finder files, their __MACOSX shadows (one for a real conversation file),
 * an exporter progress log per inbox in the first zip, and a Windows thumbnail cache in the last.
 */
export function junkEntries(
  rng: Rng,
  world: World,
  zip: number,
  zipCount: number,
  sampleConversationFile: string | null,
): ExportEntry[] {
  const entries: ExportEntry[] = [
    { zip, path: 'export/.DS_Store', data: dsStore(rng), compress: true },
    { zip, path: '__MACOSX/export/._.DS_Store', data: appleDouble(), compress: true },
  ];
  if (sampleConversationFile) {
    const slash = sampleConversationFile.lastIndexOf('/');
    const shadow = `__MACOSX/${sampleConversationFile.slice(0, slash)}/._${sampleConversationFile.slice(slash + 1)}`;
    entries.push({ zip, path: shadow, data: appleDouble(), compress: true });
  }
  if (zip === 0) {
    for (const inbox of world.inboxes) {
      entries.push({
        zip,
        path: `export/${inbox.folder}/progress.log`,
        data: progressLog(rng, inbox),
        compress: true,
      });
    }
    const first = world.inboxes[0];
    if (first)
      entries.push({ zip, path: `export/${first.folder}/.DS_Store`, data: dsStore(rng), compress: true });
  }
  if (zip === zipCount - 1) {
    entries.push({
      zip,
      path: 'export/Thumbs.db',
      data: Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0]), Buffer.alloc(1020)]),
      compress: true,
    });
  }
  return entries;
}
