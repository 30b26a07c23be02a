import { describe, expect, it } from 'vitest';
import {
  CONTACTS_CSV_LAYOUT,
  contactsCsvChunks,
  contactsCsvColumns,
  type CustomerContact,
} from '../../src/domain/contacts/index.ts';

function person(overrides: Partial<CustomerContact>): CustomerContact {
  return {
    key: 'email:a@example.com',
    name: 'A',
    firstName: 'A',
    lastName: '',
    emails: ['a@example.com'],
    phones: [],
    frontContactIds: [],
    ...overrides,
  };
}

async function csv(contacts: CustomerContact[], options = {}): Promise<string[]> {
  let text = '';
  for await (const chunk of contactsCsvChunks(contacts, options)) text += chunk;
  expect(text.endsWith('\r\n')).toBe(true);
  return text.slice(0, -2).split('\r\n');
}

describe('contacts CSV', () => {
  it('uses the Google Contacts layout with as many email and phone columns as needed', async () => {
    expect(CONTACTS_CSV_LAYOUT).toBe('Google Contacts CSV');
    const lines = await csv([
      person({
        firstName: 'Jane',
        lastName: 'Doe',
        emails: ['jane@example.com', 'jd@work.example'],
        phones: ['+15551234567'],
      }),
      person({ firstName: 'Kim', lastName: '', emails: [], phones: ['+15552223333'] }),
    ]);
    expect(lines[0]).toBe(
      'First Name,Last Name,Notes,E-mail 1 - Label,E-mail 1 - Value,E-mail 2 - Label,E-mail 2 - Value,Phone 1 - Label,Phone 1 - Value',
    );
    expect(lines[0]).toBe(contactsCsvColumns(2, 1).join(','));
    expect(lines[1]).toBe(
      'Jane,Doe,Imported from Front,Other,jane@example.com,Other,jd@work.example,Mobile,+15551234567',
    );
    expect(lines[2]).toBe('Kim,,Imported from Front,,,,,Mobile,+15552223333');
  });

  it('keeps at least one email and one phone column, and puts overflow values in the last cell', async () => {
    expect((await csv([person({})]))[0]).toBe(
      'First Name,Last Name,Notes,E-mail 1 - Label,E-mail 1 - Value,Phone 1 - Label,Phone 1 - Value',
    );
    const lines = await csv([person({ emails: ['a@x.com', 'b@x.com', 'c@x.com'] })], { maxValueColumns: 2 });
    expect(lines[1]).toBe('A,,Imported from Front,Other,a@x.com,Other,b@x.com ::: c@x.com,,');
  });

  it('quotes and protects names, but leaves E.164 phone numbers intact', async () => {
    const lines = await csv([
      person({ firstName: '=HYPERLINK("http://evil")', lastName: 'Doe, Jr.', phones: ['+15551234567'] }),
      person({ firstName: '@admin', lastName: '-x', emails: ['b@example.com'] }),
    ]);
    expect(lines[1]).toBe(
      `"'=HYPERLINK(""http://evil"")","Doe, Jr.",Imported from Front,Other,a@example.com,Mobile,+15551234567`,
    );
    expect(lines[2]).toBe("'@admin,'-x,Imported from Front,Other,b@example.com,,");
  });

  it('never prefixes a phone or an email cell, even when more than five values share the last one', async () => {
    const phones = ['+15551000001', '+15551000002', '+15551000003', '+15551000004', '+15551000005'];
    const emails = ['+sales@example.com', '-ops@example.com', '=x@example.com'];
    const lines = await csv([
      person({ emails, phones: [...phones, '+1 (555) 100-0006', '+44 20 7946 0958 ext. 12'] }),
    ]);
    const cells = lines[1]!.split(',');
    expect(cells.at(-1)).toBe('+15551000005 ::: +1 (555) 100-0006 ::: +44 20 7946 0958 ext. 12');
    expect(cells.slice(4, 9).filter((_, i) => i % 2 === 0)).toEqual(emails);
    expect(lines[1]).not.toContain("'");
  });

  it('still protects a formula hidden in a phone or email column', async () => {
    const lines = await csv([
      person({ emails: ['=HYPERLINK("http://evil")@x.com'], phones: ['+15551000001 ::: +cmd|calc'] }),
    ]);
    expect(lines[1]).toContain(`"'=HYPERLINK(""http://evil"")@x.com"`);
    expect(lines[1]).toContain("'+15551000001 ::: +cmd|calc");
  });
});
