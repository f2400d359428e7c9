/**
 * Writes docs/configuration.md, the reference of every setting of config/execution.yaml, generated from the one zod
 * schema (src/config-schema.ts): types, defaults and allowed values from the schema itself (its JSON Schema, input
 * side), descriptions from the JSDoc comment of each property in the schema's source (read with the TypeScript
 * compiler API), else from the setting's comment in config/execution.yaml. A unit test keeps the file current.
 *
 *   npm run docs:config
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { isMap, isScalar, parseDocument, type Node as YamlNode } from 'yaml';
import { z } from 'zod';
import { executionConfigSchema } from '../src/config-schema';

const ROOT = path.resolve(__dirname, '..');
const SCHEMA_SOURCE = path.join(ROOT, 'src', 'config-schema.ts');
const SEED_CONFIG = path.join(ROOT, 'config', 'execution.yaml');
/** Where `npm run docs:config` writes the reference. */
export const CONFIG_REFERENCE_PATH = path.join(ROOT, 'docs', 'configuration.md');

/** A JSON Schema node, as much of it as the reference reads. */
interface JsonSchema {
  type?: string;
  enum?: unknown[];
  default?: unknown;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: JsonSchema | boolean;
  propertyNames?: JsonSchema;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  pattern?: string;
  format?: string;
  'x-protocol'?: string;
}

/** One setting of the file: its dotted path (`<key>` a key of a map, `[]` an entry of a list) and its schema. */
export interface ConfigSetting {
  path: string;
  schema: JsonSchema;
  /** Whether the file must give it (an entry of `accounts` without `name` is refused). */
  required: boolean;
}

/** A top-level key of the file and the settings under it. */
interface ConfigSection {
  key: string;
  schema: JsonSchema;
  settings: ConfigSetting[];
}

const KEY = '<key>';
const ENTRY = '[]';

/** The file's schema as JSON Schema, input side: defaults as the file may leave them out. */
function configJsonSchema(): JsonSchema {
  return z.toJSONSchema(executionConfigSchema, {
    io: 'input',
    // JSON Schema has no word for a URL's allowed protocols (`z.url({ protocol })`): carried as `x-protocol`.
    override: (context) => {
      const def = context.zodSchema._zod.def as { protocol?: unknown };
      if (def.protocol instanceof RegExp) (context.jsonSchema as Record<string, unknown>)['x-protocol'] = def.protocol.source;
    },
  }) as JsonSchema;
}

/** The objects a node holds settings of: itself, or every alternative of a union (their keys merged). */
function objectProperties(schema: JsonSchema): { properties: Record<string, JsonSchema>; required: Set<string> } | undefined {
  if (schema.type === 'object' && schema.properties) return { properties: schema.properties, required: new Set(schema.required ?? []) };
  if (schema.anyOf && schema.anyOf.every((option) => option.type === 'object' && option.properties)) {
    const properties: Record<string, JsonSchema> = {};
    for (const option of schema.anyOf) Object.assign(properties, option.properties);
    // Required when every alternative that has the key requires it (`file` in `{ file }`, `command` in `{ command }`).
    const required = new Set(Object.keys(properties).filter((key) => schema.anyOf!
      .filter((option) => option.properties && key in option.properties).every((option) => option.required?.includes(key))));
    return { properties, required };
  }
  return undefined;
}

/** A map whose values are objects (signal_sources), or a list of objects (accounts): its settings are inside. */
function container(schema: JsonSchema): { segment: string; inner: JsonSchema } | undefined {
  if (schema.type === 'object' && !schema.properties && typeof schema.additionalProperties === 'object'
    && objectProperties(schema.additionalProperties)) return { segment: KEY, inner: schema.additionalProperties };
  if (schema.type === 'array' && schema.items && objectProperties(schema.items)) return { segment: ENTRY, inner: schema.items };
  return undefined;
}

function joinPath(prefix: string, segment: string): string {
  if (!prefix) return segment;
  return segment === ENTRY ? `${prefix}${ENTRY}` : `${prefix}.${segment}`;
}

/** Every setting under a node: objects and containers of objects are walked, anything else is a setting. */
function settingsUnder(schema: JsonSchema, prefix: string, required: boolean): ConfigSetting[] {
  const inside = container(schema);
  if (inside) return settingsUnder(inside.inner, joinPath(prefix, inside.segment), true);
  const object = objectProperties(schema);
  if (!object) return [{ path: prefix, schema, required }];
  return Object.entries(object.properties)
    .flatMap(([key, property]) => settingsUnder(property, joinPath(prefix, key), object.required.has(key)));
}

function configSections(): ConfigSection[] {
  const root = objectProperties(configJsonSchema());
  if (!root) throw new Error('the config schema is not an object');
  return Object.entries(root.properties).map(([key, schema]) => ({ key, schema, settings: settingsUnder(schema, key, root.required.has(key)) }));
}

/** Every setting's dotted path, in the order of the schema. */
export function configSettingPaths(): string[] {
  return configSections().flatMap((section) => section.settings.map((setting) => setting.path));
}

// ---- descriptions: the JSDoc of each property in src/config-schema.ts ----

function calleeName(call: ts.CallExpression): string | undefined {
  const callee = call.expression;
  if (ts.isPropertyAccessExpression(callee)) return callee.name.text;
  if (ts.isIdentifier(callee)) return callee.text;
  return undefined;
}

/** The text of the last JSDoc block (`/** ... *\/`) right before a node, on one line. */
function jsDocText(node: ts.Node, text: string): string | undefined {
  const ranges = ts.getLeadingCommentRanges(text, node.getFullStart()) ?? [];
  const docs = ranges.filter((range) => range.kind === ts.SyntaxKind.MultiLineCommentTrivia && text.startsWith('/**', range.pos));
  const last = docs[docs.length - 1];
  if (!last) return undefined;
  return text.slice(last.pos + 3, last.end - 2)
    .split('\n').map((line) => line.replace(/^\s*\*?\s?/, '').trim()).filter((line) => line !== '')
    .join(' ').replace(/\s+/g, ' ').trim() || undefined;
}

/**
 * The JSDoc of every property of the schema's object literals, by the property's path: `z.strictObject({...})`
 * adds the key, `z.record(key, value)` adds `<key>` for its value, `z.array(item)` adds `[]`; unions, defaults and
 * other chained calls keep the path. Function bodies (the superRefine) are not walked.
 */
export function schemaDescriptions(sourceFile = SCHEMA_SOURCE): Map<string, string> {
  const text = readFileSync(sourceFile, 'utf8');
  const source = ts.createSourceFile(sourceFile, text, ts.ScriptTarget.Latest, true);
  const found = new Map<string, string>();
  const visit = (node: ts.Node, prefix: string): void => {
    if (ts.isFunctionLike(node)) return;
    if (ts.isCallExpression(node)) {
      const name = calleeName(node);
      visit(node.expression, prefix);
      if (name === 'strictObject' || name === 'object' || name === 'looseObject') {
        const shape = node.arguments[0];
        if (shape && ts.isObjectLiteralExpression(shape)) {
          for (const property of shape.properties) {
            if (!ts.isPropertyAssignment(property)) continue;
            const key = property.name.getText(source).replace(/^['"]|['"]$/g, '');
            const where = joinPath(prefix, key);
            const doc = jsDocText(property, text);
            if (doc) found.set(where, doc);
            visit(property.initializer, where);
          }
        }
      } else if (name === 'record') {
        const value = node.arguments[1];
        if (value) visit(value, joinPath(prefix, KEY));
      } else if (name === 'array') {
        const item = node.arguments[0];
        if (item) visit(item, joinPath(prefix, ENTRY));
      } else {
        for (const argument of node.arguments) if (ts.isCallExpression(argument) || ts.isArrayLiteralExpression(argument)) visit(argument, prefix);
      }
      return;
    }
    ts.forEachChild(node, (child) => visit(child, prefix));
  };
  let schemaFound = false;
  source.forEachChild((statement) => {
    if (!ts.isVariableStatement(statement)) return;
    for (const declaration of statement.declarationList.declarations) {
      if (ts.isIdentifier(declaration.name) && declaration.name.text === 'executionConfigSchema' && declaration.initializer) {
        schemaFound = true;
        visit(declaration.initializer, '');
      }
    }
  });
  if (!schemaFound) throw new Error(`no executionConfigSchema in ${sourceFile}`);
  return found;
}

/** The inline comment of each setting in the seed config (`key: value  # comment`), by dotted path. */
function seedComments(file = SEED_CONFIG): Map<string, string> {
  const found = new Map<string, string>();
  const walk = (node: YamlNode | null | undefined, prefix: string): void => {
    if (!isMap(node)) return;
    for (const pair of node.items) {
      if (!isScalar(pair.key)) continue;
      const where = joinPath(prefix, String(pair.key.value));
      const value = pair.value as YamlNode | null;
      if (isScalar(value) && value.comment) found.set(where, value.comment.replace(/\s+/g, ' ').trim());
      else if (isMap(value)) {
        if (value.flow && value.comment) found.set(where, value.comment.replace(/\s+/g, ' ').trim());
        if (!value.flow) walk(value, where);
      }
    }
  };
  walk(parseDocument(readFileSync(file, 'utf8')).contents, '');
  return found;
}

// ---- rendering ----

function numberText(value: number): string {
  const power = Math.log10(Math.abs(value));
  return power >= 6 && Number.isInteger(power) ? `${value < 0 ? '-' : ''}1e${power}` : String(value);
}

function code(value: string): string {
  return value.includes('`') ? `\`\` ${value} \`\`` : `\`${value}\``;
}

function typeText(schema: JsonSchema): string {
  if (schema.enum) return 'enum';
  if (schema.anyOf) return schema.anyOf.map(typeText).join(' or ');
  switch (schema.type) {
    case 'integer': return 'integer';
    case 'number': return 'number';
    case 'boolean': return 'boolean';
    case 'string': return 'string';
    case 'array': return schema.items ? `list of ${typeText(schema.items)}s` : 'list';
    case 'object': return typeof schema.additionalProperties === 'object' ? `map of ${typeText(schema.additionalProperties)}s` : 'object';
    default: return schema.type ?? 'any';
  }
}

/** A number's allowed interval, e.g. `(0, 1]`, `at least 20`. */
function rangeText(schema: JsonSchema): string | undefined {
  const low = schema.exclusiveMinimum ?? schema.minimum;
  const high = schema.exclusiveMaximum ?? schema.maximum;
  if (low === undefined && high === undefined) return undefined;
  if (high === undefined) return `${schema.exclusiveMinimum !== undefined ? 'above' : 'at least'} ${numberText(low!)}`;
  if (low === undefined) return `${schema.exclusiveMaximum !== undefined ? 'below' : 'at most'} ${numberText(high)}`;
  return `${schema.exclusiveMinimum !== undefined ? '(' : '['}${numberText(low)}, ${numberText(high)}${schema.exclusiveMaximum !== undefined ? ')' : ']'}`;
}

function stringRule(schema: JsonSchema): string[] {
  const rules: string[] = [];
  if (schema.format === 'uri') rules.push(`a URL${schema['x-protocol'] ? ` whose protocol matches ${code(schema['x-protocol'])}` : ''}`);
  else if (schema.format) rules.push(`format ${code(schema.format)}`);
  if (schema.pattern) rules.push(`matches ${code(schema.pattern)}`);
  if (schema.minLength !== undefined && schema.maxLength !== undefined) rules.push(`${schema.minLength} to ${schema.maxLength} characters`);
  else if (schema.minLength !== undefined && schema.minLength > 0) rules.push(schema.minLength === 1 ? 'not empty' : `at least ${schema.minLength} characters`);
  else if (schema.maxLength !== undefined) rules.push(`at most ${schema.maxLength} characters`);
  return rules;
}

function allowedText(schema: JsonSchema): string {
  if (schema.enum) return schema.enum.map((value) => code(String(value))).join(', ');
  const rules: string[] = [];
  switch (schema.type) {
    case 'integer':
    case 'number': {
      const range = rangeText(schema);
      if (range) rules.push(range);
      break;
    }
    case 'string':
      rules.push(...stringRule(schema));
      break;
    case 'array':
      if (schema.minItems) rules.push(`at least ${schema.minItems} ${schema.minItems === 1 ? 'entry' : 'entries'}`);
      if (schema.items) {
        const item = allowedText(schema.items);
        if (item !== '') rules.push(`each ${item}`);
      }
      break;
    case 'object':
      if (schema.propertyNames) {
        const keys = stringRule(schema.propertyNames);
        if (keys.length > 0) rules.push(`keys: ${keys.join(', ')}`);
      }
      if (typeof schema.additionalProperties === 'object') {
        const values = allowedText(schema.additionalProperties);
        if (values !== '') rules.push(`values: ${values}`);
      }
      break;
    default:
      break;
  }
  return rules.join('; ');
}

/** The forms an entry of a union of objects takes, e.g. `{ file }` or `{ command, timeout_seconds? }`. */
function formsText(schema: JsonSchema): string | undefined {
  if (!schema.anyOf) return undefined;
  return schema.anyOf.map((option) => code(`{ ${Object.keys(option.properties ?? {})
    .map((key) => (option.required?.includes(key) ? key : `${key}?`)).join(', ')} }`)).join(' or ');
}

function defaultText(setting: ConfigSetting): string {
  if (setting.schema.default !== undefined) {
    const value = setting.schema.default;
    return code(typeof value === 'string' ? value : JSON.stringify(value));
  }
  return setting.required ? 'required' : 'none (optional)';
}

/** Markdown table cell text: one line, `|` escaped. */
function cell(text: string): string {
  return text.replace(/\s+/g, ' ').replace(/\|/g, '\\|').trim() || '—';
}

const INTRO = `# Configuration reference

<!-- Generated by scripts/config-reference.ts from src/config-schema.ts (and the comments of config/execution.yaml):
     do not edit by hand, run \`npm run docs:config\`. test/unit/config-reference.test.ts fails when this file is stale. -->

tradeflow reads one YAML file: the path in \`TRADEFLOW_CONFIG\`, else \`config/execution.yaml\` in the repository's
root. The zod schema \`executionConfigSchema\` (\`src/config-schema.ts\`) validates it whole: every problem is reported
at once, one line each, starting with its dotted path (\`position_sizing.max_position_size: max_position_size must be
at most 1\`). Every section is strict: an unknown key is an error naming the closest known key. An empty file, a
missing section or a missing setting takes the default below. \`TRADEFLOW_ACCOUNT\`, when set, overrides
\`execution.account\` (the result is validated again); no other setting is read from the environment.

Who reads it: \`tradeflow worker\` loads it once when it starts (an invalid file stops it), and each day reads the
worker's config through an activity when it begins, so the day's history records the limits it traded with: a change
reaches the days that begin after the worker is restarted with it. The other commands that act on an account (\`run\`,
\`stop\`, \`pause\`, \`resume\`, \`status\`, \`portfolio\`, \`schedule\`, \`demo\`) load it too, for the account
names, \`execution.mode\` and \`signal_sources\`; an invalid file makes them exit 2 with the list of problems.

Besides the rules per setting below, the schema checks that \`position_sizing.min_trade_size\` does not exceed
\`position_sizing.max_trade_size\`, and that no name appears twice in \`accounts\`.

Notation: \`(0, 1]\` excludes 0 and includes 1. Shares of equity are fractions (\`0.1\` = 10%). In a path,
\`<key>\` is a key of a map and \`[]\` an entry of a list. A description marked *(execution.yaml)* is the comment of
the setting in the seed config, where the schema's source has none.
`;

/** The reference, as `npm run docs:config` writes it to docs/configuration.md. */
export function configReference(): string {
  const descriptions = schemaDescriptions();
  const comments = seedComments();
  const sections = configSections();
  const known = new Set(sections.flatMap((section) => [section.key, ...section.settings.map((setting) => setting.path)]));
  const stray = [...descriptions.keys()].filter((key) => !known.has(key));
  if (stray.length > 0) throw new Error(`JSDoc of properties the JSON Schema has no setting for: ${stray.join(', ')}`);

  const parts = [INTRO];
  parts.push('## Sections\n');
  parts.push(sections.map((section) => `- [\`${section.key}\`](#${section.key}) (${section.settings.length} ${section.settings.length === 1 ? 'setting' : 'settings'})`).join('\n'));
  for (const section of sections) {
    parts.push(`\n## ${section.key}\n`);
    const about = descriptions.get(section.key);
    const optional = section.schema.default === undefined ? ' The section is optional.' : '';
    const inside = container(section.schema);
    const forms = inside && formsText(inside.inner);
    const entries = forms ? `, each ${forms}` : '';
    const kind = inside?.segment === KEY ? `A map of entries by key${entries} (default ${code(JSON.stringify(section.schema.default ?? {}))}).`
      : inside?.segment === ENTRY ? `A list of entries${entries}.` : '';
    const intro = [about, kind, optional.trim()].filter((text) => text).join(' ');
    if (intro) parts.push(`${intro}\n`);
    parts.push('| setting | type | default | allowed | description |');
    parts.push('| --- | --- | --- | --- | --- |');
    for (const setting of section.settings) {
      const schemaDoc = descriptions.get(setting.path);
      const seedDoc = comments.get(setting.path);
      const description = schemaDoc ?? (seedDoc ? `*(execution.yaml)* ${seedDoc}` : '');
      parts.push(`| ${cell(code(setting.path))} | ${cell(typeText(setting.schema))} | ${cell(defaultText(setting))} | ${cell(allowedText(setting.schema))} | ${cell(description)} |`);
    }
  }
  return `${parts.join('\n')}\n`;
}

if (require.main === module) {
  writeFileSync(CONFIG_REFERENCE_PATH, configReference());
  console.log(`wrote ${path.relative(process.cwd(), CONFIG_REFERENCE_PATH)}`);
}
