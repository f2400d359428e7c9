import { findFreePort, isServerReachable, startDevServer, waitForServerReady } from '../../src/temporal/dev-server';

/** A Temporal server for integration tests, and how to let go of it. */
export interface TestTemporal {
  /** gRPC address, `host:port`. */
  address: string;
  /** Namespace the tests use. */
  namespace: string;
  /** Stops the server if this helper started it; a no-op for a shared `TEMPORAL_ADDRESS` server. */
  stop(): Promise<void>;
  /** The Web UI's URL; null for a headless server (the shared one and the default private one). */
  uiUrl: string | null;
}

/**
 * The Temporal server for a test file: the one at `TEMPORAL_ADDRESS` when it answers (`.ci/run` starts one and
 * exports it; `TEMPORAL_NAMESPACE` picks the namespace), else a fresh headless, in-memory dev server on a free port
 * with tradeflow's search attributes. Call it in `before()` and `stop()` in `after()`.
 */
export async function getTestTemporal(): Promise<TestTemporal> {
  const shared = process.env.TEMPORAL_ADDRESS;
  const namespace = process.env.TEMPORAL_NAMESPACE || 'default';
  if (shared !== undefined && shared !== '') {
    if (await isServerReachable(shared)) {
      // A shared server may have been started without our search attributes; fail here rather than in a test.
      await waitForServerReady(shared, { namespace, timeoutMs: 15_000 });
      return { address: shared, namespace, stop: async () => undefined, uiUrl: null };
    }
    process.stderr.write(`[test] TEMPORAL_ADDRESS=${shared} does not answer; starting a private dev server\n`);
  }

  return startPrivateTemporal({ namespace });
}

/**
 * A fresh in-memory dev server on free ports for this test file alone, with tradeflow's search attributes; with
 * `ui`, it also serves the Temporal Web UI (for browser tests: the shared `TEMPORAL_ADDRESS` server is headless).
 */
export async function startPrivateTemporal(options: { namespace?: string; ui?: boolean } = {}): Promise<TestTemporal> {
  const namespace = options.namespace ?? 'default';
  // A free port can be taken between probe and bind: retry with another.
  let lastError: unknown;
  for (let attempt = 1; attempt <= 3; attempt++) {
    const port = await findFreePort();
    try {
      const server = options.ui
        ? await startDevServer({ port, uiPort: await findFreePort(), namespace })
        : await startDevServer({ port, headless: true, namespace });
      return { address: server.address, namespace: server.namespace, stop: () => server.stop(), uiUrl: server.uiUrl };
    } catch (err) {
      lastError = err;
    }
  }
  throw lastError;
}
