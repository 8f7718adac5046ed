import { Inject, Injectable } from '@nestjs/common';
import type { Channel } from './channel';
import { EMAIL_CLIENT, SLACK_CLIENT } from './clients';
import { EmailChannel } from './email.channel';
import type { EmailClient } from './email.client';
import { SlackChannel } from './slack.channel';
import type { SlackClient } from './slack.client';

/**
 * The channels this instance can send on: email and Slack built in; other modules add theirs
 * (SMS, voice) with `register` from their constructor or onModuleInit. A job of a channel an
 * instance lacks is left for an instance that has it.
 */
@Injectable()
export class ChannelRegistry {
  private readonly channels = new Map<string, Channel>();

  constructor(@Inject(SLACK_CLIENT) slack: SlackClient, @Inject(EMAIL_CLIENT) email: EmailClient) {
    this.register(new SlackChannel(slack));
    this.register(new EmailChannel(email));
  }

  register(channel: Channel): void {
    if (!/^[a-z][a-z0-9_-]{0,31}$/.test(channel.name)) throw new Error(`channel name "${channel.name}" must be a short lower-case word`);
    if (this.channels.has(channel.name)) throw new Error(`a "${channel.name}" channel is registered already`);
    this.channels.set(channel.name, channel);
  }

  get(name: string): Channel | undefined {
    return this.channels.get(name);
  }

  names(): string[] {
    return [...this.channels.keys()];
  }

  abortAll(): void {
    for (const channel of this.channels.values()) channel.abort();
  }
}
