/**
 * Durable simulator state in one SQLite file (better-sqlite3, synchronous). Write-through: after every request
 * and every matcher step, `commit()` writes whatever changed since the last commit in one transaction, before
 * the response leaves, so a client that heard "accepted" can rely on it surviving a crash. A restarted simulator
 * on the same file loads the accounts, orders, positions and key secrets and continues: same order ids, cash,
 * positions and client_order_id uniqueness. Key secrets are stored as salted hashes (`key-secrets.ts`), never as
 * themselves; a schema-1 file, which held them in plaintext, is migrated on open.
 *
 * What is stored is the engine's own objects as JSON, so fields the engine grows are kept without a migration:
 * an account's Maps and Sets are tagged, its `orders` live in their own table (one row per order, rewritten while
 * the order can change, left alone once final), and any other array on an account is treated as an append-only
 * log (today the FILL log, `fills`) whose new items are added to `account_logs`.
 */
import Database from 'better-sqlite3';
import { FINAL_STATUSES } from './order-transitions';
import type { SimAccount, SimOrder } from './records';
import { hashSecret } from './key-secrets';
import { protectStateFile } from './state-file';
import type { TimeSourceState } from './time-source';

/** 2: key secrets are hashes in `secret_hashes`. 1: plaintext in `secrets`. */
const SCHEMA_VERSION = 2;

/** What a state file holds at start-up. */
export interface LoadedState {
  accounts: SimAccount[];
  /** Key id to the hash of its secret. */
  secretHashes: Map<string, string>;
  /** Number of earlier simulator runs on this file (0 for a new file); salts the order-id generator. */
  generation: number;
  clock: TimeSourceState | null;
  seed: number | null;
}

interface AccountTrack {
  json: string;
  /** Orders already seen (the engine only appends). */
  orderCount: number;
  /** Persisted orders that may still change, with their last JSON. */
  live: Map<string, { order: SimOrder; seq: number; json: string }>;
  /** Items written per array field. */
  logLengths: Map<string, number>;
}

/** Fields of an account rebuilt on load rather than stored. */
const DERIVED_FIELDS = new Set(['orders', 'byId', 'byClientId']);

function replacer(_key: string, value: unknown): unknown {
  if (value instanceof Map) return { __map: [...value.entries()] };
  if (value instanceof Set) return { __set: [...value.values()] };
  if (typeof value === 'number' && !Number.isFinite(value)) return { __num: String(value) };
  return value;
}

function reviver(_key: string, value: unknown): unknown {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const v = value as Record<string, unknown>;
    if (Array.isArray(v.__map)) return new Map(v.__map as Array<[unknown, unknown]>);
    if (Array.isArray(v.__set)) return new Set(v.__set as unknown[]);
    if (typeof v.__num === 'string') return Number(v.__num);
  }
  return value;
}

const encode = (value: unknown) => JSON.stringify(value, replacer);
const decode = <T>(text: string) => JSON.parse(text, reviver) as T;

/** The account without its orders, derived indexes and logs. */
function accountScalars(a: SimAccount): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(a)) {
    if (DERIVED_FIELDS.has(k) || Array.isArray(v)) continue;
    out[k] = v;
  }
  return out;
}

function accountLogs(a: SimAccount): Array<[string, unknown[]]> {
  return Object.entries(a).filter((e): e is [string, unknown[]] => !DERIVED_FIELDS.has(e[0]) && Array.isArray(e[1]));
}

/**
 * Schema 1 kept each key's secret in plaintext: hash them into `secret_hashes`, drop the old table with
 * secure_delete on (its pages are zeroed, not left in the free list) and VACUUM, so no page of the file keeps a
 * secret; then checkpoint and truncate the WAL, which may still hold frames the old version wrote.
 */
function migrateFromSchema1(db: Database.Database): void {
  db.pragma('secure_delete = ON');
  db.transaction(() => {
    const insert = db.prepare('INSERT OR REPLACE INTO secret_hashes (key_id, hash) VALUES (?, ?)');
    for (const row of db.prepare('SELECT key_id, secret FROM secrets').all() as Array<{ key_id: string; secret: string }>) {
      insert.run(row.key_id, hashSecret(row.secret));
    }
    db.exec('DROP TABLE secrets');
    db.prepare("UPDATE meta SET value = ? WHERE key = 'schema'").run(String(SCHEMA_VERSION));
  })();
  db.exec('VACUUM');
  db.pragma('secure_delete = OFF');
  db.pragma('wal_checkpoint(TRUNCATE)');
}

/** A SQLite state file. Open with `SimStore.open(path, warn)`; one simulator per file at a time. */
export class SimStore {
  private readonly tracks = new Map<string, AccountTrack>();
  private readonly hashesSeen = new Map<string, string>();
  private clockText = '';
  private readonly stmt;
  private readonly tx: (accounts: SimAccount[], secretHashes: ReadonlyMap<string, string>, clock: TimeSourceState | null) => void;

  private constructor(private readonly db: Database.Database) {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 2000');
    db.exec(`
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS secret_hashes (key_id TEXT PRIMARY KEY, hash TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS accounts (key TEXT PRIMARY KEY, json TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS orders (
        id TEXT PRIMARY KEY, account_key TEXT NOT NULL, seq INTEGER NOT NULL, client_order_id TEXT NOT NULL,
        status TEXT NOT NULL, json TEXT NOT NULL, UNIQUE (account_key, client_order_id));
      CREATE INDEX IF NOT EXISTS orders_by_account ON orders (account_key, seq);
      CREATE TABLE IF NOT EXISTS account_logs (
        account_key TEXT NOT NULL, field TEXT NOT NULL, idx INTEGER NOT NULL, json TEXT NOT NULL,
        PRIMARY KEY (account_key, field, idx));
    `);
    const version = db.prepare('SELECT value FROM meta WHERE key = ?').get('schema') as { value: string } | undefined;
    if (version && Number(version.value) === 1) migrateFromSchema1(db);
    else if (version && Number(version.value) !== SCHEMA_VERSION) {
      throw new Error(`state file has schema ${version.value}; this simulator reads ${SCHEMA_VERSION}`);
    }
    this.stmt = {
      meta: db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
      getMeta: db.prepare('SELECT value FROM meta WHERE key = ?'),
      secretHash: db.prepare('INSERT INTO secret_hashes (key_id, hash) VALUES (?, ?) ON CONFLICT (key_id) DO UPDATE SET hash = excluded.hash'),
      dropSecretHash: db.prepare('DELETE FROM secret_hashes WHERE key_id = ?'),
      account: db.prepare('INSERT INTO accounts (key, json) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET json = excluded.json'),
      dropAccount: db.prepare('DELETE FROM accounts WHERE key = ?'),
      dropOrders: db.prepare('DELETE FROM orders WHERE account_key = ?'),
      dropLogs: db.prepare('DELETE FROM account_logs WHERE account_key = ?'),
      order: db.prepare(`INSERT INTO orders (id, account_key, seq, client_order_id, status, json) VALUES (?, ?, ?, ?, ?, ?)
        ON CONFLICT (id) DO UPDATE SET status = excluded.status, json = excluded.json, client_order_id = excluded.client_order_id`),
      log: db.prepare('INSERT OR REPLACE INTO account_logs (account_key, field, idx, json) VALUES (?, ?, ?, ?)'),
    };
    this.tx = db.transaction((accounts, secretHashes, clock) => this.write(accounts, secretHashes, clock));
    this.stmt.meta.run('schema', String(SCHEMA_VERSION));
  }

  /** Opens (creating if needed, mode 0600) a state file; `warn` hears about a file that was open to others. */
  static open(path: string, warn: (message: string) => void): SimStore {
    if (path !== ':memory:') protectStateFile(path, warn);
    return new SimStore(new Database(path));
  }

  /** Reads everything back and bumps the run generation. */
  load(): LoadedState {
    const meta = (key: string) => (this.stmt.getMeta.get(key) as { value: string } | undefined)?.value;
    const generation = Number(meta('generation') ?? '0');
    this.stmt.meta.run('generation', String(generation + 1));
    const clockText = meta('clock');
    const seedText = meta('seed');

    const secretHashes = new Map<string, string>();
    for (const row of this.db.prepare('SELECT key_id, hash FROM secret_hashes').all() as Array<{ key_id: string; hash: string }>) {
      secretHashes.set(row.key_id, row.hash);
      this.hashesSeen.set(row.key_id, row.hash);
    }

    const accounts: SimAccount[] = [];
    const orderRows = this.db.prepare('SELECT json FROM orders WHERE account_key = ? ORDER BY seq');
    const logRows = this.db.prepare('SELECT field, json FROM account_logs WHERE account_key = ? ORDER BY field, idx');
    for (const row of this.db.prepare('SELECT key, json FROM accounts').all() as Array<{ key: string; json: string }>) {
      const a = decode<SimAccount>(row.json);
      const orders = (orderRows.all(row.key) as Array<{ json: string }>).map((r) => decode<SimOrder>(r.json));
      a.orders = orders;
      a.byId = new Map(orders.map((o) => [o.id, o]));
      a.byClientId = new Map(orders.map((o) => [o.clientOrderId, o]));
      const logs = new Map<string, unknown[]>();
      for (const l of logRows.all(row.key) as Array<{ field: string; json: string }>) {
        const list = logs.get(l.field) ?? [];
        list.push(decode<unknown>(l.json));
        logs.set(l.field, list);
      }
      for (const [field, items] of logs) (a as unknown as Record<string, unknown>)[field] = items;
      accounts.push(a);
      this.tracks.set(a.key, {
        json: encode(accountScalars(a)),
        orderCount: orders.length,
        live: new Map(orders.flatMap((o, seq) => (FINAL_STATUSES.has(o.status) ? [] : [[o.id, { order: o, seq, json: encode(o) }] as const]))),
        logLengths: new Map([...logs].map(([f, items]) => [f, items.length])),
      });
    }
    return {
      accounts, secretHashes, generation,
      clock: clockText ? JSON.parse(clockText) as TimeSourceState : null,
      seed: seedText === undefined ? null : Number(seedText),
    };
  }

  /** Records the seed the file's prices were made with. */
  setSeed(seed: number): void {
    this.stmt.meta.run('seed', String(seed));
  }

  /** Writes what changed since the last commit, in one transaction. */
  commit(accounts: SimAccount[], secretHashes: ReadonlyMap<string, string>, clock: TimeSourceState | null = null): void {
    this.tx(accounts, secretHashes, clock);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  private write(accounts: SimAccount[], secretHashes: ReadonlyMap<string, string>, clock: TimeSourceState | null): void {
    for (const [keyId, hash] of secretHashes) {
      if (this.hashesSeen.get(keyId) === hash) continue;
      this.stmt.secretHash.run(keyId, hash);
      this.hashesSeen.set(keyId, hash);
    }
    for (const keyId of [...this.hashesSeen.keys()]) {
      if (secretHashes.has(keyId)) continue;
      this.stmt.dropSecretHash.run(keyId);
      this.hashesSeen.delete(keyId);
    }

    const present = new Set<string>();
    for (const a of accounts) {
      present.add(a.key);
      let track = this.tracks.get(a.key);
      if (!track) {
        track = { json: '', orderCount: 0, live: new Map(), logLengths: new Map() };
        this.tracks.set(a.key, track);
      }
      const json = encode(accountScalars(a));
      if (json !== track.json) {
        this.stmt.account.run(a.key, json);
        track.json = json;
      }
      for (; track.orderCount < a.orders.length; track.orderCount++) {
        const o = a.orders[track.orderCount];
        if (o) track.live.set(o.id, { order: o, seq: track.orderCount, json: '' });
      }
      for (const [id, entry] of track.live) {
        const oj = encode(entry.order);
        if (oj !== entry.json) {
          this.stmt.order.run(id, a.key, entry.seq, entry.order.clientOrderId, entry.order.status, oj);
          entry.json = oj;
        }
        if (FINAL_STATUSES.has(entry.order.status)) track.live.delete(id);
      }
      for (const [field, items] of accountLogs(a)) {
        const written = track.logLengths.get(field) ?? 0;
        for (let i = written; i < items.length; i++) this.stmt.log.run(a.key, field, i, encode(items[i]));
        track.logLengths.set(field, items.length);
      }
    }
    // An account the engine forgot (an admin reset) goes with its orders and logs.
    for (const key of [...this.tracks.keys()]) {
      if (present.has(key)) continue;
      this.stmt.dropAccount.run(key);
      this.stmt.dropOrders.run(key);
      this.stmt.dropLogs.run(key);
      this.tracks.delete(key);
    }
    if (clock) {
      const text = JSON.stringify({ frozen: clock.frozen, speed: clock.speed, now: clock.frozen || clock.speed !== 1 ? clock.now : null,
        offsetS: Math.round(clock.offsetMs / 1000) });
      if (text !== this.clockText) {
        this.stmt.meta.run('clock', JSON.stringify(clock));
        this.clockText = text;
      }
    }
  }
}
