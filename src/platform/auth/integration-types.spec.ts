import { IntegrationTypes } from './integration-types';

describe('IntegrationTypes', () => {
  it('knows what was registered, in order, and whether each type signs its deliveries', () => {
    const types = new IntegrationTypes();
    types.register({ type: 'alertmanager', signingSecret: false }, { type: 'pagerduty-webhook', signingSecret: true });
    types.register({ type: 'alertmanager', signingSecret: false }); // a second registration of the same spec is harmless
    expect(types.names()).toEqual(['alertmanager', 'pagerduty-webhook']);
    expect(types.get('pagerduty-webhook')).toEqual({ type: 'pagerduty-webhook', signingSecret: true });
    expect(types.get('nagios')).toBeUndefined();
  });

  it('refuses one type registered with two different signing needs', () => {
    const types = new IntegrationTypes();
    types.register({ type: 'grafana', signingSecret: false });
    expect(() => types.register({ type: 'grafana', signingSecret: true })).toThrow(/registered twice/);
    expect(types.get('grafana')).toEqual({ type: 'grafana', signingSecret: false });
  });
});
