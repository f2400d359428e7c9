import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { CONFIG_REFERENCE_PATH, configReference, schemaDescriptions } from '../../scripts/config-reference';
import { executionConfigSchema } from '../../src/config-schema';

/** Every leaf setting of the zod schema, walked here on its own (not through the generator's JSON Schema). */
function leafPaths(schema: z.core.$ZodType, prefix: string): string[] {
  let inner = schema;
  while (inner instanceof z.ZodDefault || inner instanceof z.ZodPrefault || inner instanceof z.ZodOptional
    || inner instanceof z.ZodNullable) inner = inner.unwrap();
  const join = (key: string) => (prefix ? `${prefix}.${key}` : key);
  if (inner instanceof z.ZodObject) {
    return Object.entries(inner.shape as Record<string, z.core.$ZodType>).flatMap(([key, field]) => leafPaths(field, join(key)));
  }
  if (inner instanceof z.ZodUnion && inner.options.every((option) => option instanceof z.ZodObject)) {
    return [...new Set(inner.options.flatMap((option) => leafPaths(option as z.core.$ZodType, prefix)))];
  }
  const objectsInside = (element: z.core.$ZodType) => leafPaths(element, '__probe__').some((path) => path !== '__probe__');
  if (inner instanceof z.ZodRecord && objectsInside(inner.valueType)) return leafPaths(inner.valueType, join('<key>'));
  if (inner instanceof z.ZodArray && objectsInside(inner.element)) return leafPaths(inner.element, `${prefix}[]`);
  return [prefix];
}

describe('docs/configuration.md', () => {
  it('is what scripts/config-reference.ts generates from the schema (run npm run docs:config)', () => {
    const written = readFileSync(CONFIG_REFERENCE_PATH, 'utf8');
    assert.ok(written === configReference(),
      'docs/configuration.md is stale: the config schema (or config/execution.yaml\'s comments) changed; run `npm run docs:config` and commit the result');
  });

  it('documents every leaf setting of the schema', () => {
    const doc = configReference();
    const leaves = leafPaths(executionConfigSchema, '');
    assert.ok(leaves.length > 40, `expected the schema's settings, found ${leaves.join(', ')}`);
    const missing = leaves.filter((path) => !doc.includes(`| \`${path}\` |`));
    assert.deepEqual(missing, [], `settings missing from the reference: ${missing.join(', ')}`);
  });

  it('gives each setting its default and the JSDoc of its property in src/config-schema.ts', () => {
    const doc = configReference();
    const row = (path: string) => doc.split('\n').find((line) => line.startsWith(`| \`${path}\` |`)) ?? '';
    assert.match(row('timing.submit_batch_size'), /\| integer \| `50` \| \[1, 500\] \| Orders one submit activity sends/);
    assert.match(row('position_sizing.max_position_size'), /\| number \| `0.1` \| \(0, 1\] \|/);
    assert.match(row('accounts[].name'), /\| required \|/);
    const descriptions = schemaDescriptions();
    assert.match(descriptions.get('accounts[].base_url_env') ?? '', /trading API URL/);
    assert.match(descriptions.get('signal_sources') ?? '', /Where a schedule may read/);
  });
});
