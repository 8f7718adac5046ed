/**
 * Sitrep's dependency rules, checked by `npm run lint` (and alone by `npm run lint:deps`).
 * What each rule means and how to read a violation: docs/development.md, "Dependency rules".
 *
 * Vocabulary used below:
 * - a *module* is a top-level folder under src/ (`src/incidents/`, `src/platform/`, …);
 * - a *feature module* is every module except `platform` and `config`: alerts, incidents,
 *   notifications, postmortems, timeline, web, oncall, paging, chatops, automations,
 *   followups, runner — and any module added later, without editing this file;
 * - the *composition root* is the files directly in src/ (main.ts, bootstrap.ts,
 *   app.module.ts, migrations.ts, cli-data-source.ts): they wire modules together and may
 *   import any of them;
 * - *test code* (`*.spec.ts` anywhere, test/, bench/) may import anything: no rule applies
 *   from it.
 */

/** Test code: no rule applies from these files (each rule's `from.pathNot`). */
const TEST_CODE = ['\\.spec\\.ts$', '^test/', '^bench/'];

/** Top-level folders under src/ that are not feature modules. */
const NON_FEATURE = '(?:platform|config)';

/** Any file of a feature module. */
const FEATURE_FILE = `^src/(?!${NON_FEATURE}/)[^/]+/`;

/** A file in a domain/ folder, at any depth of its module; captures the module. */
const DOMAIN_FILE = '^src/([^/]+)/(?:domain/|.*/domain/)';

/**
 * npm packages a `domain/` file may use: pure computation, no I/O, no framework.
 * luxon: time-zone arithmetic for on-call rotations (zone rules come from the runtime's Intl
 * data; the current time is still passed in, never read by the domain).
 */
const PURE_PACKAGES = ['luxon'];

/**
 * Node built-ins a `domain/` file may use. crypto: hashing and HMAC are pure functions
 * (chatops checks Slack's request signature in its domain). The module also holds randomness,
 * so eslint.config.mjs lets domain/ import only createHash, createHmac and timingSafeEqual
 * from it.
 */
const PURE_BUILTINS = ['crypto'];

module.exports = {
  forbidden: [
    {
      name: 'no-cycle-between-modules',
      comment:
        'Modules form a directed graph: a cycle between two modules means neither can be understood, ' +
        'tested or changed without the other, and with Nest modules it turns into forwardRef and ' +
        'undefined-at-import-time bugs. Break it by moving the shared piece into one of them (or into ' +
        'platform) and exporting it from that module\'s index.ts, or by inverting it with a port.',
      severity: 'error',
      from: { path: '^src/([^/]+)/', pathNot: TEST_CODE },
      to: { circular: true, viaSomeNot: '^src/$1/' },
    },
    {
      name: 'no-cycle-within-a-module',
      comment:
        'Inside a module, files also form a directed graph (none exists today; keep it so). A cycle ' +
        'makes load order matter: a class imported before its module finished evaluating is undefined, ' +
        'which Nest reports as an unresolvable dependency or a decorator on undefined.',
      severity: 'error',
      from: { path: '^src/([^/]+)/', pathNot: TEST_CODE },
      to: { circular: true, viaOnly: { path: '^src/$1/' } },
    },
    {
      name: 'no-cycle-in-composition-root',
      comment:
        'The files directly in src/ (main, bootstrap, app.module, migrations) import each other in one ' +
        'direction, entry point down; a cycle among them has the same load-order trap as any other.',
      severity: 'error',
      from: { path: '^src/[^/]+\\.ts$' },
      to: { circular: true, viaOnly: { path: '^src/[^/]+\\.ts$' } },
    },
    {
      name: 'domain-imports-only-domain',
      comment:
        'domain/ is plain TypeScript: aggregates, rules and events with time and ids passed in. It must ' +
        'run in a unit spec with no database, transport, framework or clock, so it may import only other ' +
        'domain/ files of its own module, and packages and built-ins that are pure computation ' +
        '(PURE_PACKAGES, PURE_BUILTINS). ' +
        'Another module\'s types come in through that module\'s index.ts as `import type`, which the ' +
        'compiler erases; another module\'s domain/index.ts is its published language (pure types and ' +
        'rules, e.g. severities) and may be imported as it is.',
      severity: 'error',
      from: { path: DOMAIN_FILE, pathNot: TEST_CODE },
      to: {
        pathNot: [
          '^src/$1/domain/',
          '^src/$1/.*/domain/',
          `(?:^|/)node_modules/(?:${PURE_PACKAGES.join('|')})/`,
          `^(?:node:)?(?:${PURE_BUILTINS.join('|')})$`,
          `^src/(?!$1/)(?!${NON_FEATURE}/)[^/]+/index\\.ts$`,
          `^src/(?!${NON_FEATURE}/)[^/]+/domain/index\\.ts$`,
        ],
      },
    },
    {
      name: 'domain-imports-other-modules-as-types-only',
      comment:
        'A domain/ file may name another module\'s types (through its index.ts) but not load it at run ' +
        'time: index.ts pulls in Nest providers, TypeORM and the transport.',
      severity: 'error',
      from: { path: DOMAIN_FILE, pathNot: TEST_CODE },
      to: { path: `^src/(?!${NON_FEATURE}/)[^/]+/index\\.ts$`, pathNot: '^src/$1/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'feature-modules-meet-at-index',
      comment:
        'A feature module is used by others only through its public surface, src/<module>/index.ts, ' +
        'and its published language, src/<module>/domain/index.ts (pure types and rules). ' +
        'Reaching into its persistence/, domain/, queries/ or any other file couples you to its tables ' +
        'and internals, which it must stay free to change. If what you need is not exported, ask for it ' +
        'to be exported (or add a query/port to that module), do not import around it.',
      severity: 'error',
      from: { path: `^src/(?!${NON_FEATURE}/)([^/]+)/`, pathNot: TEST_CODE },
      to: {
        path: FEATURE_FILE,
        pathNot: ['^src/$1/', '^src/[^/]+/index\\.ts$', '^src/[^/]+/domain/index\\.ts$'],
      },
    },
    {
      name: 'platform-and-config-import-no-feature',
      comment:
        'platform/ (database, messaging, auth, http, timers, observability) and config/ are the ' +
        'foundation every feature module builds on; if they imported a feature module (or the ' +
        'composition root that lists them all) the layers would collapse into one cycle. A feature ' +
        'that platform must call is plugged in from outside: a port or registry platform defines and ' +
        'the feature module provides.',
      severity: 'error',
      from: { path: `^src/${NON_FEATURE}/`, pathNot: TEST_CODE },
      to: {
        path: [FEATURE_FILE, '^src/[^/]+\\.ts$'],
      },
    },
    {
      name: 'production-code-imports-no-test-code',
      comment:
        'Specs, test/ support and bench/ are not shipped (the image is built from src/ without them) ' +
        'and may do anything; production code that imports them breaks the build or drags test ' +
        'servers into the service.',
      severity: 'error',
      from: { path: '^src/', pathNot: TEST_CODE },
      to: { path: TEST_CODE },
    },
    {
      name: 'production-code-imports-no-dev-dependency',
      comment:
        'The image runs `npm prune --omit=dev`: a devDependency imported by production code is missing ' +
        'there and the service fails at start-up (or worse, on first use). Type-only imports are erased ' +
        'and allowed. The one exception is pino-pretty, which the logger loads only when stdout is a ' +
        'terminal and falls back to JSON when it is not installed.',
      severity: 'error',
      from: { path: '^src/', pathNot: TEST_CODE },
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['type-only'], pathNot: '(?:^|/)node_modules/pino-pretty/' },
    },
    {
      name: 'no-undeclared-package',
      comment:
        'A package not in package.json is only present by accident (hoisted from another one) and can ' +
        'vanish on any install. Type-only imports of such a package are erased and allowed.',
      severity: 'error',
      from: { path: '^src/', pathNot: TEST_CODE },
      to: { dependencyTypes: ['npm-no-pkg', 'npm-unknown'], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'no-unresolvable-import',
      comment: 'An import that resolves to nothing fails at run time; tsc usually catches it first.',
      severity: 'error',
      from: { pathNot: '(?:^|/)node_modules/' },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    // (?:^|/): node_modules may be a symlink that resolves elsewhere (a copy of the tree, a monorepo).
    doNotFollow: { path: '(?:^|/)node_modules/' },
    exclude: { path: '^(?:dist|coverage|\\.data)/' },
    // Type-only imports are part of the design too: a cycle of types is still a cycle.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.json', '.d.ts'],
    },
  },
};
