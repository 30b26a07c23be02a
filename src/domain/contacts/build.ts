/**
 * Builds the customer's contact list from Front contact objects and message recipients.
 *
 * Same email or same phone = same person. Only Front contact objects tie several handles together
 * (a recipient is one handle), so the builder keeps per-handle statistics while messages stream
 * by (millions of messages, but only as many entries as distinct handles) and joins handles with
 * a union-find at build time, once the team's own handles are all known: an own address must
 * never glue two customers together.
 */
import type { Contact, Message, Recipient, Teammate } from '../model.ts';
import {
  normalizeHandle,
  parseHandleId,
  type HandleId,
  type HandleKind,
  type PhoneOptions,
} from './handles.ts';
import { cleanDisplayName, isRealName, splitPersonName } from './names.ts';

/** One person of the customer's, ready for the contacts CSV or Missive. */
export interface CustomerContact {
  /** Stable identity (see contactKey); also the report item's frontId for kind `contact`. */
  key: string;
  /** Best real name found, or null when only handles are known. */
  name: string | null;
  firstName: string;
  lastName: string;
  /** Normalised, most used first. */
  emails: string[];
  /** Normalised (E.164 when the country is known), most used first. */
  phones: string[];
  /** The Front contact objects (`crd_…`) merged into this person. */
  frontContactIds: string[];
}

export interface ContactListOptions extends PhoneOptions {
  /** The team's own addresses and numbers (teammates' emails, inbox addresses, SMS numbers). */
  ownHandles?: Iterable<string>;
}

interface HandleStats {
  firstSeen: number;
  seen: number;
  inFrontContact: boolean;
  /** Real names seen with this handle on recipients, with how often. */
  recipientNames: Map<string, NameTally>;
}

interface NameTally {
  count: number;
  firstSeen: number;
}

interface FrontContactEntry {
  id: string;
  name: string | null;
  handles: HandleId[];
}

const BOTH_KINDS: readonly HandleKind[] = ['email', 'phone'];
const EMAIL_ONLY: readonly HandleKind[] = ['email'];
/** Front message types whose handles are phone numbers. */
const PHONE_MESSAGE_TYPES = new Set(['sms', 'whatsapp', 'yalo_wha', 'call', 'phone-call']);

export class ContactListBuilder {
  private readonly handles = new Map<HandleId, HandleStats>();
  private readonly frontContacts: FrontContactEntry[] = [];
  private readonly ownHandles = new Set<HandleId>();
  private sequence = 0;

  constructor(private readonly options: ContactListOptions = {}) {
    for (const handle of options.ownHandles ?? []) this.addOwnHandle(handle);
  }

  /** A handle of the team's (never a customer), as an email or a phone number. */
  addOwnHandle(handle: string): void {
    const id = normalizeHandle(handle, BOTH_KINDS, this.options);
    if (id !== null) this.ownHandles.add(id);
  }

  addTeammate(teammate: Pick<Teammate, 'email'>): void {
    if (teammate.email) this.addOwnHandle(teammate.email);
  }

  addFrontContact(contact: Contact): void {
    const handles: HandleId[] = [];
    for (const { handle, source } of contact.handles) {
      // A numeric Twitter or Facebook ID must not pass for a phone number.
      const id = normalizeHandle(handle, source === 'phone' ? BOTH_KINDS : EMAIL_ONLY, this.options);
      if (id === null || handles.includes(id)) continue;
      handles.push(id);
      this.stats(id).inFrontContact = true;
    }
    if (handles.length > 0) {
      this.frontContacts.push({ id: contact.id, name: cleanDisplayName(contact.name), handles });
    }
  }

  /** One recipient; `accept` says which handle kinds the channel uses. */
  addRecipient(
    recipient: Pick<Recipient, 'handle' | 'name'>,
    accept: readonly HandleKind[] = BOTH_KINDS,
  ): void {
    const id = normalizeHandle(recipient.handle, accept, this.options);
    if (id === null) return;
    const stats = this.stats(id);
    const name = cleanDisplayName(recipient.name);
    if (name === null || !isRealName(name, [parseHandleId(id).value])) return;
    const tally = stats.recipientNames.get(name);
    if (tally) tally.count += 1;
    else stats.recipientNames.set(name, { count: 1, firstSeen: this.sequence++ });
  }

  /**
   * All recipients of a message. The sender of an outbound message is the team's own channel,
   * so it is recorded as an own handle rather than a customer.
   */
  addMessage(message: Pick<Message, 'kind' | 'frontType' | 'isInbound' | 'recipients'>): void {
    const accept =
      message.kind === 'sms' || PHONE_MESSAGE_TYPES.has(message.frontType) ? BOTH_KINDS : EMAIL_ONLY;
    for (const recipient of message.recipients) {
      if (!message.isInbound && recipient.role === 'from') {
        const id = normalizeHandle(recipient.handle, accept, this.options);
        if (id !== null) this.ownHandles.add(id);
        continue;
      }
      this.addRecipient(recipient, accept);
    }
  }

  /** The deduplicated list, sorted by key. The builder can keep receiving data afterwards. */
  build(): CustomerContact[] {
    const groups = this.groupHandles();
    const contactsByRoot = new Map<HandleId, FrontContactEntry[]>();
    for (const entry of this.frontContacts) {
      const handle = entry.handles.find((id) => !this.ownHandles.has(id));
      if (handle === undefined) continue;
      const root = groups.rootOf(handle);
      const list = contactsByRoot.get(root) ?? [];
      list.push(entry);
      contactsByRoot.set(root, list);
    }
    const people: CustomerContact[] = [];
    for (const [root, members] of groups.members()) {
      people.push(this.person(members, contactsByRoot.get(root) ?? []));
    }
    return people.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  private stats(id: HandleId): HandleStats {
    let stats = this.handles.get(id);
    if (!stats) {
      stats = { firstSeen: this.sequence++, seen: 0, inFrontContact: false, recipientNames: new Map() };
      this.handles.set(id, stats);
    }
    stats.seen += 1;
    return stats;
  }

  private groupHandles(): UnionFind {
    const groups = new UnionFind();
    for (const id of this.handles.keys()) {
      if (!this.ownHandles.has(id)) groups.add(id);
    }
    for (const entry of this.frontContacts) {
      const customerHandles = entry.handles.filter((id) => !this.ownHandles.has(id));
      for (let i = 1; i < customerHandles.length; i += 1) {
        groups.union(customerHandles[0] as HandleId, customerHandles[i] as HandleId);
      }
    }
    return groups;
  }

  private person(members: HandleId[], frontContacts: FrontContactEntry[]): CustomerContact {
    const ordered = [...members].sort((a, b) => this.compareHandleUse(a, b));
    const emails: string[] = [];
    const phones: string[] = [];
    for (const id of ordered) {
      const { kind, value } = parseHandleId(id);
      (kind === 'email' ? emails : phones).push(value);
    }
    const name = this.bestName(members, frontContacts, [...emails, ...phones]);
    const { firstName, lastName } = name === null ? { firstName: '', lastName: '' } : splitPersonName(name);
    return {
      key: contactKey({ emails, phones }),
      name,
      firstName,
      lastName,
      emails,
      phones,
      frontContactIds: [...new Set(frontContacts.map((entry) => entry.id))],
    };
  }

  /** Front contact objects name people deliberately; else the name recipients carried most often. */
  private bestName(
    members: HandleId[],
    frontContacts: FrontContactEntry[],
    handles: string[],
  ): string | null {
    for (const entry of frontContacts) {
      if (entry.name !== null && isRealName(entry.name, handles)) return entry.name;
    }
    const tallies = new Map<string, NameTally>();
    for (const id of members) {
      for (const [name, tally] of this.handles.get(id)?.recipientNames ?? []) {
        const total = tallies.get(name);
        if (total) total.count += tally.count;
        else tallies.set(name, { ...tally });
      }
    }
    let best: [string, NameTally] | null = null;
    for (const candidate of tallies) {
      if (!isRealName(candidate[0], handles)) continue;
      if (
        best === null ||
        candidate[1].count > best[1].count ||
        (candidate[1].count === best[1].count && candidate[1].firstSeen < best[1].firstSeen)
      ) {
        best = candidate;
      }
    }
    return best === null ? null : best[0];
  }

  /** Handles from Front contacts first, then the most used, then the first seen. */
  private compareHandleUse(a: HandleId, b: HandleId): number {
    const x = this.handles.get(a);
    const y = this.handles.get(b);
    if (!x || !y) return 0;
    return (
      Number(y.inFrontContact) - Number(x.inFrontContact) || y.seen - x.seen || x.firstSeen - y.firstSeen
    );
  }
}

/** Convenience for lists already in memory; streams should feed a ContactListBuilder directly. */
export function buildContactList(
  input: {
    contacts?: Iterable<Contact>;
    messages?: Iterable<Pick<Message, 'kind' | 'frontType' | 'isInbound' | 'recipients'>>;
    teammates?: Iterable<Pick<Teammate, 'email'>>;
  },
  options: ContactListOptions = {},
): CustomerContact[] {
  const builder = new ContactListBuilder(options);
  for (const teammate of input.teammates ?? []) builder.addTeammate(teammate);
  for (const contact of input.contacts ?? []) builder.addFrontContact(contact);
  for (const message of input.messages ?? []) builder.addMessage(message);
  return builder.build();
}

/**
 * A person's stable identity: the smallest email, else the smallest phone, so it does not depend
 * on the order the export was read in.
 */
export function contactKey(contact: Pick<CustomerContact, 'emails' | 'phones'>): string {
  const email = smallest(contact.emails);
  if (email !== undefined) return `email:${email}`;
  const phone = smallest(contact.phones);
  if (phone !== undefined) return `phone:${phone}`;
  throw new Error('A contact needs at least one email address or phone number');
}

function smallest(values: readonly string[]): string | undefined {
  let min: string | undefined;
  for (const value of values) if (min === undefined || value < min) min = value;
  return min;
}

/** Disjoint sets of handles, with path compression. */
class UnionFind {
  private readonly parent = new Map<HandleId, HandleId>();

  add(id: HandleId): void {
    if (!this.parent.has(id)) this.parent.set(id, id);
  }

  rootOf(id: HandleId): HandleId {
    let root = id;
    for (
      let next = this.parent.get(root);
      next !== undefined && next !== root;
      next = this.parent.get(root)
    ) {
      root = next;
    }
    for (let node = id; node !== root;) {
      const next = this.parent.get(node) as HandleId;
      this.parent.set(node, root);
      node = next;
    }
    return root;
  }

  union(a: HandleId, b: HandleId): void {
    const rootA = this.rootOf(a);
    const rootB = this.rootOf(b);
    if (rootA !== rootB) this.parent.set(rootB, rootA);
  }

  members(): Map<HandleId, HandleId[]> {
    const byRoot = new Map<HandleId, HandleId[]>();
    for (const id of this.parent.keys()) {
      const root = this.rootOf(id);
      const list = byRoot.get(root) ?? [];
      list.push(id);
      byRoot.set(root, list);
    }
    return byRoot;
  }
}
