import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { executionConfigSchema, type ExecutionConfig } from './config-schema';

export type { ExecutionConfig } from './config-schema';

/** The project root (where package.json is), for default file locations. */
export const PROJECT_ROOT = path.resolve(__dirname, '..');
export const DEFAULT_CONFIG_PATH = path.join(PROJECT_ROOT, 'config', 'execution.yaml');

/** A config that failed validation; the message lists every bad field by its path in the file. */
export class ConfigError extends Error {
  constructor(readonly file: string, readonly problems: string[]) {
    super(`invalid config ${file}:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Validates a parsed config object; collects all field errors at once. */
export function parseExecutionConfig(raw: unknown, file = '<inline>'): ExecutionConfig {
  const result = executionConfigSchema.safeParse(raw ?? {});
  if (!result.success) throw new ConfigError(file, formatIssues(result.error.issues));
  return result.data;
}

/** Reads and validates the config: `TRADEFLOW_CONFIG`, else `config/execution.yaml`. */
export function loadExecutionConfig(env: NodeJS.ProcessEnv = process.env): ExecutionConfig {
  const file = env.TRADEFLOW_CONFIG ?? DEFAULT_CONFIG_PATH;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(file, [`cannot read the file: ${(error as Error).message}`]);
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw new ConfigError(file, [`not valid YAML: ${(error as Error).message}`]);
  }
  const config = parseExecutionConfig(raw, file);
  const account = env.TRADEFLOW_ACCOUNT;
  return account ? parseExecutionConfig({ ...config, execution: { ...config.execution, account } }, file) : config;
}

function formatIssues(issues: z.core.$ZodIssue[]): string[] {
  return issues.map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`);
}
