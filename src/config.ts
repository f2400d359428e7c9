import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { executionConfigSchema, type ExecutionConfig } from './config-schema';
import { PROJECT_ROOT } from './project-root';

export type { ExecutionConfig } from './config-schema';

/** The repository's root (defined once, in src/project-root.ts), for default file locations. */
export { PROJECT_ROOT };
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
  const input = raw ?? {};
  const result = executionConfigSchema.safeParse(input);
  if (!result.success) throw new ConfigError(file, formatIssues(result.error.issues, input));
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

type Path = readonly PropertyKey[];

/** One line per problem, each starting with its path in the file; an unknown key names the closest known one. */
function formatIssues(issues: z.core.$ZodIssue[], raw: unknown): string[] {
  const lines = issues.flatMap((issue) => formatIssue(issue, raw));
  return [...new Set(lines)];
}

function formatIssue(issue: z.core.$ZodIssue, raw: unknown): string[] {
  const schema = schemaAt(executionConfigSchema, issue.path);
  if ((issue.code === 'unrecognized_keys' || issue.code === 'invalid_union') && schema instanceof z.ZodUnion) {
    const options = objectOptions(schema);
    if (options) return unionProblems(issue.path, valueAt(raw, issue.path), options);
  }
  if (issue.code === 'unrecognized_keys') {
    const known = schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
    return issue.keys.map((key) => unknownKey([...issue.path, key], key, known));
  }
  if (issue.code === 'invalid_type' && valueAt(raw, issue.path) === undefined) {
    return [`${pathText(issue.path)}: required (${issue.expected})`];
  }
  return [`${pathText(issue.path)}: ${issue.message}`];
}

function unknownKey(path: Path, key: string, known: readonly string[]): string {
  const close = closestKey(key, known);
  const hint = close ? `did you mean ${close}?` : known.length > 0 ? `known keys: ${known.join(', ')}` : '';
  return `${pathText(path)}: unknown key${hint ? ` (${hint})` : ''}`;
}

/**
 * A value that fits no alternative of a union of objects (a signal source is `{ file }` or `{ command,
 * timeout_seconds? }`): an unknown key with its hint, a mix of two alternatives, or the one alternative's problems.
 */
function unionProblems(path: Path, value: unknown, options: readonly z.ZodObject[]): string[] {
  const expected = options.map((option) => `{ ${Object.entries(option.shape)
    .map(([key, field]) => (field.safeParse(undefined).success ? `${key}?` : key)).join(', ')} }`).join(' or ');
  if (!isPlainObject(value) || Object.keys(value).length === 0) return [`${pathText(path)}: expected ${expected}`];
  const keys = Object.keys(value);
  const known = [...new Set(options.flatMap((option) => Object.keys(option.shape)))];
  const unknown = keys.filter((key) => !known.includes(key));
  if (unknown.length > 0) return unknown.map((key) => unknownKey([...path, key], key, known));
  const fitting = options.find((option) => keys.every((key) => key in option.shape));
  if (!fitting) return [`${pathText(path)}: expected ${expected}, not a mix of them (found ${keys.join(', ')})`];
  const result = fitting.safeParse(value);
  if (result.success) return [`${pathText(path)}: expected ${expected}`];
  return result.error.issues.map((issue) => valueAt(value, issue.path) === undefined && issue.code === 'invalid_type'
    ? `${pathText([...path, ...issue.path])}: required (${issue.expected})`
    : `${pathText([...path, ...issue.path])}: ${issue.message}`);
}

function pathText(path: Path): string {
  return path.length > 0 ? path.map(String).join('.') : '(root)';
}

/** The schema that validates the value at `path`, through defaults, optionals, records and arrays. */
function schemaAt(root: z.core.$ZodType, path: Path): z.core.$ZodType | undefined {
  let schema: z.core.$ZodType | undefined = unwrap(root);
  for (const segment of path) {
    if (schema instanceof z.ZodObject) schema = typeof segment === 'string' ? schema.shape[segment] : undefined;
    else if (schema instanceof z.ZodRecord) schema = schema.valueType;
    else if (schema instanceof z.ZodArray) schema = schema.element;
    else return undefined;
    schema = schema && unwrap(schema);
  }
  return schema;
}

function unwrap(schema: z.core.$ZodType): z.core.$ZodType {
  let inner = schema;
  while (inner instanceof z.ZodDefault || inner instanceof z.ZodPrefault || inner instanceof z.ZodOptional) inner = inner.unwrap();
  return inner;
}

/** The alternatives of a union when every one is an object, else undefined. */
function objectOptions(union: z.ZodUnion): z.ZodObject[] | undefined {
  const options = union.options.map(unwrap);
  return options.every((option) => option instanceof z.ZodObject) ? options as z.ZodObject[] : undefined;
}

function valueAt(value: unknown, path: Path): unknown {
  let current = value;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The known key closest to a misspelt one, when it is close enough to be a likely typo: at most
 * max(2, length / 3) edits (case-insensitive), else undefined.
 */
export function closestKey(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const distance = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(key.length / 3)) ? best : undefined;
}

/**
 * Damerau-Levenshtein distance (optimal string alignment): insertions, deletions, substitutions and swaps of two
 * adjacent characters each cost 1.
 */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i += 1) {
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let distance = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) distance = Math.min(distance, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = distance;
    }
  }
  return rows[a.length]![b.length]!;
}
