import { Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { IncidentCommands, IncidentView, TransitionIncident } from '../incidents';
import { isCodedError } from '../platform/http/app-error';
import { isUuid } from '../platform/http/uuid';
import { AfterAnswer } from './after-answer';
import { ChatLookup } from './chat-lookup';
import { ephemeral, escapeText, SlackReply } from './domain/replies';
import { IncidentCommandRunner } from './incident-command.runner';
import { ChatopsStore } from './persistence/chatops.store';
import { SlackWeb } from './slack/slack-web';

/** The buttons Sitrep puts on announcements and page DMs (`action_id` → what it does). */
export const INCIDENT_ACTIONS = {
  'incident.acknowledge': 'acknowledge',
  'incident.resolve': 'resolve',
  'incident.take_command': 'take_command',
} as const;
type IncidentAction = (typeof INCIDENT_ACTIONS)[keyof typeof INCIDENT_ACTIONS];

export interface BlockAction {
  slackUserId: string;
  action: IncidentAction;
  /** The button's value: an incident id (or `#42` / `INC-42`). */
  value: string;
  responseUrl: string | null;
}

/** The one button click a `block_actions` payload carries, if it is one of ours. */
export function blockActionOf(payload: any): BlockAction | undefined {
  if (!payload || payload.type !== 'block_actions' || !Array.isArray(payload.actions)) return undefined;
  const first = payload.actions[0];
  const action = INCIDENT_ACTIONS[first?.action_id as keyof typeof INCIDENT_ACTIONS];
  const slackUserId = payload.user?.id;
  if (!action || typeof slackUserId !== 'string' || typeof first.value !== 'string') return undefined;
  return {
    slackUserId,
    action,
    value: first.value,
    responseUrl: typeof payload.response_url === 'string' ? payload.response_url : null,
  };
}

export interface ClickJob {
  action: IncidentAction;
  slackUserId: string;
  responseUrl: string | null;
}

/**
 * Acknowledge, Resolve and Take command, as the clicking responder, through the same commands
 * as the REST API. Slack wants an empty 200 within 3 s: the click is recorded (its trigger_id,
 * so a retry changes nothing twice) together with a durable job in one transaction, answered,
 * and run by the chat job worker, which tells the clicker the outcome through the click's
 * `response_url` (only them: ephemeral). The announcement itself is rewritten by
 * notifications when the incident changes.
 */
@Injectable()
export class InteractionHandler {
  constructor(
    private readonly db: DataSource,
    private readonly commands: CommandBus,
    private readonly incidents: IncidentCommands,
    private readonly lookup: ChatLookup,
    private readonly store: ChatopsStore,
    private readonly runner: IncidentCommandRunner,
    private readonly slack: SlackWeb,
    private readonly after: AfterAnswer,
  ) {}

  /**
   * Plans the click's job; `duplicate` for a trigger_id seen before, `answered` when the button
   * names no incident Sitrep knows (said on the response_url, nothing to do).
   */
  async accept(click: BlockAction, triggerId: string | undefined): Promise<'planned' | 'duplicate' | 'answered'> {
    const incidentId = await this.incidentOf(click.value);
    if (!incidentId) {
      this.after.run('button click', () => this.reply(click.responseUrl, ephemeral(`That button points at an incident Sitrep cannot find (${escapeText(click.value)}).`)));
      return 'answered';
    }
    const job: ClickJob = { action: click.action, slackUserId: click.slackUserId, responseUrl: click.responseUrl };
    return this.db.transaction(async (tx) => {
      if (triggerId && !(await this.store.claimRequest('interaction', triggerId, tx))) return 'duplicate';
      await this.store.insertJobs([{ incidentId, kind: 'click', key: triggerId ?? randomUUID(), payload: { ...job } }], tx);
      return 'planned';
    });
  }

  /** The click's effect and its answer to the clicker. Unexpected errors are thrown (the job retries). */
  async run(incidentId: string, click: ClickJob): Promise<void> {
    await this.reply(click.responseUrl, await this.apply(incidentId, click));
  }

  private async reply(responseUrl: string | null, reply: SlackReply): Promise<void> {
    if (responseUrl) await this.slack.respond(responseUrl, { ...reply, replace_original: false });
  }

  private async apply(incidentId: string, click: ClickJob): Promise<SlackReply> {
    try {
      const actor = await this.lookup.responderOf(click.slackUserId);
      if (!actor) {
        return ephemeral(`Sitrep does not know your Slack account (<@${click.slackUserId}>), so nothing was changed. Ask an admin to link it to your responder.`);
      }
      let incident: IncidentView;
      switch (click.action) {
        case 'acknowledge':
        case 'resolve':
          incident = await this.commands.execute(new TransitionIncident(incidentId, click.action, null, actor.handle));
          return ephemeral(`You ${click.action === 'acknowledge' ? 'acknowledged' : 'resolved'} #${incident.number} ${escapeText(incident.title)}.`);
        case 'take_command':
          incident = await this.takeCommand(incidentId, actor.handle);
          return ephemeral(`You are now the commander of #${incident.number} ${escapeText(incident.title)}.`);
      }
    } catch (error) {
      if (isCodedError(error)) return this.runner.refusal(error);
      throw error;
    }
  }

  /**
   * The clicker becomes commander. A deputy who clicks takes over the way the rules hand
   * command to a deputy (one `incident.commander_handoff`) instead of hitting "nobody can be
   * commander and deputy at once"; one append through the command port, so it is atomic.
   */
  private async takeCommand(incidentId: string, handle: string): Promise<IncidentView> {
    const { incident } = await this.incidents.act(incidentId, { actor: handle }, (incident, ctx) => {
      const { commander, deputy } = incident.roles;
      if (deputy === handle) {
        if (commander !== null) return incident.unassignRole('commander', ctx);
        incident.unassignRole('deputy', ctx);
      }
      incident.assignRole('commander', handle, ctx);
    });
    return incident;
  }

  private async incidentOf(value: string): Promise<string | undefined> {
    if (isUuid(value)) return value;
    const number = /^(?:#|INC-)?(\d{1,9})$/i.exec(value.trim());
    return number ? this.lookup.incidentIdByNumber(Number(number[1])) : undefined;
  }
}
