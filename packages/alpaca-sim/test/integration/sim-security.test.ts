/**
 * What the simulator exposes: its state file is 0600 and holds no key secret (a plaintext one from an older
 * version is migrated away), it says where it really listens and warns off loopback, and the `alpaca-sim`
 * command refuses bad flags with exit 2 and one line.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { startSimulator, type SimulatorOptions } from '../../src';

const BIN = path.resolve(__dirname, '..', '..', 'bin', 'alpaca-sim.cjs');
const posix = process.platform !== 'win32';
let dir: string;

before(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'alpaca-sim-security-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

const base: SimulatorOptions = { port: 0, seed: 3, partialFillRate: 0, fillLatencyMs: 0 };

function get(url: string, keyId: string, secret: string): Promise<Response> {
  return fetch(`${url}/v2/account`, { headers: { 'APCA-API-KEY-ID': keyId, 'APCA-API-SECRET-KEY': secret } });
}

async function order(url: string, keyId: string, secret: string, clientOrderId: string): Promise<Response> {
  return fetch(`${url}/v2/orders`, {
    method: 'POST',
    headers: { 'APCA-API-KEY-ID': keyId, 'APCA-API-SECRET-KEY': secret, 'content-type': 'application/json' },
    body: JSON.stringify({ symbol: 'AAPL', qty: '2', side: 'buy', type: 'market', time_in_force: 'day', client_order_id: clientOrderId }),
  });
}

/** Which of the state file and its -wal hold `text`, byte for byte. */
function filesHolding(file: string, text: string): string[] {
  return [file, `${file}-wal`].filter((f) => existsSync(f) && readFileSync(f).includes(text));
}

const modeOf = (file: string) => statSync(file).mode & 0o777;

describe('the state file', () => {
  test('is created 0600 and holds a hash of each secret, never the secret; a wrong secret is refused after a restart', async () => {
    const file = path.join(dir, 'fresh.db');
    const secret = `secret-${randomUUID()}`;
    const warnings: string[] = [];
    let sim = await startSimulator({ ...base, stateFile: file, onWarning: (m) => warnings.push(m) });
    try {
      assert.equal((await order(sim.url, 'sec-1', secret, 'sec-o1')).status, 200);
      if (posix) {
        assert.equal(modeOf(file), 0o600);
        assert.equal(modeOf(`${file}-wal`), 0o600);
      }
      assert.ok(existsSync(`${file}-wal`), 'the WAL is there to search');
      assert.deepEqual(filesHolding(file, secret), []);
    } finally {
      await sim.close();
    }
    assert.deepEqual(filesHolding(file, secret), []);
    assert.deepEqual(warnings, []);

    sim = await startSimulator({ ...base, stateFile: file });
    try {
      const wrong = await get(sim.url, 'sec-1', `${secret}-not`);
      assert.equal(wrong.status, 401);
      assert.deepEqual(await wrong.json(), { code: 40110000, message: 'request is not authorized' });
      assert.equal((await get(sim.url, 'sec-1', '')).status, 401);
      const right = await get(sim.url, 'sec-1', secret);
      assert.equal(right.status, 200);
      assert.doesNotMatch(await right.text(), new RegExp(secret));
      const state = await (await fetch(`${sim.url}/admin/state`)).text();
      assert.doesNotMatch(state, new RegExp(secret));
    } finally {
      await sim.close();
    }
  });

  test('an existing file open to others is made 0600, with a warning', { skip: !posix && 'POSIX modes' }, async () => {
    const file = path.join(dir, 'loose.db');
    const sim0 = await startSimulator({ ...base, stateFile: file });
    await sim0.close();
    chmodSync(file, 0o644);
    const warnings: string[] = [];
    const sim = await startSimulator({ ...base, stateFile: file, onWarning: (m) => warnings.push(m) });
    try {
      assert.equal(modeOf(file), 0o600);
      assert.equal(warnings.length, 1, warnings.join('\n'));
      assert.match(warnings[0] ?? '', /loose\.db was mode 644; changed to 600/);
    } finally {
      await sim.close();
    }
  });

  test('a state file of the previous version, with plaintext secrets, is migrated to hashes on open', async () => {
    const file = path.join(dir, 'legacy.db');
    const secret = `legacy-${randomUUID()}`;
    const forgotten = `forgotten-${randomUUID()}`;
    const sim0 = await startSimulator({ ...base, stateFile: file });
    assert.equal((await order(sim0.url, 'legacy-1', secret, 'leg-1')).status, 200);
    await sim0.close();
    // Turn it back into schema 1: secrets in plaintext, one of them deleted the way an account reset did,
    // which leaves its bytes in the page.
    const db = new Database(file);
    db.exec(`
      DROP TABLE secret_hashes;
      CREATE TABLE secrets (key_id TEXT PRIMARY KEY, secret TEXT NOT NULL);
      UPDATE meta SET value = '1' WHERE key = 'schema';
    `);
    db.prepare('INSERT INTO secrets (key_id, secret) VALUES (?, ?)').run('legacy-1', secret);
    db.prepare('INSERT INTO secrets (key_id, secret) VALUES (?, ?)').run('legacy-2', forgotten);
    db.prepare('DELETE FROM secrets WHERE key_id = ?').run('legacy-2');
    db.close();
    chmodSync(file, 0o644);
    assert.deepEqual(filesHolding(file, secret), [file], 'the legacy file holds the secret in plaintext');
    assert.deepEqual(filesHolding(file, forgotten), [file]);

    const warnings: string[] = [];
    const sim = await startSimulator({ ...base, stateFile: file, onWarning: (m) => warnings.push(m) });
    try {
      assert.deepEqual(filesHolding(file, secret), []);
      assert.deepEqual(filesHolding(file, forgotten), []);
      if (posix) assert.equal(modeOf(file), 0o600);
      assert.equal(warnings.length, posix ? 1 : 0);
      assert.equal((await get(sim.url, 'legacy-1', 'another')).status, 401);
      const orders = await fetch(`${sim.url}/v2/orders?status=all`, { headers: { 'APCA-API-KEY-ID': 'legacy-1', 'APCA-API-SECRET-KEY': secret } });
      assert.equal(orders.status, 200);
      assert.deepEqual(((await orders.json()) as Array<{ client_order_id: string }>).map((o) => o.client_order_id), ['leg-1']);
    } finally {
      await sim.close();
    }
    const after = new Database(file, { readonly: true });
    try {
      assert.equal((after.prepare("SELECT value FROM meta WHERE key = 'schema'").get() as { value: string }).value, '2');
      assert.match((after.prepare('SELECT hash FROM secret_hashes WHERE key_id = ?').get('legacy-1') as { hash: string }).hash,
        /^sha256\$[0-9a-f]{32}\$[0-9a-f]{64}$/);
    } finally {
      after.close();
    }
    assert.deepEqual(filesHolding(file, secret), []);
  });
});

describe('where the simulator listens', () => {
  test('a loopback bind reports its address and warns of nothing', async () => {
    const warnings: string[] = [];
    const sim = await startSimulator({ ...base, host: '127.0.0.1', onWarning: (m) => warnings.push(m) });
    try {
      assert.equal(sim.host, '127.0.0.1');
      assert.ok(sim.port > 0);
      assert.equal(sim.url, `http://127.0.0.1:${sim.port}`);
      assert.deepEqual(warnings, []);
    } finally {
      await sim.close();
    }
  });

  test('a wildcard bind reports 0.0.0.0, warns, and the admin API refuses a caller from another address', async () => {
    const warnings: string[] = [];
    const sim = await startSimulator({ ...base, host: '0.0.0.0', onWarning: (m) => warnings.push(m) });
    try {
      assert.equal(sim.host, '0.0.0.0');
      assert.equal(sim.url, `http://0.0.0.0:${sim.port}`);
      assert.equal(warnings.length, 1);
      assert.match(warnings[0] ?? '', new RegExp(`listening on http://0\\.0\\.0\\.0:${sim.port}`));
      assert.match(warnings[0] ?? '', /no real authentication/);
      assert.match(warnings[0] ?? '', /\/admin.*only connections from 127\.0\.0\.1 or ::1 \(403 to others\)/);
      assert.equal((await fetch(`http://127.0.0.1:${sim.port}/admin/state`)).status, 200);
      const external = Object.values(networkInterfaces()).flat()
        .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;
      if (external) {
        const res = await fetch(`http://${external}:${sim.port}/admin/state`);
        assert.equal(res.status, 403);
        assert.deepEqual(await res.json(), { code: 40310000, message: 'admin API is loopback only' });
      }
    } finally {
      await sim.close();
    }
  });
});

describe('alpaca-sim', () => {
  interface Run { code: number | null; stdout: string; stderr: string }

  function run(args: string[]): Promise<Run> {
    return new Promise((resolve) => {
      execFile(process.execPath, [BIN, ...args], { timeout: 30_000 }, (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
      });
    });
  }

  function assertRefused(result: Run, flag: string): void {
    assert.equal(result.code, 2, `${flag}: exit ${String(result.code)}\n${result.stderr}`);
    const lines = result.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, `${flag}: one line\n${result.stderr}`);
    assert.ok(lines[0]?.startsWith('alpaca-sim: '), result.stderr);
    assert.ok(lines[0]?.includes(flag), `${flag} is named: ${result.stderr}`);
    assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
    assert.equal(result.stdout, '');
  }

  test('refuses bad flags with exit 2 and one line naming the flag', async () => {
    const cases: Array<[string, string[]]> = [
      ['--port', ['--port', '99999']],
      ['--equity', ['--port', '0', '--equity', '-5']],
      ['--speed', ['--port', '0', '--speed', '0']],
      ['--market', ['--port', '0', '--market', 'sometimes']],
      ['--faults', ['--port', '0', '--faults', path.join(dir, 'no-such-faults.json')]],
      ['--fault', ['--port', '0', '--fault', 'POST /v2/orders:explode']],
      ['--state', ['--port', '0', '--state', path.join(dir, 'no-such-dir', 'state.db')]],
    ];
    const results = await Promise.all(cases.map(([, args]) => run(args)));
    cases.forEach(([flag], i) => assertRefused(results[i]!, flag));
    assert.ok(!existsSync(path.join(dir, 'no-such-dir')));
  });

  // --port and --seed reach simOptionsFromFlags as strings (no commander parser in src/cli.ts, which would answer
  // "invalid argument" with usage and exit 1), so a non-number is refused like any other bad flag.
  test('refuses a --port or --seed that is not a number with exit 2', async () => {
    const [port, seed] = await Promise.all([run(['--port', 'abc']), run(['--port', '0', '--seed', 'x'])]);
    assertRefused(port!, '--port');
    assertRefused(seed!, '--seed');
  });

  test('prints the address it really listens on; off loopback it warns on stderr', async () => {
    for (const host of ['127.0.0.1', '0.0.0.0']) {
      const child = spawn(process.execPath, [BIN, '--host', host, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stderr.on('data', (c: Buffer) => { err += c.toString(); });
      try {
        const url = await new Promise<string>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`sim did not start: ${out}${err}`)), 30_000);
          child.stdout.on('data', (c: Buffer) => {
            out += c.toString();
            const m = /listening on (http:\/\/\S+)/.exec(out);
            if (m?.[1]) {
              clearTimeout(timer);
              resolve(m[1]);
            }
          });
          child.once('exit', (code) => reject(new Error(`sim exited ${String(code)}: ${out}${err}`)));
        });
        const m = /^http:\/\/([\d.]+):(\d+)$/.exec(url);
        assert.ok(m, url);
        assert.equal(m[1], host);
        const port = Number(m[2]);
        assert.ok(port > 0 && port < 65_536, url);
        assert.equal((await get(`http://127.0.0.1:${port}`, 'cli-1', 's')).status, 200);
        if (host === '127.0.0.1') assert.equal(err, '');
        else assert.match(err, /warning: listening on http:\/\/0\.0\.0\.0:\d+.*no real authentication.*\/admin/);
      } finally {
        child.kill('SIGTERM');
        if (child.exitCode === null) await new Promise((r) => child.once('exit', r));
      }
    }
  });
});
