/**
 * A real Temporal server (go.temporal.io/server, the binary scripts/cluster.sh builds into
 * tools/temporal-server/bin/server) whose frontend requires mutual TLS, for the TLS test: `temporal server
 * start-dev` has no TLS flags. Certificates come from `openssl` into a temporary folder: a CA, a server certificate
 * for 127.0.0.1 and localhost, a client certificate the CA signed, and a second CA with its own client certificate
 * (one the server must refuse). Persistence is in-memory SQLite (its schema set up by the server itself); every
 * port is a free one, so it clashes with neither the dev server nor the cluster (7233, 7333, 8233).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import { findFreePort } from '../../src/temporal/dev-server';
import { SEARCH_ATTRIBUTES } from '../../src/temporal/search-attributes';
import { superviseChild } from '../../src/temporal/supervised-child';

const INDEXED = temporal.api.enums.v1.IndexedValueType;
/** The proto type of each server type name of SEARCH_ATTRIBUTES. */
const INDEXED_TYPES: Record<string, temporal.api.enums.v1.IndexedValueType> = {
  Text: INDEXED.INDEXED_VALUE_TYPE_TEXT, Keyword: INDEXED.INDEXED_VALUE_TYPE_KEYWORD, Int: INDEXED.INDEXED_VALUE_TYPE_INT,
  Double: INDEXED.INDEXED_VALUE_TYPE_DOUBLE, Bool: INDEXED.INDEXED_VALUE_TYPE_BOOL,
  Datetime: INDEXED.INDEXED_VALUE_TYPE_DATETIME, KeywordList: INDEXED.INDEXED_VALUE_TYPE_KEYWORD_LIST,
};

const ROOT = path.resolve(__dirname, '..', '..');

/** The server binary: TEMPORAL_SERVER_PATH, else the one scripts/cluster.sh builds (`scripts/cluster.sh build`). */
export function temporalServerBinary(): string {
  return process.env.TEMPORAL_SERVER_PATH || path.join(ROOT, 'tools', 'temporal-server', 'bin', 'server');
}

/** Why the TLS test cannot run here, or null when it can. */
export function tlsServerUnavailable(): string | null {
  const binary = temporalServerBinary();
  if (!existsSync(binary)) {
    return `no Temporal server binary at ${binary}: build it with \`scripts/cluster.sh build\` `
      + '(go.temporal.io/server/cmd/server) or point TEMPORAL_SERVER_PATH at one';
  }
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
  } catch {
    return 'openssl is not installed (it generates the test certificates)';
  }
  return null;
}

/** The files of the test PKI. */
export interface TestPki {
  dir: string;
  caCert: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** A CA the server does not trust, and a client certificate it signed. */
  otherCaCert: string;
  otherClientCert: string;
  otherClientKey: string;
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** A CA, then a certificate it signs for `subject` with `ext` (extensions file lines). */
function makeCa(dir: string, name: string): void {
  openssl(dir, ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
    '-subj', `/CN=tradeflow test ${name}`, '-keyout', `${name}.key`, '-out', `${name}.pem`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
}

function makeLeaf(dir: string, ca: string, name: string, subject: string, ext: string[]): void {
  writeFileSync(path.join(dir, `${name}.ext`), `${ext.join('\n')}\n`);
  openssl(dir, ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', subject,
    '-keyout', `${name}.key`, '-out', `${name}.csr`]);
  openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.pem`, '-CAkey', `${ca}.key`, '-CAcreateserial',
    '-days', '2', '-sha256', '-extfile', `${name}.ext`, '-out', `${name}.pem`]);
}

/** Generates the test PKI with openssl into a new temporary folder. */
export function generateTestPki(): TestPki {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tradeflow-tls-'));
  makeCa(dir, 'ca');
  makeLeaf(dir, 'ca', 'server', '/CN=localhost', [
    'basicConstraints=CA:FALSE', 'keyUsage=critical,digitalSignature,keyEncipherment',
    'extendedKeyUsage=serverAuth,clientAuth', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
  ]);
  makeLeaf(dir, 'ca', 'client', '/CN=tradeflow-client', [
    'basicConstraints=CA:FALSE', 'keyUsage=critical,digitalSignature,keyEncipherment', 'extendedKeyUsage=clientAuth',
  ]);
  makeCa(dir, 'other-ca');
  makeLeaf(dir, 'other-ca', 'other-client', '/CN=intruder', [
    'basicConstraints=CA:FALSE', 'keyUsage=critical,digitalSignature,keyEncipherment', 'extendedKeyUsage=clientAuth',
  ]);
  const at = (file: string): string => path.join(dir, file);
  return {
    dir, caCert: at('ca.pem'), serverCert: at('server.pem'), serverKey: at('server.key'),
    clientCert: at('client.pem'), clientKey: at('client.key'),
    otherCaCert: at('other-ca.pem'), otherClientCert: at('other-client.pem'), otherClientKey: at('other-client.key'),
  };
}

/** The server's config: the sample development-sqlite.yaml, in memory, with mTLS on the frontend. */
function serverConfig(pki: TestPki, ports: number[]): string {
  const [frontend, frontendHttp, frontendMembership, history, historyMembership, matching, matchingMembership,
    worker, workerMembership] = ports;
  const sqlite = (name: string): string => `
    ${name}:
      sql:
        pluginName: sqlite
        databaseName: ${name}
        connectAddr: localhost
        connectProtocol: tcp
        connectAttributes:
          mode: memory
          cache: private
        maxConns: 1
        maxIdleConns: 1
        maxConnLifetime: 1h`;
  const service = (grpc: number | undefined, membership: number | undefined, http?: number): string => `
    rpc:
      grpcPort: ${grpc}
      membershipPort: ${membership}
      bindOnIP: 127.0.0.1${http === undefined ? '' : `\n      httpPort: ${http}`}`;
  return `log:
  stdout: true
  level: warn
persistence:
  defaultStore: sqlite-default
  visibilityStore: sqlite-visibility
  numHistoryShards: 1
  datastores:${sqlite('sqlite-default')}${sqlite('sqlite-visibility')}
global:
  membership:
    maxJoinDuration: 30s
    broadcastAddress: 127.0.0.1
  tls:
    frontend:
      server:
        certFile: ${pki.serverCert}
        keyFile: ${pki.serverKey}
        requireClientAuth: true
        clientCaFiles:
          - ${pki.caCert}
      client:
        serverName: localhost
        rootCaFiles:
          - ${pki.caCert}
    systemWorker:
      certFile: ${pki.clientCert}
      keyFile: ${pki.clientKey}
      client:
        serverName: localhost
        rootCaFiles:
          - ${pki.caCert}
services:
  frontend:${service(frontend, frontendMembership, frontendHttp)}
  history:${service(history, historyMembership)}
  matching:${service(matching, matchingMembership)}
  worker:${service(worker, workerMembership)}
clusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: active
  currentClusterName: active
  clusterInformation:
    active:
      enabled: true
      initialFailoverVersion: 1
      rpcName: frontend
      rpcAddress: 127.0.0.1:${frontend}
      httpAddress: 127.0.0.1:${frontendHttp}
dcRedirectionPolicy:
  policy: noop
publicClient:
  hostPort: 127.0.0.1:${frontend}
`;
}

/** A running mTLS server. */
export interface TlsTemporalServer {
  /** Frontend gRPC address, `127.0.0.1:PORT`. */
  address: string;
  namespace: string;
  pki: TestPki;
  /** The environment that points a tradeflow process at it with the client certificate (Temporal's variables). */
  clientEnv: Record<string, string>;
  /** SIGTERM (SIGKILL after 10 s), then removes the certificates. Idempotent. */
  stop(): Promise<void>;
  process: ChildProcess;
}

/**
 * Starts the server, waits until its frontend answers over mTLS, registers `namespace` with tradeflow's search
 * attributes (as deploy/register-search-attributes.sh does on the cluster) and waits until the frontend serves it. Throws with the server's last output when it does not come up within `timeoutMs`.
 */
export async function startTlsTemporalServer(options: { namespace?: string; timeoutMs?: number } = {}): Promise<TlsTemporalServer> {
  const namespace = options.namespace ?? 'default';
  const pki = generateTestPki();
  const ports: number[] = [];
  while (ports.length < 9) {
    const port = await findFreePort();
    if (!ports.includes(port)) ports.push(port);
  }
  const address = `127.0.0.1:${ports[0]}`;
  const configFile = path.join(pki.dir, 'server.yaml');
  writeFileSync(configFile, serverConfig(pki, ports));

  // No TEMPORAL_* variable of the caller reaches the server (it has its own meaning for some of them).
  const serverEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('TEMPORAL_')));
  const child = spawn(temporalServerBinary(), ['--config-file', configFile, '--allow-no-auth', 'start'], {
    cwd: pki.dir, env: serverEnv, stdio: ['ignore', 'pipe', 'pipe'],
  });
  const tail: string[] = [];
  const keep = (chunk: Buffer): void => {
    tail.push(...chunk.toString('utf8').split('\n').filter((line) => line !== ''));
    tail.splice(0, Math.max(0, tail.length - 30));
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const supervised = superviseChild(child);
  const stop = async (): Promise<void> => {
    await supervised.stop();
    rmSync(pki.dir, { recursive: true, force: true });
  };

  const tls = {
    serverRootCACertificate: readFileSync(pki.caCert),
    clientCertPair: { crt: readFileSync(pki.clientCert), key: readFileSync(pki.clientKey) },
  };
  const deadline = Date.now() + (options.timeoutMs ?? 90_000);
  let lastError = 'not started';
  let registered = false;
  let attributes = false;
  try {
    for (;;) {
      if (supervised.exitInfo() !== null) throw new Error(`the Temporal server exited early (${supervised.exitInfo()})`);
      if (Date.now() > deadline) throw new Error(`the Temporal server at ${address} was not ready: ${lastError}`);
      let connection: Connection | undefined;
      try {
        connection = await Connection.connect({ address, tls, connectTimeout: '3 seconds' });
        const service = connection.workflowService;
        await connection.withDeadline(Date.now() + 5_000, async () => {
          if (!registered) {
            try {
              await service.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs('1 day') });
            } catch (error) {
              if (!/already exists/i.test((error as Error).message)) throw error;
            }
            registered = true;
          }
          // The frontend's namespace cache learns of a new namespace within its refresh interval (about 10 s).
          await service.listWorkflowExecutions({ namespace, pageSize: 1 });
          if (!attributes) {
            await connection!.operatorService.addSearchAttributes({
              namespace,
              searchAttributes: Object.fromEntries(Object.entries(SEARCH_ATTRIBUTES).map(([name, type]) => [name, INDEXED_TYPES[type]!])),
            });
            attributes = true;
          }
        });
        return {
          address, namespace, pki, process: child, stop,
          clientEnv: {
            TEMPORAL_ADDRESS: address, TEMPORAL_NAMESPACE: namespace, TEMPORAL_TLS_SERVER_CA_CERT_PATH: pki.caCert,
            TEMPORAL_TLS_CLIENT_CERT_PATH: pki.clientCert, TEMPORAL_TLS_CLIENT_KEY_PATH: pki.clientKey,
          },
        };
      } catch (error) {
        lastError = (error as Error).message.split('\n')[0] ?? String(error);
      } finally {
        await connection?.close().catch(() => undefined);
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}\n--- server output ---\n${tail.join('\n')}`, { cause: error });
  }
}
