import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { accountsFromEnv, brokersFromEnv, MissingAccountKeys } from '../../src/broker/accounts';
import {
  DATA_URL, endpointLogLines, EndpointError, LIVE_TRADING_URL, PAPER_TRADING_URL, resolveEndpoints,
} from '../../src/broker/endpoints';
import { parseExecutionConfig } from '../../src/config';

const KEY_ID = 'PKTESTKEYID0123456789';
const SECRET = 'sEcReT-value-that-must-never-leak-42';
const KEYS = { APCA_API_KEY_ID: KEY_ID, APCA_API_SECRET_KEY: SECRET };
const main = { name: 'main' };

/** The EndpointError `fn` throws, checked for the text it must carry and for the keys it must not. */
function refusal(fn: () => unknown, ...expected: RegExp[]): EndpointError {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof EndpointError, `expected an EndpointError, got ${String(caught)}`);
  for (const pattern of expected) assert.match(caught.message, pattern);
  assert.ok(!caught.message.includes(SECRET), 'the secret key never appears in a message');
  assert.ok(!caught.message.includes(KEY_ID), 'the key id never appears in a message');
  return caught;
}

describe('live-trading guard: paper', () => {
  it('defaults to the paper host and Alpaca market data', () => {
    assert.deepEqual(resolveEndpoints('paper', main, { ...KEYS }), { mode: 'paper', tradingUrl: PAPER_TRADING_URL, dataUrl: DATA_URL });
    assert.equal(PAPER_TRADING_URL, 'https://paper-api.alpaca.markets');
    assert.equal(DATA_URL, 'https://data.alpaca.markets');
  });

  it('treats an empty shared URL variable as unset', () => {
    const env = { ...KEYS, APCA_API_BASE_URL: '  ', APCA_API_DATA_URL: '' };
    assert.deepEqual(resolveEndpoints('paper', main, env), { mode: 'paper', tradingUrl: PAPER_TRADING_URL, dataUrl: DATA_URL });
  });

  it('refuses the live URL, however it is written', () => {
    for (const url of ['https://api.alpaca.markets', 'https://API.Alpaca.Markets/', 'https://api.alpaca.markets/v2',
      'http://api.alpaca.markets:443/v2/', 'https://api.alpaca.markets./']) {
      refusal(() => resolveEndpoints('paper', main, { ...KEYS, APCA_API_BASE_URL: url }),
        /account "main"/, /APCA_API_BASE_URL/, /live trading host api\.alpaca\.markets/, /unset APCA_API_BASE_URL/);
    }
  });

  it('refuses the live URL from an account\'s own variable', () => {
    const account = { name: 'bob', base_url_env: 'BOB_BASE_URL' };
    refusal(() => resolveEndpoints('paper', account, { ...KEYS, BOB_BASE_URL: 'https://api.alpaca.markets' }),
      /account "bob"/, /BOB_BASE_URL/, /live/);
  });

  it('refuses another Alpaca host as a paper trading URL', () => {
    refusal(() => resolveEndpoints('paper', main, { ...KEYS, APCA_API_BASE_URL: 'https://broker-api.alpaca.markets' }),
      /not Alpaca's paper trading host/);
  });

  it('allows a simulator URL, without its trailing slash or /v2', () => {
    const env = { ...KEYS, APCA_API_BASE_URL: 'http://127.0.0.1:8900/v2/', APCA_API_DATA_URL: 'http://127.0.0.1:8900/' };
    assert.deepEqual(resolveEndpoints('paper', main, env),
      { mode: 'paper', tradingUrl: 'http://127.0.0.1:8900', dataUrl: 'http://127.0.0.1:8900' });
  });

  it('allows the paper host given explicitly', () => {
    const env = { ...KEYS, APCA_API_BASE_URL: 'https://paper-api.alpaca.markets/v2' };
    assert.equal(resolveEndpoints('paper', main, env).tradingUrl, PAPER_TRADING_URL);
  });

  it('refuses a value that is not an http(s) URL, without echoing it', () => {
    const error = refusal(() => resolveEndpoints('paper', main, { ...KEYS, APCA_API_BASE_URL: `not a url ${SECRET}` }),
      /APCA_API_BASE_URL is not an http\(s\) URL/);
    assert.doesNotMatch(error.message, /not a url/);
  });
});

describe('live-trading guard: live', () => {
  const allowed = { ...KEYS, TRADEFLOW_ALLOW_LIVE: 'yes' };

  it('is refused without TRADEFLOW_ALLOW_LIVE=yes, saying how to allow it', () => {
    for (const value of [undefined, '', 'no', 'true', 'YES', '1']) {
      const env = value === undefined ? { ...KEYS } : { ...KEYS, TRADEFLOW_ALLOW_LIVE: value };
      refusal(() => resolveEndpoints('live', main, env), /account "main"/, /execution\.mode is live/, /TRADEFLOW_ALLOW_LIVE=yes/);
    }
  });

  it('resolves the live host with TRADEFLOW_ALLOW_LIVE=yes', () => {
    assert.deepEqual(resolveEndpoints('live', main, allowed), { mode: 'live', tradingUrl: LIVE_TRADING_URL, dataUrl: DATA_URL });
    assert.equal(LIVE_TRADING_URL, 'https://api.alpaca.markets');
    const explicit = { ...allowed, APCA_API_BASE_URL: 'https://api.alpaca.markets/v2', APCA_API_DATA_URL: 'https://data.alpaca.markets/' };
    assert.deepEqual(resolveEndpoints('live', main, explicit), { mode: 'live', tradingUrl: LIVE_TRADING_URL, dataUrl: DATA_URL });
  });

  it('refuses the paper URL as a contradiction', () => {
    refusal(() => resolveEndpoints('live', main, { ...allowed, APCA_API_BASE_URL: 'https://paper-api.alpaca.markets' }),
      /account "main"/, /APCA_API_BASE_URL/, /paper host/, /contradict/);
  });

  it('refuses a simulator: live means Alpaca', () => {
    refusal(() => resolveEndpoints('live', main, { ...allowed, APCA_API_BASE_URL: 'http://127.0.0.1:8900' }),
      /APCA_API_BASE_URL points at http:\/\/127\.0\.0\.1:8900/, /execution\.mode: paper/);
    refusal(() => resolveEndpoints('live', main, { ...allowed, APCA_API_DATA_URL: 'http://127.0.0.1:8900' }),
      /APCA_API_DATA_URL points at http:\/\/127\.0\.0\.1:8900/);
    refusal(() => resolveEndpoints('live', main, { ...allowed, APCA_API_BASE_URL: 'http://api.alpaca.markets' }),
      /points at http:\/\/api\.alpaca\.markets, not https:\/\/api\.alpaca\.markets/);
  });
});

describe('live-trading guard: account URL variables', () => {
  it('refuses a base_url_env naming an unset or empty variable, naming the account and the variable', () => {
    const account = { name: 'bob', base_url_env: 'BOB_BASE_URL' };
    for (const env of [{ ...KEYS, APCA_API_BASE_URL: 'http://127.0.0.1:8900' }, { ...KEYS, BOB_BASE_URL: ' ' }]) {
      for (const mode of ['paper', 'live'] as const) {
        refusal(() => resolveEndpoints(mode, account, { ...env, TRADEFLOW_ALLOW_LIVE: 'yes' }),
          /account "bob"/, /base_url_env names BOB_BASE_URL/, /not set/, /export BOB_BASE_URL/);
      }
    }
  });

  it('refuses a data_url_env naming an unset variable', () => {
    refusal(() => resolveEndpoints('paper', { name: 'bob', data_url_env: 'BOB_DATA_URL' }, { ...KEYS }),
      /account "bob"/, /data_url_env names BOB_DATA_URL/);
  });

  it('uses the account\'s variable over the shared one', () => {
    const env = { ...KEYS, APCA_API_BASE_URL: 'http://127.0.0.1:8900', BOB_BASE_URL: 'http://127.0.0.1:8901' };
    assert.equal(resolveEndpoints('paper', { name: 'bob', base_url_env: 'BOB_BASE_URL' }, env).tradingUrl, 'http://127.0.0.1:8901');
    assert.equal(resolveEndpoints('paper', { name: 'alice' }, env).tradingUrl, 'http://127.0.0.1:8900');
  });
});

describe('live-trading guard: brokers from the environment', () => {
  const multi = parseExecutionConfig({
    accounts: [
      { name: 'alice', key_id_env: 'ALICE_KEY', secret_key_env: 'ALICE_SECRET' },
      { name: 'bob', key_id_env: 'BOB_KEY', secret_key_env: 'BOB_SECRET', base_url_env: 'BOB_BASE_URL' },
    ],
  });
  const multiKeys = { ALICE_KEY: KEY_ID, ALICE_SECRET: SECRET, BOB_KEY: KEY_ID, BOB_SECRET: SECRET };

  it('goes through the guard in brokersFromEnv', () => {
    refusal(() => brokersFromEnv(parseExecutionConfig({}), { ...KEYS, APCA_API_BASE_URL: 'https://api.alpaca.markets' }), /live/);
    refusal(() => brokersFromEnv(parseExecutionConfig({ execution: { mode: 'live' } }), { ...KEYS }), /TRADEFLOW_ALLOW_LIVE/);
    refusal(() => brokersFromEnv(multi, { ...multiKeys, APCA_API_BASE_URL: 'http://127.0.0.1:8900' }), /account "bob"/, /BOB_BASE_URL/);
    const brokers = brokersFromEnv(multi, { ...multiKeys, BOB_BASE_URL: 'http://127.0.0.1:8900' });
    assert.deepEqual(Object.keys(brokers).sort(), ['alice', 'bob']);
  });

  it('resolves each account and logs its hosts, never its keys', () => {
    const accounts = accountsFromEnv(multi, { ...multiKeys, BOB_BASE_URL: `http://${KEY_ID}:${SECRET}@127.0.0.1:8900/v2` });
    assert.deepEqual(accounts.map(({ name, endpoints }) => [name, endpoints.tradingUrl.endsWith('127.0.0.1:8900'), endpoints.dataUrl]),
      [['alice', false, DATA_URL], ['bob', true, DATA_URL]]);
    const lines = endpointLogLines(accounts);
    assert.deepEqual(lines, [
      'account alice: paper trading paper-api.alpaca.markets data data.alpaca.markets',
      'account bob: paper trading 127.0.0.1:8900 data data.alpaca.markets',
    ]);
    for (const line of lines) assert.ok(!line.includes(SECRET) && !line.includes(KEY_ID));
  });

  it('says loudly that live trading is enabled', () => {
    const accounts = accountsFromEnv(parseExecutionConfig({ execution: { mode: 'live' } }), { ...KEYS, TRADEFLOW_ALLOW_LIVE: 'yes' });
    const lines = endpointLogLines(accounts);
    assert.equal(lines[0], 'account main: live trading api.alpaca.markets data data.alpaca.markets');
    assert.match(lines[1] ?? '', /LIVE TRADING ENABLED by TRADEFLOW_ALLOW_LIVE=yes/);
    assert.equal(lines.length, 2);
  });

  it('names a missing key variable without any key value', () => {
    assert.throws(() => accountsFromEnv(multi, { ALICE_KEY: KEY_ID, ALICE_SECRET: SECRET, BOB_KEY: KEY_ID, BOB_BASE_URL: 'http://127.0.0.1:8900' }),
      (error: unknown) => error instanceof MissingAccountKeys && /account "bob"/.test(error.message) && /BOB_SECRET/.test(error.message)
        && !error.message.includes(SECRET) && !error.message.includes(KEY_ID));
  });
});
