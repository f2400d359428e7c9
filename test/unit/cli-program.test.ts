import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildProgram } from '../../src/cli/program';

describe('the tradeflow command line', () => {
  it('loads the simulator only when `sim` or `demo` runs: building the program (any other command) does not', () => {
    buildProgram();
    const loaded = Object.keys(require.cache).filter((file) => /alpaca-sim|fastify|better-sqlite3|[\\/]cli[\\/](sim|demo)\.ts$/.test(file));
    assert.deepEqual(loaded, []);
  });

  it('gives every per-day command --date and --account, and every schedule command --account', () => {
    const program = buildProgram();
    const flags = (command: { options: readonly { long?: string }[] }) => command.options.map((option) => option.long);
    for (const name of ['run', 'stop', 'pause', 'resume', 'status', 'portfolio']) {
      const command = program.commands.find((sub) => sub.name() === name)!;
      assert.ok(flags(command).includes('--date'), `${name} --date`);
      assert.equal(flags(command).at(-1), '--account', `${name} lists --account last`);
    }
    for (const command of program.commands.find((sub) => sub.name() === 'schedule')!.commands) {
      assert.ok(flags(command).includes('--account'), `schedule ${command.name()} --account`);
    }
  });
});
