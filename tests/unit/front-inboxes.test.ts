import { describe, expect, it } from 'vitest';
import {
  channelTypesByInbox,
  conversationInboxKeysFromPath,
  folderNameFromKey,
  inboxKeysFromPath,
  matchInboxFolders,
} from '../../src/domain/front/index.ts';
import type { FrontChannel } from '../../src/domain/front/index.ts';
import type { Inbox } from '../../src/domain/model.ts';

function inbox(frontId: string, name: string): Inbox {
  return { key: frontId, frontId, name, channelType: null, smtpForwarding: false };
}
function channel(id: string, type: string, inboxFrontId: string | null): FrontChannel {
  return { id, type, inboxFrontId, name: id };
}

const support = inbox('inb_1', 'Support');
const smsLine = inbox('inb_2', 'SMS Line');
const jane = inbox('inb_3', 'Jane Doe');

describe('channelTypesByInbox', () => {
  it('lists the channel types of every inbox, sorted and unique', () => {
    const types = channelTypesByInbox(
      [
        channel('cha_1', 'smtp', 'inb_1'),
        channel('cha_2', 'twilio', 'inb_2'),
        channel('cha_3', 'gmail', 'inb_1'),
        channel('cha_4', 'smtp', 'inb_1'),
        channel('cha_5', 'twilio', 'inb_9'),
        channel('cha_6', 'imap', null),
      ],
      [support, smsLine, jane],
    );
    expect([...types]).toEqual([
      ['inb_1', ['gmail', 'smtp']],
      ['inb_2', ['twilio']],
      ['inb_3', []],
      ['inb_9', ['twilio']],
    ]);
  });
});

describe('matchInboxFolders', () => {
  it('matches folder names to inboxes exactly, then with spaces replaced by underscores', () => {
    const matches = matchInboxFolders(
      ['Support', 'SMS_Line', 'jane doe', 'search', 'Other'],
      [support, smsLine, jane],
    );
    expect([...matches].map(([folder, match]) => [folder, match.frontId])).toEqual([
      ['Support', 'inb_1'],
      ['SMS_Line', 'inb_2'],
      ['jane doe', 'inb_3'],
    ]);
  });

  it('leaves ambiguous names unmatched', () => {
    const matches = matchInboxFolders(['Sales_EU'], [inbox('inb_4', 'Sales EU'), inbox('inb_5', 'Sales/EU')]);
    expect(matches.size).toBe(0);
  });
});

describe('inbox keys from paths', () => {
  it('takes the folder enclosing the cnv_ folder for messages, comments and conversations', () => {
    expect(inboxKeysFromPath('export/SMS Line/cnv_3b9xk2/1701300000.25-message-msg_4k2p9s.json')).toEqual([
      'folder:SMS Line',
    ]);
    expect(inboxKeysFromPath('cnv_3b9xk2/x.json')).toEqual([]);
    expect(inboxKeysFromPath('export/messages/1701-message-msg_1.json')).toEqual([]);
    expect(conversationInboxKeysFromPath('export/Support/cnv_1/cnv_1.json')).toEqual(['folder:Support']);
  });

  it('takes the file folder for conversations in inbox-wide files', () => {
    expect(conversationInboxKeysFromPath('Support_Team/inb_8a2k.json')).toEqual(['folder:Support_Team']);
    expect(conversationInboxKeysFromPath('conversations.json')).toEqual([]);
    expect(folderNameFromKey('folder:Support Team')).toBe('Support Team');
    expect(folderNameFromKey('inb_1')).toBeNull();
  });
});
