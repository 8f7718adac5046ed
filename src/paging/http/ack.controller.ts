import { Controller, Get, Param, Post, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../../platform/auth/auth.guard';
import { AckOutcome, Acknowledgements } from '../acknowledgements';

/**
 * `/ack/<token>`: the acknowledge link of every page message. GET shows the incident and a
 * button and changes nothing; POST (empty, form or JSON body) acknowledges as the paged
 * responder. A resolved incident's token answers 410. The token is in the URL, so the page
 * is never cached and sends no Referer.
 */
@Public()
@ApiExcludeController()
@Controller('ack')
export class AckController {
  constructor(private readonly acks: Acknowledgements) {}

  @Get(':token')
  async show(@Param('token') token: string, @Res() reply: FastifyReply): Promise<void> {
    await send(reply, await this.acks.look(token), token);
  }

  @Post(':token')
  async acknowledge(@Param('token') token: string, @Res() reply: FastifyReply): Promise<void> {
    await send(reply, await this.acks.acknowledge(token), token);
  }
}

async function send(reply: FastifyReply, outcome: AckOutcome, token: string): Promise<void> {
  const status = outcome.kind === 'unknown' ? 404 : outcome.kind === 'resolved' ? 410 : 200;
  await reply
    .status(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .header('referrer-policy', 'no-referrer')
    .header('x-robots-tag', 'noindex')
    .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'")
    .send(render(outcome, token));
}

function render(outcome: AckOutcome, token: string): string {
  if (outcome.kind === 'unknown')
    return page('Unknown link', '<p>This acknowledge link is not known. It may have been mistyped.</p>');
  const { incident, owner } = outcome;
  const heading = `#${incident.number} ${incident.title}`;
  const facts =
    `<p class="facts"><b>${esc(incident.severity)}</b> · ${esc(incident.status)}` +
    `${incident.service ? ` · ${esc(incident.service)}` : ''} · paged: ${esc(owner.responder)}</p>`;
  switch (outcome.kind) {
    case 'resolved':
      return page(heading, `${facts}<p>This incident is resolved; there is nothing to acknowledge.</p>`);
    case 'acknowledged':
      return page(heading, `${facts}<p class="done">Acknowledged by ${esc(owner.responder)}. Paging has stopped.</p>`);
    case 'unchanged':
      return page(
        heading,
        `${facts}<p class="done">Already ${esc(incident.status)}${incident.acknowledgedAt ? ` since ${esc(incident.acknowledgedAt)}` : ''}. Nothing changed.</p>`,
      );
    case 'open':
      return page(
        heading,
        incident.status === 'triggered'
          ? `${facts}<form method="post" action="/ack/${encodeURIComponent(token)}"><button type="submit">Acknowledge as ${esc(owner.responder)}</button></form>`
          : `${facts}<p class="done">Already ${esc(incident.status)}. Nothing to do.</p>`,
      );
  }
}

function page(title: string, body: string): string {
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<title>${esc(title)} · Sitrep</title><style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem}` +
    `button{font-size:1.2rem;padding:.8rem 1.6rem;background:#b42318;color:#fff;border:0;border-radius:.4rem}.done{color:#067647}</style></head>` +
    `<body><h1>${esc(title)}</h1>${body}</body></html>`
  );
}

export function esc(text: unknown): string {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
