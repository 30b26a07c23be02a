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

/** Tags whose content is not text at all. */
const SKIPPED_ELEMENTS = new Set(['head', 'style', 'script', 'title', 'template']);
/** Tags that start or end a line of text. */
const BLOCK_ELEMENTS = new Set(
  'p div h1 h2 h3 h4 h5 h6 tr table blockquote ul ol pre section article header footer hr'.split(' '),
);

/** Source whitespace is a single space in HTML; only tags make real line breaks. */
function textRun(raw: string): string {
  return decodeEntities(raw.replace(/\s+/g, ' '));
}

function hrefOf(tag: string): string | null {
  const match = /\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/i.exec(tag);
  const href = match ? (match[1] ?? match[2] ?? match[3] ?? '') : '';
  return href.trim() === '' ? null : decodeEntities(href.trim());
}

/**
 * A plain-text rendering of an HTML body: block breaks kept, tags dropped, entities decoded,
 * `label (url)` for links whose URL adds information.
 *
 * One forward pass with `indexOf` instead of regexes over the whole document: email HTML is
 * untrusted, and backtracking patterns go quadratic (or worse) on unclosed tags.
 */
export function htmlToText(html: string): string {
  const out: string[] = [];
  let link: { href: string; firstPiece: number } | null = null;
  let pos = 0;
  while (pos < html.length) {
    const open = html.indexOf('<', pos);
    if (open === -1) {
      out.push(textRun(html.slice(pos)));
      break;
    }
    out.push(textRun(html.slice(pos, open)));
    if (html.startsWith('<!--', open)) {
      const commentEnd = html.indexOf('-->', open + 4);
      if (commentEnd === -1) break;
      pos = commentEnd + 3;
      continue;
    }
    const tagName = /^<(\/?)([a-z][a-z0-9]*)/i.exec(html.slice(open, open + 32));
    if (!tagName && !/^<[!?/]/.test(html.slice(open, open + 2))) {
      out.push('<'); // a lone `<` in text, as in `a < b`
      pos = open + 1;
      continue;
    }
    const close = html.indexOf('>', open + 1);
    if (close === -1) break; // an unfinished tag runs to the end, as in browsers
    pos = close + 1;
    if (!tagName) continue; // doctype, processing instruction, `</ >`
    const isEndTag = tagName[1] === '/';
    const name = tagName[2]!.toLowerCase();
    if (SKIPPED_ELEMENTS.has(name) && !isEndTag) {
      const endTag = new RegExp(`</${name}\\s*>`, 'gi');
      endTag.lastIndex = pos;
      const found = endTag.exec(html);
      if (!found) break;
      pos = found.index + found[0].length;
    } else if (name === 'br') {
      out.push('\n');
    } else if (name === 'li' && !isEndTag) {
      out.push('\n- ');
    } else if (BLOCK_ELEMENTS.has(name)) {
      out.push('\n');
    } else if (name === 'a' && !isEndTag) {
      const href = hrefOf(html.slice(open, close));
      link = href !== null ? { href, firstPiece: out.length } : null;
    } else if (name === 'a' && link !== null) {
      out.push(linkSuffix(out.slice(link.firstPiece).join(''), link.href));
      link = null;
    }
  }
  return out
    .join('')
    .split('\n')
    .map((line) => line.replace(/[ \t\u00a0]+/g, ' ').trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** ` (url)` after a link label when the URL is a web address the label does not already show. */
function linkSuffix(label: string, href: string): string {
  const visible = label.trim();
  if (!/^https?:/i.test(href) || visible === href) return '';
  return visible === '' ? href : ` (${href})`;
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
