// @ts-check
import path from 'node:path';
import tseslint from 'typescript-eslint';
import importX, { createNodeResolver } from 'eslint-plugin-import-x';

/** The simulator package is used by its name and public entry (`from 'alpaca-sim'`), never by its files. */
const simulatorInternals = {
  group: ['alpaca-sim/*', '**/packages/**'],
  message: "import the simulator package by its public entry, `from 'alpaca-sim'`, never its files",
};

/**
 * Production code never loads the simulator: only the demo (src/cli/demo.ts) and the CLI's `sim` command
 * (src/cli/sim.ts) start it, and src/cli/program.ts loads those two only when their command runs.
 */
const simulatorPackage = {
  group: ['alpaca-sim'],
  message: 'production code does not depend on the simulator; only src/cli/demo.ts and src/cli/sim.ts (the sim command) start it',
};

/** The same for a load the import rules do not see: `import('alpaca-sim')` and `require('alpaca-sim')`. */
const simulatorLoads = [
  { selector: "ImportExpression[source.value=/^alpaca-sim/]", message: simulatorPackage.message },
  { selector: "CallExpression[callee.name='require'][arguments.0.value=/^alpaca-sim/]", message: simulatorPackage.message },
];

/** Modules workflow and domain code must never load: Node built-ins, the broker SDK and I/O adapters. */
const sandboxForbidden = {
  paths: ['fs', 'path', 'os', 'child_process', 'http', 'https', 'net', 'crypto', 'zlib', 'stream', 'worker_threads',
    '@alpacahq/alpaca-trade-api', '@temporalio/client', '@temporalio/worker', '@temporalio/activity', 'fastify', 'yaml']
    .map((name) => ({ name, message: 'workflow and domain code must stay deterministic and sandbox-safe' })),
  patterns: [
    { group: ['node:*'], message: 'no Node built-ins in workflow or domain code' },
    { group: ['**/broker/alpaca*', 'alpaca-sim', '**/config', '**/worker', '**/cli/*', '**/temporal/dev-server', '**/temporal/binary'],
      message: 'workflow and domain code import only pure modules' },
    simulatorInternals,
  ],
};

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'tools/**', 'bin/**', 'packages/*/bin/**', 'packages/*/node_modules/**', 'eslint.config.mjs'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'import-x': importX },
    // import-x must be told that `.ts` files are modules and how to resolve them: without these settings it parses
    // no TypeScript dependency and import-x/no-cycle passes whatever the imports are.
    settings: {
      'import-x/extensions': ['.ts', '.js', '.cjs', '.mjs'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js', '.cjs', '.mjs', '.json', '.node'] })],
    },
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
    // Tests, benchmarks and scripts start the simulator through its public entry only.
    files: ['**/*.ts'],
    ignores: ['packages/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [simulatorInternals] }],
    },
  },
  {
    // src/workflows, src/domain, src/activities, src/broker, ...: no simulator at all. (The blocks below replace this
    // rule for workflow and domain code with a stricter list that includes it.)
    files: ['src/**/*.ts'],
    ignores: ['src/cli/sim.ts', 'src/cli/demo.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [simulatorInternals, simulatorPackage] }],
      'no-restricted-syntax': ['error', ...simulatorLoads],
    },
  },
  {
    // The simulator is its own package: it imports its own files and the dependencies its package.json declares,
    // nothing of the project around it (the test and bench files may use its devDependencies).
    files: ['packages/alpaca-sim/**/*.ts'],
    rules: {
      'import-x/no-relative-packages': 'error',
      'import-x/no-extraneous-dependencies': ['error', {
        packageDir: [path.join(import.meta.dirname, 'packages/alpaca-sim')],
        devDependencies: ['packages/alpaca-sim/test/**', 'packages/alpaca-sim/bench/**'],
      }],
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
      'no-restricted-syntax': ['error', ...simulatorLoads,
        { selector: "CallExpression[callee.object.name='Math'][callee.property.name='random']", message: 'domain code is deterministic' },
        { selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']", message: 'time is a parameter in domain code' }],
    },
  },
  {
    // Workflow code takes only types from the activities (`import type { Activities }` for proxyActivities), the
    // operations (src/operations: starting days, schedules, the account's state from a Temporal client), the CLI and
    // the worker: a value import would pull I/O into the sandbox (the block above already refuses any import of the
    // worker and the CLI).
    files: ['src/workflows/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        patterns: [{
          group: ['**/activities', '**/activities/*', '**/operations', '**/operations/*', '**/cli/*', '**/worker'],
          allowTypeImports: true,
          message: 'workflow code imports only types from activities, operations, the CLI and the worker (import type)',
        }],
      }],
    },
  },
);
