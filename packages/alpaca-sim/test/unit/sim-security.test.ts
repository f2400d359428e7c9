/** Key secrets as salted hashes, loopback addresses, and the sim flags as commander hands them over, without a server. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { exposureWarning, isLoopback, urlOf } from '../../src/bind-address';
import { simOptionsFromFlags, type SimCliFlags } from '../../src/cli-options';
import { SimFlagError } from '../../src/flag-error';
import { hashSecret, KeySecrets, secretMatches } from '../../src/key-secrets';

describe('key secrets', () => {
  test('a hash is salted, matches its secret only, and never contains it', () => {
    const a = hashSecret('hunter2');
    const b = hashSecret('hunter2');
    assert.match(a, /^sha256\$[0-9a-f]{32}\$[0-9a-f]{64}$/);
    assert.notEqual(a, b);
    assert.ok(!a.includes('hunter2'));
    assert.ok(secretMatches(a, 'hunter2') && secretMatches(b, 'hunter2'));
    assert.ok(!secretMatches(a, 'hunter3'));
    assert.ok(!secretMatches(a, ''));
    assert.ok(!secretMatches('hunter2', 'hunter2'), 'a plaintext value is not a hash');
    assert.ok(!secretMatches(`${a}0`, 'hunter2'));
  });

  test('the first secret of a key id registers it; another is refused until the key is forgotten', () => {
    const keys = new KeySecrets();
    assert.ok(keys.admit('k', 's1'));
    assert.ok(keys.admit('k', 's1'));
    assert.ok(!keys.admit('k', 's2'));
    assert.ok(!keys.admit('', 's1'));
    assert.ok(!keys.admit('j', ''));
    assert.deepEqual([...keys.stored().keys()], ['k']);
    assert.ok(![...keys.stored().values()].some((h) => h.includes('s1')));
    const reloaded = new KeySecrets(keys.stored());
    assert.ok(reloaded.admit('k', 's1'));
    assert.ok(!reloaded.admit('k', 's2'));
    reloaded.forget('k');
    assert.ok(reloaded.admit('k', 's2'));
  });
});

describe('bind addresses', () => {
  test('loopback is 127.0.0.0/8 and ::1, mapped or not', () => {
    for (const a of ['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1', '::FFFF:127.0.0.1']) assert.ok(isLoopback(a), a);
    for (const a of ['0.0.0.0', '::', '192.168.1.5', '10.0.0.1', '::ffff:10.0.0.1', 'fe80::1']) assert.ok(!isLoopback(a), a);
  });

  test('the URL of a bound address, and the warning names /admin', () => {
    assert.equal(urlOf({ address: '0.0.0.0', family: 'IPv4', port: 8900 }), 'http://0.0.0.0:8900');
    assert.equal(urlOf({ address: '::', family: 'IPv6', port: 8900 }), 'http://[::]:8900');
    assert.match(exposureWarning('http://0.0.0.0:8900'), /http:\/\/0\.0\.0\.0:8900.*no real authentication.*\/admin/);
  });
});

describe('sim flags', () => {
  const flags = (over: Partial<SimCliFlags>): SimCliFlags => ({ port: '8900', host: '127.0.0.1', seed: '42', equity: '100000', market: 'always-open', ...over });
  const refused = (over: Partial<SimCliFlags>, pattern: RegExp) => assert.throws(() => simOptionsFromFlags(flags(over)),
    (e: unknown) => e instanceof SimFlagError && e.exitCode === 2 && pattern.test(e.message) && !e.message.includes('\n'));

  test('raw strings are parsed', () => {
    const o = simOptionsFromFlags(flags({ port: '0', seed: '7', equity: '2500.5' }));
    assert.deepEqual([o.port, o.seed, o.equity, o.host], [0, 7, 2500.5, '127.0.0.1']);
    assert.equal(simOptionsFromFlags(flags({ port: 65_535 })).port, 65_535);
  });

  test('each bad flag is named, on one line, as invalid input', () => {
    refused({ port: '99999' }, /^--port must be a whole number from 0 to 65535, got 99999$/);
    refused({ port: 99_999 }, /--port/);
    refused({ port: 'abc' }, /--port .*got abc/);
    refused({ port: '' }, /--port/);
    refused({ port: '80.5' }, /--port/);
    refused({ port: '-1' }, /--port/);
    refused({ seed: 'x' }, /--seed .*got x/);
    refused({ equity: '-5' }, /--equity .*got -5/);
    refused({ equity: '' }, /--equity/);
    refused({ speed: '0' }, /--speed/);
    refused({ market: 'sometimes' }, /--market .*got sometimes/);
    refused({ host: ' ' }, /--host/);
    refused({ faults: '/no/such/faults.json' }, /--faults \/no\/such\/faults\.json: ENOENT/);
    refused({ fault: ['POST /v2/orders:explode'] }, /--fault: /);
    refused({ state: '/no/such/dir/state.db' }, /--state \/no\/such\/dir\/state\.db: ENOENT/);
    refused({ port: 'abc', seed: 'x' }, /--port.*; --seed/);
  });
});
