/**
 * Writes the JSON Schema of the day's workflow input, generated from its zod schema, to schemas/: the contract a
 * signal job in any language can validate against before it starts a day. A unit test keeps the file current.
 *
 *   npm run json-schema
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { dayInputJsonSchemaText } from '../src/domain/day-input-json-schema';

const target = path.resolve(__dirname, '..', 'schemas', 'daily-trading-input.schema.json');
writeFileSync(target, dayInputJsonSchemaText());
console.log(`wrote ${path.relative(process.cwd(), target)}`);
