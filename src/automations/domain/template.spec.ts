import { argEnvName, renderArgs } from './template';

describe('renderArgs', () => {
  const labels = { cluster: 'es-prod-1', index: 'logs-2026.12.04', evil: 'x; rm -rf / $(reboot) `id`' };
  it.each([
    ['plain text stays', { mode: 'refill' }, { ok: true, args: { mode: 'refill' } }],
    ['a label fills in', { cluster: '{{labels.cluster}}' }, { ok: true, args: { cluster: 'es-prod-1' } }],
    ['spaces inside braces', { cluster: '{{ labels.cluster }}' }, { ok: true, args: { cluster: 'es-prod-1' } }],
    [
      'several in one value',
      { target: '{{labels.cluster}}/{{labels.index}}' },
      { ok: true, args: { target: 'es-prod-1/logs-2026.12.04' } },
    ],
    [
      'shell metacharacters are copied as text',
      { value: '{{labels.evil}}' },
      { ok: true, args: { value: 'x; rm -rf / $(reboot) `id`' } },
    ],
    [
      'a missing label fails with the argument named',
      { region: '{{labels.region}}' },
      { ok: false, reason: 'args.region: the alert has no label "region"' },
    ],
    ['other placeholders are left alone', { v: '{{annotations.x}}' }, { ok: true, args: { v: '{{annotations.x}}' } }],
  ])('%s', (_, args, expected) => {
    expect(renderArgs(args, labels)).toEqual(expected);
  });
});

describe('argEnvName', () => {
  it.each([
    ['cluster', 'SITREP_ARG_CLUSTER'],
    ['indexName', 'SITREP_ARG_INDEXNAME'],
    ['max_shards', 'SITREP_ARG_MAX_SHARDS'],
  ])('%s → %s', (name, env) => expect(argEnvName(name)).toBe(env));
});
