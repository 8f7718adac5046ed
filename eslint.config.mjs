import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const frameworkImports = ['@nestjs/*', 'typeorm', 'typeorm/*', 'kafkajs', 'socket.io', 'socket.io/*', 'pg', 'fastify'];

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
    files: ['src/**/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: frameworkImports, message: 'domain/ must not depend on a framework, ORM or transport' },
            { group: ['**/platform/**', '**/persistence/**', '**/http/**', '**/commands/**', '**/queries/**'], message: 'domain/ depends on nothing outside domain/' },
          ],
        },
      ],
    },
  },
);
