#!/usr/bin/env node
// `npm run lint`: type-check, eslint, then the dependency rules. Every step runs even when an
// earlier one failed, so one run shows every problem; the exit code is non-zero if any failed.
// `node scripts/lint.js deps` (npm run lint:deps) runs only the named steps.
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.join(__dirname, '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);

const steps = {
  types: { title: 'types (tsc)', command: bin('tsc'), args: ['--noEmit', '-p', 'tsconfig.json'] },
  code: { title: 'code (eslint)', command: bin('eslint'), args: ['--max-warnings=0', '.'] },
  deps: {
    title: 'dependency rules (dependency-cruiser, .dependency-cruiser.cjs)',
    command: bin('depcruise'),
    args: ['src', '--config', '.dependency-cruiser.cjs', '--output-type', 'err-long'],
    // depcruise exits with the number of violations, which the OS takes modulo 256: 256 of
    // them would pass. Only its explicit all-clear line counts as a pass.
    passed: (output) => output.includes('no dependency violations found'),
  },
};

const names = process.argv.slice(2);
for (const name of names) {
  if (!steps[name]) {
    process.stderr.write(`unknown lint step "${name}"; steps: ${Object.keys(steps).join(', ')}\n`);
    process.exit(64);
  }
}

const failed = [];
for (const name of names.length ? names : Object.keys(steps)) {
  const step = steps[name];
  process.stdout.write(`\n▶ ${step.title}\n`);
  let ok;
  if (step.passed) {
    const env = process.stdout.isTTY ? { ...process.env, FORCE_COLOR: '1' } : process.env;
    const result = spawnSync(step.command, step.args, { cwd: root, env, stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 * 1024 * 1024 });
    if (result.error) process.stderr.write(`${result.error.message}\n`);
    const output = result.stdout ? result.stdout.toString() : '';
    process.stdout.write(output);
    ok = result.status === 0 && step.passed(output);
  } else {
    const result = spawnSync(step.command, step.args, { cwd: root, stdio: 'inherit' });
    if (result.error) process.stderr.write(`${result.error.message}\n`);
    ok = result.status === 0;
  }
  if (ok) process.stdout.write('  ok\n');
  else failed.push(step.title);
}

if (failed.length > 0) {
  process.stderr.write(`\nlint failed: ${failed.join('; ')}\n`);
  process.exit(1);
}
process.stdout.write('\nlint passed\n');
