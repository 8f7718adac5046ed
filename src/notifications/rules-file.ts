import * as fs from 'node:fs';
import { ConfigError } from '../config/config';
import { NotificationRule, parseRules } from './notification-rules';

const VARIABLE = 'NOTIFY_RULES_FILE';

/**
 * Reads the notification rules file where notifications boot. Any problem is a ConfigError
 * naming NOTIFY_RULES_FILE in one line, which stops start-up like a bad variable does.
 */
export function readRulesFile(file: string): NotificationRule[] {
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    const code = (error as { code?: string }).code;
    const problem = code === 'ENOENT' ? `names a file that does not exist: ${file}` : `must name a readable JSON file: ${oneLine((error as Error).message)}`;
    throw new ConfigError(VARIABLE, problem);
  }
  try {
    return parseRules(json);
  } catch (error) {
    throw new ConfigError(VARIABLE, `${file}: ${oneLine((error as Error).message)}`);
  }
}

function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ');
}
