/** The `tradeflow` command line: its commands and options, and how a usage error reads. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Command, type CommanderError } from 'commander';
import { PROJECT_ROOT } from '../config';
import { runDevServerForeground } from '../temporal/dev-server';
import { runWorker, type WorkerFlags } from '../worker';
import { CliError, EXIT } from './errors';
import { pauseCommand, resumeCommand, stopCommand } from './control';
import { reportCommand } from './day-report';
import type * as DemoModule from './demo';
import { addAccountOption, collect, perDayOptions, wholeNumber } from './options';
import { runCommand } from './run';
import { scheduleActionCommand, scheduleCreateCommand } from './schedule';
import type * as SimModule from './sim';
import { portfolioCommand, statusCommand } from './status';

/** The `tradeflow` command line. */
export function buildProgram(): Command {
  const program = new Command('tradeflow')
    .description('Durable daily paper trading on Alpaca, orchestrated by Temporal')
    .version(packageVersion(), '-V, --version', 'print the version');

  program.command('temporal')
    .description('run the Temporal dev server in the foreground, with tradeflow\'s search attributes')
    .option('--port <port>', 'gRPC port', wholeNumber('--port'), 7233)
    .option('--ui-port <port>', 'Web UI port', wholeNumber('--ui-port'), 8233)
    .option('--db-file <path>', 'keep state in this SQLite file (default: in memory)')
    .action(async (options: { port: number; uiPort: number; dbFile?: string }) => {
      process.exitCode = await runDevServerForeground({ port: options.port, uiPort: options.uiPort, dbFile: options.dbFile });
    });

  program.command('sim')
    .description('run the Alpaca-compatible paper-broker simulator')
    .option('--port <port>', 'port', '8900')
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
    .action(async (flags: SimModule.SimCliFlags) => {
      // The simulator (alpaca-sim: fastify, SQLite) loads only when this command runs, never for the worker or the
      // other commands. `require`, not `import()`: bin/tradeflow.cjs runs the sources through tsx's CommonJS hook,
      // which leaves an `import()` to Node's ESM loader, and that cannot load a .ts file.
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on demand, see above
      const { simCommand }: typeof SimModule = require('./sim');
      await simCommand(flags);
    });

  program.command('worker')
    .description('run a worker for the account in config (keys from APCA_API_KEY_ID / APCA_API_SECRET_KEY)')
    .option('--metrics-port <port>', 'serve Prometheus metrics on 127.0.0.1:<port>/metrics, or <host:port> (env TRADEFLOW_METRICS_PORT; default off)')
    .option('--log-level <level>', 'trace | debug | info | warn | error (env TRADEFLOW_LOG_LEVEL; default info)')
    .option('--log-format <format>', 'json | human (env TRADEFLOW_LOG_FORMAT; default human on a terminal, else json)')
    .action(async (flags: WorkerFlags) => {
      await runWorker(undefined, flags);
    });

  perDayOptions(
    program.command('run')
      .description('start the day\'s run from a signal file (JSON {"SYM": strength} or [{symbol, strength}], or CSV symbol,strength)')
      .requiredOption('--signals <file>', 'signal file'),
    (run) => run.option('--wait', 'wait for the day to finish and print its report').option('--json', 'print JSON'),
  ).action(runCommand);

  perDayOptions(
    program.command('stop').description('the kill switch: halt the account, stop every running day of it, cancel every open order'),
    (stop) => stop
      .requiredOption('--reason <text>', 'why (recorded in the workflow history)')
      .option('--flatten', 'also close every position')
      .option('--answer-timeout <duration>', 'wait this long for the answer (20, 20s, 1m), then leave a durable signal', '20s'),
    'accepted for compatibility: a stop covers every day of the account',
  ).action(stopCommand);

  perDayOptions(program.command('pause').description('hold new submissions of the day\'s run')).action(pauseCommand);
  perDayOptions(program.command('resume').description('lift an emergency-stop halt of the account, and continue a paused day')).action(resumeCommand);

  perDayOptions(program.command('status').description('live status of the day\'s run'), (status) => status.option('--json', 'print JSON')
    .option('--watch', 'redraw the status every second until the day ends (plain lines when not a terminal)'))
    .action(statusCommand);
  perDayOptions(program.command('portfolio').description('the portfolio as the day\'s run last saw it'), (portfolio) => portfolio.option('--json', 'print JSON'))
    .action(portfolioCommand);

  perDayOptions(program.command('report').description('write a finished day\'s report: <out>/<workflowId>.json and a self-contained .html page'),
    (report) => report.option('--out <dir>', 'directory to write to', 'reports').option('--open', 'open the page (xdg-open / open), best effort'))
    .action(reportCommand);

  const schedule = program.command('schedule').description('run the day on market days from the signal job\'s output');
  addAccountOption(schedule.command('create')
    .description('create the account\'s schedule (no overlap, 10-minute catch-up window)')
    .requiredOption('--cron <expr>', 'cron expression, e.g. "35 9 * * 1-5"')
    .option('--timezone <zone>', 'IANA time zone of the cron expression', 'America/New_York')
    .option('--source <key>', 'a signal source of the config (signal_sources): a file or a command, {date} the trading date')
    .option('--signals-file <path>', 'gone: name the file in the config\'s signal_sources and pass --source')
    .option('--signals-command <cmd>', 'gone: name the command in the config\'s signal_sources and pass --source'))
    .action(scheduleCreateCommand);
  for (const action of ['describe', 'pause', 'unpause', 'delete'] as const) {
    const command = addAccountOption(schedule.command(action).description(`${action} the account's schedule`));
    if (action === 'describe') command.option('--json', 'print JSON');
    if (action === 'pause' || action === 'unpause') command.option('--note <text>', 'why');
    command.action((options: { account?: string; json?: boolean; note?: string }) => scheduleActionCommand(action, options));
  }

  program.command('demo')
    .description('start a dev server, the simulator and a worker; trade one day with config/sample-signals.json')
    .option('--keep', 'leave the server and simulator running for the UI')
    .option('--signals <file>', 'another signal file')
    .action(async (options: { keep?: boolean; signals?: string }) => {
      // The demo starts the simulator: loaded on demand like `sim` above.
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on demand, see the sim command
      const { demoCommand }: typeof DemoModule = require('./demo');
      await demoCommand(options);
    });

  usageErrorsExit2(program);
  return program;
}

/**
 * Usage errors (unknown option or command, missing option or argument, invalid argument, no subcommand) exit 2 with
 * one line on stderr naming the command's help, instead of commander's exit 1 followed by the whole help text;
 * `--help`, `help` and `--version` still exit 0. Applied to every command once they are all defined.
 */
function usageErrorsExit2(command: Command): void {
  command
    // Silence commander's own error output (the message, the help after a missing subcommand): main prints one line.
    .configureOutput({ outputError: () => undefined, writeErr: () => undefined })
    .exitOverride((error) => {
      if (error.exitCode === 0) throw error;
      throw new CliError(usageMessage(command, error), EXIT.invalidInput);
    });
  for (const sub of command.commands) usageErrorsExit2(sub);
}

function usageMessage(command: Command, error: CommanderError): string {
  const names: string[] = [];
  for (let at: Command | null = command; at; at = at.parent) names.unshift(at.name());
  const where = names.slice(1).join(' ');
  const help = `see ${names.join(' ')} --help`;
  const text = error.code === 'commander.help'
    ? `give a command: ${command.commands.map((sub) => sub.name()).join(', ')}`
    : error.message.replace(/^error: /, '').replace(/\s*\(Did you mean (.+)\?\)/, ' (did you mean $1?)').replace(/\s*\n\s*/g, ' ').trim().replace(/\.$/, '');
  return `${where ? `${where}: ` : ''}${text}; ${help}`;
}

function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version?: string }).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}
