import type { RawBodyRequest } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { AppError } from '../../platform/http/app-error';
import { verifySlackSignature } from '../domain/slack-signature';

/**
 * Slack authenticates by signature, so these routes skip the bearer guard and call this first,
 * before anything reads the parsed body: no secret configured → 503; a bad, missing or stale
 * signature → 401 and nothing happens.
 */
export function verifySlackRequest(
  request: RawBodyRequest<FastifyRequest>,
  secret: string | undefined,
  refused: (outcome: string) => void = () => undefined,
  nowMs = Date.now(),
): void {
  if (!secret) {
    refused('unconfigured');
    throw new AppError('unavailable', 'SLACK_NOT_CONFIGURED', 'Slack requests are not accepted: SLACK_SIGNING_SECRET is not set', undefined, 300);
  }
  const verdict = request.rawBody
    ? verifySlackSignature({
        rawBody: request.rawBody,
        timestamp: request.headers['x-slack-request-timestamp'],
        signature: request.headers['x-slack-signature'],
        secret,
        nowSeconds: Math.floor(nowMs / 1000),
      })
    : 'malformed';
  if (verdict === 'valid') return;
  refused(`rejected_${verdict}`);
  const messages = {
    malformed: 'X-Slack-Signature and X-Slack-Request-Timestamp must be present and well-formed (v0=<hex>)',
    stale: 'X-Slack-Request-Timestamp is more than 5 minutes from the server clock',
    invalid: 'X-Slack-Signature does not match the signing secret',
  } as const;
  throw new AppError('unauthorized', `SLACK_SIGNATURE_${verdict.toUpperCase()}`, messages[verdict]);
}
