/**
 * The fictional Front account behind an export: teammates, inboxes with their channels, tags and
 * a pool of returning customers. Built once per seed; conversations are drawn from it.
 */
import {
  BOT_PEOPLE,
  COMPANY,
  TAG_NAMES,
  TEAMMATE_PEOPLE,
  asciiLocalPart,
  businessName,
  customerDomain,
  customerName,
  phoneNumber,
} from './content.ts';
import type { ChannelType, FrontChannel, FrontInbox, FrontTag, FrontTeammate } from './front-types.ts';
import { IdFactory, Rng, hashLabel, mix32 } from './random.ts';

export const API_BASE = `https://${COMPANY.slug}.api.frontapp.com`;

export interface InboxSpec {
  name: string;
  channelType: ChannelType;
}

export const DEFAULT_INBOXES: InboxSpec[] = [
  { name: 'Support', channelType: 'smtp' },
  { name: 'Sales', channelType: 'gmail' },
  { name: 'SMS Line', channelType: 'twilio' },
  { name: 'Jane Doe', channelType: 'gmail' },
  { name: 'Équipe Café ☕', channelType: 'smtp' },
];

/** Share of conversations per default inbox; custom inbox lists get equal shares. */
const DEFAULT_INBOX_WEIGHTS: Record<string, number> = {
  Support: 35,
  Sales: 18,
  'SMS Line': 27,
  'Jane Doe': 8,
  'Équipe Café ☕': 12,
};

export type MessageChannelKind = 'email' | 'sms' | 'whatsapp' | 'custom';

export interface WorldInbox {
  spec: InboxSpec;
  /** Folder name in the export: the display name, with `/` (not allowed in a path segment) replaced. */
  folder: string;
  inbox: FrontInbox;
  /** Primary channel first; some inboxes also hold a WhatsApp or custom (call/SMS app) channel. */
  channels: FrontChannel[];
  /** Email address or phone number the inbox sends from. */
  address: string;
  primaryKind: MessageChannelKind;
  secondaryKind: MessageChannelKind | null;
  members: FrontTeammate[];
  preferFrench: boolean;
  weight: number;
}

export interface Contact {
  id: string;
  name: string | null;
  email: string;
  phone: string;
  business: string;
}

export interface World {
  seed: number;
  ids: IdFactory;
  teammates: FrontTeammate[];
  bots: FrontTeammate[];
  inboxes: WorldInbox[];
  tags: FrontTag[];
  /** Export time, stamped on every zip entry. */
  exportedAt: Date;
  contact(rng: Rng): Contact;
}

const CONTACT_POOL_SIZE = 5000;
/** 2024-07-01T09:30:00Z: when the fictional export was produced. */
const EXPORT_TIME_SECONDS = 1719826200;
const ACCOUNT_CREATED_SECONDS = 1609459200; // 2021-01-01

export function buildWorld(seed: number, inboxSpecs: InboxSpec[]): World {
  const rng = new Rng(seed).fork('world');
  const ids = new IdFactory(seed);
  const teammates = TEAMMATE_PEOPLE.map((person, index) =>
    teammate(ids.next('tea'), person.first, person.last, person.username, 'user', index === 0),
  );
  const bots = BOT_PEOPLE.map((bot) =>
    teammate(ids.next('tea'), bot.first, bot.last, bot.username, bot.type, false),
  );
  const inboxes = buildInboxes(rng, ids, inboxSpecs, teammates);
  const tags = TAG_NAMES.map((name) => tag(ids.next('tag'), name, rng));
  return {
    seed,
    ids,
    teammates,
    bots,
    inboxes,
    tags,
    exportedAt: new Date((EXPORT_TIME_SECONDS + (seed % 600) * 60) * 1000),
    contact: (pick) => contactAt(seed, pick.int(0, CONTACT_POOL_SIZE - 1)),
  };
}

function teammate(
  id: string,
  first: string,
  last: string,
  username: string,
  type: string,
  isAdmin: boolean,
): FrontTeammate {
  return {
    _links: {
      self: `${API_BASE}/teammates/${id}`,
      related: {
        inboxes: `${API_BASE}/teammates/${id}/inboxes`,
        conversations: `${API_BASE}/teammates/${id}/conversations`,
      },
    },
    id,
    email: `${username}@${COMPANY.domain}`,
    username,
    first_name: first,
    last_name: last,
    is_admin: isAdmin,
    is_available: true,
    is_blocked: false,
    type,
    custom_fields: {},
  };
}

function buildInboxes(
  rng: Rng,
  ids: IdFactory,
  specs: InboxSpec[],
  teammates: FrontTeammate[],
): WorldInbox[] {
  let emailInboxesSeen = 0;
  return specs.map((spec) => {
    const inboxId = ids.next('inb');
    // An inbox named like a teammate is that teammate's private (individual) inbox.
    const owner = teammates.find((t) => `${t.first_name} ${t.last_name}` === spec.name) ?? null;
    const primaryKind = kindOfChannel(spec.channelType);
    const address = primaryKind === 'email' ? inboxEmailAddress(spec.name) : phoneNumber(rng);
    // Front inboxes can hold several channels; the first two email inboxes get a second one so
    // WhatsApp and call-app (custom) messages exist, and the parser meets multi-channel inboxes.
    let secondaryKind: MessageChannelKind | null = null;
    if (primaryKind === 'email' && !owner) {
      secondaryKind = emailInboxesSeen === 0 ? 'whatsapp' : emailInboxesSeen === 1 ? 'custom' : null;
      emailInboxesSeen++;
    }
    if (primaryKind === 'sms') secondaryKind = 'whatsapp';
    const inbox: FrontInbox = {
      _links: {
        self: `${API_BASE}/inboxes/${inboxId}`,
        related: {
          teammates: `${API_BASE}/inboxes/${inboxId}/teammates`,
          conversations: `${API_BASE}/inboxes/${inboxId}/conversations`,
          channels: `${API_BASE}/inboxes/${inboxId}/channels`,
          owner: owner ? `${API_BASE}/teammates/${owner.id}` : `${API_BASE}/teams/tim_${inboxId.slice(4)}`,
        },
      },
      id: inboxId,
      name: spec.name,
      is_private: owner !== null,
      is_public: owner === null,
      custom_fields: {},
    };
    const channels = [
      channel(ids.next('cha'), inboxId, spec.name, spec.channelType, address, owner !== null),
    ];
    if (secondaryKind === 'whatsapp') {
      channels.push(
        channel(
          ids.next('cha'),
          inboxId,
          `${spec.name} WhatsApp`,
          'twilio_whatsapp',
          phoneNumber(rng),
          false,
        ),
      );
    } else if (secondaryKind === 'custom') {
      channels.push(
        channel(ids.next('cha'), inboxId, `${spec.name} Aircall`, 'custom', phoneNumber(rng), false),
      );
    }
    return {
      spec,
      folder: spec.name.replace(/\//g, '_'),
      inbox,
      channels,
      address,
      primaryKind,
      secondaryKind,
      members: owner ? [owner] : rng.sample(teammates, rng.int(3, teammates.length)),
      preferFrench: /é|ç|à|è/i.test(spec.name),
      weight: DEFAULT_INBOX_WEIGHTS[spec.name] ?? 15,
    };
  });
}

function kindOfChannel(type: ChannelType): MessageChannelKind {
  if (type === 'twilio') return 'sms';
  if (type === 'custom') return 'custom';
  return 'email';
}

function inboxEmailAddress(name: string): string {
  const local = asciiLocalPart(name.trim().replace(/\s+/g, '.')).replace(/^\.+|\.+$/g, '');
  return `${local || 'inbox'}@${COMPANY.domain}`;
}

function channel(
  id: string,
  inboxId: string,
  name: string,
  type: string,
  address: string,
  isPrivate: boolean,
): FrontChannel {
  return {
    _links: {
      self: `${API_BASE}/channels/${id}`,
      related: { inbox: `${API_BASE}/inboxes/${inboxId}`, owner: `${API_BASE}/inboxes/${inboxId}` },
    },
    id,
    name,
    address,
    type,
    send_as: address,
    settings: { undo_send_time: 15, all_teammates_can_reply: !isPrivate },
    is_private: isPrivate,
    is_valid: true,
  };
}

function tag(id: string, name: string, rng: Rng): FrontTag {
  const createdAt = ACCOUNT_CREATED_SECONDS + rng.int(0, 86400 * 200);
  return {
    _links: {
      self: `${API_BASE}/tags/${id}`,
      related: {
        conversations: `${API_BASE}/tags/${id}/conversations`,
        owner: `${API_BASE}/teams/tim_acme`,
        children: `${API_BASE}/tags/${id}/children`,
      },
    },
    id,
    name,
    description: null,
    highlight: rng.pick([null, 'red', 'blue', 'green', 'orange']),
    is_private: false,
    is_visible_in_conversation_lists: true,
    created_at: createdAt,
    updated_at: createdAt,
  };
}

/** Returning customers: contact k is the same person in every conversation that draws it. */
function contactAt(seed: number, index: number): Contact {
  const rng = new Rng(hashLabel(seed, `contact:${index}`));
  const person = customerName(rng);
  const domain = customerDomain(rng);
  return {
    // mix32 is bijective, so distinct indexes never share an ID.
    id: `crd_${mix32(hashLabel(seed, 'crd') + index).toString(36)}`,
    name: rng.chance(0.1) ? null : person.display,
    email: `${person.emailLocal}${rng.chance(0.3) ? rng.int(1, 99) : ''}@${domain}`,
    phone: phoneNumber(rng),
    business: businessName(rng),
  };
}

export const TIMELINE = {
  firstConversationSeconds: ACCOUNT_CREATED_SECONDS + 86400 * 59, // 2021-03-01
  /** Leaves room for a thread's later replies before the export time. */
  lastConversationSeconds: EXPORT_TIME_SECONDS - 86400 * 60,
};
