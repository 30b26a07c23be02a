import { describe, expect, it } from 'vitest';
import { cleanDisplayName, isRealName, splitPersonName } from '../../src/domain/contacts/index.ts';

function split(name: string): [string, string] {
  const { firstName, lastName } = splitPersonName(name);
  return [firstName, lastName];
}

describe('name splitting', () => {
  it('splits the common western forms', () => {
    expect(split('Jane Doe')).toEqual(['Jane', 'Doe']);
    expect(split('Mary Ann Smith')).toEqual(['Mary Ann', 'Smith']);
    expect(split('  Jane   Doe ')).toEqual(['Jane', 'Doe']);
    expect(split('Doe, Jane')).toEqual(['Jane', 'Doe']);
    expect(split('Cher')).toEqual(['Cher', '']);
    expect(split('')).toEqual(['', '']);
  });

  it('keeps family-name particles and suffixes with the last name', () => {
    expect(split('Ludwig van Beethoven')).toEqual(['Ludwig', 'van Beethoven']);
    expect(split('Juan Carlos de la Cruz')).toEqual(['Juan Carlos', 'de la Cruz']);
    expect(split('Vincent Van Gogh')).toEqual(['Vincent', 'Van Gogh']);
    expect(split('Van Morrison')).toEqual(['Van', 'Morrison']);
    expect(split('Martin Luther King Jr.')).toEqual(['Martin Luther', 'King Jr.']);
    expect(split('Martin Luther King, Jr.')).toEqual(['Martin Luther', 'King Jr.']);
    expect(split('King, Martin Luther, Jr.')).toEqual(['Martin Luther', 'King Jr.']);
  });

  it('handles non-Latin scripts and accents', () => {
    expect(split('Zoë Ångström')).toEqual(['Zoë', 'Ångström']);
    expect(split('Ζωή Παπαδοπούλου')).toEqual(['Ζωή', 'Παπαδοπούλου']);
    expect(split('Анна Каренина')).toEqual(['Анна', 'Каренина']);
    expect(split('山田 太郎')).toEqual(['太郎', '山田']); // family name first
    expect(split('山田\u3000太郎')).toEqual(['太郎', '山田']); // ideographic space
    expect(split('김민준')).toEqual(['김민준', '']);
    expect(split('Zoe\u0308 Doe')).toEqual(['Zoë', 'Doe']); // combining diaeresis → NFC
  });

  it('keeps a company name whole', () => {
    expect(split('Acme Widgets Inc.')).toEqual(['Acme Widgets Inc.', '']);
    expect(split('Spotify AB')).toEqual(['Spotify AB', '']);
  });

  it('cleans quotes and a trailing address', () => {
    expect(cleanDisplayName('"Jane Doe" <jane@example.com>')).toBe('Jane Doe');
    expect(cleanDisplayName('“Jane Doe”')).toBe('Jane Doe');
    expect(cleanDisplayName('  ')).toBeNull();
    expect(split("'Jane Doe' <jane@example.com>")).toEqual(['Jane', 'Doe']);
  });
});

describe('real names', () => {
  it('tells a name from a handle', () => {
    expect(isRealName('Jane Doe')).toBe(true);
    expect(isRealName('jane@example.com')).toBe(false);
    expect(isRealName('+1 555 123 4567')).toBe(false);
    expect(isRealName('[REDACTED]')).toBe(false);
    expect(isRealName('12345')).toBe(false);
    expect(isRealName('jdoe', ['jdoe@example.com'])).toBe(false);
    expect(isRealName('John', ['john@example.com'])).toBe(true);
  });
});
