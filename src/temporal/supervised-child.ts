import type { ChildProcess } from 'node:child_process';

/** A server process this one started: how it ended, and a stop that always ends it. */
export interface SupervisedChild {
  /** `code N`, `signal SIG` or `spawn error: ...` once it ended; null while it runs. */
  exitInfo(): string | null;
  /** The spawn's own failure (a missing binary), if that is how it ended. */
  spawnError(): Error | null;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it exited. Safe to call more than once. */
  stop(): Promise<void>;
}

/**
 * Watches a spawned server: it is SIGKILLed if this process exits first (no orphan outlives a test or a crash), and
 * stopped gracefully on request.
 */
export function superviseChild(child: ChildProcess, graceMs = 10_000): SupervisedChild {
  let exitInfo: string | null = null;
  let spawnError: Error | null = null;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exitInfo = signal !== null ? `signal ${signal}` : `code ${code}`;
      resolve();
    });
    child.once('error', (error) => {
      spawnError = error;
      exitInfo = `spawn error: ${error.message}`;
      resolve();
    });
  });
  const killOnExit = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);

  let stopping: Promise<void> | null = null;
  return {
    exitInfo: () => exitInfo,
    spawnError: () => spawnError,
    stop() {
      stopping ??= (async () => {
        process.removeListener('exit', killOnExit);
        if (exitInfo !== null) return;
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
      })();
      return stopping;
    },
  };
}

/** Calls `onLine` with each line of a child's output as it comes (a last line without its newline at the end). */
export function forwardLines(stream: NodeJS.ReadableStream | null, onLine: (line: string) => void): void {
  if (stream === null) return;
  let pending = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) onLine(line);
  });
  stream.on('end', () => {
    if (pending !== '') onLine(pending);
  });
}
