import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Connection } from '@temporalio/client';
import { resolveTemporalBinary, sdkExecutable, toolsBinaryPath } from '../../src/temporal/binary';
import {
  devServerArgs, findFreePort, isServerReachable, PERFORMANCE_DYNAMIC_CONFIG, startDevServer,
} from '../../src/temporal/dev-server';
import { SEARCH_ATTRIBUTES } from '../../src/temporal/search-attributes';

async function fakeExecutable(file: string, mode = 0o755): Promise<string> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, '#!/bin/sh\necho "temporal version 0.0.0-fake"\n');
  await chmod(file, mode);
  return file;
}

/** Values that follow each occurrence of `flag`. */
function flagValues(args: string[], flag: string): string[] {
  return args.flatMap((arg, i) => (arg === flag && args[i + 1] !== undefined ? [args[i + 1] as string] : []));
}

describe('resolveTemporalBinary', () => {
  let root: string;
  let pathDir: string;
  let projectRoot: string;
  let onPath: string;
  let explicit: string;
  const quiet = { install: false, log: () => undefined };

  before(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'tradeflow-binary-'));
    pathDir = path.join(root, 'path-bin');
    projectRoot = path.join(root, 'project');
    onPath = await fakeExecutable(path.join(pathDir, 'temporal'));
    explicit = await fakeExecutable(path.join(root, 'explicit', 'temporal-custom'));
    await fakeExecutable(toolsBinaryPath(projectRoot));
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('prefers TEMPORAL_CLI_PATH over PATH and tools', async () => {
    const resolved = await resolveTemporalBinary({ TEMPORAL_CLI_PATH: explicit, PATH: pathDir }, projectRoot, quiet);
    assert.deepEqual(resolved, { path: explicit, source: 'TEMPORAL_CLI_PATH' });
  });

  it('rejects a TEMPORAL_CLI_PATH that does not exist, naming the variable', async () => {
    const missing = path.join(root, 'nope', 'temporal');
    await assert.rejects(
      resolveTemporalBinary({ TEMPORAL_CLI_PATH: missing, PATH: pathDir }, projectRoot, quiet),
      (err: Error) => err.message.includes('TEMPORAL_CLI_PATH') && err.message.includes('does not exist'),
    );
  });

  it('rejects a TEMPORAL_CLI_PATH that is not executable', async () => {
    const plain = await fakeExecutable(path.join(root, 'plain', 'temporal'), 0o644);
    await assert.rejects(
      resolveTemporalBinary({ TEMPORAL_CLI_PATH: plain }, projectRoot, quiet),
      /TEMPORAL_CLI_PATH .* not an executable file/,
    );
  });

  it('uses temporal on PATH next, before tools', async () => {
    const emptyDir = path.join(root, 'empty');
    await mkdir(emptyDir, { recursive: true });
    const resolved = await resolveTemporalBinary(
      { PATH: [emptyDir, pathDir].join(path.delimiter) },
      projectRoot,
      quiet,
    );
    assert.deepEqual(resolved, { path: onPath, source: 'PATH' });
  });

  it('treats an empty TEMPORAL_CLI_PATH as unset', async () => {
    const resolved = await resolveTemporalBinary({ TEMPORAL_CLI_PATH: '', PATH: pathDir }, projectRoot, quiet);
    assert.equal(resolved.source, 'PATH');
  });

  it('falls back to tools/temporal-bin under the project root', async () => {
    const resolved = await resolveTemporalBinary({ PATH: path.join(root, 'empty') }, projectRoot, quiet);
    assert.deepEqual(resolved, { path: toolsBinaryPath(projectRoot), source: 'tools' });
  });

  it('ends with the sdk-download marker when nothing is found and python3 is absent', async () => {
    const bare = path.join(root, 'bare-project');
    // install left on: with no python3 on PATH it must not try, and must not throw.
    const resolved = await resolveTemporalBinary({ PATH: path.join(root, 'empty') }, bare, { log: () => undefined });
    assert.deepEqual(resolved, { path: '', source: 'sdk-download' });
    assert.deepEqual(sdkExecutable(resolved), { type: 'cached-download' });
    assert.deepEqual(sdkExecutable({ path: onPath, source: 'PATH' }), { type: 'existing-path', path: onPath });
  });
});

describe('devServerArgs', () => {
  it('builds a headless in-memory server on loopback with the search attributes and update support', () => {
    const args = devServerArgs({ port: 7233, headless: true });
    assert.deepEqual(args.slice(0, 6), ['server', 'start-dev', '--ip', '127.0.0.1', '--port', '7233']);
    assert.ok(args.includes('--headless'));
    assert.ok(!args.includes('--ui-port'));
    assert.ok(!args.includes('--db-filename'));
    assert.deepEqual(flagValues(args, '--namespace'), ['default']);
    assert.deepEqual(flagValues(args, '--log-level'), ['warn']);
    assert.deepEqual(
      flagValues(args, '--search-attribute'),
      Object.entries(SEARCH_ATTRIBUTES).map(([name, type]) => `${name}=${type}`),
    );
    assert.deepEqual(flagValues(args, '--search-attribute'), [
      'TradingDate=Keyword',
      'TradingAccount=Keyword',
      'TradingMode=Keyword',
      'RunState=Keyword',
    ]);
    assert.deepEqual(flagValues(args, '--dynamic-config-value'), [
      'frontend.enableUpdateWorkflowExecution=true',
      'frontend.enableUpdateWorkflowExecutionAsyncAccepted=true',
      'frontend.enableServerVersionCheck=false',
      'frontend.enableExecuteMultiOperation=true',
      'history.timerProcessorMaxTimeShift="100ms"',
      'system.enableActivityEagerExecution=true',
      'history.transferProcessorMaxPollRPS=1000',
    ]);
  });

  it('passes the performance settings as KEY=JSON values the CLI accepts', () => {
    const dynamic = flagValues(devServerArgs({ port: 7233, headless: true }), '--dynamic-config-value');
    for (const value of PERFORMANCE_DYNAMIC_CONFIG) assert.ok(dynamic.includes(value), value);
    for (const value of dynamic) {
      const match = /^([a-zA-Z]+\.[a-zA-Z.]+)=(.+)$/.exec(value);
      assert.ok(match, `${value}: KEY=VALUE`);
      assert.doesNotThrow(() => JSON.parse(match[2]!), `${value}: the value is JSON (a duration is a JSON string)`);
    }
  });

  it('adds the UI port, a WAL SQLite file and the namespace when asked', () => {
    const args = devServerArgs({ port: 7300, uiPort: 8300, dbFile: '/tmp/t.sqlite', namespace: 'paper' });
    assert.deepEqual(flagValues(args, '--ui-port'), ['8300']);
    assert.ok(!args.includes('--headless'));
    assert.deepEqual(flagValues(args, '--db-filename'), ['/tmp/t.sqlite']);
    assert.deepEqual(flagValues(args, '--sqlite-pragma'), ['journal_mode=WAL']);
    assert.deepEqual(flagValues(args, '--namespace'), ['paper']);
  });

  it('lets headless win over a UI port', () => {
    const args = devServerArgs({ port: 7300, uiPort: 8300, headless: true });
    assert.ok(args.includes('--headless'));
    assert.ok(!args.includes('--ui-port'));
  });
});

describe('startDevServer (real temporal binary)', { timeout: 180_000 }, () => {
  it('starts a dev server with the search attributes registered, and stops it', async (t) => {
    const resolved = await resolveTemporalBinary();
    assert.notEqual(resolved.source, 'sdk-download', 'a local temporal CLI is needed (npm run temporal:install)');
    const port = await findFreePort();
    const startedAt = Date.now();
    const server = await startDevServer({ port, headless: true, binary: resolved.path });
    t.diagnostic(`dev server (${resolved.source}) ready in ${Date.now() - startedAt} ms`);
    try {
      assert.equal(server.address, `127.0.0.1:${port}`);
      assert.equal(server.uiUrl, null);
      assert.equal(await isServerReachable(server.address), true);
      const connection = await Connection.connect({ address: server.address, connectTimeout: 30_000 });
      try {
        const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace: 'default' });
        for (const name of Object.keys(SEARCH_ATTRIBUTES)) {
          assert.ok(customAttributes && name in customAttributes, `${name} is registered`);
        }
      } finally {
        await connection.close();
      }
    } finally {
      const stoppingAt = Date.now();
      await server.stop();
      t.diagnostic(`dev server stopped in ${Date.now() - stoppingAt} ms`);
    }
    assert.notEqual(server.process?.exitCode ?? server.process?.signalCode ?? null, null);
    assert.equal(await isServerReachable(server.address, 1_000), false);
  });
});

describe('deploy/register-search-attributes.sh', () => {
  it('registers exactly SEARCH_ATTRIBUTES', async () => {
    const script = await readFile(path.join(__dirname, '..', '..', 'deploy', 'register-search-attributes.sh'), 'utf8');
    const line = /^ATTRIBUTES="([^"]*)"/m.exec(script);
    assert.ok(line?.[1], 'ATTRIBUTES line present');
    assert.deepEqual(
      line[1].split(/\s+/),
      Object.entries(SEARCH_ATTRIBUTES).map(([name, type]) => `${name}=${type}`),
    );
  });
});
