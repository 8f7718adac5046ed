import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** The parts of node:crypto that are pure functions. */
const pureCrypto = ['createHash', 'createHmac', 'timingSafeEqual'];

const frameworkImports = ['@nestjs/*', 'typeorm', 'typeorm/*', 'kafkajs', 'socket.io', 'socket.io/*', 'pg', 'fastify'];

const domainImportPatterns = [
  { group: frameworkImports, message: 'domain/ must not depend on a framework, ORM or transport' },
  { group: ['**/platform/**', '**/persistence/**', '**/http/**', '**/commands/**', '**/queries/**'], message: 'domain/ depends on nothing outside domain/' },
];

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'src/web/**/*.js', '.data/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', __dirname: 'readonly', require: 'readonly', module: 'writable', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', setImmediate: 'readonly', URL: 'readonly', fetch: 'readonly' } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  {
    // Domain code is plain TypeScript: rules, aggregates and events with no framework in them.
    // (Its specs too; .dependency-cruiser.cjs checks the rest of what domain/ may import.)
    files: ['src/**/domain/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: domainImportPatterns }] },
  },
  {
    // Hashing is pure; the rest of crypto is randomness, which the domain takes as an argument.
    // Specs may draw ids as they like. (This block's options replace the one above.)
    files: ['src/**/domain/**/*.ts'],
    ignores: ['src/**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: domainImportPatterns,
          paths: ['crypto', 'node:crypto'].map((name) => ({
            name,
            allowImportNames: pureCrypto,
            message: `domain/ may use only ${pureCrypto.join(', ')} from crypto: ids and random values are passed in`,
          })),
        },
      ],
    },
  },
  {
    // Time and ids are arguments of the domain, so a spec can pin them and a replay gives the same result.
    files: ['src/**/domain/**/*.ts'],
    ignores: ['src/**/*.spec.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'domain/ reads no clock: take `now` as an argument' },
        { object: 'DateTime', property: 'now', message: 'domain/ reads no clock: take `now` as an argument' },
        { object: 'Math', property: 'random', message: 'domain/ draws no random numbers: take ids and random values as arguments' },
        { object: 'performance', property: 'now', message: 'domain/ reads no clock: take `now` as an argument' },
        { object: 'process', message: 'domain/ reads no environment or process state: configuration comes in as arguments' },
      ],
      'no-restricted-syntax': [
        'error',
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'new Date() reads the clock: take `now` as an argument' },
        { selector: "CallExpression[callee.name='Date'][arguments.length=0]", message: 'Date() reads the clock: take `now` as an argument' },
        {
          selector: "CallExpression[callee.object.name='DateTime'][callee.property.name='local'][arguments.length=0]",
          message: 'DateTime.local() reads the clock: take `now` as an argument',
        },
      ],
    },
  },
);
