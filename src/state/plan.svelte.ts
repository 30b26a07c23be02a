/**
 * The import plan as the user sets it up: where things go in Missive (the SMS custom channel, the
 * organization, a team, a shared label) and the choices, plus the worker's answer: the exact
 * requests for both comment modes, the time at the published limits, and the preview.
 */
import type { PlanOverview, PlanRequest } from '../adapters/import-engine-types.ts';
import { DEFAULT_IMPORT_LABEL_NAME } from '../adapters/import-engine-types.ts';
import {
  DEFAULT_CHANNEL_MESSAGE_TYPE,
  type ChannelMessageType,
  type CommentMode,
  type Placement,
} from '../domain/import/missive-payloads.ts';
import type { MissiveSharedLabel, MissiveTeam } from '../domain/missive-types.ts';
import type { Connection } from './connection.svelte.ts';
import type { ImportBridge } from './import.svelte.ts';
import type { Settings } from './settings.svelte.ts';

export interface PlanStateDeps {
  bridge: ImportBridge;
  connection: Connection;
  settings: Settings;
  /** Inboxes the user marked as SMTP forwarding on the Load step. */
  relayInboxKeys: () => string[];
  timeScale: () => number;
  /** Changes when the export index changes (more files dropped, cleared): the plan is counted again. */
  exportVersion: () => unknown;
}

/** `organization` as Missive gives it: an ID or `{id}`. */
export function organizationIdOf(value: string | { id: string } | null | undefined): string | null {
  if (!value) return null;
  return typeof value === 'string' ? value : value.id;
}

export class PlanState {
  account = $state('');
  /** The SMS channel's message type, as chosen when it was created in Missive. */
  channelMessageType = $state<ChannelMessageType>(DEFAULT_CHANNEL_MESSAGE_TYPE);
  organization = $state('');
  /** '' for none. */
  team = $state('');
  /** '' to find or create the label "Imported from Front" when the import starts. */
  sharedLabel = $state('');
  includeDeleted = $state(false);
  placement = $state<Placement>('closed');
  commentMode = $state<CommentMode>('per-comment');

  overview = $state.raw<PlanOverview | null>(null);
  planning = $state(false);
  error = $state<string | null>(null);
  labelMessage = $state<string | null>(null);

  get teams(): MissiveTeam[] {
    return this.#deps.connection.teams.filter((t) => {
      const org = organizationIdOf(t.organization);
      return !org || org === this.organization;
    });
  }

  get sharedLabels(): MissiveSharedLabel[] {
    return this.#deps.connection.sharedLabels.filter((l) => {
      const org = organizationIdOf(l.organization);
      return !org || org === this.organization;
    });
  }

  /** What stops the import from starting, in words; empty when ready. */
  get missing(): string[] {
    return [
      ...(this.account.trim() ? [] : ['the SMS custom channel account ID']),
      ...(this.organization ? [] : ['the organization']),
      ...(this.#deps.connection.token.trim() ? [] : ['your Missive API token (step "Connect Missive")']),
    ];
  }

  readonly #deps: PlanStateDeps;
  #generation = 0;

  constructor(deps: PlanStateDeps) {
    this.#deps = deps;
  }

  /** Picks the organization when there is only one. */
  adoptDefaults(): void {
    const orgs = this.#deps.connection.organizations;
    if (!this.organization && orgs.length === 1) this.organization = orgs[0]!.id;
  }

  /** After a reload: the last run's plan, unless the user already started filling this one. */
  restore(previous: PlanRequest | null | undefined): void {
    if (!previous || this.account.trim()) return;
    this.account = previous.target.account;
    this.channelMessageType = previous.target.channelMessageType ?? DEFAULT_CHANNEL_MESSAGE_TYPE;
    this.organization = previous.target.organization;
    this.team = previous.target.team ?? '';
    this.sharedLabel = previous.target.sharedLabelId ?? '';
    this.includeDeleted = previous.choices.includeDeleted;
    this.placement = previous.choices.placement;
    this.commentMode = previous.choices.commentMode;
  }

  request(): PlanRequest {
    return {
      choices: {
        includeDeleted: this.includeDeleted,
        placement: this.placement,
        commentMode: this.commentMode,
        relayInboxKeys: this.#deps.relayInboxKeys(),
      },
      target: {
        account: this.account.trim(),
        channelMessageType: this.channelMessageType,
        organization: this.organization,
        team: this.team || null,
        sharedLabelId: this.sharedLabel || null,
      },
    };
  }

  /** What the counts depend on besides the fields: read by the Plan step to know when to recount. */
  inputs(): string {
    return JSON.stringify([this.request(), this.#deps.exportVersion()]);
  }

  /** Asks the worker for the plan; a newer request wins over an older one still running. */
  async refresh(): Promise<void> {
    const generation = ++this.#generation;
    this.planning = true;
    this.error = null;
    try {
      const overview = await this.#deps.bridge.call(undefined, (api) =>
        api.plan(this.request(), this.#deps.timeScale()),
      );
      if (generation === this.#generation) this.overview = overview;
    } catch (error) {
      if (generation === this.#generation) this.error = `Could not plan the import: ${text(error)}`;
    } finally {
      if (generation === this.#generation) this.planning = false;
    }
  }

  /** Creates a shared label in the organization now, and picks it. */
  async createLabel(name: string): Promise<void> {
    const { connection, settings } = this.#deps;
    const trimmed = name.trim() || DEFAULT_IMPORT_LABEL_NAME;
    if (!this.organization) {
      this.labelMessage = 'Pick the organization first.';
      return;
    }
    this.labelMessage = 'Creating the label…';
    const response = await connection
      .client(settings.apiBase)
      .request<{ shared_labels: MissiveSharedLabel[] }>('POST', '/shared_labels', {
        shared_labels: [{ name: trimmed, organization: this.organization }],
      });
    if (!response.ok) {
      this.labelMessage = `Missive did not create the label: ${response.message}`;
      return;
    }
    const label = response.body?.shared_labels?.[0];
    if (!label?.id) {
      this.labelMessage =
        'Missive created the label without telling its ID: verify the token again to list it.';
      return;
    }
    connection.sharedLabels = [...connection.sharedLabels, { ...label, organization: this.organization }];
    this.sharedLabel = label.id;
    this.labelMessage = `Created the label "${label.name ?? trimmed}".`;
  }
}

function text(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
