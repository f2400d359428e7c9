/**
 * Temporary folders for a test file, removed when its process exits (each test file runs in a process of its own).
 * A file whose tests failed keeps them, for their logs and configs, and says where they are.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const toRemove = new Set<string>();

/** Removes `dir` and everything in it when the process exits. */
export function removeOnExit(dir: string): string {
  if (toRemove.size === 0) {
    process.once('exit', (code) => {
      if (code !== 0) {
        process.stderr.write(`kept for inspection: ${[...toRemove].join(', ')}\n`);
        return;
      }
      for (const each of toRemove) rmSync(each, { recursive: true, force: true });
    });
  }
  toRemove.add(dir);
  return dir;
}

/** A new folder under the system's temporary folder, named from `prefix`, removed when the process exits. */
export function tempDir(prefix: string): string {
  return removeOnExit(mkdtempSync(path.join(tmpdir(), prefix)));
}
