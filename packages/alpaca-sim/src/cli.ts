/**
 * The `alpaca-sim` command: runs the simulator in the foreground until SIGINT or SIGTERM. A bad flag, or a usage
 * error, exits 2 with one line on stderr naming it, before anything is opened or bound.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Command, CommanderError } from 'commander';
import { collect, simOptionsFromFlags, type SimCliFlags } from './cli-options';
import { SimFlagError } from './flag-error';
import { serveUntilSignal } from './serve';

const NAME = 'alpaca-sim';

function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as { version?: string }).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** The command line. Numbers stay strings here: `simOptionsFromFlags` validates every flag at once. */
export function buildProgram(): Command {
  return new Command(NAME)
    .description('an Alpaca-compatible paper broker: Trading API v2, Market Data v2 (stocks) and the trade_updates stream')
    .version(packageVersion(), '-V, --version', 'print the version')
    .option('--port <port>', 'port (0: any free port)', '8900')
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--seed <n>', 'price seed', '42')
    .option('--equity <dollars>', 'starting equity of each account', '100000')
    .option('--market <mode>', 'always-open | real', 'always-open')
    .option('--speed <n>', 'simulated seconds per real second (3600 plays a session in 6.5 s)')
    .option('--start <iso>', 'start the simulated clock at this instant')
    .option('--state <file>', 'keep accounts, orders and positions in this SQLite file (default: in memory)')
    .option('--fault <spec>', "arm a fault, e.g. 'POST /v2/orders:error-503:rate=0.2' (repeatable)", collect)
    .option('--faults <file>', 'arm the faults listed in a JSON file ([{route, kind, rate?, count?, latencyMs?}] or specs)')
    .option('--rate-limit <n>', 'requests a minute per key and API before 429 (default 200)')
    .option('--no-rate-limit', 'never answer 429 for the request budget')
    .option('--synthetic-symbols <n>', 'add N synthetic equities (SYAAA, SYAAB, ...) beyond the S&P 500 universe (default 0)')
    // Commander's own error output is replaced by one line from main().
    .configureOutput({ outputError: () => undefined, writeErr: () => undefined })
    .exitOverride((error) => {
      if (error.exitCode === 0) throw error;
      const text = error.message.replace(/^error: /, '').replace(/\s*\n\s*/g, ' ').trim().replace(/\.$/, '');
      throw new SimFlagError(`${text}; see ${NAME} --help`);
    })
    .action(async (flags: SimCliFlags) => {
      await serveUntilSignal(simOptionsFromFlags(flags));
    });
}

/** Entry point of `bin/alpaca-sim.cjs`. */
export function main(argv: string[]): void {
  buildProgram().parseAsync(argv).then(
    () => undefined,
    (error: unknown) => {
      // --help and --version: commander has printed them.
      if (error instanceof CommanderError && error.exitCode === 0) process.exit(0);
      if (error instanceof SimFlagError) {
        console.error(`${NAME}: ${error.message}`);
        process.exit(error.exitCode);
      }
      // A system error (EADDRINUSE, EACCES) says enough in its message; anything else is a bug: show the stack.
      const system = typeof (error as { code?: unknown } | null)?.code === 'string';
      console.error(`${NAME}: ${error instanceof Error ? (system ? error.message : error.stack ?? error.message) : String(error)}`);
      process.exit(1);
    },
  );
}
