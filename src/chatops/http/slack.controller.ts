import { Controller, Headers, HttpCode, Inject, Post, Req } from '@nestjs/common';
import type { RawBodyRequest } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { APP_CONFIG, AppConfig } from '../../config/config';
import { Public } from '../../platform/auth/auth.guard';
import { APP_LOGGER, AppLogger } from '../../platform/observability/logger';
import { AfterAnswer } from '../after-answer';
import { ChatJobWorker } from '../chat-job.worker';
import { ChatopsMetrics } from '../chatops.metrics';
import { ephemeral, SlackReply } from '../domain/replies';
import { IncidentCommandRunner } from '../incident-command.runner';
import { blockActionOf, InteractionHandler } from '../interaction.handler';
import { ChatopsStore } from '../persistence/chatops.store';
import { SlackEventHandler } from '../slack-event.handler';
import { SlackWeb } from '../slack/slack-web';
import { verifySlackRequest } from './slack-verification';

/**
 * A command still running after this long is answered "working on it" and its outcome goes to
 * the `response_url`: Slack shows `operation_timeout` after 3 s.
 */
export const COMMAND_ANSWER_DEADLINE_MS = 2_000;

type Form = Record<string, string | undefined>;

/** Slack's requests: slash commands, button clicks, Events API callbacks. */
@ApiExcludeController()
@Public()
@Controller('api/v1/slack')
export class SlackController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(APP_LOGGER) private readonly logger: AppLogger,
    private readonly runner: IncidentCommandRunner,
    private readonly interactions: InteractionHandler,
    private readonly events: SlackEventHandler,
    private readonly store: ChatopsStore,
    private readonly slack: SlackWeb,
    private readonly after: AfterAnswer,
    private readonly worker: ChatJobWorker,
    private readonly metrics: ChatopsMetrics,
  ) {}

  @Post('commands')
  @HttpCode(200)
  async command(@Req() request: RawBodyRequest<FastifyRequest>): Promise<SlackReply | ''> {
    const form = this.form(request);
    // Slack's unsigned reachability probe for distributed apps: answer, do nothing.
    if (form.ssl_check === '1' && Object.keys(form).every((k) => k === 'ssl_check' || k === 'token')) return '';
    this.verify(request, 'commands');
    if (!form.user_id) return ephemeral('Slack sent no user with this command; nothing was changed.');
    if (form.trigger_id && !(await this.store.claimRequest('command', form.trigger_id))) {
      this.metrics.requests.inc({ endpoint: 'commands', outcome: 'duplicate' });
      return ephemeral('This command was already handled.');
    }
    this.metrics.requests.inc({ endpoint: 'commands', outcome: 'accepted' });
    const responseUrl = form.response_url ?? null;
    const work = this.runner.run(form.text ?? '', { slackUserId: form.user_id, channelId: form.channel_id ?? '', responseUrl });
    const late = Symbol('late');
    let timer: NodeJS.Timeout | undefined;
    const answer = await Promise.race([
      work,
      new Promise<typeof late>((resolve) => {
        timer = setTimeout(() => resolve(late), COMMAND_ANSWER_DEADLINE_MS);
      }),
    ]);
    clearTimeout(timer);
    if (answer !== late) return answer;
    this.after.run('slash command', async () => {
      const reply = await work;
      if (responseUrl) await this.slack.respond(responseUrl, reply);
    });
    return ephemeral('Working on it… the outcome will follow here.');
  }

  @Post('interactions')
  @HttpCode(200)
  async interaction(@Req() request: RawBodyRequest<FastifyRequest>): Promise<''> {
    this.verify(request, 'interactions');
    let payload: any;
    try {
      payload = JSON.parse(this.form(request).payload ?? '');
    } catch {
      this.logger.warn('A Slack interaction without a JSON payload was ignored');
      return '';
    }
    const click = blockActionOf(payload);
    if (!click) return '';
    const triggerId = typeof payload.trigger_id === 'string' ? payload.trigger_id : undefined;
    const accepted = await this.interactions.accept(click, triggerId);
    this.metrics.requests.inc({ endpoint: 'interactions', outcome: accepted === 'duplicate' ? 'duplicate' : 'accepted' });
    if (accepted === 'planned') this.worker.wake();
    return '';
  }

  @Post('events')
  @HttpCode(200)
  async event(
    @Req() request: RawBodyRequest<FastifyRequest>,
    @Headers('x-slack-retry-num') retryNum: string | undefined,
  ): Promise<{ challenge: string } | ''> {
    this.verify(request, 'events');
    const body = request.body && typeof request.body === 'object' ? (request.body as Record<string, any>) : {};
    if (body.type === 'url_verification' && typeof body.challenge === 'string') return { challenge: body.challenge };
    if (body.type !== 'event_callback') return '';
    const fresh = await this.events.handle(body);
    this.metrics.requests.inc({ endpoint: 'events', outcome: fresh ? 'accepted' : 'duplicate' });
    if (!fresh) this.logger.debug({ eventId: body.event_id, retryNum }, 'A Slack event retry changed nothing');
    return '';
  }

  private verify(request: RawBodyRequest<FastifyRequest>, endpoint: string): void {
    verifySlackRequest(request, this.config.slackSigningSecret, (outcome) => this.metrics.requests.inc({ endpoint, outcome }));
  }

  private form(request: FastifyRequest): Form {
    return request.body && typeof request.body === 'object' ? (request.body as Form) : {};
  }
}
