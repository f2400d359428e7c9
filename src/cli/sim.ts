/**
 * `tradeflow sim`: the Alpaca-compatible paper-broker simulator. With the demo, the only CLI module that loads the
 * `alpaca-sim` package (fastify, SQLite); the program loads it when the command runs.
 */
import { serveUntilSignal, simOptionsFromFlags, type SimCliFlags } from 'alpaca-sim';
import { CliError, EXIT } from './errors';

export type { SimCliFlags };

/** Serves the simulator on the flags' port until SIGINT or SIGTERM; a bad flag exits 2. */
export async function simCommand(flags: SimCliFlags): Promise<void> {
  let options;
  try {
    options = simOptionsFromFlags(flags);
  } catch (error) {
    throw new CliError((error as Error).message, EXIT.invalidInput);
  }
  await serveUntilSignal(options);
}
