import { spawn } from 'node:child_process';
import { constants, promises as fs } from 'node:fs';
import * as path from 'node:path';

export const OUTPUT_LIMIT = 64 * 1024;
const SCRIPT_NAME = /^[a-z0-9][a-z0-9._-]{0,127}$/;
const ARG_NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

export type Resolved = { ok: true; file: string } | { ok: false; reason: string };

/**
 * The file a script name names: exactly `<dir>/<name>`, a regular executable file whose real
 * location is in that directory. A name that could spell a path is refused before the disk
 * is looked at.
 */
export async function resolveScript(dir: string, name: string): Promise<Resolved> {
  if (typeof name !== 'string' || !SCRIPT_NAME.test(name) || name.includes('..'))
    return {
      ok: false,
      reason: `refused script name ${JSON.stringify(String(name).slice(0, 80))}: not a plain file name`,
    };
  let realDir: string;
  try {
    realDir = await fs.realpath(dir);
  } catch {
    return { ok: false, reason: 'the runner has no scripts directory' };
  }
  const file = path.join(realDir, name);
  try {
    const real = await fs.realpath(file);
    if (path.dirname(real) !== realDir)
      return { ok: false, reason: `script "${name}" points outside the scripts directory` };
    const stat = await fs.stat(real);
    if (!stat.isFile()) return { ok: false, reason: `script "${name}" is not a file` };
    await fs.access(real, constants.X_OK);
    return { ok: true, file: real };
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ENOENT') return { ok: false, reason: `script "${name}" not found in the runner's scripts directory` };
    if (code === 'EACCES') return { ok: false, reason: `script "${name}" is not executable` };
    return { ok: false, reason: `script "${name}" cannot be used: ${code ?? 'error'}` };
  }
}

export interface ScriptResult {
  exitCode: number | null;
  output: string;
  /** Why it did not end normally (timeout, a signal, could not start). */
  error: string | null;
}

/**
 * Runs the file with no shell and no arguments: the automation's arguments travel as
 * SITREP_ARG_<NAME> environment variables, so a value like `x; rm -rf /` is only text. The
 * environment is built from scratch (the runner's token never reaches a script). Output is
 * stdout and stderr as they come, capped at 64 KiB; on timeout the whole process group dies.
 */
export function runScript(
  file: string,
  args: Record<string, string>,
  context: { runId: string; incidentId: string; timeoutMs: number; basePath: string },
): Promise<ScriptResult> {
  const env: Record<string, string> = {
    PATH: context.basePath,
    SITREP_RUN_ID: context.runId,
    SITREP_INCIDENT_ID: context.incidentId,
  };
  for (const [name, value] of Object.entries(args)) {
    if (!ARG_NAME.test(name)) continue;
    env[`SITREP_ARG_${name.toUpperCase()}`] = String(value).replaceAll('\u0000', '');
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let truncated = false;
    const keep = (chunk: Buffer) => {
      if (size >= OUTPUT_LIMIT) {
        truncated = true;
        return;
      }
      const part = chunk.subarray(0, OUTPUT_LIMIT - size);
      if (part.length < chunk.length) truncated = true;
      chunks.push(part);
      size += part.length;
    };
    let timedOut = false;
    const child = spawn(file, [], {
      cwd: path.dirname(file),
      env,
      shell: false,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const killGroup = () => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, context.timeoutMs);
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({
        exitCode: null,
        output: '',
        error: `could not start the script: ${(error as { code?: string }).code ?? error.message}`,
      });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      let output = Buffer.concat(chunks).toString('utf8');
      if (truncated) output = `${output}\n[output truncated at 64 KiB]`;
      const error = timedOut
        ? `timed out after ${Math.round(context.timeoutMs / 1000)}s`
        : signal
          ? `killed by ${signal}`
          : null;
      resolve({ exitCode: timedOut || signal ? null : code, output, error });
    });
  });
}
