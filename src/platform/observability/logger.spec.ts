import { Writable } from 'node:stream';
import { chooseLogFormat, createLogger, LogFormat } from './logger';

describe('chooseLogFormat', () => {
  it.each<[string, { isTTY?: boolean }, boolean, LogFormat]>([
    ['a terminal with pino-pretty installed: pretty', { isTTY: true }, true, 'pretty'],
    ['a terminal without pino-pretty (the production image run with -t): json', { isTTY: true }, false, 'json'],
    ['a pipe or a file: json', { isTTY: false }, true, 'json'],
    ['a stream that does not say whether it is a terminal: json', {}, true, 'json'],
    ['neither a terminal nor pino-pretty: json', { isTTY: false }, false, 'json'],
  ])('%s', (_case, output, installed, expected) => {
    expect(chooseLogFormat(output, installed)).toBe(expected);
  });
});

/** A destination that keeps what the logger wrote. */
function capture(): { stream: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      chunks.push(Buffer.from(chunk));
      done();
    },
  });
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

const SECRETS = {
  token: 'tok-4f1c-very-secret',
  integration: { secret: 'whsec-5d2e', routing_key: 'R0UT1NGKEY', signing_secret: 'slack-signing-9a' },
  user: { password: 'hunter2-long' },
};

describe('createLogger', () => {
  it('writes one JSON object per line to a given destination, secrets redacted', () => {
    const out = capture();
    const logger = createLogger('info', out.stream);
    logger.info({ context: 'Test', ...SECRETS }, 'token issued');
    logger.debug('below the level');

    const lines = out.text().trim().split('\n');
    expect(lines).toHaveLength(1);
    const entry = JSON.parse(lines[0]);
    expect(entry).toMatchObject({ level: 30, service: 'sitrep', context: 'Test', msg: 'token issued', token: '[redacted]' });
    expect(entry.integration).toEqual({ secret: '[redacted]', routing_key: '[redacted]', signing_secret: '[redacted]' });
    expect(entry.user).toEqual({ password: '[redacted]' });
    expect(entry.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('pretty lines carry the level, context and message, and redact the same secrets', () => {
    const out = capture();
    const logger = createLogger('info', out.stream, 'pretty');
    logger.warn({ context: 'Test', ...SECRETS }, 'token issued');

    const text = out.text();
    expect(() => JSON.parse(text.split('\n')[0])).toThrow();
    expect(text).toMatch(/WARN.*\[Test\] token issued/);
    expect(text).toContain('[redacted]');
    for (const secret of ['tok-4f1c-very-secret', 'whsec-5d2e', 'R0UT1NGKEY', 'slack-signing-9a', 'hunter2-long']) {
      expect(text).not.toContain(secret);
    }
  });
});
