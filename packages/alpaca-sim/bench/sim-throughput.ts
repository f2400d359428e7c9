/**
 * Simulator throughput: starts the `alpaca-sim` command in its own process on loopback (so the load generator and the
 * server each have a core), drives a fixed mix of requests from a few concurrent clients with plain fetch for a
 * bounded time, prints requests per second and p50/p99 latency per operation, and stops the simulator.
 *
 *   npm run bench -- [--seconds 10] [--clients 4] [--requests N] [--state FILE]
 *   node --import tsx bench/sim-throughput.ts [same flags]
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

interface Args { seconds: number; clients: number; requests: number; state?: string }

function parseArgs(argv: string[]): Args {
  const args: Args = { seconds: 10, clients: 4, requests: Infinity };
  for (let i = 0; i < argv.length; i++) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (flag === '--seconds') args.seconds = Number(value);
    else if (flag === '--clients') args.clients = Number(value);
    else if (flag === '--requests') args.requests = Number(value);
    else if (flag === '--state') args.state = value;
    else continue;
    i++;
  }
  if (!(args.seconds > 0 && args.seconds <= 120) || !(args.clients >= 1 && args.clients <= 64)) {
    throw new Error('--seconds must be in (0, 120] and --clients in [1, 64]');
  }
  return args;
}

const SYMBOLS = ['AAPL', 'MSFT', 'JPM', 'XOM', 'KO', 'PFE', 'CVX', 'PEP', 'IBM', 'WMT', 'HD', 'UNH'];

/** The mix: operation name, weight, and the request it sends. */
const OPERATIONS: Array<{ name: string; weight: number; request: (key: string, n: number) => [string, RequestInit] }> = [
  { name: 'GET /v2/account', weight: 25, request: () => ['/v2/account', {}] },
  { name: 'GET /v2/positions', weight: 20, request: () => ['/v2/positions', {}] },
  {
    name: 'POST /v2/orders', weight: 20,
    request: (key, n) => ['/v2/orders', {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        symbol: SYMBOLS[n % SYMBOLS.length], qty: '1', side: 'buy', type: 'market', time_in_force: 'day',
        client_order_id: `bench-${key}-${n}`,
      }),
    }],
  },
  { name: 'GET /v2/orders', weight: 15, request: () => ['/v2/orders?status=all&limit=50', {}] },
  { name: 'GET /v2/stocks/quotes/latest', weight: 20, request: (_k, n) => [`/v2/stocks/quotes/latest?symbols=${SYMBOLS.slice(n % 6, (n % 6) + 6).join(',')}`, {}] },
];

function pick(n: number): (typeof OPERATIONS)[number] {
  const total = OPERATIONS.reduce((s, o) => s + o.weight, 0);
  // A fixed, interleaved schedule rather than randomness: runs are comparable.
  let x = (n * 37) % total;
  for (const op of OPERATIONS) {
    if (x < op.weight) return op;
    x -= op.weight;
  }
  return OPERATIONS[0]!;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function startSim(state: string | undefined): Promise<{ url: string; stop: () => Promise<void> }> {
  const bin = path.resolve(__dirname, '..', 'bin', 'alpaca-sim.cjs');
  const argv = [bin, '--port', '0', '--no-rate-limit', '--equity', '1000000000', ...(state ? ['--state', state] : [])];
  const child = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /listening on (http:\/\/[^\s]+)/.exec(out);
      if (m?.[1]) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`simulator exited with ${String(code)}: ${out}`)));
  });
  return {
    url,
    stop: () => new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const sim = await startSim(args.state);
  const latencies = new Map<string, number[]>(OPERATIONS.map((o) => [o.name, []]));
  const errors = new Map<string, number>();
  let sent = 0;
  const deadline = performance.now() + args.seconds * 1000;
  try {
    // Warm-up: the first requests compile routes and build price caches.
    for (let i = 0; i < 50; i++) {
      const res = await fetch(`${sim.url}/v2/stocks/quotes/latest?symbols=${SYMBOLS.join(',')}`, {
        headers: { 'APCA-API-KEY-ID': 'warm', 'APCA-API-SECRET-KEY': 's' },
      });
      await res.arrayBuffer();
    }
    const started = performance.now();
    const client = async (c: number) => {
      const key = `bench-${c}`;
      const auth = { 'APCA-API-KEY-ID': key, 'APCA-API-SECRET-KEY': 's' };
      for (let n = c; performance.now() < deadline && sent < args.requests; n += args.clients) {
        sent++;
        const op = pick(n);
        const [p, init] = op.request(key, n);
        const t0 = performance.now();
        const res = await fetch(`${sim.url}${p}`, { ...init, headers: { ...auth, ...(init.headers ?? {}) } });
        await res.arrayBuffer();
        const ms = performance.now() - t0;
        if (res.status >= 400) errors.set(`${op.name} ${res.status}`, (errors.get(`${op.name} ${res.status}`) ?? 0) + 1);
        latencies.get(op.name)?.push(ms);
      }
    };
    await Promise.all(Array.from({ length: args.clients }, (_, c) => client(c)));
    const elapsed = (performance.now() - started) / 1000;
    const total = [...latencies.values()].reduce((s, l) => s + l.length, 0);
    console.log(`simulator throughput: ${args.clients} clients, ${elapsed.toFixed(1)} s, state ${args.state ? `file ${args.state}` : 'in memory'}`);
    console.log(`total ${total} requests, ${(total / elapsed).toFixed(0)} req/s`);
    console.log(['operation'.padEnd(30), 'count'.padStart(7), 'req/s'.padStart(8), 'p50 ms'.padStart(8), 'p99 ms'.padStart(8)].join(' '));
    for (const [name, l] of latencies) {
      const sorted = [...l].sort((a, b) => a - b);
      console.log([name.padEnd(30), String(l.length).padStart(7), (l.length / elapsed).toFixed(0).padStart(8),
        percentile(sorted, 50).toFixed(2).padStart(8), percentile(sorted, 99).toFixed(2).padStart(8)].join(' '));
    }
    if (errors.size > 0) console.log('errors:', Object.fromEntries(errors));
  } finally {
    await sim.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
