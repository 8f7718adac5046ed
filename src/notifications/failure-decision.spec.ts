import { decideAfterFailure, FailureDecision, FailureSettings, SendFailure } from './failure-decision';

const NOW = new Date('2026-03-01T12:00:00Z');
const settings: FailureSettings = {
  retry: { maxAttempts: 3, budgetMs: 3_600_000, baseMs: 1000, capMs: 60_000 },
  paceWindowMs: 60_000,
  defaultWaitMs: 1000,
};
const inMs = (ms: number) => new Date(NOW.getTime() + ms);
const fail = (kind: SendFailure['kind'], more: Partial<SendFailure> = {}): SendFailure => ({ kind, reason: `${kind} reason`, mayHaveSent: false, ...more });
/** Jitter pinned to its top: the backoff is its ceiling. */
const top = () => 1;

describe('decideAfterFailure', () => {
  it.each<[string, SendFailure, { attempts: number; giveUpInMs: number }, FailureDecision]>([
    ['a permanent failure gives up at once, whatever the budget', fail('permanent', { reason: 'Slack chat.postMessage: channel_not_found' }), { attempts: 1, giveUpInMs: 3_600_000 }, { action: 'give_up', reason: 'Slack chat.postMessage: channel_not_found' }],
    [
      'a 429 waits its Retry-After on the gate, paces the gate, spends no attempt',
      fail('rate_limited', { retryAfterMs: 30_000 }),
      { attempts: 5, giveUpInMs: 3_600_000 },
      { action: 'retry', delayMs: 30_000, countAttempt: false, why: 'rate_limited', gate: { closeMs: 30_000, paceForMs: 60_000 }, uncertain: false },
    ],
    [
      'a rate limit naming no time waits the default',
      fail('rate_limited'),
      { attempts: 1, giveUpInMs: 3_600_000 },
      { action: 'retry', delayMs: 1000, countAttempt: false, why: 'rate_limited', gate: { closeMs: 1000, paceForMs: 60_000 }, uncertain: false },
    ],
    ['a 429 whose wait ends past the budget gives up', fail('rate_limited', { retryAfterMs: 120_000 }), { attempts: 1, giveUpInMs: 60_000 }, { action: 'give_up', reason: 'gave up: rate_limited reason past the retry budget' }],
    [
      'a deferral waits without closing the gate or spending an attempt',
      fail('deferred', { retryAfterMs: 700 }),
      { attempts: 3, giveUpInMs: 3_600_000 },
      { action: 'retry', delayMs: 700, countAttempt: false, why: 'deferred', gate: undefined, uncertain: false },
    ],
    ['a deferral past the budget gives up', fail('deferred', { retryAfterMs: 5000 }), { attempts: 1, giveUpInMs: 1000 }, { action: 'give_up', reason: 'gave up: deferred reason past the retry budget' }],
    [
      'a first transient failure backs off the base',
      fail('transient'),
      { attempts: 1, giveUpInMs: 3_600_000 },
      { action: 'retry', delayMs: 1000, countAttempt: true, why: 'transient', uncertain: false },
    ],
    [
      'a second transient failure backs off twice as long; a 5xx leaves the next try uncertain',
      fail('transient', { mayHaveSent: true }),
      { attempts: 2, giveUpInMs: 3_600_000 },
      { action: 'retry', delayMs: 2000, countAttempt: true, why: 'transient', uncertain: true },
    ],
    ['transient failures stop when the attempts are spent', fail('transient'), { attempts: 3, giveUpInMs: 3_600_000 }, { action: 'give_up', reason: 'gave up after 3 attempts; last error: transient reason' }],
    [
      'transient failures stop when the backoff would land past the budget',
      fail('transient'),
      { attempts: 2, giveUpInMs: 1500 },
      { action: 'give_up', reason: 'gave up after 2 attempts (retry budget of 60 min spent); last error: transient reason' },
    ],
  ])('%s', (_, failure, job, expected) => {
    expect(decideAfterFailure(failure, { attempts: job.attempts, giveUpAt: inMs(job.giveUpInMs) }, NOW, settings, top)).toEqual(expected);
  });
});
