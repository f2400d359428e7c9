import path from 'node:path';

/** The repository's root folder (where package.json is): config, data and tools are found from here. */
export const PROJECT_ROOT = path.resolve(__dirname, '..');
