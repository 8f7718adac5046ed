import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigError, loadConfig } from '../config/config';
import { defaultRules, parseRules, RulesError } from './notification-rules';
import { notificationSettings } from './notification-settings';
import { readRulesFile } from './rules-file';

describe('notification rules', () => {
  it('accepts {"rules": [...]} or a bare list, normalising strings and severities', () => {
    expect(parseRules([{ when: 'incident.resolved', send: 'email:list', minSeverity: 'sev2' }])).toEqual([
      { when: ['incident.resolved'], send: ['email:list'], minSeverity: 'SEV2' },
    ]);
    expect(parseRules({ rules: defaultRules('SEV2') })).toEqual(defaultRules('SEV2'));
  });

  it.each([
    [{}, 'must be a JSON object'],
    [{ rules: [{ send: ['email:list'] }] }, 'rules[0].when'],
    [{ rules: [{ when: 'incident.exploded', send: ['email:list'] }] }, 'incident.exploded'],
    [{ rules: [{ when: 'incident.declared', send: ['pager:duty'] }] }, 'rules[0].send'],
    [{ rules: [{ when: 'incident.declared', send: ['email:list'], minSeverity: 'SEV9' }] }, 'minSeverity'],
    [{ rules: [{ when: 'incident.declared', send: ['email:list'], emailTo: ['nope'] }] }, 'emailTo'],
    [{ rules: [{ when: 'incident.declared', send: ['email:list'], colour: 'red' }] }, 'colour'],
  ])('rejects %j naming the problem', (json, problem) => {
    expect(() => parseRules(json)).toThrow(RulesError);
    expect(() => parseRules(json)).toThrow(problem);
  });

  describe('NOTIFY_RULES_FILE', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sitrep-rules-'));
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

    it('is optional; when set, notifications reads it at boot: it must exist, parse and describe rules', () => {
      expect(loadConfig({}).notifyRulesFile).toBeUndefined();
      expect(notificationSettings(loadConfig({ NOTIFY_MIN_SEVERITY: 'SEV1' })).plan.rules).toEqual(defaultRules('SEV1'));
      const good = path.join(dir, 'good.json');
      fs.writeFileSync(good, JSON.stringify({ rules: [{ when: ['incident.declared'], minSeverity: 'SEV1', send: ['slack:channel'] }] }));
      expect(loadConfig({ NOTIFY_RULES_FILE: good }).notifyRulesFile).toBe(good);
      expect(notificationSettings(loadConfig({ NOTIFY_RULES_FILE: good })).plan.rules).toEqual([
        { when: ['incident.declared'], minSeverity: 'SEV1', send: ['slack:channel'] },
      ]);
      const cases: Array<[string, string]> = [
        [path.join(dir, 'missing.json'), 'does not exist'],
        [path.join(dir, 'bad.json'), 'readable JSON'],
        [path.join(dir, 'wrong.json'), 'rules[0].send'],
      ];
      fs.writeFileSync(cases[1][0], '{ not json');
      fs.writeFileSync(cases[2][0], JSON.stringify([{ when: 'incident.declared', send: [] }]));
      for (const [file, problem] of cases) {
        for (const read of [() => readRulesFile(file), () => notificationSettings(loadConfig({ NOTIFY_RULES_FILE: file }))]) {
          let error: unknown;
          try {
            read();
          } catch (e) {
            error = e;
          }
          expect(error).toBeInstanceOf(ConfigError);
          expect((error as Error).message).toMatch(/^Invalid configuration: NOTIFY_RULES_FILE /);
          expect((error as Error).message).toContain(problem);
          expect((error as Error).message).not.toContain('\n');
        }
      }
    });

    it('reads the notification timings', () => {
      expect(loadConfig({})).toMatchObject({ notifyRetryBaseMs: 5000, notifySendTimeoutMs: 15000 });
      expect(loadConfig({ NOTIFY_RETRY_BASE_MS: '50', NOTIFY_SEND_TIMEOUT_MS: '1000' })).toMatchObject({
        notifyRetryBaseMs: 50,
        notifySendTimeoutMs: 1000,
      });
      expect(() => loadConfig({ NOTIFY_SEND_TIMEOUT_MS: 'soon' })).toThrow(ConfigError);
    });
  });
});
