import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** Where a day's full decision trail was written, as the report names it. */
export interface TrailLocation {
  /** Absolute path on the worker that planned the day (mount trail_dir on a shared volume to read it elsewhere). */
  path: string;
  symbols: number;
  bytes: number;
}

/** Writes `content` as `<dir>/<name>.json`, atomically (a reader never sees half a file). */
export async function writeTrail(dir: string, name: string, symbols: number, content: unknown): Promise<TrailLocation> {
  if (!/^[A-Za-z0-9._-]+$/.test(name)) throw new Error(`trail name ${JSON.stringify(name).slice(0, 80)} is not a file name`);
  const target = path.resolve(dir, `${name}.json`);
  await mkdir(path.dirname(target), { recursive: true });
  const text = `${JSON.stringify(content)}\n`;
  const staging = `${target}.${process.pid}.tmp`;
  await writeFile(staging, text, { mode: 0o640 });
  await rename(staging, target);
  return { path: target, symbols, bytes: Buffer.byteLength(text) };
}
