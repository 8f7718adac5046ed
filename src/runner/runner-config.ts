/**
 * The runner's settings, from its own environment (it is a separate program an operator runs
 * inside their network; it never loads the service's configuration).
 */
export interface RunnerConfig {
  url: string;
  token: string;
  scriptsDir: string;
  leaseSeconds: number;
  pollMs: number;
}

export function loadRunnerConfig(env: NodeJS.ProcessEnv): RunnerConfig {
  const problems: string[] = [];
  const url = (env.SITREP_URL ?? '').replace(/\/+$/, '');
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') problems.push('SITREP_URL must be http(s)');
  } catch {
    problems.push('SITREP_URL must be the Sitrep base URL, e.g. https://sitrep.example.com');
  }
  const token = env.SITREP_RUNNER_TOKEN ?? '';
  if (!token) problems.push('SITREP_RUNNER_TOKEN is required (POST /api/v1/runners gives one)');
  const scriptsDir = env.RUNNER_SCRIPTS_DIR ?? '';
  if (!scriptsDir) problems.push('RUNNER_SCRIPTS_DIR is required');
  const leaseSeconds = Number(env.RUNNER_LEASE_SECONDS ?? 30);
  if (!Number.isFinite(leaseSeconds) || leaseSeconds < 2 || leaseSeconds > 300)
    problems.push('RUNNER_LEASE_SECONDS must be from 2 to 300');
  const pollMs = Number(env.RUNNER_POLL_MS ?? 1000);
  if (!Number.isInteger(pollMs) || pollMs < 100 || pollMs > 60_000)
    problems.push('RUNNER_POLL_MS must be from 100 to 60000');
  if (problems.length > 0) throw new Error(problems.join('; '));
  return { url, token, scriptsDir, leaseSeconds, pollMs };
}
