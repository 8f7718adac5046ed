#!/usr/bin/env node
// `npm run lint`: type-check, eslint, then the dependency rules. Every step runs even when an
// earlier one failed, so one run shows every problem; the exit code is non-zero if any failed.
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.join(__dirname, '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);

const steps = [
  { name: 'types (tsc)', command: bin('tsc'), args: ['--noEmit', '-p', 'tsconfig.json'] },
  { name: 'code (eslint)', command: bin('eslint'), args: ['--max-warnings=0', '.'] },
  {
    name: 'dependency rules (dependency-cruiser, .dependency-cruiser.cjs)',
    command: bin('depcruise'),
    args: ['src', '--config', '.dependency-cruiser.cjs', '--output-type', 'err-long'],
  },
];

const failed = [];
for (const step of steps) {
  process.stdout.write(`\n▶ ${step.name}\n`);
  const result = spawnSync(step.command, step.args, { cwd: root, stdio: 'inherit' });
  if (result.error) process.stderr.write(`${result.error.message}\n`);
  if (result.status !== 0) failed.push(step.name);
  else process.stdout.write('  ok\n');
}

if (failed.length > 0) {
  process.stderr.write(`\nlint failed: ${failed.join('; ')}\n`);
  process.exit(1);
}
process.stdout.write('\nlint passed\n');
