import { CHANNEL_NAME_MAX, incidentChannelName, slugOf } from './channel-name';

describe('incident channel names', () => {
  it.each([
    [1042, 'payments RDS replica is about to crash', 1, 'inc-1042-payments-rds-replica-is-about-to-crash'],
    [7, 'Checkout & payments <down>', 1, 'inc-7-checkout-payments-down'],
    [7, 'Checkout & payments <down>', 2, 'inc-7-checkout-payments-down-2'],
    [8, '🔥🔥🔥', 1, 'inc-8'],
    [8, '🔥🔥🔥', 3, 'inc-8-3'],
    [9, 'Café Zürich: ÉCHEC de l’API', 1, 'inc-9-cafe-zurich-echec-de-l-api'],
    [10, '"Quoted" __title__ -- here', 1, 'inc-10-quoted-title-here'],
  ])('#%i %j attempt %i → %s', (number, title, attempt, name) => {
    expect(incidentChannelName(number, title, attempt)).toBe(name);
  });

  it('stays within 80 characters and Slack’s alphabet, cutting at a word', () => {
    const title = 'the primary database cluster in eu-west-1 lost quorum after a network partition between zones';
    for (const attempt of [1, 2, 99]) {
      const name = incidentChannelName(123456, title, attempt);
      expect(name.length).toBeLessThanOrEqual(CHANNEL_NAME_MAX);
      expect(name).toMatch(/^[a-z0-9_-]+$/);
      expect(name).not.toMatch(/--|-$/);
      if (attempt > 1) expect(name.endsWith(`-${attempt}`)).toBe(true);
    }
    expect(incidentChannelName(1, 'x'.repeat(200)).length).toBe(CHANNEL_NAME_MAX);
  });

  it('slugs only ASCII letters and digits', () => {
    expect(slugOf('  Ünïcödé — ✓ 42%  ')).toBe('unicode-42');
  });
});
