import { Inject, Module } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/config';
import { AutomationsModule } from '../automations';
import { IncidentsModule } from '../incidents';
import { ChannelRegistry, EscalationCoverage, NotificationsModule } from '../notifications';
import { OnCallModule } from '../oncall';
import { AckTokens } from './ack-tokens';
import { Acknowledgements } from './acknowledgements';
import { SmsChannel, VoiceChannel } from './channels/twilio.channels';
import { TwilioClient } from './channels/twilio.client';
import { AckController } from './http/ack.controller';
import { EscalationPoliciesController, ServicesController } from './http/policies.controller';
import { TwilioVoiceController } from './http/twilio-voice.controller';
import { Pager } from './pager';
import { PagingCoverage } from './paging-coverage';
import { PagingEventsConsumer } from './paging-events.consumer';
import { PagingMetrics } from './paging.metrics';
import { EscalationPolicies } from './policies/escalation-policies';
import { Services } from './policies/services';

/** Paging: escalation policies, services, pages run on timers and jobs, SMS and voice, acknowledge links. */
@Module({
  imports: [IncidentsModule, NotificationsModule, OnCallModule, AutomationsModule],
  controllers: [EscalationPoliciesController, ServicesController, AckController, TwilioVoiceController],
  providers: [
    EscalationPolicies,
    Services,
    AckTokens,
    Acknowledgements,
    Pager,
    PagingEventsConsumer,
    PagingMetrics,
    PagingCoverage,
  ],
  exports: [PagingCoverage, PagingEventsConsumer],
})
export class PagingModule {
  /** SMS and voice are channels like email and Slack: jobs, retries, backoff and gates come with them. */
  constructor(
    registry: ChannelRegistry,
    @Inject(APP_CONFIG) config: AppConfig,
    coverage: EscalationCoverage,
    paging: PagingCoverage,
  ) {
    // Where an escalation policy applies, paging escalates and v1's ACK_TIMEOUT hop stays quiet.
    coverage.register((service, tx) => paging.governs(service, tx));
    const twilio = new TwilioClient(config.twilio, config.notifySendTimeoutMs);
    registry.register(new SmsChannel(twilio));
    registry.register(new VoiceChannel(twilio, config.publicUrl));
  }
}
