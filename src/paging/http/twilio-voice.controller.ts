import { Controller, HttpCode, Inject, Param, Post, Req, Res } from '@nestjs/common';
import type { RawBodyRequest } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { APP_CONFIG, AppConfig } from '../../config/config';
import { Public } from '../../platform/auth/auth.guard';
import { AppError } from '../../platform/http/app-error';
import { APP_LOGGER, AppLogger } from '../../platform/observability/logger';
import { Acknowledgements } from '../acknowledgements';
import { verifyTwilioSignature } from '../domain/twilio-signature';
import { xml } from '../channels/twilio.channels';

/**
 * Twilio's Gather callback of a voice page. The signature is checked on the raw form body
 * against the public URL Twilio was given (PUBLIC_URL + path + query) before anything
 * changes; `Digits=1` acknowledges as the called responder.
 */
@Public()
@ApiExcludeController()
@Controller('api/v1/twilio/voice')
export class TwilioVoiceController {
  constructor(
    private readonly acks: Acknowledgements,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(APP_LOGGER) private readonly logger: AppLogger,
  ) {}

  @Post(':token')
  @HttpCode(200)
  async gather(
    @Param('token') token: string,
    @Req() request: RawBodyRequest<FastifyRequest>,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const authToken = this.config.twilio.authToken;
    // Without the auth token no request can be verified: every one is refused, nothing changes.
    if (!authToken)
      throw new AppError(
        'unauthorized',
        'BAD_SIGNATURE',
        'Twilio is not configured here: X-Twilio-Signature cannot be verified',
      );
    const raw = request.rawBody ? request.rawBody.toString('utf8') : '';
    const params = [...new URLSearchParams(raw).entries()];
    const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '';
    const url = `${this.config.publicUrl}/api/v1/twilio/voice/${token}${query}`;
    const header = request.headers['x-twilio-signature'];
    if (!verifyTwilioSignature(authToken, url, params, Array.isArray(header) ? header[0] : header)) {
      this.logger.warn({ path: '/api/v1/twilio/voice/:token' }, 'A Twilio callback with a bad signature was refused');
      throw new AppError('unauthorized', 'BAD_SIGNATURE', 'X-Twilio-Signature does not match');
    }
    const digits = params.find(([name]) => name === 'Digits')?.[1];
    let say: string;
    if (digits !== '1') {
      say = 'Not acknowledged. Goodbye.';
    } else {
      const outcome = await this.acks.acknowledge(token);
      say =
        outcome.kind === 'acknowledged'
          ? `Acknowledged. Incident ${outcome.incident.number} is yours.`
          : outcome.kind === 'unknown'
            ? 'This page is not known.'
            : outcome.kind === 'resolved'
              ? `Incident ${outcome.incident.number} is already resolved.`
              : `Incident ${outcome.incident.number} is already ${outcome.incident.status}. Nothing changed.`;
    }
    await reply
      .status(200)
      .header('content-type', 'text/xml')
      .send(`<?xml version="1.0" encoding="UTF-8"?><Response><Say>${xml(say)}</Say><Hangup/></Response>`);
  }
}
