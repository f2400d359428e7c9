import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

/** The time-skipping test server: TEMPORAL_TEST_SERVER_PATH, else the project's tools folder (installed on demand). */
export function timeSkippingServerBinary(): string {
  const fromEnv = process.env.TEMPORAL_TEST_SERVER_PATH;
  if (fromEnv) return fromEnv;
  const local = path.join(ROOT, 'tools', 'temporal-test-server', 'bin', 'temporal-test-server');
  if (existsSync(local)) return local;
  return execFileSync('bash', [path.join(ROOT, 'scripts', 'install-test-server.sh')], { encoding: 'utf8' }).trim().split('\n').pop()!;
}
