/**
 * Temporal's connection settings against a real server that requires mutual TLS (test/support/tls-server.ts: the
 * Temporal server binary with `global.tls.frontend`, certificates from openssl): the worker and the commands connect
 * with TEMPORAL_TLS_* (or a profile of TEMPORAL_CONFIG_FILE) and trade a day; without the client certificate, with
 * one the server's CA did not sign, without the server's CA, with a wrong server name, or in plaintext, they are
 * refused with a message naming the address and the transport. Skipped, with the reason, when the server binary is
 * absent (`scripts/cluster.sh build` builds it).
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startSimulator, type RunningSimulator } from 'alpaca-sim';
import { todayInNewYork } from '../../src/cli/dates';
import { temporalSettingsFromEnv } from '../../src/env';
import { dailyWorkflowId } from '../../src/names';
import { openClientConnection, openNativeConnection } from '../../src/temporal/connection';
import { startTlsTemporalServer, tlsServerUnavailable, type TlsTemporalServer } from '../support/tls-server';
import { BIN, ROOT, startWorkerProcess } from '../support/worker-process';

const SECRET = `sk-tls-${Date.now().toString(36)}-9c41`;
const unavailable = tlsServerUnavailable();

interface CliResult { code: number; stdout: string; stderr: string }

/** The environment of a tradeflow process: no TEMPORAL_* or TRADEFLOW_* of the caller, no user config file. */
function baseEnv(home: string, vars: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env)
    .filter(([name]) => !name.startsWith('TEMPORAL_') && !name.startsWith('TRADEFLOW_') && !name.startsWith('APCA_')));
  return { ...env, HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), ...vars };
}

function cli(env: NodeJS.ProcessEnv, args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: ROOT, env, timeout: 120_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}


/** One line on stderr, `tradeflow: cannot reach the Temporal server at ADDRESS (...)`, no stack trace, exit 1. */
function assertRefused(result: CliResult, address: string, transport: RegExp): void {
  assert.equal(result.code, 1, `exit 1 expected:\n${result.stderr}`);
  const lines = result.stderr.trimEnd().split('\n').filter((line) => !/DeprecationWarning|--trace-deprecation/.test(line));
  assert.equal(lines.length, 1, `one line on stderr:\n${result.stderr}`);
  assert.ok(lines[0]!.startsWith(`tradeflow: cannot reach the Temporal server at ${address} (TEMPORAL_ADDRESS; namespace default, `), lines[0]);
  assert.match(lines[0]!, transport);
  assert.doesNotMatch(result.stderr, /\bat .+:\d+:\d+/, 'no stack trace');
}

describe('Temporal connection settings against a server that requires mTLS', { skip: unavailable ?? false }, () => {
  let server: TlsTemporalServer;
  let sim: RunningSimulator;
  let dir: string;
  let home: string;
  let configFile: string;
  const account = `tls${Date.now().toString(36)}`;
  const taskQueue = `q-${account}`;

  before(async () => {
    server = await startTlsTemporalServer();
    sim = await startSimulator({ port: 0, seed: 7 });
    dir = mkdtempSync(path.join(tmpdir(), 'tradeflow-tls-test-'));
    home = path.join(dir, 'home');
    configFile = path.join(dir, 'execution.yaml');
    writeFileSync(configFile, [
      'execution:', `  account: ${account}`,
      'timing:', '  poll_interval_seconds: 0.5', '  max_fill_wait_minutes: 0.5',
      'reports:', `  report_dir: ${path.join(dir, 'reports')}`,
    ].join('\n') + '\n');
  });
  after(async () => {
    await sim?.close();
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** tradeflow's environment for this test's account, with Temporal's settings `temporal`. */
  function env(temporal: Record<string, string>): NodeJS.ProcessEnv {
    return baseEnv(home, {
      ...temporal, TRADEFLOW_CONFIG: configFile, TRADEFLOW_TASK_QUEUE: taskQueue,
      APCA_API_KEY_ID: `KEY-${account.toUpperCase()}`, APCA_API_SECRET_KEY: SECRET, APCA_API_BASE_URL: sim.url, APCA_API_DATA_URL: sim.url,
    });
  }

  it('the worker and the commands connect with TEMPORAL_TLS_* (client certificate, server CA) and trade a day', async () => {
    const worker = await startWorkerProcess(env(server.clientEnv), [], 120_000);
    try {
      const signals = path.join(dir, 'signals.csv');
      writeFileSync(signals, 'symbol,strength\nAAPL,0.6\nXOM,0.4\n');
      const run = await cli(env(server.clientEnv), ['run', '--signals', signals, '--wait', '--json']);
      assert.equal(run.code, 0, run.stderr);
      const report = JSON.parse(run.stdout) as { workflowId: string; status: string; orders: unknown[] };
      assert.equal(report.workflowId, dailyWorkflowId(account, todayInNewYork()));
      assert.equal(report.status, 'completed');
      assert.equal(report.orders.length, 2);
      const status = await cli(env(server.clientEnv), ['status', '--json']);
      assert.equal(status.code, 0, status.stderr);
      assert.equal((JSON.parse(status.stdout) as { phase: string }).phase, 'completed');
    } finally {
      await worker.stop();
    }
    // The worker's log names the address and namespace, never the client key.
    const log = [...worker.stdout, ...worker.stderr].join('\n');
    assert.match(log, new RegExp(`at ${server.address.replace(/\./g, '\\.')} \\(mTLS\\)`), 'the start-up line says how the worker connects');
    const keyBody = readFileSync(server.pki.clientKey, 'utf8').split('\n')[1]!;
    assert.ok(!log.includes(keyBody), 'the client key is not in the worker\'s output');
  });

  it('a profile of TEMPORAL_CONFIG_FILE (TEMPORAL_PROFILE) carries the same settings', async () => {
    const toml = path.join(dir, 'temporal.toml');
    writeFileSync(toml, [
      '[profile.mtls]', `address = "${server.address}"`, `namespace = "${server.namespace}"`,
      '[profile.mtls.tls]', `client_cert_path = "${server.pki.clientCert}"`, `client_key_path = "${server.pki.clientKey}"`,
      `server_ca_cert_path = "${server.pki.caCert}"`,
    ].join('\n') + '\n');
    const status = await cli(env({ TEMPORAL_CONFIG_FILE: toml, TEMPORAL_PROFILE: 'mtls' }), ['status', '--json']);
    assert.equal(status.code, 0, status.stderr);
    assert.equal((JSON.parse(status.stdout) as { phase: string }).phase, 'completed');
  });

  it('TEMPORAL_TLS_SERVER_NAME sets the name checked on the server certificate', async () => {
    const { TEMPORAL_ADDRESS: address, ...rest } = server.clientEnv;
    const named = await cli(env({ ...rest, TEMPORAL_ADDRESS: address!, TEMPORAL_TLS_SERVER_NAME: 'localhost' }), ['status', '--json']);
    assert.equal(named.code, 0, named.stderr);
    const wrong = await cli(env({ ...rest, TEMPORAL_ADDRESS: address!, TEMPORAL_TLS_SERVER_NAME: 'not-this-server.example' }), ['status']);
    assertRefused(wrong, server.address, /TLS with client certificate\): the server's certificate is not for not-this-server\.example .*TEMPORAL_TLS_SERVER_NAME/);
  });

  it('without the client certificate the server refuses the command and the worker', async () => {
    const noCert = { TEMPORAL_ADDRESS: server.address, TEMPORAL_TLS_SERVER_CA_CERT_PATH: server.pki.caCert };
    const result = await cli(env(noCert), ['status']);
    assertRefused(result, server.address,
      /, TLS\): the server requires a client certificate \(mTLS\): set TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH \(gRPC: /);

    // The worker's native connection (core) as `tradeflow worker` opens it: refused too, with the same message.
    const settings = temporalSettingsFromEnv(baseEnv(home, noCert));
    await assert.rejects(async () => {
      const connection = await openNativeConnection(settings);
      // A connection that opened lazily must fail on its first call.
      try {
        await connection.workflowService.getSystemInfo({});
      } finally {
        await connection.close();
      }
    }, (error: Error & { exitCode?: number }) => {
      assert.ok(error.message.startsWith(`cannot reach the Temporal server at ${server.address} (TEMPORAL_ADDRESS; namespace default, TLS): `
        + 'the server requires a client certificate (mTLS)'), error.message);
      // Core's own words follow; they vary between a fatal alert and a closed connection.
      assert.match(error.message, /\(gRPC: .+\)$/);
      assert.equal(error.exitCode, 1);
      return true;
    });
  });

  it('a client certificate from a CA the server does not trust is refused', async () => {
    const result = await cli(env({
      TEMPORAL_ADDRESS: server.address, TEMPORAL_TLS_SERVER_CA_CERT_PATH: server.pki.caCert,
      TEMPORAL_TLS_CLIENT_CERT_PATH: server.pki.otherClientCert, TEMPORAL_TLS_CLIENT_KEY_PATH: server.pki.otherClientKey,
    }), ['status']);
    assertRefused(result, server.address, /TLS with client certificate\): the server refused the client certificate \(tlsv1 alert unknown ca/);
  });

  it('without the server\'s CA the server certificate is not trusted: host verification stays on', async () => {
    const { TEMPORAL_TLS_SERVER_CA_CERT_PATH: _ca, ...withoutCa } = server.clientEnv;
    const result = await cli(env(withoutCa), ['status']);
    assertRefused(result, server.address,
      /TLS with client certificate\): the server's certificate is not trusted \(.*\): set TEMPORAL_TLS_SERVER_CA_CERT_PATH/);
  });

  it('plaintext to the TLS frontend is refused', async () => {
    const result = await cli(env({ TEMPORAL_ADDRESS: server.address }), ['status']);
    assertRefused(result, server.address, /no TLS\): the server speaks TLS: set TEMPORAL_TLS=true/);
  });

  it('a TLS file that cannot be read stops the command before connecting, naming the variable', async () => {
    const missing = path.join(dir, 'nope.pem');
    const result = await cli(env({ ...server.clientEnv, TEMPORAL_TLS_CLIENT_CERT_PATH: missing }), ['status']);
    assert.equal(result.code, 2, result.stderr);
    assert.equal(result.stderr.trim(), `tradeflow: TEMPORAL_TLS_CLIENT_CERT_PATH: cannot read ${missing}: ENOENT`);
    const worker = spawn(process.execPath, [BIN, 'worker'], { cwd: ROOT, env: env({ ...server.clientEnv, TEMPORAL_TLS_CLIENT_CERT_PATH: missing }) });
    let stderr = '';
    worker.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString('utf8'); });
    const code = await new Promise<number | null>((resolve) => worker.once('exit', resolve));
    assert.equal(code, 2, stderr);
    assert.match(stderr, /TEMPORAL_TLS_CLIENT_CERT_PATH: cannot read .*nope\.pem: ENOENT/);
  });

  it('the client connection (grpc-js) with the same settings reaches the server', async () => {
    const connection = await openClientConnection(temporalSettingsFromEnv(baseEnv(home, server.clientEnv)), { connectTimeout: '5 seconds' });
    try {
      const info = await connection.workflowService.getSystemInfo({});
      assert.ok(info.serverVersion, 'the server answered');
    } finally {
      await connection.close();
    }
  });
});

