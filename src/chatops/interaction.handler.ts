import { Inject, Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { AssignRole, IncidentView, TransitionIncident } from '../incidents';
import { isUuid } from '../platform/http/uuid';
import { APP_LOGGER, AppLogger } from '../platform/observability/logger';
import { ChatLookup } from './chat-lookup';
import { ephemeral, escapeText, SlackReply } from './domain/replies';
import { IncidentCommandRunner } from './incident-command.runner';
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

/**
 * Acknowledge, Resolve and Take command, as the clicking responder, through the same commands
 * as the REST API. Slack wants an empty 200 within 3 s, so this runs after the answer and tells
 * the clicker the outcome through the click's `response_url` (only them: ephemeral). The
 * announcement itself is rewritten by notifications when the incident changes.
 */
@Injectable()
export class InteractionHandler {
  constructor(
    private readonly commands: CommandBus,
    private readonly lookup: ChatLookup,
    private readonly runner: IncidentCommandRunner,
    private readonly slack: SlackWeb,
    @Inject(APP_LOGGER) private readonly logger: AppLogger,
  ) {}

  async handle(click: BlockAction): Promise<void> {
    const reply = await this.apply(click);
    if (click.responseUrl) await this.slack.respond(click.responseUrl, { ...reply, replace_original: false });
    else this.logger.info({ action: click.action }, 'A Slack button click had no response_url to answer on');
  }

  async apply(click: BlockAction): Promise<SlackReply> {
    try {
      const actor = await this.lookup.responderOf(click.slackUserId);
      if (!actor) {
        return ephemeral(`Sitrep does not know your Slack account (<@${click.slackUserId}>), so nothing was changed. Ask an admin to link it to your responder.`);
      }
      const incidentId = await this.incidentOf(click.value);
      if (!incidentId) return ephemeral(`That button points at an incident Sitrep cannot find (${escapeText(click.value)}).`);
      let incident: IncidentView;
      switch (click.action) {
        case 'acknowledge':
        case 'resolve':
          incident = await this.commands.execute(new TransitionIncident(incidentId, click.action, null, actor.handle));
          return ephemeral(`You ${click.action === 'acknowledge' ? 'acknowledged' : 'resolved'} #${incident.number} ${escapeText(incident.title)}.`);
        case 'take_command':
          incident = await this.commands.execute(new AssignRole(incidentId, 'commander', actor.handle, actor.handle));
          return ephemeral(`You are now the commander of #${incident.number} ${escapeText(incident.title)}.`);
      }
    } catch (error) {
      return this.runner.refusal(error);
    }
  }

  private async incidentOf(value: string): Promise<string | undefined> {
    if (isUuid(value)) return value;
    const number = /^(?:#|INC-)?(\d{1,9})$/i.exec(value.trim());
    return number ? this.lookup.incidentIdByNumber(Number(number[1])) : undefined;
  }
}
