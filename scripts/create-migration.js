#!/usr/bin/env node
// Creates an empty, timestamped migration class in a module's migrations folder and prints
// the two lines that register it in src/migrations.ts. Sitrep has no entities (raw SQL), so
// there is nothing to generate a migration from: it is written by hand.
//
//   npm run migration:create -- <module> <name words…> [--timestamp <ms>]
//   npm run migration:create -- oncall schedules and layers --timestamp 1764220000000
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const usage =
  'usage: npm run migration:create -- <module> <name words…> [--timestamp <ms>]\n' +
  '  module     a folder under src/ (platform migrations go to src/platform/database/migrations/)\n' +
  '  name       what the migration does, e.g. "escalation policies"\n' +
  '  timestamp  milliseconds since 1970 (13 digits), if the lead gave you one; default: now';

function fail(message) {
  process.stderr.write(`${message}\n\n${usage}\n`);
  process.exit(64); // EX_USAGE
}

function parseArgs(argv) {
  const words = [];
  let timestamp;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') {
      process.stdout.write(`${usage}\n`);
      process.exit(0);
    } else if (arg === '--timestamp') {
      timestamp = argv[++i];
      if (timestamp === undefined) fail('--timestamp needs a value');
    } else if (arg.startsWith('--timestamp=')) {
      timestamp = arg.slice('--timestamp='.length);
    } else if (arg.startsWith('-')) {
      fail(`unknown option ${arg}`);
    } else {
      words.push(arg);
    }
  }
  const [module, ...name] = words;
  if (!module) fail('missing the module');
  if (name.length === 0) fail('missing the migration name');
  return { module, name: name.join(' '), timestamp };
}

/** TypeORM orders migrations by the 13-digit JavaScript timestamp that ends the class name. */
function parseTimestamp(value) {
  if (value === undefined) return Date.now();
  if (!/^\d{13}$/.test(value)) fail(`--timestamp must be 13 digits (milliseconds since 1970), got "${value}"`);
  return Number(value);
}

/** "on-call schedules v2" → ["on", "call", "schedules", "v2"] */
function words(name) {
  const parts = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w.toLowerCase());
  if (parts.length === 0) fail(`"${name}" has no letters or digits to name a migration with`);
  if (/^\d/.test(parts[0])) fail(`"${name}" must start with a letter (it becomes a class name)`);
  return parts;
}

function migrationsFolder(module) {
  if (!/^[a-z][a-z0-9-]*$/.test(module)) fail(`"${module}" is not a module folder name`);
  if (module === 'config') fail('config has no tables; put the migration in the module that owns them');
  if (!fs.existsSync(path.join(root, 'src', module))) fail(`there is no src/${module}/ (modules: ${modules().join(', ')})`);
  return module === 'platform'
    ? path.join('src', 'platform', 'database', 'migrations')
    : path.join('src', module, 'persistence', 'migrations');
}

function modules() {
  return fs
    .readdirSync(path.join(root, 'src'), { withFileTypes: true })
    .filter((e) => e.isDirectory() && e.name !== 'config')
    .map((e) => e.name);
}

/** The timestamps of the migrations src/migrations.ts lists today. */
function registeredTimestamps() {
  const list = path.join(root, 'src', 'migrations.ts');
  if (!fs.existsSync(list)) return [];
  return [...fs.readFileSync(list, 'utf8').matchAll(/^\s+[A-Za-z][A-Za-z0-9]*?(\d{13}),\s*$/gm)].map((m) => Number(m[1]));
}

function template(className, title) {
  return `import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * ${title}.
 * Say what changes and why; once this has shipped, never edit it: write another migration.
 */
export class ${className} implements MigrationInterface {
  name = '${className}';

  async up(q: QueryRunner): Promise<void> {
    // Each migration runs in its own transaction at start-up, under an advisory lock.
    // Raw SQL: await q.query(\`CREATE TABLE …\`);
  }

  async down(q: QueryRunner): Promise<void> {
    // Undo up() exactly, in reverse order: \`npm run migration:revert\` and the tests run it.
  }
}
`;
}

const args = parseArgs(process.argv.slice(2));
const timestamp = parseTimestamp(args.timestamp);
const folder = migrationsFolder(args.module);
const parts = words(args.name);
const className = `${parts.map((w) => w[0].toUpperCase() + w.slice(1)).join('')}${timestamp}`;
const fileName = `${timestamp}-${parts.join('-')}.ts`;
const file = path.join(folder, fileName);

const clash = fs.existsSync(path.join(root, folder)) && fs.readdirSync(path.join(root, folder)).find((f) => f.startsWith(`${timestamp}-`));
if (clash) fail(`${path.join(folder, clash)} already has timestamp ${timestamp}`);
const title = parts.join(' ').replace(/^./, (c) => c.toUpperCase());
fs.mkdirSync(path.join(root, folder), { recursive: true });
fs.writeFileSync(path.join(root, file), template(className, title), { flag: 'wx' });

// src/<module>/persistence/migrations → the module's list, src/<module>/migrations.ts
const moduleName = folder.split(path.sep)[1];
const moduleList = path.posix.join('src', moduleName, 'migrations.ts');
const importPath = `./${path.posix.join(...folder.split(path.sep).slice(2), fileName.replace(/\.ts$/, ''))}`;
const latest = Math.max(0, ...registeredTimestamps());
process.stdout.write(
  `created ${file} (empty: it fails the lint until up() and down() are written)\n\n` +
    `Register it: export it from ${moduleList} (create that file if the module has none):\n` +
    `  export { ${className} } from '${importPath}';\n` +
    'and add it to the list in src/migrations.ts (imported from that file):\n' +
    `  ${className},\n`,
);
if (timestamp <= latest) {
  process.stdout.write(
    `\nNote: ${timestamp} is not after the latest registered migration (${latest}). TypeORM runs migrations in ` +
      'timestamp order, so on a fresh database this one runs before that one, and on a database that already has ' +
      'that one it runs after it: make sure it works in both orders.\n',
  );
}
