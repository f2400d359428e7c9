import { z } from 'zod';
import { dayInputJsonSchemaSource } from './day-input';

/** The published JSON Schema of the day's input, as the file in schemas/ holds it. */
export function dayInputJsonSchemaText(): string {
  const schema = z.toJSONSchema(dayInputJsonSchemaSource, { io: 'input' });
  return `${JSON.stringify({ ...schema, title: 'dailyTrading input' }, null, 2)}\n`;
}
