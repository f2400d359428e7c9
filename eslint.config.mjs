// @ts-check
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';

/** Modules workflow and domain code must never load: Node built-ins, the broker SDK and I/O adapters. */
const sandboxForbidden = {
  paths: ['fs', 'path', 'os', 'child_process', 'http', 'https', 'net', 'crypto', 'zlib', 'stream', 'worker_threads',
    '@alpacahq/alpaca-trade-api', '@temporalio/client', '@temporalio/worker', '@temporalio/activity', 'fastify', 'yaml']
    .map((name) => ({ name, message: 'workflow and domain code must stay deterministic and sandbox-safe' })),
  patterns: [
    { group: ['node:*'], message: 'no Node built-ins in workflow or domain code' },
    { group: ['**/broker/alpaca*', '**/sim', '**/sim/*', '**/config', '**/worker', '**/cli/*', '**/temporal/dev-server', '**/temporal/binary'],
      message: 'workflow and domain code import only pure modules' },
  ],
};

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'tools/**', 'bin/**', 'eslint.config.mjs'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'import-x': importX },
    rules: {
      '@typescript-eslint/no-floating-promises': ['error', {
        allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'before', 'after', 'beforeEach', 'afterEach'] }],
      }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'import-x/no-cycle': 'error',
    },
  },
  {
    files: ['src/workflows/**/*.ts', 'src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', sandboxForbidden],
      'no-restricted-globals': ['error',
        { name: 'setTimeout', message: 'use sleep() from @temporalio/workflow' },
        { name: 'setInterval', message: 'use sleep() from @temporalio/workflow' },
        { name: 'process', message: 'workflows never read the environment' }],
    },
  },
  {
    files: ['src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        ...sandboxForbidden,
        paths: [...sandboxForbidden.paths, { name: '@temporalio/workflow', message: 'domain code does not depend on Temporal' }],
      }],
      'no-restricted-syntax': ['error',
        { selector: "CallExpression[callee.object.name='Math'][callee.property.name='random']", message: 'domain code is deterministic' },
        { selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']", message: 'time is a parameter in domain code' }],
    },
  },
);
