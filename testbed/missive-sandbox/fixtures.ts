/** The account the sandbox pretends the token belongs to: fixed ids, so demos and tests can name them. */
import type { ContactBook, SandboxTeam, SandboxUser, SharedLabel } from './types.ts';

export const DEFAULT_TOKEN = 'missive_pat-sandbox-0000demo';
export const DEFAULT_FORBIDDEN_TOKEN = 'missive_pat-sandbox-noplan';
export const DEFAULT_ACCOUNT_ID = '0f5a7d2e-3b1c-4e8a-9d6f-5c2b1a0e9d01';
export const ORGANIZATION_ID = '7c1e4b9a-2d3f-4a6b-8e5c-1f0a9b8c7d02';
export const USER_ID = 'a3b2c1d0-e9f8-4a7b-8c6d-5e4f3a2b1c03';
const TEAMMATE_IDS = [
  'b4c3d2e1-f0a9-4b8c-9d7e-6f5a4b3c2d04',
  'c5d4e3f2-a1b0-4c9d-8e8f-7a6b5c4d3e05',
] as const;
const TEAM_IDS = ['d6e5f4a3-b2c1-4d0e-9f9a-8b7c6d5e4f06', 'e7f6a5b4-c3d2-4e1f-8a0b-9c8d7e6f5a07'] as const;
const LABEL_IDS = ['f8a7b6c5-d4e3-4f2a-9b1c-0d9e8f7a6b08', '09b8c7d6-e5f4-4a3b-8c2d-1e0f9a8b7c09'] as const;
const CONTACT_BOOK_ID = '1ac9d8e7-f6a5-4b4c-9d3e-2f1a0b9c8d0a';
export const SYNCED_CONTACT_BOOK_ID = '2bd0e9f8-a7b6-4c5d-8e4f-3a2b1c0d9e0b';

export const ORGANIZATION_NAME = 'Sandbox Organization';

export function fixtureUsers(): SandboxUser[] {
  const user = (id: string, name: string, email: string, me: boolean): SandboxUser => ({
    id,
    me,
    email,
    name,
    avatar_url: `https://example.invalid/avatars/${id}.png`,
  });
  return [
    user(USER_ID, 'Sandbox Owner', 'owner@sandbox.example', true),
    user(TEAMMATE_IDS[0], 'Alex Teammate', 'alex@sandbox.example', false),
    user(TEAMMATE_IDS[1], 'Sam Teammate', 'sam@sandbox.example', false),
  ];
}

export function fixtureTeams(): SandboxTeam[] {
  return [
    {
      id: TEAM_IDS[0],
      name: 'Support',
      organization: ORGANIZATION_ID,
      active_members: [USER_ID, TEAMMATE_IDS[0]],
      observers: [],
    },
    {
      id: TEAM_IDS[1],
      name: 'Sales',
      organization: ORGANIZATION_ID,
      active_members: [TEAMMATE_IDS[1]],
      observers: [USER_ID],
    },
  ];
}

export function fixtureSharedLabels(): SharedLabel[] {
  const label = (id: string, name: string, color: string): SharedLabel => ({
    id,
    name,
    name_with_parent_names: name,
    color,
    organization: ORGANIZATION_ID,
    parent: null,
    share_with_organization: true,
    share_with_team: null,
    share_with_users: [],
    visibility: 'organization',
  });
  return [label(LABEL_IDS[0], 'VIP', '#e53935'), label(LABEL_IDS[1], 'Billing', '#1e88e5')];
}

export function fixtureContactBooks(): ContactBook[] {
  return [
    {
      id: CONTACT_BOOK_ID,
      user: USER_ID,
      share_with_organization: true,
      share_with_team: null,
      share_with_users: [],
      organization: ORGANIZATION_ID,
      name: 'Sandbox contacts',
      description: 'Shared with the organization',
    },
  ];
}

/** A book synced with Google Contacts: listed like any other, but Missive takes no writes to it. */
export function fixtureSyncedContactBook(): ContactBook {
  return {
    id: SYNCED_CONTACT_BOOK_ID,
    user: USER_ID,
    share_with_organization: false,
    share_with_team: null,
    share_with_users: [],
    organization: null,
    name: 'Google contacts',
    description: 'Synced with Google',
  };
}
