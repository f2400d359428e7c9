import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomically } from '../atomic-file';
import type { TrailLocation } from '../contracts/plan';

/** Writes `content` as `<dir>/<name>.json`, atomically (a reader never sees half a file). */
export async function writeTrail(dir: string, name: string, symbols: number, content: unknown): Promise<TrailLocation> {
  if (!/^[A-Za-z0-9._-]+$/.test(name)) throw new Error(`trail name ${JSON.stringify(name).slice(0, 80)} is not a file name`);
  const target = path.resolve(dir, `${name}.json`);
  await mkdir(path.dirname(target), { recursive: true });
  const text = `${JSON.stringify(content)}\n`;
  writeFileAtomically(target, text, 0o640);
  return { path: target, symbols, bytes: Buffer.byteLength(text) };
}
