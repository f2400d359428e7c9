// @ts-check
/**
 * A node:test reporter that writes one block per failed test: its file, its path of suite names, and its error.
 * `npm test` prints it after the run, so the end of a long CI log says what failed without scrolling back.
 * (Plain JavaScript: node loads reporters before tsx is registered.)
 */

/**
 * @param {AsyncIterable<{ type: string, data: { name: string, nesting: number, file?: string, details?: { error?: any } } }>} source
 * @returns {AsyncGenerator<string>}
 */
export default async function* failureSummary(source) {
  /** @type {string[]} */
  const path = [];
  let failures = 0;
  for await (const event of source) {
    if (event.type === 'test:start') {
      path[event.data.nesting] = event.data.name;
      path.length = event.data.nesting + 1;
    }
    if (event.type !== 'test:fail') continue;
    const failure = event.data.details?.error;
    // A suite fails when a test in it does: that test has its own block.
    if (failure?.failureType === 'subtestsFailed') continue;
    failures += 1;
    const names = [...path.slice(0, event.data.nesting), event.data.name].join(' > ');
    const where = event.data.file ?? 'unknown file';
    yield `not ok: ${names}\n  at ${where}\n${indent(describeError(failure?.cause ?? failure))}\n`;
  }
  yield failures === 0 ? 'no test failed\n' : `${failures} failed\n`;
}

/** @param {unknown} error */
function describeError(error) {
  if (error instanceof Error) {
    const frames = (error.stack ?? '').split('\n').filter((line) => line.includes('/test/')).slice(0, 3);
    return [`${error.name}: ${error.message}`, ...frames].join('\n').slice(0, 4000);
  }
  return String(error).slice(0, 4000);
}

/** @param {string} text */
function indent(text) {
  return text.split('\n').map((line) => `  ${line}`).join('\n');
}
