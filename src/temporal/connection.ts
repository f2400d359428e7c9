/**
 * How tradeflow connects to Temporal: Temporal's own environment configuration, the one the `temporal` CLI and every
 * SDK read (`@temporalio/envconfig`): a profile of a TOML file (`TEMPORAL_CONFIG_FILE`, else
 * `~/.config/temporalio/temporal.toml`; `TEMPORAL_PROFILE` picks it, else `default`), then the environment over it:
 * `TEMPORAL_ADDRESS`, `TEMPORAL_NAMESPACE`, `TEMPORAL_API_KEY`, `TEMPORAL_TLS`, `TEMPORAL_TLS_CLIENT_CERT_PATH`,
 * `TEMPORAL_TLS_CLIENT_KEY_PATH`, `TEMPORAL_TLS_SERVER_CA_CERT_PATH`, `TEMPORAL_TLS_SERVER_NAME` (and their `_DATA`
 * forms), `TEMPORAL_GRPC_META_*`. An API key turns TLS on unless `TEMPORAL_TLS=false`, as the CLI and the SDKs do.
 *
 * tradeflow adds its defaults (address 127.0.0.1:7233, namespace `default`) and checks the SDK does not make: every
 * file is read here, once, and an error names the setting that points at it; a client certificate without its key
 * (or the reverse) is refused instead of silently dropped; `TEMPORAL_TLS_DISABLE_HOST_VERIFICATION=true` is refused
 * because the TypeScript SDK has no such option. The worker (`NativeConnection`) and every command (`Connection`)
 * connect with the options built here. Secrets (the API key, the client key, gRPC metadata) are never part of a
 * message, a log line, `JSON.stringify` or `util.inspect` of the result: only the address and the namespace are.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { Connection, type ConnectionOptions } from '@temporalio/client';
import { loadClientConfigProfile, toClientOptions, type ClientConfigProfile, type ConfigDataSource } from '@temporalio/envconfig';
import { NativeConnection, type NativeConnectionOptions } from '@temporalio/worker';
import { CliError, EXIT } from '../cli/errors';

export const DEFAULT_TEMPORAL_ADDRESS = '127.0.0.1:7233';
export const DEFAULT_TEMPORAL_NAMESPACE = 'default';

/** A connection setting is unusable: the message starts with the setting's name (exit 2 from the CLI). */
export class TemporalSettingError extends CliError {
  constructor(readonly setting: string, problem: string) {
    super(`${setting}: ${problem}`, EXIT.invalidInput);
    this.name = 'TemporalSettingError';
  }
}

/** The TLS files a profile can point at: the environment variable and the TOML key that set each. */
const TLS_FILES = [
  { field: 'clientCert', env: 'TEMPORAL_TLS_CLIENT_CERT', toml: 'client_cert', pem: 'a certificate' },
  { field: 'clientKey', env: 'TEMPORAL_TLS_CLIENT_KEY', toml: 'client_key', pem: 'a private key' },
  { field: 'serverCACert', env: 'TEMPORAL_TLS_SERVER_CA_CERT', toml: 'server_ca_cert', pem: 'a CA certificate' },
] as const;

/**
 * Where tradeflow's Temporal server is and how to reach it. `address`, `namespace` and the flags describe it and may
 * be printed; the connection options (API key, certificates, metadata) are private to this object.
 */
export class TemporalConnectionConfig {
  readonly #options: NativeConnectionOptions;

  constructor(
    readonly address: string,
    readonly namespace: string,
    options: NativeConnectionOptions,
    /** Where the settings came from, for messages: `environment` or `profile NAME of FILE` (and the environment). */
    readonly source: string,
  ) {
    this.#options = { ...options, address };
  }

  /** TLS is on (explicitly, by a TLS setting, or implied by an API key). */
  get tls(): boolean {
    return this.#options.tls !== undefined && this.#options.tls !== null && this.#options.tls !== false;
  }

  /** A client certificate is presented (mTLS). */
  get clientCertificate(): boolean {
    const tls = this.#options.tls;
    return typeof tls === 'object' && tls !== null && tls.clientCertPair !== undefined;
  }

  /** An API key is sent. */
  get apiKey(): boolean {
    return this.#options.apiKey !== undefined;
  }

  /** Options for `NativeConnection.connect` (the worker). */
  workerOptions(): NativeConnectionOptions {
    return { ...this.#options };
  }

  /** Options for `Connection.connect` (the client of every command), plus any client-only option. */
  clientOptions(extra: Pick<ConnectionOptions, 'connectTimeout'> = {}): ConnectionOptions {
    return { ...(this.#options as ConnectionOptions), ...extra };
  }

  /** `ADDRESS (namespace NS, TLS with client certificate, API key)`: no secret in it. */
  describe(): string {
    const transport = this.tls ? (this.clientCertificate ? 'TLS with client certificate' : 'TLS') : 'no TLS';
    return `${this.address} (namespace ${this.namespace}, ${transport}${this.apiKey ? ', API key' : ''})`;
  }

  toJSON(): Record<string, unknown> {
    return {
      address: this.address, namespace: this.namespace, tls: this.tls, clientCertificate: this.clientCertificate,
      apiKey: this.apiKey, source: this.source,
    };
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `TemporalConnectionConfig ${JSON.stringify(this.toJSON())}`;
  }
}

/** The environment as envconfig takes it: set variables only, an empty `TEMPORAL_*` value counting as unset. */
function definedEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) continue;
    // TEMPORAL_GRPC_META_X= removes header X of the profile: envconfig needs the empty value.
    if (value === '' && name.startsWith('TEMPORAL_') && !name.startsWith('TEMPORAL_GRPC_META_')) continue;
    out[name] = value;
  }
  return out;
}

/** The config file envconfig reads: `TEMPORAL_CONFIG_FILE`, else the user's `temporalio/temporal.toml` (for messages). */
function configFilePath(env: Record<string, string>): string | null {
  if (env.TEMPORAL_CONFIG_FILE !== undefined) return env.TEMPORAL_CONFIG_FILE;
  if (process.platform === 'win32') return env.APPDATA ? path.join(env.APPDATA, 'temporalio', 'temporal.toml') : null;
  const home = env.HOME;
  const base = process.platform === 'darwin'
    ? (home ? path.join(home, 'Library', 'Application Support') : null)
    : (env.XDG_CONFIG_HOME && path.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : home ? path.join(home, '.config') : null);
  return base === null ? null : path.join(base, 'temporalio', 'temporal.toml');
}

function errorText(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code ?? (error instanceof Error ? error.message : String(error));
}

function isEnvTrue(value: string | undefined): boolean {
  return value === '1' || value === 'true';
}

/**
 * The profile envconfig loads (file, then environment), with each error turned into one naming the setting at fault.
 * An explicit `TEMPORAL_CONFIG_FILE` must be readable (envconfig would skip a missing one silently); the default file
 * may be absent.
 */
function loadProfile(env: Record<string, string>): { profile: ClientConfigProfile; file: string | null } {
  const explicit = env.TEMPORAL_CONFIG_FILE !== undefined;
  const setting = explicit ? 'TEMPORAL_CONFIG_FILE' : 'the default config file';
  let file = configFilePath(env);
  if (file !== null) {
    try {
      readFileSync(file);
    } catch (error) {
      if (explicit || (error as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw new TemporalSettingError(setting, `cannot read ${file}: ${errorText(error)}`);
      }
      file = null;
    }
  }
  try {
    return { profile: loadClientConfigProfile({ overrideEnvVars: env }), file };
  } catch (error) {
    const message = (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
    if (/^Profile '.*' not found/.test(message)) {
      throw new TemporalSettingError('TEMPORAL_PROFILE', `no profile "${env.TEMPORAL_PROFILE}" in ${file ?? 'any config file (none found)'}`);
    }
    // A TOML syntax error, or a TLS setting given both as a path and as data.
    throw new TemporalSettingError(setting, `${file ?? ''}: ${message}`);
  }
}

/** Reads one TLS file of the profile, naming the variable (or TOML key) that points at it when it cannot. */
function readTlsFile(
  source: ConfigDataSource | undefined, spec: (typeof TLS_FILES)[number], env: Record<string, string>, where: string,
): ConfigDataSource | undefined {
  if (source === undefined) return undefined;
  const fromEnv = env[`${spec.env}_PATH`] !== undefined || env[`${spec.env}_DATA`] !== undefined;
  const setting = 'path' in source
    ? (fromEnv ? `${spec.env}_PATH` : `${spec.toml}_path of ${where}`)
    : (fromEnv ? `${spec.env}_DATA` : `${spec.toml}_data of ${where}`);
  let data: Buffer;
  if ('path' in source) {
    try {
      data = readFileSync(source.path);
    } catch (error) {
      throw new TemporalSettingError(setting, `cannot read ${source.path}: ${errorText(error)}`);
    }
  } else {
    data = Buffer.from(source.data);
  }
  // Core and gRPC reject anything else with an error that names no setting; no byte of the file goes in the message.
  if (!/-----BEGIN [A-Z0-9 ]+-----/.test(data.toString('latin1'))) {
    throw new TemporalSettingError(setting, `${'path' in source ? source.path : 'the value'} is not PEM (expected ${spec.pem})`);
  }
  return { data: new Uint8Array(data) };
}

/**
 * tradeflow's Temporal connection from the environment (and the profile it selects): address, namespace, TLS, API
 * key. Throws {@link TemporalSettingError} naming the setting at fault.
 */
export function temporalConnectionFromEnv(processEnv: NodeJS.ProcessEnv = process.env): TemporalConnectionConfig {
  const env = definedEnv(processEnv);
  if (isEnvTrue(env.TEMPORAL_TLS_DISABLE_HOST_VERIFICATION)) {
    throw new TemporalSettingError('TEMPORAL_TLS_DISABLE_HOST_VERIFICATION',
      'the TypeScript SDK cannot turn host verification off; set TEMPORAL_TLS_SERVER_NAME to a name on the server\'s certificate instead');
  }
  const { profile, file } = loadProfile(env);
  const where = file !== null ? `profile ${env.TEMPORAL_PROFILE ?? 'default'} of ${file}` : 'the environment';
  // Files of a profile whose TLS is off are not read (envconfig ignores them too).
  if (profile.tls !== undefined && profile.tls.disabled !== true) {
    const tls = { ...profile.tls };
    for (const spec of TLS_FILES) tls[spec.field] = readTlsFile(tls[spec.field], spec, env, where);
    if ((tls.clientCert === undefined) !== (tls.clientKey === undefined)) {
      const [given, missing] = tls.clientCert === undefined ? ['CLIENT_KEY', 'CLIENT_CERT'] : ['CLIENT_CERT', 'CLIENT_KEY'];
      throw new TemporalSettingError(`TEMPORAL_TLS_${missing}_PATH`,
        `not set, but TEMPORAL_TLS_${given}_PATH (or its profile key) is: a client certificate needs its key and the reverse`);
    }
    profile.tls = tls;
  }
  const { connectionOptions, namespace } = toClientOptions(profile);
  return new TemporalConnectionConfig(
    connectionOptions.address || DEFAULT_TEMPORAL_ADDRESS,
    namespace || DEFAULT_TEMPORAL_NAMESPACE,
    connectionOptions,
    file !== null ? `${where} and the environment` : 'the environment',
  );
}

/** What tradeflow needs to connect: a config, or none for a plain connection to `address` (older callers). */
interface Reachable {
  address: string;
  connection?: TemporalConnectionConfig;
}

/** `host` and `port` of a `host:port` address (`[v6]:port` too), or null. */
function hostPort(address: string): { host: string; port: number } | null {
  const match = /^\[?([^\]]+?)\]?:(\d+)$/.exec(address);
  return match ? { host: match[1]!, port: Number(match[2]) } : null;
}

/**
 * Why TLS with `options` fails at `address`, in words that name the setting to change; null when the TLS handshake
 * (and the server's first HTTP/2 frame) goes through, or the server cannot be reached at all. gRPC reports a TLS
 * failure as a deadline or a closed connection; this one TLS connection, opened only after a failure, says which.
 * With `options` undefined (TLS off), it asks whether the server speaks TLS.
 */
export async function diagnoseTls(address: string, options: NativeConnectionOptions['tls'], timeoutMs = 3_000): Promise<string | null> {
  const target = hostPort(address);
  if (target === null) return null;
  const tlsOn = options !== undefined && options !== null && options !== false;
  const config = typeof options === 'object' && options !== null ? options : {};
  const servername = config.serverNameOverride ?? (isIP(target.host) ? undefined : target.host);
  const outcome = await new Promise<{ secure: boolean; error?: NodeJS.ErrnoException }>((resolve) => {
    const socket = tlsConnect({
      host: target.host, port: target.port, ALPNProtocols: ['h2'], servername,
      rejectUnauthorized: tlsOn,
      ...(config.serverRootCACertificate ? { ca: Buffer.from(config.serverRootCACertificate) } : {}),
      ...(config.clientCertPair ? { cert: Buffer.from(config.clientCertPair.crt), key: Buffer.from(config.clientCertPair.key) } : {}),
    });
    let secure = false;
    const done = (error?: NodeJS.ErrnoException): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ secure, error });
    };
    const timer = setTimeout(() => done(), timeoutMs);
    socket.once('secureConnect', () => {
      secure = true;
      // TLS 1.3: the server checks the client certificate after the handshake; its refusal comes as the first read.
      if (!tlsOn) done();
    });
    socket.once('data', () => done());
    socket.once('error', (error) => done(error));
  });
  const { error } = outcome;
  if (!tlsOn) {
    return outcome.secure
      ? 'the server speaks TLS: set TEMPORAL_TLS=true and, as it requires, TEMPORAL_TLS_SERVER_CA_CERT_PATH, TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH'
      : null;
  }
  if (error === undefined || ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH'].includes(error.code ?? '')) return null;
  // OpenSSL's alert messages carry its internal location: keep the alert's words.
  const text = /tlsv1\d* alert [a-z ]+/i.exec(error.message)?.[0] ?? error.message.split('\n')[0] ?? '';
  const reason = `${text}${error.code && !text.includes(error.code) ? ` (${error.code})` : ''}`;
  if (/certificate required/i.test(reason)) {
    return 'the server requires a client certificate (mTLS): set TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH';
  }
  if (/alert (unknown ca|bad certificate|certificate unknown|unsupported certificate|certificate expired|certificate revoked|access denied)/i.test(reason)) {
    return `the server refused the client certificate (${reason}): TEMPORAL_TLS_CLIENT_CERT_PATH must hold a certificate its CA signed`;
  }
  if (error.code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return `the server's certificate is not for ${servername ?? target.host} (${reason}): connect by a name it carries, or set TEMPORAL_TLS_SERVER_NAME to one`;
  }
  if (/CERT|SIGNATURE|ISSUER|SELF_SIGNED/.test(error.code ?? '')) {
    return `the server's certificate is not trusted (${reason}): set TEMPORAL_TLS_SERVER_CA_CERT_PATH to the CA that signed it`;
  }
  if (/wrong version number|packet length too long|unexpected eof|ECONNRESET/i.test(reason) && !outcome.secure) {
    return `no TLS handshake with the server (${reason}): if it does not use TLS, set TEMPORAL_TLS=false`;
  }
  return `TLS: ${reason}`;
}

async function connectionFailure(target: Reachable, error: unknown): Promise<CliError> {
  const config = target.connection;
  const what = config ? `${config.address} (TEMPORAL_ADDRESS; ${config.describe().slice(config.address.length + 2)}` : `${target.address} (TEMPORAL_ADDRESS)`;
  const message = (error instanceof Error ? error.message : String(error)).split('\n')[0];
  const diagnosis = await diagnoseTls(target.address, config?.workerOptions().tls).catch(() => null);
  return new CliError(`cannot reach the Temporal server at ${what}: ${diagnosis === null ? message : `${diagnosis} (gRPC: ${message})`}`, EXIT.failure);
}

/** A client connection (commands, the worker's own client) with the configured address, TLS and API key. */
export async function openClientConnection(target: Reachable, extra: Pick<ConnectionOptions, 'connectTimeout'> = {}): Promise<Connection> {
  try {
    return await Connection.connect(target.connection?.clientOptions(extra) ?? { address: target.address, ...extra });
  } catch (error) {
    throw await connectionFailure(target, error);
  }
}

/** The worker's native connection with the configured address, TLS and API key. */
export async function openNativeConnection(target: Reachable): Promise<NativeConnection> {
  try {
    return await NativeConnection.connect(target.connection?.workerOptions() ?? { address: target.address });
  } catch (error) {
    throw await connectionFailure(target, error);
  }
}
