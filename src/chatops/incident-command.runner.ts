import { Inject, Injectable } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../config/config';
import { AddNote, AssignRole, DeclareIncident, GetIncident, IncidentView, PostStatusUpdate, Responder, TransitionIncident } from '../incidents';
import { OnCallDirectory } from '../oncall';
import { isCodedError } from '../platform/http/app-error';
import { APP_LOGGER, AppLogger } from '../platform/observability/logger';
import { ChatLookup } from './chat-lookup';
import { IncidentCommand, PersonRef } from './domain/incident-command';
import { parseIncidentCommand } from './domain/parse-incident-command';
import {
  channelReadyText,
  declaredText,
  ephemeral,
  escapeText,
  helpText,
  inChannel,
  movedText,
  noteText,
  OnCallLine,
  onCallText,
  roleText,
  SlackReply,
  statusText,
  updateText,
} from './domain/replies';
import { asSeverity, atOrAbove } from './domain/severity-order';
import { ChatopsStore } from './persistence/chatops.store';
import { SlackWeb } from './slack/slack-web';

/** Slack takes a `response_url` post for 30 minutes. */
const RESPONSE_URL_LIFETIME_MS = 30 * 60 * 1000;

export interface SlashContext {
  slackUserId: string;
  channelId: string;
  responseUrl: string | null;
}

/** A refusal: shown to the caller only, nothing changed. */
class Refusal extends Error {}

/**
 * Runs `/incident …` as the responder whose `slackUserId` is the caller's, through the same
 * commands and queries as the REST API, so the same rules hold; a rule's refusal (a 409, a
 * 400) becomes a readable ephemeral answer.
 */
@Injectable()
export class IncidentCommandRunner {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    private readonly lookup: ChatLookup,
    private readonly store: ChatopsStore,
    private readonly onCall: OnCallDirectory,
    private readonly slack: SlackWeb,
    private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(APP_LOGGER) private readonly logger: AppLogger,
  ) {}

  async run(text: string, ctx: SlashContext): Promise<SlackReply> {
    const parsed = parseIncidentCommand(text);
    if (!parsed.ok) return ephemeral(parsed.problem);
    const command = parsed.command;
    if (command.kind === 'help') return ephemeral(helpText());
    try {
      const actor = await this.lookup.responderOf(ctx.slackUserId);
      if (!actor) {
        return ephemeral(
          `Sitrep does not know your Slack account (<@${ctx.slackUserId}>), so nothing was changed. ` +
            `An admin can link it: \`PUT /api/v1/responders/<your handle>\` with \`{"slackUserId": "${ctx.slackUserId}"}\`.`,
        );
      }
      return await this.execute(command, actor, ctx);
    } catch (error) {
      return this.refusal(error);
    }
  }

  /** An error as the caller should read it; unexpected ones are logged. */
  refusal(error: unknown): SlackReply {
    if (error instanceof Refusal) return ephemeral(error.message);
    if (isCodedError(error)) {
      const prefix = error.kind === 'conflict' ? 'Not now: ' : error.kind === 'invalid' ? 'That does not work: ' : '';
      return ephemeral(`${prefix}${escapeText(error.message)}`);
    }
    this.logger.error({ err: error }, 'A Slack command failed');
    return ephemeral('Sitrep could not do that just now (an internal error). Try again in a moment.');
  }

  private async execute(command: Exclude<IncidentCommand, { kind: 'help' }>, actor: Responder, ctx: SlashContext): Promise<SlackReply> {
    const by = actor.handle;
    switch (command.kind) {
      case 'declare': {
        const incident = await this.commands.execute(new DeclareIncident({ title: command.title, severity: command.severity }, by));
        const severity = asSeverity(incident.severity);
        const channelComing = this.config.slackIncidentChannels && severity !== undefined && atOrAbove(severity, this.config.notifyMinSeverity);
        if (channelComing && ctx.responseUrl) {
          await this.store.saveDeclareReply(incident.id, ctx.responseUrl, new Date(Date.now() + RESPONSE_URL_LIFETIME_MS));
          await this.replyIfChannelReady(incident.id);
        }
        return inChannel(declaredText(incident, ctx.slackUserId, this.linkOf(incident), channelComing));
      }
      case 'oncall':
        return ephemeral(onCallText(await this.whoIsOnCall(command.schedule), command.schedule));
    }
    const incidentId = await this.target(command.incidentNumber, ctx.channelId);
    switch (command.kind) {
      case 'move': {
        const incident = await this.commands.execute(new TransitionIncident(incidentId, command.move, command.note, by));
        return inChannel(movedText(incident, command.move, ctx.slackUserId, command.note));
      }
      case 'role': {
        const assignee = await this.person(command.person);
        const incident = await this.commands.execute(new AssignRole(incidentId, command.role, assignee.handle, by));
        return inChannel(roleText(incident, command.role, assignee, ctx.slackUserId));
      }
      case 'note': {
        await this.commands.execute(new AddNote(incidentId, command.text, false, by));
        const incident = await this.queries.execute(new GetIncident(incidentId));
        return inChannel(noteText(incident, ctx.slackUserId, command.text));
      }
      case 'update': {
        await this.commands.execute(new PostStatusUpdate(incidentId, command.text, by));
        const incident = await this.queries.execute(new GetIncident(incidentId));
        return inChannel(updateText(incident, ctx.slackUserId, command.text));
      }
      case 'status': {
        const incident = await this.queries.execute(new GetIncident(incidentId));
        return ephemeral(statusText(incident, this.linkOf(incident)));
      }
    }
  }

  /** The channel may have been made before the reply was saved (a fast Slack): say so now. */
  private async replyIfChannelReady(incidentId: string): Promise<void> {
    const known = await this.store.byId(incidentId);
    if (!known?.channelId) return;
    const url = await this.db.transaction((tx) => this.store.takeDeclareReply(tx, incidentId));
    if (url) void this.slack.respond(url, inChannel(channelReadyText(known.number, known.channelId)));
  }

  /** Every schedule now, or the one named (exact name first, else names containing it). */
  private async whoIsOnCall(name: string | null): Promise<OnCallLine[]> {
    let items = await this.onCall.onCallNow(Date.now());
    if (name) {
      const wanted = name.toLowerCase();
      const exact = items.filter((i) => i.schedule.name.toLowerCase() === wanted);
      items = exact.length ? exact : items.filter((i) => i.schedule.name.toLowerCase().includes(wanted));
    }
    const people = new Map<string, string | null>();
    for (const item of items) {
      if (item.handle && !people.has(item.handle)) people.set(item.handle, (await this.lookup.responderByHandle(item.handle))?.slackUserId ?? null);
    }
    return items.map((i) => ({ schedule: i.schedule.name, handle: i.handle, slackUserId: i.handle ? (people.get(i.handle) ?? null) : null, until: i.until }));
  }

  /** `#<number>` when given, else the incident whose channel this is. */
  private async target(number: number | null, channelId: string): Promise<string> {
    if (number !== null) {
      const id = await this.lookup.incidentIdByNumber(number);
      if (!id) throw new Refusal(`There is no incident #${number}.`);
      return id;
    }
    const id = channelId ? await this.lookup.incidentIdByChannel(channelId) : undefined;
    if (!id) throw new Refusal('Which incident? Add `#<number>` (e.g. `/incident ack #42`), or type the command in the incident’s channel.');
    return id;
  }

  private async person(ref: PersonRef): Promise<{ handle: string; slackUserId: string | null }> {
    if ('handle' in ref) {
      const responder = await this.lookup.responderByHandle(ref.handle);
      return { handle: ref.handle, slackUserId: responder?.slackUserId ?? null };
    }
    const responder = await this.lookup.responderOf(ref.slackUserId);
    if (!responder) {
      throw new Refusal(
        `<@${ref.slackUserId}> is not linked to a Sitrep responder, so nothing was changed. An admin can link them with \`PUT /api/v1/responders/<handle>\` and \`{"slackUserId": "${ref.slackUserId}"}\`.`,
      );
    }
    return { handle: responder.handle, slackUserId: ref.slackUserId };
  }

  private linkOf(incident: IncidentView): string {
    return `${this.config.publicUrl}/incidents/${incident.id}`;
  }
}
