/**
 * docker-compose.yml and deploy/Dockerfile, checked without a Docker engine (issue 14): the Compose Specification
 * schema, references, versions against deploy/versions.env, the image's base and user, the worker's stop grace
 * period. The checks themselves are in test/support/deploy-checks.ts; the last suite feeds them broken inputs.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import {
  checkComposeReferences, checkComposeSchema, checkComposeVersions, checkDockerfile, checkServiceEnvironment,
  checkStopGracePeriod, composeDurationMs, dockerignoreExclusion, loadCompose, parseDockerfile, parseEnvFile,
  nestedProductionModules, shutdownGraceTimeFromSource, variablesRead, type ComposeFile,
} from '../support/deploy-checks';

const ROOT = path.resolve(__dirname, '..', '..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

const SCHEMA = JSON.parse(read('deploy/schema/compose-spec.json')) as object;
const VERSIONS_FILE = 'deploy/versions.env';
const WORKER_SOURCE = 'src/worker.ts';
/** The variables the compose worker must pass: Temporal's connection conventions and the Alpaca keys. */
const REQUIRED_WORKER_VARIABLES = ['TEMPORAL_ADDRESS', 'TEMPORAL_NAMESPACE', 'APCA_API_KEY_ID', 'APCA_API_SECRET_KEY'];

function compose(): ComposeFile {
  return loadCompose(read('docker-compose.yml'), 'docker-compose.yml', ROOT);
}

function dockerfile(text = read('deploy/Dockerfile')) {
  return parseDockerfile(text, 'deploy/Dockerfile', ROOT);
}

/** What the worker process reads: src/, plus @temporalio/envconfig's variables when src loads its profile. */
function workerVariables(): Set<string> {
  const sources = (readdirSync(path.join(ROOT, 'src'), { recursive: true }) as string[])
    .filter((file) => file.endsWith('.ts')).map((file) => read(path.join('src', file)));
  if (sources.some((source) => source.includes('@temporalio/envconfig'))) {
    const lib = path.dirname(require.resolve('@temporalio/envconfig'));
    for (const file of readdirSync(lib).filter((name) => name.endsWith('.js'))) sources.push(readFileSync(path.join(lib, file), 'utf8'));
  }
  return variablesRead(sources);
}

const fail = (problems: string[]) => `\n  ${problems.join('\n  ')}`;

describe('docker-compose.yml', () => {
  it('is valid against the Compose Specification schema (deploy/schema/compose-spec.json)', () => {
    const problems = checkComposeSchema(compose(), SCHEMA);
    assert.deepEqual(problems, [], fail(problems));
  });

  it('depends on services, mounts volumes and runs files that exist', () => {
    const problems = checkComposeReferences(compose());
    assert.deepEqual(problems, [], fail(problems));
  });

  it(`pins each image to the version ${VERSIONS_FILE} holds`, () => {
    const problems = checkComposeVersions(compose(), parseEnvFile(read(VERSIONS_FILE)), VERSIONS_FILE);
    assert.deepEqual(problems, [], fail(problems));
  });

  it("gives the worker a stop_grace_period longer than the worker's shutdownGraceTime", () => {
    const grace = shutdownGraceTimeFromSource(read(WORKER_SOURCE), WORKER_SOURCE);
    const problems = checkStopGracePeriod(compose(), 'worker', grace.ms, `${WORKER_SOURCE}:${grace.line}`);
    assert.deepEqual(problems, [], fail(problems));
  });

  it('passes the worker the variables it reads, and none it does not', () => {
    const problems = checkServiceEnvironment(compose(), 'worker', workerVariables(), REQUIRED_WORKER_VARIABLES);
    assert.deepEqual(problems, [], fail(problems));
  });
});

describe('deploy/Dockerfile', () => {
  it('is Debian Node 20, ends as a non-root user, copies files that exist and runs one of them', () => {
    const problems = checkDockerfile(dockerfile(), read('deploy/Dockerfile.dockerignore'));
    assert.deepEqual(problems, [], fail(problems));
  });

  it("gets every production package from the dependencies stage's /app/node_modules (none nested in a workspace)", () => {
    const nested = nestedProductionModules(read('package-lock.json'));
    assert.deepEqual(nested, [], `package-lock.json installs these under a workspace, which deploy/Dockerfile does not copy:${fail(nested)}`);
  });
});

describe('the deploy checks on broken inputs', () => {
  const inline = (text: string) => loadCompose(text, 'bad-compose.yml', ROOT);
  const matching = (problems: string[], pattern: RegExp) => {
    assert.ok(problems.some((problem) => pattern.test(problem)), `expected a problem matching ${pattern}, got:${fail(problems)}`);
  };

  it('schema: an unknown key and a wrong type, with the line and the key path', () => {
    const problems = checkComposeSchema(inline([
      'services:',
      '  worker:',
      '    image: x',
      '    stop_grace_periodd: 60s',
      '    ports: 7233',
    ].join('\n')), SCHEMA);
    matching(problems, /^bad-compose\.yml:2: services\.worker: must NOT have additional properties \(stop_grace_periodd\)/);
    matching(problems, /^bad-compose\.yml:5: services\.worker\.ports: must be array/);
  });

  it('references: a missing service, an undeclared volume, missing host files, a profile-only dependency', () => {
    const problems = checkComposeReferences(inline([
      'services:',
      '  worker:',
      '    image: x',
      '    depends_on: [temporall, sim]',
      '    volumes:',
      '      - trail:/data',
      '      - ./deploy/nope.sh:/deploy/nope.sh:ro',
      '    entrypoint: ["/bin/sh", "/deploy/nope.sh"]',
      '  sim:',
      '    image: x',
      '    profiles: [sim]',
      '  temporal:',
      '    image: temporalio/server:1',
      '    environment:',
      '      DYNAMIC_CONFIG_FILE_PATH: config/dynamicconfig/missing.yaml',
      '    volumes:',
      '      - ./deploy/dynamicconfig:/etc/temporal/config/dynamicconfig:ro',
      '  built:',
      '    build: { context: ., dockerfile: deploy/Dockerfile }',
      '    command: ["node", "bin/missing.cjs"]',
      '  builtelsewhere:',
      '    build: { context: ., dockerfile: deploy/Nofile }',
      'volumes:',
      '  unused:',
    ].join('\n')));
    matching(problems, /^bad-compose\.yml:4: services\.worker\.depends_on\.temporall: service worker depends on "temporall", which is not a service/);
    matching(problems, /services\.worker\.depends_on\.sim: service worker \(no profile\) depends on sim, which only starts with profile/);
    matching(problems, /^bad-compose\.yml:6: services\.worker\.volumes\.0: service worker mounts volume "trail", which the top-level volumes do not declare/);
    matching(problems, /^bad-compose\.yml:7: services\.worker\.volumes\.1: service worker binds \.\/deploy\/nope\.sh, which does not exist/);
    matching(problems, /services\.worker\.entrypoint: service worker runs \/deploy\/nope\.sh, bind-mounted from deploy\/nope\.sh, which does not exist/);
    matching(problems, /^bad-compose\.yml:15: services\.temporal\.environment\.DYNAMIC_CONFIG_FILE_PATH: .*deploy\/dynamicconfig\/missing\.yaml on the host, which does not exist/);
    matching(problems, /services\.built\.command: service built runs bin\/missing\.cjs, which would come from bin\/missing\.cjs: it does not exist/);
    matching(problems, /services\.builtelsewhere\.build: service builtelsewhere's Dockerfile deploy\/Nofile does not exist/);
    matching(problems, /volumes\.unused: volume unused is declared but no service mounts it/);
  });

  it('versions: a default that differs from versions.env, a literal tag, an unpinned image, an unused variable', () => {
    const problems = checkComposeVersions(inline([
      'services:',
      '  temporal:',
      '    image: temporalio/server:${TEMPORAL_VERSION:-1.31.0}',
      '  postgresql:',
      '    image: postgres:16',
      '  redis:',
      '    image: redis:7',
    ].join('\n')), { TEMPORAL_VERSION: '1.32.2', POSTGRES_VERSION: '15', TEMPORAL_UI_VERSION: '2.58.1' }, 'versions.env');
    assert.deepEqual(problems, [
      'bad-compose.yml:3: services.temporal.image: service temporal\'s image temporalio/server:${TEMPORAL_VERSION:-1.31.0} defaults TEMPORAL_VERSION to 1.31.0, versions.env says 1.32.2',
      'bad-compose.yml:5: services.postgresql.image: service postgresql\'s image postgres:16 has tag 16, versions.env says POSTGRES_VERSION=15',
      'bad-compose.yml:7: services.redis.image: service redis\'s image redis:7 has no version variable in versions.env (add one, and map redis to it in IMAGE_VERSION_VARIABLES)',
      'versions.env: TEMPORAL_UI_VERSION pins no image of bad-compose.yml',
    ]);
  });

  it('Dockerfile: Alpine, root, a missing or ignored COPY source, a CMD file the image lacks', () => {
    const problems = checkDockerfile(dockerfile([
      'FROM node:20-alpine AS deps',
      'WORKDIR /app',
      'COPY package.json ./',
      'FROM node:20-bookworm-slim',
      'WORKDIR /app',
      'COPY --from=deps /app/node_modules ./node_modules',
      'COPY nonexistent ./nonexistent',
      'COPY test \\',
      '     ./test',
      'USER node',
      'USER root',
      'CMD ["node", "bin/tradeflow.cjs", "worker"]',
    ].join('\n')), 'test\n**/node_modules\n');
    assert.deepEqual(problems, [
      'deploy/Dockerfile:11: USER root: the final stage must end as a non-root user',
      'deploy/Dockerfile:6: COPY --from=deps: that stage is FROM node:20-alpine, the final stage FROM node:20-bookworm-slim; native modules need the same base',
      'deploy/Dockerfile:7: COPY nonexistent: nonexistent does not exist in the build context',
      'deploy/Dockerfile:8: COPY test: the .dockerignore pattern "test" leaves it out of the build context',
      'deploy/Dockerfile:12: runs bin/tradeflow.cjs (/app/bin/tradeflow.cjs), which no COPY of the final stage puts in the image',
    ]);
    const alpine = checkDockerfile(dockerfile('FROM node:20-alpine\nWORKDIR /app\nCOPY bin ./bin\nCMD node bin/tradeflow.cjs worker\n'), null);
    assert.deepEqual(alpine, [
      'deploy/Dockerfile:1: FROM node:20-alpine: the final stage must be Debian Node 20 (node:20-bookworm or node:20-bookworm-slim)',
      'deploy/Dockerfile:1: the final stage (FROM node:20-alpine) has no USER: the container runs as root',
    ]);
    const node22 = checkDockerfile(dockerfile('FROM node:22-bookworm-slim\nWORKDIR /app\nCOPY bin ./bin\nUSER 0:0\nCMD ["node", "bin/gone.cjs"]\n'), null);
    assert.deepEqual(node22, [
      'deploy/Dockerfile:1: FROM node:22-bookworm-slim: the final stage must be Debian Node 20 (node:20-bookworm or node:20-bookworm-slim)',
      'deploy/Dockerfile:4: USER 0:0: the final stage must end as a non-root user',
      'deploy/Dockerfile:5: runs bin/gone.cjs, which comes from bin/gone.cjs: it does not exist',
    ]);
  });

  it('stop grace: shorter than the worker\'s shutdown, or unset (10s)', () => {
    const grace = shutdownGraceTimeFromSource("const GRACE = '30 seconds';\nWorker.create({\n  shutdownGraceTime: GRACE,\n});\n", 'w.ts');
    assert.deepEqual(grace, { ms: 30_000, line: 3 });
    assert.deepEqual(checkStopGracePeriod(inline('services:\n  worker:\n    image: x\n    stop_grace_period: 30s\n'), 'worker', grace.ms, 'w.ts:3'), [
      "bad-compose.yml:4: services.worker.stop_grace_period: service worker: stop_grace_period 30s is not longer than the worker's shutdownGraceTime of 30s (w.ts:3): Docker would SIGKILL it mid-shutdown",
    ]);
    assert.match(checkStopGracePeriod(inline('services:\n  worker:\n    image: x\n'), 'worker', 20_000, 'w.ts:3')[0] ?? '',
      /^bad-compose\.yml:2: services\.worker: service worker: stop_grace_period unset \(10s, the default\) is not longer/);
    assert.equal(composeDurationMs('1m30s'), 90_000);
    assert.equal(composeDurationMs('1500ms'), 1500);
    assert.equal(composeDurationMs('a while'), null);
  });

  it('environment: a misspelt variable and a missing required one', () => {
    const problems = checkServiceEnvironment(inline('services:\n  worker:\n    image: x\n    environment:\n      - TEMPORAL_ADRESS=temporal:7233\n'),
      'worker', variablesRead(["env.TEMPORAL_ADDRESS ?? ''", "const V = 'APCA_API_BASE_URL';"]), ['TEMPORAL_ADDRESS']);
    assert.deepEqual(problems, [
      'bad-compose.yml:5: services.worker.environment.TEMPORAL_ADRESS: service worker sets TEMPORAL_ADRESS, which the worker does not read',
      'bad-compose.yml:4: services.worker.environment: service worker does not pass TEMPORAL_ADDRESS, which the worker reads',
    ]);
  });

  it('package-lock.json: a production package nested under a workspace', () => {
    const lock = JSON.stringify({ packages: {
      '': {}, 'node_modules/a': {}, 'packages/sim/node_modules/b': {}, 'packages/sim/node_modules/c': { dev: true },
    } });
    assert.deepEqual(nestedProductionModules(lock), ['packages/sim/node_modules/b']);
  });

  it('.dockerignore: patterns match the path or a parent, `**/` any depth, `!` re-includes', () => {
    const ignore = '# comment\n**/node_modules\n.git\ntools\n*.log\n!keep.log\n';
    assert.equal(dockerignoreExclusion(ignore, 'packages/alpaca-sim/node_modules/x'), '**/node_modules');
    assert.equal(dockerignoreExclusion(ignore, 'node_modules'), '**/node_modules');
    assert.equal(dockerignoreExclusion(ignore, 'tools/bin/temporal'), 'tools');
    assert.equal(dockerignoreExclusion(ignore, 'a.log'), '*.log');
    assert.equal(dockerignoreExclusion(ignore, 'keep.log'), null);
    assert.equal(dockerignoreExclusion(ignore, 'src/tools.ts'), null);
    assert.equal(dockerignoreExclusion(ignore, 'packages/alpaca-sim/bin'), null);
  });
});
