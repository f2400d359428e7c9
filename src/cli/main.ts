/** The entry point of `bin/tradeflow.cjs`: runs the command line and turns its errors into exit codes. */
import { CommanderError, type Command } from 'commander';
import { ConfigError } from '../config';
import { CliError, EXIT } from './errors';
import { cliLog, setCliCommand } from './log';
import { buildProgram } from './program';

/** Parses `argv` and runs the command; exits with the error's code (see EXIT) on failure. */
export function main(argv: string[]): void {
  const program = buildProgram();
  program.hook('preAction', (_root, action) => setCliCommand(commandPath(action)));
  program.parseAsync(argv).then(
    () => undefined,
    (error: unknown) => {
      // --help, `help` and --version: commander has printed them.
      if (error instanceof CommanderError && error.exitCode === 0) process.exit(0);
      if (error instanceof CliError) exitWith(error.exitCode, error.message);
      if (error instanceof ConfigError) exitWith(EXIT.invalidInput, error.message);
      exitWith(EXIT.failure, error instanceof Error ? error.stack ?? error.message : String(error));
    },
  );
}

function exitWith(code: number, message: string): never {
  cliLog('error', message, { exitCode: code });
  process.exit(code);
}

/** `schedule create`, `status`: the command's words after `tradeflow`. */
function commandPath(command: Command): string {
  const names: string[] = [];
  for (let current: Command | null = command; current?.parent; current = current.parent) names.unshift(current.name());
  return names.join(' ');
}
