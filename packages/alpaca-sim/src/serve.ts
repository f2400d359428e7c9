/** The foreground mode of a command that runs the simulator: start, print where it listens, stop on a signal. */
import { startSimulator, type SimulatorOptions } from './simulator';

/**
 * Starts a simulator, prints `simulator listening on URL (APCA_API_BASE_URL=URL APCA_API_DATA_URL=URL)` through
 * `log`, and closes it when the process gets SIGINT or SIGTERM; resolves once it is closed.
 */
export async function serveUntilSignal(
  options: SimulatorOptions, log: (line: string) => void = (line) => console.log(line),
): Promise<void> {
  const sim = await startSimulator(options);
  log(`simulator listening on ${sim.url} (APCA_API_BASE_URL=${sim.url} APCA_API_DATA_URL=${sim.url})`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await sim.close();
}
