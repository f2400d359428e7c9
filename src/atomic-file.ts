import { renameSync, writeFileSync } from 'node:fs';

/** Writes `text` to `file` through a staging file and a rename: a reader never sees half a file. */
export function writeFileAtomically(file: string, text: string, mode?: number): void {
  const staging = `${file}.${process.pid}.tmp`;
  writeFileSync(staging, text, mode === undefined ? undefined : { mode });
  renameSync(staging, file);
}
