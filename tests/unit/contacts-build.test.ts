import { describe, expect, it } from 'vitest';
import type { Contact, Message, Recipient } from '../../src/domain/model.ts';
import { ContactListBuilder, buildContactList, contactKey } from '../../src/domain/contacts/index.ts';

type MessageRecipients = Pick<Message, 'kind' | 'frontType' | 'isInbound' | 'recipients'>;

function recipient(handle: string, name: string | null, role: Recipient['role'] = 'to'): Recipient {
  return { handle, name, role };
}

function inboundEmail(from: Recipient, to: Recipient[] = [recipient('support@team.example', 'Support')]) {
  const message: MessageRecipients = {
    kind: 'email',
    frontType: 'email',
    isInbound: true,
    recipients: [{ ...from, role: 'from' }, ...to],
  };
  return message;
}

function sms(customer: string, isInbound: boolean, team = '+1 800 555 0100'): MessageRecipients {
  return {
    kind: 'sms',
    frontType: 'sms',
    isInbound,
    recipients: isInbound
      ? [recipient(customer, null, 'from'), recipient(team, null, 'to')]
      : [recipient(team, null, 'from'), recipient(customer, null, 'to')],
  };
}

const CONTACTS: Contact[] = [
  {
    id: 'crd_jane',
    name: 'Jane Doe',
    handles: [
      { handle: 'Jane.Doe@Example.com', source: 'email' },
      { handle: '+1 (555) 123-4567', source: 'phone' },
      { handle: '@janedoe', source: 'twitter' },
    ],
  },
  { id: 'crd_bob', name: 'bob@example.org', handles: [{ handle: 'bob@example.org', source: 'email' }] },
  { id: 'crd_tweet', name: '[REDACTED]', handles: [{ handle: '[REDACTED]', source: 'twitter' }] },
  { id: 'crd_fb', name: 'Some Page', handles: [{ handle: '100004567891234', source: 'facebook' }] },
];

describe('contact list', () => {
  it('merges the same email in different case and the same phone in different formats', () => {
    const people = buildContactList({
      contacts: CONTACTS,
      messages: [
        inboundEmail(recipient('jane.doe@example.com', 'Jane D.')),
        inboundEmail(recipient('JANE.DOE@EXAMPLE.COM ', null)),
        sms('+15551234567', true),
        sms('+1.555.123.4567', false),
      ],
    });
    const jane = people.filter((person) => person.emails.includes('jane.doe@example.com'));
    expect(jane).toHaveLength(1);
    expect(jane[0]).toEqual({
      key: 'email:jane.doe@example.com',
      name: 'Jane Doe',
      firstName: 'Jane',
      lastName: 'Doe',
      emails: ['jane.doe@example.com'],
      phones: ['+15551234567'],
      frontContactIds: ['crd_jane'],
    });
  });

  it('joins handles through Front contacts transitively (union-find)', () => {
    const people = buildContactList({
      contacts: [
        {
          id: 'crd_1',
          name: null,
          handles: [
            { handle: 'a@x.com', source: 'email' },
            { handle: '+15550000001', source: 'phone' },
          ],
        },
        {
          id: 'crd_2',
          name: 'Ann Lee',
          handles: [
            { handle: '+1 555 000 0001', source: 'phone' },
            { handle: 'ann@y.com', source: 'email' },
          ],
        },
        {
          id: 'crd_3',
          name: null,
          handles: [
            { handle: 'ANN@Y.COM', source: 'email' },
            { handle: 'lee@z.com', source: 'email' },
          ],
        },
      ],
    });
    expect(people).toHaveLength(1);
    expect(people[0]?.emails.sort()).toEqual(['a@x.com', 'ann@y.com', 'lee@z.com']);
    expect(people[0]?.phones).toEqual(['+15550000001']);
    expect(people[0]?.frontContactIds.sort()).toEqual(['crd_1', 'crd_2', 'crd_3']);
    expect(people[0]?.name).toBe('Ann Lee');
  });

  it('does not merge different people who share only a name', () => {
    const people = buildContactList({
      messages: [
        inboundEmail(recipient('john@a.com', 'John Smith')),
        inboundEmail(recipient('john@b.com', 'John Smith')),
      ],
      teammates: [{ email: 'support@team.example' }],
    });
    expect(people.map((person) => person.key)).toEqual(['email:john@a.com', 'email:john@b.com']);
  });

  it('prefers a real name over a handle, and the most frequent recipient name', () => {
    const people = buildContactList({
      contacts: CONTACTS,
      messages: [
        inboundEmail(recipient('bob@example.org', 'bob@example.org')),
        inboundEmail(recipient('bob@example.org', 'Robert Brown')),
        inboundEmail(recipient('bob@example.org', 'Bob Brown')),
        inboundEmail(recipient('bob@example.org', 'Bob Brown')),
        inboundEmail(recipient('nameless@example.org', 'nameless')),
      ],
      teammates: [{ email: 'support@team.example' }],
    });
    const bob = people.find((person) => person.key === 'email:bob@example.org');
    expect(bob).toMatchObject({ name: 'Bob Brown', firstName: 'Bob', lastName: 'Brown' });
    const nameless = people.find((person) => person.key === 'email:nameless@example.org');
    expect(nameless).toMatchObject({ name: null, firstName: '', lastName: '' });
  });

  it("excludes the team's own addresses, numbers and outbound senders, and [REDACTED] handles", () => {
    const builder = new ContactListBuilder({ ownHandles: ['Support@Team.example', '+1 800 555 0100'] });
    for (const contact of CONTACTS) builder.addFrontContact(contact);
    builder.addTeammate({ email: 'agent@team.example' });
    builder.addMessage(
      inboundEmail(recipient('carol@c.com', 'Carol'), [
        recipient('support@team.example', 'Support'),
        recipient('agent@team.example', 'Agent', 'cc'),
      ]),
    );
    builder.addMessage({
      kind: 'email',
      frontType: 'email',
      isInbound: false,
      recipients: [recipient('sales@team.example', 'Sales', 'from'), recipient('dave@d.com', 'Dave', 'to')],
    });
    builder.addMessage({
      kind: 'other_message',
      frontType: 'tweet',
      isInbound: true,
      recipients: [recipient('[REDACTED]', '[REDACTED]', 'from')],
    });
    builder.addMessage(sms('+15557654321', true));

    const keys = builder.build().map((person) => person.key);
    expect(keys).toEqual([
      'email:bob@example.org',
      'email:carol@c.com',
      'email:dave@d.com',
      'email:jane.doe@example.com',
      'phone:+15557654321',
    ]);
  });

  it('never lets an own address glue two customers together', () => {
    const people = buildContactList(
      {
        contacts: [
          {
            id: 'crd_1',
            name: 'Eve',
            handles: [
              { handle: 'eve@e.com', source: 'email' },
              { handle: 'support@team.example', source: 'email' },
            ],
          },
          {
            id: 'crd_2',
            name: 'Frank',
            handles: [
              { handle: 'support@team.example', source: 'email' },
              { handle: 'frank@f.com', source: 'email' },
            ],
          },
        ],
      },
      { ownHandles: ['support@team.example'] },
    );
    expect(people.map((person) => person.name)).toEqual(['Eve', 'Frank']);
  });

  it('reads phone numbers only where the channel uses them', () => {
    const people = buildContactList({
      contacts: CONTACTS,
      messages: [
        // A numeric handle on an email or Facebook message is not a phone number.
        {
          kind: 'email',
          frontType: 'email',
          isInbound: true,
          recipients: [recipient('5551112222', 'Gus', 'from')],
        },
        {
          kind: 'other_message',
          frontType: 'whatsapp',
          isInbound: true,
          recipients: [recipient('+44 7700 900123', 'Hal', 'from')],
        },
      ],
    });
    expect(people.some((person) => person.phones.includes('+15551112222'))).toBe(false);
    expect(people.some((person) => person.phones.includes('100004567891234'))).toBe(false);
    expect(people.find((person) => person.key === 'phone:+447700900123')?.name).toBe('Hal');
  });

  it('gives the same keys and order whatever order the export is read in', () => {
    const messages = [
      inboundEmail(recipient('x@x.com', 'X')),
      sms('+15550001111', true),
      inboundEmail(recipient('y@y.com', 'Y')),
    ];
    const forward = buildContactList({ contacts: CONTACTS, messages });
    const backward = buildContactList({
      contacts: [...CONTACTS].reverse(),
      messages: [...messages].reverse(),
    });
    expect(backward.map((person) => person.key)).toEqual(forward.map((person) => person.key));
  });

  it('keys a person by the smallest email, else the smallest phone', () => {
    expect(contactKey({ emails: ['z@z.com', 'a@a.com'], phones: ['+1'] })).toBe('email:a@a.com');
    expect(contactKey({ emails: [], phones: ['+3', '+2'] })).toBe('phone:+2');
    expect(() => contactKey({ emails: [], phones: [] })).toThrow();
  });
});
