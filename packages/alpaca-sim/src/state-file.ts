/**
 * The state file is its owner's alone (0600): it holds every account, order and position. It is created with
 * that mode before SQLite opens it (SQLite gives the -wal and -shm files it creates the main file's mode), and an
 * existing file, -wal or -shm open to anyone else is tightened with a warning.
 */
import { chmodSync, closeSync, fchmodSync, fstatSync, openSync, statSync } from 'node:fs';

const OWNER_ONLY = 0o600;

function tighten(file: string, mode: number, chmod: () => void, warn: (message: string) => void): void {
  if ((mode & 0o077) === 0) return;
  const was = (mode & 0o777).toString(8).padStart(3, '0');
  try {
    chmod();
    warn(`state file ${file} was mode ${was}; changed to 600`);
  } catch (error) {
    warn(`state file ${file} is mode ${was} and could not be changed to 600: ${(error as Error).message}`);
  }
}

/** Creates `file` 0600 if it does not exist; makes it, and its -wal and -shm if present, 0600 if they are looser. */
export function protectStateFile(file: string, warn: (message: string) => void): void {
  const fd = openSync(file, 'a', OWNER_ONLY);
  try {
    // Windows has no group or other bits to take away.
    if (process.platform === 'win32') return;
    tighten(file, fstatSync(fd).mode, () => fchmodSync(fd, OWNER_ONLY), warn);
  } finally {
    closeSync(fd);
  }
  for (const side of [`${file}-wal`, `${file}-shm`]) {
    let mode: number;
    try {
      mode = statSync(side).mode;
    } catch {
      continue;
    }
    tighten(side, mode, () => chmodSync(side, OWNER_ONLY), warn);
  }
}
