/** The workflow's clock as an ISO timestamp: `Date.now()` in workflow code is the deterministic time of the task. */
export function nowIso(): string {
  return new Date(Date.now()).toISOString();
}
