/**
 * The two body alternatives from whichever one Front has. No DOM (this runs in a worker): a
 * small regex conversion good enough for a readable plain-text alternative, not a renderer.
 */

const NAMED_ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
  copy: '©',
  reg: '®',
  trade: '™',
  hellip: '…',
  mdash: '—',
  ndash: '–',
  lsquo: '‘',
  rsquo: '’',
  ldquo: '“',
  rdquo: '”',
  laquo: '«',
  raquo: '»',
  bull: '•',
  middot: '·',
  euro: '€',
  pound: '£',
  yen: '¥',
  cent: '¢',
  deg: '°',
  times: '×',
};

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (entity, body: string) => {
    if (body[0] === '#') {
      const codePoint =
        body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      return codePoint > 0 && codePoint <= 0x10ffff ? String.fromCodePoint(codePoint) : entity;
    }
    return NAMED_ENTITIES[body.toLowerCase()] ?? entity;
  });
}

const BLOCK_TAGS = 'p|div|h[1-6]|tr|table|blockquote|ul|ol|pre|section|article|header|footer|hr';

/** A plain-text rendering of an HTML body: block breaks kept, tags dropped, entities decoded. */
export function htmlToText(html: string): string {
  const text = html
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<(head|style|script|title)\b[^>]*>[\s\S]*?<\/\1\s*>/gi, '')
    // Source line breaks are plain spaces in HTML; the tags below decide the real ones.
    .replace(/\s+/g, ' ')
    .replace(/<a\b[^>]*?\bhref\s*=\s*(["'])(.*?)\1[^>]*>([\s\S]*?)<\/a\s*>/gi, linkText)
    .replace(/<br\b[^>]*>/gi, '\n')
    .replace(/<li\b[^>]*>/gi, '\n- ')
    .replace(new RegExp(`</?(?:${BLOCK_TAGS})\\b[^>]*>`, 'gi'), '\n')
    .replace(/<\/?[a-z!?][^>]*>/gi, '');
  return decodeEntities(text)
    .split('\n')
    .map((line) => line.replace(/[ \t\u00a0]+/g, ' ').trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** `label (url)` when the link target adds information, else just the label. */
function linkText(_match: string, _quote: string, href: string, label: string): string {
  const visible = label.replace(/<[^>]*>/g, '').trim();
  // The whole text is entity-decoded afterwards, so the raw href goes in as it is.
  const rawTarget = href.trim();
  if (!/^https?:/i.test(rawTarget) || decodeEntities(visible) === decodeEntities(rawTarget)) return label;
  return visible === '' ? rawTarget : `${label} (${rawTarget})`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** A minimal HTML alternative for a text-only email: escaped, line breaks kept. */
export function textToHtml(text: string): string {
  const body = text
    .split(/\r\n|\r|\n/)
    .map((line) => escapeHtml(line))
    .join('<br>\n');
  return `<!DOCTYPE html>\n<html><head><meta charset="utf-8"></head><body>\n<div>${body}</div>\n</body></html>\n`;
}

export interface BodyAlternatives {
  text: string;
  html: string;
}

/** Both alternatives from a Front message, or null when it has no body at all. */
export function bodyAlternatives(html: string, text: string): BodyAlternatives | null {
  const hasHtml = html.trim() !== '';
  const hasText = text.trim() !== '';
  if (hasHtml && hasText) return { text, html };
  if (hasHtml) return { text: htmlToText(html), html };
  if (hasText) return { text, html: textToHtml(text) };
  return null;
}
