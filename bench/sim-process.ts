/**
 * The simulator in a process of its own, for bench/execution.ts: the broker then has its own event loop and CPU
 * account, as it would have in production, and neither path shares a thread with it. Options come as JSON in
 * BENCH_SIM_OPTIONS (the `startSimulator` options; options this version does not know are ignored); the first line
 * on stdout is `{"url": ...}` once it listens. It exits when its stdin closes (the bench ended, however it ended)
 * or on SIGTERM.
 */
import { startSimulator, type SimulatorOptions } from 'alpaca-sim';

async function main(): Promise<void> {
  const options = JSON.parse(process.env.BENCH_SIM_OPTIONS ?? '{}') as SimulatorOptions;
  const sim = await startSimulator({ ...options, onWarning: (message) => process.stderr.write(`simulator: ${message}\n`) });
  let closing = false;
  const close = (): void => {
    if (closing) return;
    closing = true;
    void sim.close().finally(() => process.exit(0));
  };
  process.stdin.on('end', close);
  process.stdin.on('error', close);
  process.stdin.resume();
  process.on('SIGTERM', close);
  process.on('SIGINT', close);
  process.stdout.write(`${JSON.stringify({ url: sim.url })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`simulator failed to start: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exit(1);
});
