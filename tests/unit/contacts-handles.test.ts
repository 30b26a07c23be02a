import { describe, expect, it } from 'vitest';
import {
  isRedacted,
  normalizeEmail,
  normalizeHandle,
  normalizePhone,
} from '../../src/domain/contacts/index.ts';

describe('email normalisation', () => {
  it('lowercases and trims, and unwraps mailto: and Name <address>', () => {
    expect(normalizeEmail('  Jane.Doe@Example.COM ')).toBe('jane.doe@example.com');
    expect(normalizeEmail('mailto:JANE@example.com')).toBe('jane@example.com');
    expect(normalizeEmail('"Jane Doe" <Jane@Example.com>')).toBe('jane@example.com');
    expect(normalizeEmail('jane@example.com.')).toBe('jane@example.com');
  });

  it('refuses what is not an address', () => {
    for (const text of [
      'jane',
      '@jane',
      'jane@localhost',
      '+15551234567',
      'a b@example.com',
      '[REDACTED]',
      '',
    ]) {
      expect(normalizeEmail(text)).toBeNull();
    }
  });
});

describe('phone normalisation', () => {
  it('writes the same number the same way whatever the format', () => {
    const same = [
      '+1 (555) 123-4567',
      '+1.555.123.4567',
      '+15551234567',
      '001 555 123 4567',
      'tel:+1-555-123-4567',
    ];
    for (const text of same) expect(normalizePhone(text)).toBe('+15551234567');
    expect(normalizePhone('+44 (0)20 7946 0000')).toBe('+442079460000');
    expect(normalizePhone('+1 555 123 4567 ext. 89')).toBe('+15551234567');
    expect(normalizePhone('＋１ ５５５ １２３ ４５６７')).toBe('+15551234567');
  });

  it('adds the default country code to national numbers, and keeps national digits without one', () => {
    expect(normalizePhone('(555) 123-4567', { defaultCountryCode: '1' })).toBe('+15551234567');
    expect(normalizePhone('1-555-123-4567', { defaultCountryCode: '1' })).toBe('+15551234567');
    expect(normalizePhone('020 7946 0000', { defaultCountryCode: '44' })).toBe('+442079460000');
    expect(normalizePhone('(555) 123-4567')).toBe('5551234567');
  });

  it('refuses what is not a phone number', () => {
    for (const text of ['12345', '+1234567890123456', 'call me', '555-CALL-NOW', '1+2', '[REDACTED]', '']) {
      expect(normalizePhone(text)).toBeNull();
    }
  });
});

describe('handles', () => {
  it('recognises redacted handles', () => {
    expect(isRedacted('[REDACTED]')).toBe(true);
    expect(isRedacted('@[redacted]')).toBe(true);
    expect(isRedacted('jane@example.com')).toBe(false);
  });

  it('tries email before phone and only the kinds asked for', () => {
    expect(normalizeHandle('Jane@Example.com', ['email', 'phone'])).toBe('email:jane@example.com');
    expect(normalizeHandle('+1 555 123 4567', ['email', 'phone'])).toBe('phone:+15551234567');
    expect(normalizeHandle('+1 555 123 4567', ['email'])).toBeNull();
  });
});
