import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
import { after, describe, it } from 'node:test';
import type { TLSConfig } from '@temporalio/common/lib/internal-non-workflow';
import { temporalSettingsFromEnv } from '../../src/env';
import { DEFAULT_TASK_QUEUE } from '../../src/names';
import {
  openClientConnection, temporalConnectionFromEnv, TemporalSettingError, type TemporalConnectionConfig,
} from '../../src/temporal/connection';

const dir = mkdtempSync(path.join(os.tmpdir(), 'tradeflow-connection-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** PEM-shaped files: the mapping only reads them; the integration test (temporal-tls) uses real certificates. */
const CERT = '-----BEGIN CERTIFICATE-----\nY2VydA==\n-----END CERTIFICATE-----\n';
const KEY = '-----BEGIN PRIVATE KEY-----\nc2VjcmV0LWtleS1ieXRlcw==\n-----END PRIVATE KEY-----\n';
const CA = '-----BEGIN CERTIFICATE-----\nY2E=\n-----END CERTIFICATE-----\n';
function file(name: string, content: string): string {
  const target = path.join(dir, name);
  writeFileSync(target, content);
  return target;
}
const certPath = file('client.pem', CERT);
const keyPath = file('client.key', KEY);
const caPath = file('ca.pem', CA);
const API_KEY = 'tf-api-key-must-never-show';

/** An environment with no user config file: HOME points at an empty folder, no TEMPORAL_* set. */
function env(vars: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  return { HOME: path.join(dir, 'empty-home'), ...vars };
}

function tlsOf(config: TemporalConnectionConfig): TLSConfig {
  const tls = config.workerOptions().tls;
  assert.equal(typeof tls, 'object', `TLS options expected, got ${String(tls)}`);
  return tls as TLSConfig;
}

const text = (bytes: Uint8Array | undefined): string => Buffer.from(bytes ?? []).toString('utf8');

function assertSettingError(action: () => unknown, setting: string, pattern: RegExp): void {
  assert.throws(action, (error: unknown) => {
    assert.ok(error instanceof TemporalSettingError, `TemporalSettingError expected: ${String(error)}`);
    assert.equal(error.setting, setting);
    assert.ok(error.message.startsWith(`${setting}: `), error.message);
    assert.match(error.message, pattern);
    assert.equal(error.exitCode, 2);
    return true;
  });
}

describe('temporal connection from the environment', () => {
  it('defaults to 127.0.0.1:7233, namespace default, no TLS, no API key, and keeps TRADEFLOW_TASK_QUEUE', () => {
    const settings = temporalSettingsFromEnv(env());
    assert.equal(settings.address, '127.0.0.1:7233');
    assert.equal(settings.namespace, 'default');
    assert.equal(settings.taskQueue, DEFAULT_TASK_QUEUE);
    const options = settings.connection!.workerOptions();
    assert.equal(options.address, '127.0.0.1:7233');
    assert.equal(options.tls, undefined);
    assert.equal(options.apiKey, undefined);
    assert.equal(temporalSettingsFromEnv(env({ TRADEFLOW_TASK_QUEUE: 'q-1' })).taskQueue, 'q-1');
  });

  it('reads TEMPORAL_ADDRESS and TEMPORAL_NAMESPACE; an empty value counts as unset', () => {
    const settings = temporalSettingsFromEnv(env({ TEMPORAL_ADDRESS: 'temporal.internal:7233', TEMPORAL_NAMESPACE: 'trading' }));
    assert.equal(settings.address, 'temporal.internal:7233');
    assert.equal(settings.namespace, 'trading');
    assert.equal(settings.connection!.clientOptions().address, 'temporal.internal:7233');
    const empty = temporalSettingsFromEnv(env({ TEMPORAL_ADDRESS: '', TEMPORAL_NAMESPACE: '' }));
    assert.equal(empty.address, '127.0.0.1:7233');
    assert.equal(empty.namespace, 'default');
  });

  it('reads the client certificate, key and server CA from the TEMPORAL_TLS_*_PATH files (mTLS)', () => {
    const config = temporalConnectionFromEnv(env({
      TEMPORAL_ADDRESS: 'ns.acct.tmprl.cloud:7233', TEMPORAL_NAMESPACE: 'ns.acct',
      TEMPORAL_TLS_CLIENT_CERT_PATH: certPath, TEMPORAL_TLS_CLIENT_KEY_PATH: keyPath,
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: caPath, TEMPORAL_TLS_SERVER_NAME: 'temporal.example',
    }));
    const tls = tlsOf(config);
    assert.equal(text(tls.clientCertPair?.crt), CERT);
    assert.equal(text(tls.clientCertPair?.key), KEY);
    assert.equal(text(tls.serverRootCACertificate), CA);
    assert.equal(tls.serverNameOverride, 'temporal.example');
    assert.equal(config.tls, true);
    assert.equal(config.clientCertificate, true);
    // The client (grpc-js) and the worker (core) get the same TLS options.
    assert.deepEqual(config.clientOptions({ connectTimeout: '5 seconds' }).tls, tls);
    assert.equal(config.clientOptions({ connectTimeout: '5 seconds' }).connectTimeout, '5 seconds');
  });

  it('takes the certificates inline too (TEMPORAL_TLS_*_DATA), and refuses a value that is not PEM by its name', () => {
    const tls = tlsOf(temporalConnectionFromEnv(env({ TEMPORAL_TLS_CLIENT_CERT_DATA: CERT, TEMPORAL_TLS_CLIENT_KEY_DATA: KEY })));
    assert.equal(text(tls.clientCertPair?.crt), CERT);
    assert.equal(text(tls.clientCertPair?.key), KEY);
    assertSettingError(() => temporalConnectionFromEnv(env({ TEMPORAL_TLS_CLIENT_CERT_DATA: CERT, TEMPORAL_TLS_CLIENT_KEY_DATA: 'oops' })),
      'TEMPORAL_TLS_CLIENT_KEY_DATA', /the value is not PEM/);
  });

  it('TEMPORAL_TLS=true, or any TLS setting, turns TLS on (system roots by default); TEMPORAL_TLS=false turns it off', () => {
    assert.equal(temporalConnectionFromEnv(env({ TEMPORAL_TLS_SERVER_NAME: 'sni.example' })).tls, true);
    assert.deepEqual(tlsOf(temporalConnectionFromEnv(env({ TEMPORAL_TLS: 'true' }))), {
      serverNameOverride: undefined, serverRootCACertificate: undefined, clientCertPair: undefined,
    });
    const off = temporalConnectionFromEnv(env({ TEMPORAL_TLS: 'false', TEMPORAL_TLS_CLIENT_CERT_PATH: path.join(dir, 'absent.pem') }));
    assert.equal(off.workerOptions().tls, false, 'TLS off: its files are not read');
    assert.equal(off.tls, false);
  });

  it('an API key implies TLS, as the temporal CLI and the SDKs do, unless TEMPORAL_TLS=false', () => {
    const cloud = temporalConnectionFromEnv(env({ TEMPORAL_ADDRESS: 'us-east-1.aws.api.temporal.io:7233', TEMPORAL_API_KEY: API_KEY }));
    assert.equal(cloud.workerOptions().tls, true);
    assert.equal(cloud.workerOptions().apiKey, API_KEY);
    assert.equal(cloud.clientOptions().apiKey, API_KEY);
    assert.equal(cloud.tls, true);
    assert.equal(cloud.apiKey, true);
    const plain = temporalConnectionFromEnv(env({ TEMPORAL_API_KEY: API_KEY, TEMPORAL_TLS: 'false' }));
    assert.equal(plain.workerOptions().tls, false);
    assert.equal(plain.workerOptions().apiKey, API_KEY);
  });

  it('passes TEMPORAL_GRPC_META_* headers as gRPC metadata', () => {
    const config = temporalConnectionFromEnv(env({ TEMPORAL_GRPC_META_X_TENANT: 'desk-1' }));
    assert.deepEqual(config.workerOptions().metadata, { 'x-tenant': 'desk-1' });
  });

  it('never shows the API key or the client key: describe(), JSON and inspect carry the address and namespace only', () => {
    const config = temporalConnectionFromEnv(env({
      TEMPORAL_ADDRESS: 'h:7233', TEMPORAL_NAMESPACE: 'ns', TEMPORAL_API_KEY: API_KEY,
      TEMPORAL_TLS_CLIENT_CERT_PATH: certPath, TEMPORAL_TLS_CLIENT_KEY_PATH: keyPath,
    }));
    const settings = temporalSettingsFromEnv(env({ TEMPORAL_API_KEY: API_KEY, TEMPORAL_TLS_CLIENT_CERT_PATH: certPath, TEMPORAL_TLS_CLIENT_KEY_PATH: keyPath }));
    assert.equal(config.describe(), 'h:7233 (namespace ns, TLS with client certificate, API key)');
    for (const shown of [config.describe(), JSON.stringify(config), inspect(config, { depth: 10 }), JSON.stringify(settings), inspect(settings, { depth: 10 })]) {
      assert.doesNotMatch(shown, /tf-api-key|c2VjcmV0|PRIVATE KEY/, shown);
    }
  });

  it('a TLS file that cannot be read is an error naming its variable and path', () => {
    const missing = path.join(dir, 'nope', 'client.pem');
    assertSettingError(() => temporalConnectionFromEnv(env({ TEMPORAL_TLS_CLIENT_CERT_PATH: missing, TEMPORAL_TLS_CLIENT_KEY_PATH: keyPath })),
      'TEMPORAL_TLS_CLIENT_CERT_PATH', new RegExp(`cannot read ${missing.replace(/[.\\/]/g, '\\$&')}: ENOENT$`));
    assertSettingError(() => temporalConnectionFromEnv(env({ TEMPORAL_TLS_CLIENT_CERT_PATH: certPath, TEMPORAL_TLS_CLIENT_KEY_PATH: dir })),
      'TEMPORAL_TLS_CLIENT_KEY_PATH', /cannot read .*: EISDIR$/);
    assertSettingError(() => temporalConnectionFromEnv(env({ TEMPORAL_TLS_SERVER_CA_CERT_PATH: missing })),
      'TEMPORAL_TLS_SERVER_CA_CERT_PATH', /ENOENT/);
  });

  it('a file that is not PEM is refused by name, without echoing its content', () => {
    const notPem = file('not-pem.key', 'super-secret-bytes');
    assert.throws(
      () => temporalConnectionFromEnv(env({ TEMPORAL_TLS_CLIENT_CERT_PATH: certPath, TEMPORAL_TLS_CLIENT_KEY_PATH: notPem })),
      (error: Error) => error.message.startsWith('TEMPORAL_TLS_CLIENT_KEY_PATH: ') && /is not PEM/.test(error.message)
        && !error.message.includes('super-secret'),
    );
  });

  it('a client certificate without its key (or the reverse) is refused rather than silently dropped', () => {
    assertSettingError(() => temporalConnectionFromEnv(env({ TEMPORAL_TLS_CLIENT_CERT_PATH: certPath })),
      'TEMPORAL_TLS_CLIENT_KEY_PATH', /not set, but TEMPORAL_TLS_CLIENT_CERT_PATH/);
    assertSettingError(() => temporalConnectionFromEnv(env({ TEMPORAL_TLS_CLIENT_KEY_PATH: keyPath })),
      'TEMPORAL_TLS_CLIENT_CERT_PATH', /not set, but TEMPORAL_TLS_CLIENT_KEY_PATH/);
  });

  it('TEMPORAL_TLS_DISABLE_HOST_VERIFICATION=true is refused: the TypeScript SDK has no such option', () => {
    assertSettingError(() => temporalConnectionFromEnv(env({ TEMPORAL_TLS: 'true', TEMPORAL_TLS_DISABLE_HOST_VERIFICATION: 'true' })),
      'TEMPORAL_TLS_DISABLE_HOST_VERIFICATION', /TEMPORAL_TLS_SERVER_NAME/);
    // false is accepted; like any TEMPORAL_TLS_* setting (envconfig's rule, as in the CLI) it turns TLS on.
    assert.equal(temporalConnectionFromEnv(env({ TEMPORAL_TLS_DISABLE_HOST_VERIFICATION: 'false' })).tls, true);
  });
});

describe('temporal connection from a profile (TEMPORAL_CONFIG_FILE, TEMPORAL_PROFILE)', () => {
  const toml = file('temporal.toml', [
    '[profile.default]',
    'address = "127.0.0.1:7333"',
    'namespace = "local"',
    '',
    '[profile.prod]',
    'address = "prod.example:7233"',
    'namespace = "trading"',
    '[profile.prod.tls]',
    `client_cert_path = "${certPath}"`,
    `client_key_path = "${keyPath}"`,
    `server_ca_cert_path = "${caPath}"`,
    '',
    '[profile.cloud]',
    'address = "us-east-1.aws.api.temporal.io:7233"',
    'namespace = "trading.a1b2c"',
    `api_key = "${API_KEY}"`,
    '',
    '[profile.broken.tls]',
    `client_cert_path = "${path.join(dir, 'gone.pem')}"`,
    `client_key_path = "${keyPath}"`,
  ].join('\n'));

  it('uses the default profile of TEMPORAL_CONFIG_FILE', () => {
    const settings = temporalSettingsFromEnv(env({ TEMPORAL_CONFIG_FILE: toml }));
    assert.equal(settings.address, '127.0.0.1:7333');
    assert.equal(settings.namespace, 'local');
    assert.equal(settings.connection!.tls, false);
  });

  it('TEMPORAL_PROFILE picks a profile; its TLS files are read', () => {
    const config = temporalConnectionFromEnv(env({ TEMPORAL_CONFIG_FILE: toml, TEMPORAL_PROFILE: 'prod' }));
    assert.equal(config.address, 'prod.example:7233');
    assert.equal(config.namespace, 'trading');
    const tls = tlsOf(config);
    assert.equal(text(tls.clientCertPair?.crt), CERT);
    assert.equal(text(tls.clientCertPair?.key), KEY);
    assert.equal(text(tls.serverRootCACertificate), CA);
  });

  it('a profile\'s API key implies TLS', () => {
    const config = temporalConnectionFromEnv(env({ TEMPORAL_CONFIG_FILE: toml, TEMPORAL_PROFILE: 'cloud' }));
    assert.equal(config.workerOptions().tls, true);
    assert.equal(config.workerOptions().apiKey, API_KEY);
    assert.equal(config.describe(), 'us-east-1.aws.api.temporal.io:7233 (namespace trading.a1b2c, TLS, API key)');
  });

  it('the environment overrides the profile, setting by setting', () => {
    const config = temporalConnectionFromEnv(env({
      TEMPORAL_CONFIG_FILE: toml, TEMPORAL_PROFILE: 'prod', TEMPORAL_NAMESPACE: 'other', TEMPORAL_TLS_SERVER_NAME: 'sni.example',
    }));
    assert.equal(config.address, 'prod.example:7233');
    assert.equal(config.namespace, 'other');
    assert.equal(tlsOf(config).serverNameOverride, 'sni.example');
    assert.equal(text(tlsOf(config).clientCertPair?.crt), CERT);
  });

  it('reads the user\'s temporalio/temporal.toml (the CLI\'s file) when TEMPORAL_CONFIG_FILE is unset', () => {
    const home = path.join(dir, 'home');
    const configDir = path.join(home, '.config', 'temporalio');
    mkdirSync(configDir, { recursive: true });
    writeFileSync(path.join(configDir, 'temporal.toml'), '[profile.default]\naddress = "10.0.0.5:7233"\n');
    assert.equal(temporalConnectionFromEnv({ HOME: home }).address, '10.0.0.5:7233');
    assert.equal(temporalConnectionFromEnv({ HOME: home, XDG_CONFIG_HOME: path.join(dir, 'xdg') }).address, '127.0.0.1:7233');
  });

  it('a TLS path of the profile that cannot be read names the profile key and the file', () => {
    assertSettingError(() => temporalConnectionFromEnv(env({ TEMPORAL_CONFIG_FILE: toml, TEMPORAL_PROFILE: 'broken' })),
      `client_cert_path of profile broken of ${toml}`, /cannot read .*gone\.pem: ENOENT/);
  });

  it('an unreadable TEMPORAL_CONFIG_FILE, an unknown TEMPORAL_PROFILE and a TOML error name the variable', () => {
    const missing = path.join(dir, 'missing.toml');
    assertSettingError(() => temporalConnectionFromEnv(env({ TEMPORAL_CONFIG_FILE: missing })),
      'TEMPORAL_CONFIG_FILE', /cannot read .*missing\.toml: ENOENT/);
    assertSettingError(() => temporalConnectionFromEnv(env({ TEMPORAL_CONFIG_FILE: toml, TEMPORAL_PROFILE: 'staging' })),
      'TEMPORAL_PROFILE', /no profile "staging" in .*temporal\.toml/);
    assertSettingError(() => temporalConnectionFromEnv(env({ TEMPORAL_PROFILE: 'staging' })),
      'TEMPORAL_PROFILE', /no profile "staging" in any config file/);
    const bad = file('bad.toml', `[profile.default]\napi_key = "${API_KEY}"\naddress = \n`);
    assert.throws(() => temporalConnectionFromEnv(env({ TEMPORAL_CONFIG_FILE: bad })), (error: Error) => {
      assert.ok(error.message.startsWith(`TEMPORAL_CONFIG_FILE: ${bad}: `), error.message);
      assert.doesNotMatch(error.message, /tf-api-key/);
      return true;
    });
  });
});

describe('connection failures', () => {
  it('name the address, the namespace and the transport, never the API key', async () => {
    const settings = temporalSettingsFromEnv(env({ TEMPORAL_ADDRESS: '127.0.0.1:1', TEMPORAL_API_KEY: API_KEY, TEMPORAL_TLS: 'false' }));
    await assert.rejects(openClientConnection(settings, { connectTimeout: '2 seconds' }), (error: Error & { exitCode?: number }) => {
      assert.match(error.message, /^cannot reach the Temporal server at 127\.0\.0\.1:1 \(TEMPORAL_ADDRESS; namespace default, no TLS, API key\): /);
      assert.doesNotMatch(error.message, /tf-api-key/);
      assert.equal(error.exitCode, 1);
      return true;
    });
  });
});
