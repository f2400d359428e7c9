/** `tradeflow worker` in its own process, as an operator runs it: for tests that judge its output or its exit. */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { forwardLines } from '../../src/temporal/supervised-child';

export const ROOT = path.resolve(__dirname, '..', '..');
export const BIN = path.join(ROOT, 'bin', 'tradeflow.cjs');

export interface WorkerProcess {
  child: ChildProcess;
  /** Lines of its stdout and stderr so far. */
  stdout: string[];
  stderr: string[];
  /** SIGTERM (its graceful shutdown), SIGKILL after 30 s; resolves once it exited. */
  stop(): Promise<void>;
}

/** Starts `tradeflow worker ARGS`; resolves once it serves its task queue (its `tradeflow worker:` line on stderr). */
export async function startWorkerProcess(env: NodeJS.ProcessEnv, args: string[] = [], readyTimeoutMs = 180_000): Promise<WorkerProcess> {
  const child = spawn(process.execPath, [BIN, 'worker', ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const stdout: string[] = [];
  const stderr: string[] = [];
  const exited = new Promise<string>((resolve) => child.once('exit', (code, signal) => resolve(signal ? `signal ${signal}` : `code ${code}`)));
  const ready = new Promise<void>((resolve, reject) => {
    collectLines(child.stdout, stdout);
    collectLines(child.stderr, stderr, (line) => {
      if (line.startsWith('tradeflow worker:')) resolve();
    });
    void exited.then((how) => reject(new Error(`the worker exited (${how}):\n${stderr.join('\n')}\n${stdout.slice(-20).join('\n')}`)));
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([ready, new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the worker did not start within ${readyTimeoutMs / 1000} s:\n${stderr.join('\n')}`)), readyTimeoutMs);
    })]);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  } finally {
    clearTimeout(timer);
  }
  return {
    child, stdout, stderr,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const kill = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(kill);
    },
  };
}

/** Collects a stream's lines into `into` as they come, calling `onLine` with each. */
export function collectLines(stream: NodeJS.ReadableStream | null, into: string[], onLine?: (line: string) => void): void {
  forwardLines(stream, (line) => {
    into.push(line);
    onLine?.(line);
  });
}
