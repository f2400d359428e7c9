/** The entry point of `bin/tradeflow.cjs`: runs the command line and turns its errors into exit codes. */
import { CommanderError } from 'commander';
import { ConfigError } from '../config';
import { CliError, EXIT } from './errors';
import { buildProgram } from './program';

/** Parses `argv` and runs the command; exits with the error's code (see EXIT) on failure. */
export function main(argv: string[]): void {
  buildProgram().parseAsync(argv).then(
    () => undefined,
    (error: unknown) => {
      // --help, `help` and --version: commander has printed them.
      if (error instanceof CommanderError && error.exitCode === 0) process.exit(0);
      if (error instanceof CliError) {
        console.error(`tradeflow: ${error.message}`);
        process.exit(error.exitCode);
      }
      if (error instanceof ConfigError) {
        console.error(`tradeflow: ${error.message}`);
        process.exit(EXIT.invalidInput);
      }
      console.error(`tradeflow: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
      process.exit(EXIT.failure);
    },
  );
}
