import { Module } from '@nestjs/common';
import { IncidentsModule } from '../incidents';
import { OnCallModule } from '../oncall';
import { AfterAnswer } from './after-answer';
import { ChatEventsConsumer } from './chat-events.consumer';
import { ChatJobWorker } from './chat-job.worker';
import { ChatLookup } from './chat-lookup';
import { ChatopsMetrics } from './chatops.metrics';
import { SlackController } from './http/slack.controller';
import { IncidentCommandRunner } from './incident-command.runner';
import { InteractionHandler } from './interaction.handler';
import { ChatopsStore } from './persistence/chatops.store';
import { SlackEventHandler } from './slack-event.handler';
import { SlackWeb } from './slack/slack-web';

/**
 * Slack, both ways: `/incident` commands, buttons and Events API callbacks in (verified on the
 * raw bytes first), incident channels, invites and pins out as durable jobs.
 */
@Module({
  imports: [IncidentsModule, OnCallModule],
  controllers: [SlackController],
  providers: [
    ChatopsStore,
    ChatopsMetrics,
    SlackWeb,
    ChatLookup,
    AfterAnswer,
    IncidentCommandRunner,
    InteractionHandler,
    ChatJobWorker,
    SlackEventHandler,
    ChatEventsConsumer,
  ],
  exports: [ChatEventsConsumer],
})
export class ChatopsModule {}
