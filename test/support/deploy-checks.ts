/**
 * Static checks of docker-compose.yml and deploy/Dockerfile (test/unit/deploy-files.test.ts): no Docker engine, no
 * network. Each check returns its problems as lines that name the file, the line, the service or instruction and
 * what is wrong; an empty list means the file passes.
 *
 * - the Compose file against the Compose Specification's JSON schema (deploy/schema/compose-spec.json, vendored);
 * - its references: depends_on, named volumes, bind-mounted files, build context and Dockerfile, the dynamic config
 *   file, and the files services' commands run;
 * - its image tags against deploy/versions.env;
 * - the Dockerfile: the final stage's base image, its user, its COPY sources (present, not excluded by the
 *   Dockerfile's .dockerignore) and the file its CMD runs;
 * - the worker's stop_grace_period against its shutdownGraceTime, and its environment against what the worker reads.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { DockerfileParser, type Instruction, type JSONInstruction } from 'dockerfile-ast';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Scalar } from 'yaml';

const posix = path.posix;

// ---------------------------------------------------------------------------------------------------------------
// Compose file

export interface ComposeFile {
  /** The name problems carry, e.g. `docker-compose.yml`. */
  file: string;
  /** The project directory: relative paths in the file resolve against it. */
  dir: string;
  data: Record<string, unknown>;
  /** The 1-based line of a key path, or of its nearest ancestor present in the text (keys merged in by `<<`). */
  lineOf(keys: readonly (string | number)[]): number;
}

type Service = Record<string, unknown>;

/** Parses a Compose file (YAML 1.1 merge keys on, as Compose does); throws on a YAML error. */
export function loadCompose(text: string, file: string, dir: string): ComposeFile {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, merge: true, prettyErrors: true });
  if (doc.errors.length > 0) throw new Error(`${file}: not valid YAML: ${doc.errors.map((error) => error.message).join('; ')}`);
  const data = doc.toJS({ maxAliasCount: -1 }) as unknown;
  if (!isRecord(data)) throw new Error(`${file}: the top level is not a mapping`);
  return {
    file, dir, data,
    lineOf(keys) {
      // The line of the deepest key of the path present in the text: keys merged in by `<<` are not there.
      let node: unknown = doc.contents;
      let offset = 0;
      for (const key of keys) {
        if (isMap(node)) {
          const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(key));
          if (!pair) break;
          offset = (pair.key as Scalar).range?.[0] ?? offset;
          node = pair.value;
        } else if (isSeq(node)) {
          // An index, or a name in a list form (`environment: [NAME=value]`, `depends_on: [name]`).
          const item = typeof key === 'number' ? node.items[key]
            : node.items.find((candidate) => isScalar(candidate) && (String(candidate.value) === key || String(candidate.value).startsWith(`${key}=`)));
          if (!item) break;
          node = item;
          offset = (item as { range?: [number, number, number] }).range?.[0] ?? offset;
        } else break;
      }
      return lineCounter.linePos(offset).line;
    },
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function at(compose: ComposeFile, keys: readonly (string | number)[], message: string): string {
  return `${compose.file}:${compose.lineOf(keys)}: ${keys.join('.')}: ${message}`;
}

function services(compose: ComposeFile): [string, Service][] {
  const all = compose.data.services;
  return isRecord(all) ? Object.entries(all).filter((entry): entry is [string, Service] => isRecord(entry[1])) : [];
}

/** Validates against the Compose Specification's JSON schema (draft 2020-12, as compose-go ships it). */
export function checkComposeSchema(compose: ComposeFile, schema: object): string[] {
  // The schema uses union types (`"type": ["string", "number"]`) throughout: allowed; unknown keywords stay errors.
  const ajv = new Ajv2020({ allErrors: true, allowUnionTypes: true, strictTypes: false });
  const validate = ajv.compile(schema);
  if (validate(compose.data)) return [];
  const problems = (validate.errors ?? []).map((error) => {
    const keys = error.instancePath.split('/').slice(1).map((key) => key.replace(/~1/g, '/').replace(/~0/g, '~'));
    const params = error.params as Record<string, unknown>;
    const detail = params.additionalProperty !== undefined ? ` (${String(params.additionalProperty)})`
      : params.allowedValues !== undefined ? ` (${JSON.stringify(params.allowedValues)})` : '';
    return at(compose, keys.length > 0 ? keys : ['(top level)'], `${error.message ?? 'invalid'}${detail} [schema ${error.schemaPath}]`);
  });
  return [...new Set(problems)];
}

// ---------------------------------------------------------------------------------------------------------------
// Compose references

interface Mount {
  type: 'bind' | 'volume' | 'tmpfs' | 'other';
  source: string | null;
  target: string;
  index: number;
}

function mounts(service: Service): Mount[] {
  const volumes = Array.isArray(service.volumes) ? service.volumes as unknown[] : [];
  return volumes.flatMap((entry, index): Mount[] => {
    if (typeof entry === 'string') {
      const parts = entry.split(':');
      if (parts.length === 1) return [{ type: 'volume', source: null, target: parts[0]!, index }];
      const source = parts[0]!;
      const bind = source.startsWith('.') || source.startsWith('/') || source.startsWith('~');
      return [{ type: bind ? 'bind' : 'volume', source, target: parts[1]!, index }];
    }
    if (isRecord(entry) && typeof entry.target === 'string') {
      const type = entry.type === 'bind' || entry.type === 'volume' || entry.type === 'tmpfs' ? entry.type : 'other';
      return [{ type, source: typeof entry.source === 'string' ? entry.source : null, target: entry.target, index }];
    }
    return [];
  });
}

/** The host path a container path comes from through a bind mount, or null when no bind mount covers it. */
function hostPathThroughBinds(compose: ComposeFile, service: Service, containerPath: string): string | null {
  const binds = mounts(service).filter((mount) => mount.type === 'bind' && mount.source !== null)
    .sort((a, b) => b.target.length - a.target.length);
  for (const mount of binds) {
    const target = posix.normalize(mount.target);
    if (containerPath === target || containerPath.startsWith(`${target}/`)) {
      return path.resolve(compose.dir, mount.source!, posix.relative(target, containerPath));
    }
  }
  return null;
}

function environment(service: Service): Map<string, string | null> {
  const env = new Map<string, string | null>();
  if (Array.isArray(service.environment)) {
    for (const item of service.environment as unknown[]) {
      if (typeof item !== 'string') continue;
      const eq = item.indexOf('=');
      env.set(eq < 0 ? item : item.slice(0, eq), eq < 0 ? null : item.slice(eq + 1));
    }
  } else if (isRecord(service.environment)) {
    for (const [name, value] of Object.entries(service.environment)) env.set(name, value === null || value === undefined ? null : String(value));
  }
  return env;
}

function argv(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  if (typeof value === 'string') return value.split(/\s+/).filter(Boolean);
  return [];
}

/**
 * Working directories of third-party images, for paths given relative to them (the WORKDIR of each image's
 * Dockerfile, temporalio/temporal docker/targets/*.Dockerfile): the server reads DYNAMIC_CONFIG_FILE_PATH relative to
 * /etc/temporal; admin-tools sets none.
 */
export const IMAGE_WORKDIRS: Record<string, string> = {
  'temporalio/server': '/etc/temporal',
  'temporalio/admin-tools': '/',
};

function imageRepository(image: string): string {
  const digestAt = image.indexOf('@');
  const withoutDigest = digestAt < 0 ? image : image.slice(0, digestAt);
  const slash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.indexOf(':', slash + 1);
  return colon < 0 ? withoutDigest : withoutDigest.slice(0, colon);
}

function buildOf(service: Service): { context: string; dockerfile: string } | null {
  if (typeof service.build === 'string') return { context: service.build, dockerfile: 'Dockerfile' };
  if (isRecord(service.build)) {
    return {
      context: typeof service.build.context === 'string' ? service.build.context : '.',
      dockerfile: typeof service.build.dockerfile === 'string' ? service.build.dockerfile : 'Dockerfile',
    };
  }
  return null;
}

/** An argument that names a file: absolute, or relative with a slash (not a flag, a URL or host:port). */
function looksLikePath(arg: string): boolean {
  return !arg.startsWith('-') && !arg.includes(':') && !arg.includes('$') && (arg.startsWith('/') || arg.includes('/'));
}

/**
 * depends_on, named volumes, bind mounts, build context and Dockerfile, DYNAMIC_CONFIG_FILE_PATH, and the files the
 * services' entrypoints and commands run (through a bind mount, or copied into an image built here).
 */
export function checkComposeReferences(compose: ComposeFile): string[] {
  const problems: string[] = [];
  const all = services(compose);
  const names = new Set(all.map(([name]) => name));
  const declaredVolumes = new Set(isRecord(compose.data.volumes) ? Object.keys(compose.data.volumes) : []);
  const usedVolumes = new Set<string>();
  const dockerfiles = new Map<string, DockerfileInfo>();

  for (const [name, service] of all) {
    const keys = ['services', name];
    const alwaysOn = !Array.isArray(service.profiles) || service.profiles.length === 0;

    // depends_on: a list of names, or a map of name -> condition.
    const dependsOn = Array.isArray(service.depends_on) ? (service.depends_on as unknown[]).map(String)
      : isRecord(service.depends_on) ? Object.keys(service.depends_on) : [];
    for (const dependency of dependsOn) {
      if (!names.has(dependency)) {
        problems.push(at(compose, [...keys, 'depends_on', dependency], `service ${name} depends on "${dependency}", which is not a service of this file`));
        continue;
      }
      const other = (compose.data.services as Record<string, Service>)[dependency]!;
      const required = !(isRecord(service.depends_on) && isRecord(service.depends_on[dependency]) && service.depends_on[dependency].required === false);
      if (alwaysOn && required && Array.isArray(other.profiles) && other.profiles.length > 0) {
        problems.push(at(compose, [...keys, 'depends_on', dependency], `service ${name} (no profile) depends on ${dependency}, which only starts with profile ${JSON.stringify(other.profiles)}`));
      }
    }

    for (const mount of mounts(service)) {
      const where = [...keys, 'volumes', mount.index];
      if (mount.type === 'volume' && mount.source !== null) {
        usedVolumes.add(mount.source);
        if (!declaredVolumes.has(mount.source)) problems.push(at(compose, where, `service ${name} mounts volume "${mount.source}", which the top-level volumes do not declare`));
      }
      if (mount.type === 'bind' && mount.source !== null) {
        if (mount.source.startsWith('~')) problems.push(at(compose, where, `service ${name} binds ${mount.source}, a home-directory path the project does not carry`));
        else if (!existsSync(path.resolve(compose.dir, mount.source))) {
          problems.push(at(compose, where, `service ${name} binds ${mount.source}, which does not exist in the repository`));
        }
      }
    }

    const build = buildOf(service);
    let image: DockerfileInfo | null = null;
    if (build) {
      const context = path.resolve(compose.dir, build.context);
      const dockerfile = path.resolve(context, build.dockerfile);
      if (!existsSync(context) || !statSync(context).isDirectory()) {
        problems.push(at(compose, [...keys, 'build'], `service ${name}'s build context ${build.context} is not a directory of the repository`));
      } else if (!existsSync(dockerfile)) {
        problems.push(at(compose, [...keys, 'build'], `service ${name}'s Dockerfile ${build.dockerfile} does not exist (relative to the context ${build.context})`));
      } else {
        if (!dockerfiles.has(dockerfile)) dockerfiles.set(dockerfile, parseDockerfile(readFileSync(dockerfile, 'utf8'), path.relative(compose.dir, dockerfile), context));
        image = dockerfiles.get(dockerfile)!;
      }
    }
    const repository = typeof service.image === 'string' ? imageRepository(service.image) : '';
    const workdir = typeof service.working_dir === 'string' ? service.working_dir
      : image ? finalStage(image)?.workdir ?? '/' : IMAGE_WORKDIRS[repository] ?? null;

    const dynamicConfig = environment(service).get('DYNAMIC_CONFIG_FILE_PATH');
    if (dynamicConfig) {
      const where = [...keys, 'environment', 'DYNAMIC_CONFIG_FILE_PATH'];
      const containerPath = posix.isAbsolute(dynamicConfig) ? dynamicConfig : workdir === null ? null : posix.resolve(workdir, dynamicConfig);
      if (containerPath === null) {
        problems.push(at(compose, where, `service ${name}: ${dynamicConfig} is relative and the image's working directory is unknown here; give an absolute path`));
      } else {
        const host = hostPathThroughBinds(compose, service, containerPath);
        if (host === null) problems.push(at(compose, where, `service ${name}: ${containerPath} is under none of the service's bind mounts`));
        else if (!existsSync(host) || !statSync(host).isFile()) {
          problems.push(at(compose, where, `service ${name}: ${containerPath} is ${path.relative(compose.dir, host)} on the host, which does not exist`));
        }
      }
    }

    for (const field of ['entrypoint', 'command'] as const) {
      for (const arg of argv(service[field]).filter(looksLikePath)) {
        const where = [...keys, field];
        const containerPath = posix.isAbsolute(arg) ? posix.normalize(arg) : workdir === null ? null : posix.resolve(workdir, arg);
        if (containerPath === null) continue;
        const host = hostPathThroughBinds(compose, service, containerPath);
        if (host !== null) {
          if (!existsSync(host)) problems.push(at(compose, where, `service ${name} runs ${arg}, bind-mounted from ${path.relative(compose.dir, host)}, which does not exist`));
          continue;
        }
        if (!image) continue; // a file of a third-party image: not checkable here
        const source = repoPathInImage(image, containerPath);
        if (source === null && !posix.isAbsolute(arg)) {
          problems.push(at(compose, where, `service ${name} runs ${arg} (${containerPath}), which no COPY of ${image.file}'s final stage puts in the image`));
        } else if (source && source.kind === 'context' && !existsSync(source.path)) {
          problems.push(at(compose, where, `service ${name} runs ${arg}, which would come from ${path.relative(compose.dir, source.path)}: it does not exist`));
        }
      }
    }
  }

  for (const volume of declaredVolumes) {
    if (!usedVolumes.has(volume)) problems.push(at(compose, ['volumes', volume], `volume ${volume} is declared but no service mounts it`));
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------------------------
// Versions

/** KEY=VALUE lines (`#` comments, optional quotes), as `docker compose --env-file` and a shell read them. */
export function parseEnvFile(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!match) continue;
    values[match[1]!] = match[2]!.trim().replace(/^(["'])(.*)\1$/, '$2');
  }
  return values;
}

/** Which versions.env variable pins each third-party image the cluster runs. */
export const IMAGE_VERSION_VARIABLES: Record<string, string> = {
  'temporalio/server': 'TEMPORAL_VERSION',
  'temporalio/admin-tools': 'TEMPORAL_ADMINTOOLS_VERSION',
  'temporalio/ui': 'TEMPORAL_UI_VERSION',
  postgres: 'POSTGRES_VERSION',
};

/**
 * Every image not built here has its tag from versions.env: `${VAR:-default}` with the default equal to VAR's
 * value there (or a literal tag equal to it), and every variable of versions.env pins some image.
 */
export function checkComposeVersions(compose: ComposeFile, versions: Record<string, string>, versionsFile: string): string[] {
  const problems: string[] = [];
  const used = new Set<string>();
  for (const [name, service] of services(compose)) {
    if (typeof service.image !== 'string' || buildOf(service)) continue;
    const where = ['services', name, 'image'];
    const image = service.image;
    const repository = imageRepository(image);
    const tag = image.slice(repository.length).replace(/^:/, '');
    const interpolated = /^\$\{([A-Za-z_][A-Za-z0-9_]*):?-([^}]*)\}$/.exec(tag);
    const variable = IMAGE_VERSION_VARIABLES[repository] ?? interpolated?.[1];
    if (!variable) {
      problems.push(at(compose, where, `service ${name}'s image ${image} has no version variable in ${versionsFile} (add one, and map ${repository} to it in IMAGE_VERSION_VARIABLES)`));
      continue;
    }
    used.add(variable);
    const expected = versions[variable];
    if (expected === undefined) {
      problems.push(at(compose, where, `service ${name}'s image ${image}: ${versionsFile} has no ${variable}`));
      continue;
    }
    if (interpolated) {
      if (interpolated[1] !== variable) problems.push(at(compose, where, `service ${name}'s image ${image} takes its tag from \${${interpolated[1]!}}, expected \${${variable}}`));
      else if (interpolated[2] !== expected) problems.push(at(compose, where, `service ${name}'s image ${image} defaults ${variable} to ${interpolated[2]!}, ${versionsFile} says ${expected}`));
    } else if (tag.includes('$')) {
      problems.push(at(compose, where, `service ${name}'s image ${image}: tag not understood (use \${${variable}:-${expected}})`));
    } else if (tag !== expected) {
      problems.push(at(compose, where, `service ${name}'s image ${image} has tag ${tag === '' ? '(none: latest)' : tag}, ${versionsFile} says ${variable}=${expected}`));
    }
  }
  for (const variable of Object.keys(versions)) {
    if (!used.has(variable)) problems.push(`${versionsFile}: ${variable} pins no image of ${compose.file}`);
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------------------------
// Dockerfile

interface CopySpec {
  sources: string[];
  /** Absolute path in the image. */
  dest: string;
  destIsDirectory: boolean;
  /** --from=<stage or image>, or null for the build context. */
  from: string | null;
  line: number;
}

interface Stage {
  name: string | null;
  image: string;
  imageName: string | null;
  imageTag: string | null;
  line: number;
  workdir: string;
  /** The last USER of the stage (inherited from a parent stage), or null: root. */
  user: { name: string; line: number } | null;
  copies: CopySpec[];
  cmd: { args: string[]; line: number } | null;
  entrypoint: { args: string[]; line: number } | null;
}

export interface DockerfileInfo {
  /** The name problems carry, e.g. `deploy/Dockerfile`. */
  file: string;
  /** The build context directory. */
  context: string;
  stages: Stage[];
}

function lineOfInstruction(instruction: Instruction): number {
  return instruction.getRange().start.line + 1;
}

function instructionArgs(instruction: Instruction): string[] {
  const json = (instruction as JSONInstruction).getJSONStrings?.() ?? [];
  if (json.length > 0) return json.map((arg) => arg.getJSONValue());
  return instruction.getArguments().map((arg) => arg.getValue());
}

function execArgs(instruction: Instruction): string[] {
  const json = (instruction as JSONInstruction).getJSONStrings?.() ?? [];
  if (json.length > 0) return json.map((arg) => arg.getJSONValue());
  return ['/bin/sh', '-c', instruction.getArgumentsContent() ?? ''];
}

/** Parses a Dockerfile with dockerfile-ast (continuations, JSON forms, flags) into its stages. */
export function parseDockerfile(text: string, file: string, context: string): DockerfileInfo {
  const dockerfile = DockerfileParser.parse(text);
  const stages: Stage[] = [];
  for (const instruction of dockerfile.getInstructions()) {
    const keyword = instruction.getKeyword();
    const line = lineOfInstruction(instruction);
    if (keyword === 'FROM') {
      const from = dockerfile.getFROMs().find((candidate) => lineOfInstruction(candidate) === line)!;
      const image = from.getImage() ?? '';
      const parent = stages.find((stage) => stage.name !== null && stage.name === image);
      stages.push({
        name: from.getBuildStage(), image, imageName: from.getImageName(), imageTag: from.getImageTag(), line,
        workdir: parent?.workdir ?? '/', user: parent?.user ?? null, copies: parent ? [...parent.copies] : [],
        cmd: parent?.cmd ?? null, entrypoint: parent?.entrypoint ?? null,
      });
      continue;
    }
    const stage = stages.at(-1);
    if (!stage) continue;
    if (keyword === 'WORKDIR') stage.workdir = posix.resolve(stage.workdir, instructionArgs(instruction)[0] ?? '.');
    if (keyword === 'USER') stage.user = { name: instructionArgs(instruction)[0] ?? '', line };
    if (keyword === 'CMD') stage.cmd = { args: execArgs(instruction), line };
    if (keyword === 'ENTRYPOINT') stage.entrypoint = { args: execArgs(instruction), line };
    if (keyword === 'COPY' || keyword === 'ADD') {
      const args = instructionArgs(instruction);
      if (args.length < 2) continue;
      const rawDest = args.at(-1)!;
      const sources = args.slice(0, -1);
      const fromFlag = dockerfile.getCOPYs().find((copy) => lineOfInstruction(copy) === line)?.getFromFlag()?.getValue() ?? null;
      stage.copies.push({
        sources, dest: posix.resolve(stage.workdir, rawDest),
        destIsDirectory: rawDest.endsWith('/') || rawDest === '.' || sources.length > 1, from: fromFlag, line,
      });
    }
  }
  return { file, context, stages };
}

function finalStage(info: DockerfileInfo): Stage | undefined {
  return info.stages.at(-1);
}

/**
 * Where a path of the final image comes from: a file of the build context, another stage or image (`COPY --from`),
 * or null when no COPY of the final stage puts it there (the base image's own files).
 */
export function repoPathInImage(info: DockerfileInfo, containerPath: string): { kind: 'context'; path: string } | { kind: 'stage'; from: string } | null {
  const stage = finalStage(info);
  if (!stage) return null;
  for (const copy of [...stage.copies].reverse()) {
    for (const source of copy.sources) {
      const hostPath = path.resolve(info.context, source);
      const sourceIsDirectory = copy.from === null ? existsSync(hostPath) && statSync(hostPath).isDirectory() : !posix.extname(source);
      let relative: string | null = null;
      if (sourceIsDirectory) {
        if (containerPath === copy.dest || containerPath.startsWith(`${copy.dest}/`)) relative = posix.relative(copy.dest, containerPath);
      } else {
        const target = copy.destIsDirectory ? posix.join(copy.dest, posix.basename(source)) : copy.dest;
        if (containerPath === target) relative = '';
      }
      if (relative === null) continue;
      return copy.from === null ? { kind: 'context', path: path.join(hostPath, relative) } : { kind: 'stage', from: copy.from };
    }
  }
  return null;
}

/** A .dockerignore's patterns, in order, as Docker reads them. */
function ignorePatterns(text: string): { regex: RegExp; negated: boolean; pattern: string }[] {
  return text.split('\n').map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('#')).map((line) => {
    const negated = line.startsWith('!');
    const pattern = posix.normalize((negated ? line.slice(1) : line).trim().replace(/^\/+/, ''));
    let source = '';
    for (let i = 0; i < pattern.length; i++) {
      const char = pattern[i]!;
      if (char === '*' && pattern[i + 1] === '*') {
        // `**/` matches any number of directories, a trailing `**` anything.
        if (pattern[i + 2] === '/') { source += '(?:.*/)?'; i += 2; } else { source += '.*'; i += 1; }
      } else if (char === '*') source += '[^/]*';
      else if (char === '?') source += '[^/]';
      else source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
    return { regex: new RegExp(`^${source}$`), negated, pattern: line };
  });
}

/** The .dockerignore pattern that leaves a context path out of the build (it or a parent directory matches), or null. */
export function dockerignoreExclusion(dockerignore: string, relativePath: string): string | null {
  const parts = posix.normalize(relativePath).split('/');
  const candidates = parts.map((_, index) => parts.slice(0, index + 1).join('/'));
  let excludedBy: string | null = null;
  for (const { regex, negated, pattern } of ignorePatterns(dockerignore)) {
    if (candidates.some((candidate) => regex.test(candidate))) excludedBy = negated ? null : pattern;
  }
  return excludedBy;
}

/** Debian bookworm Node 20 (slim or not), any 20.x pin. */
const NODE_20_BOOKWORM = /^20(?:\.\d+){0,2}-bookworm(?:-slim)?$/;

function isRoot(user: string): boolean {
  const name = user.split(':')[0]!;
  return name === 'root' || name === '0' || name === '';
}

/**
 * The final stage runs Debian Node 20 as a non-root user; stages it copies from share its base image (native
 * modules built for the same Node and glibc); every COPY source is in the context and not left out by the
 * Dockerfile's .dockerignore; CMD (or ENTRYPOINT) runs a file the image gets from the repository.
 */
export function checkDockerfile(info: DockerfileInfo, dockerignore: string | null): string[] {
  const problems: string[] = [];
  const stage = finalStage(info);
  if (!stage) return [`${info.file}:1: no FROM instruction`];
  const file = info.file;

  if (stage.imageName !== 'node' || stage.imageTag === null || !NODE_20_BOOKWORM.test(stage.imageTag)) {
    problems.push(`${file}:${stage.line}: FROM ${stage.image}: the final stage must be Debian Node 20 (node:20-bookworm or node:20-bookworm-slim)`);
  }
  if (stage.user === null) problems.push(`${file}:${stage.line}: the final stage (FROM ${stage.image}) has no USER: the container runs as root`);
  else if (isRoot(stage.user.name)) problems.push(`${file}:${stage.user.line}: USER ${stage.user.name}: the final stage must end as a non-root user`);

  const stageNames = new Map(info.stages.filter((candidate) => candidate.name !== null).map((candidate) => [candidate.name!, candidate]));
  for (const copy of stage.copies) {
    if (copy.from === null) continue;
    const source = stageNames.get(copy.from);
    if (!source) {
      if (!/[:/]/.test(copy.from)) problems.push(`${file}:${copy.line}: COPY --from=${copy.from}: no earlier stage has that name`);
    } else if (source.image !== stage.image) {
      problems.push(`${file}:${copy.line}: COPY --from=${copy.from}: that stage is FROM ${source.image}, the final stage FROM ${stage.image}; native modules need the same base`);
    }
  }

  const seen = new Set<string>();
  for (const copy of info.stages.flatMap((candidate) => candidate.copies)) {
    if (copy.from !== null || seen.has(`${copy.line}`)) continue;
    seen.add(`${copy.line}`);
    for (const source of copy.sources) {
      if (/^[a-z]+:\/\//.test(source)) continue; // ADD <url>
      const literal = source.split(/[*?[]/)[0]!; // a glob: its fixed prefix must exist
      const hostPath = path.resolve(info.context, literal);
      const relative = path.relative(info.context, hostPath);
      if (relative.startsWith('..')) {
        problems.push(`${file}:${copy.line}: COPY ${source}: outside the build context`);
        continue;
      }
      if (!existsSync(hostPath)) {
        problems.push(`${file}:${copy.line}: COPY ${source}: ${relative} does not exist in the build context`);
        continue;
      }
      const excludedBy = dockerignore && relative !== '' ? dockerignoreExclusion(dockerignore, relative.split(path.sep).join('/')) : null;
      if (excludedBy) problems.push(`${file}:${copy.line}: COPY ${source}: the .dockerignore pattern "${excludedBy}" leaves it out of the build context`);
    }
  }

  const run = stage.entrypoint ?? stage.cmd;
  if (!run) problems.push(`${file}:${stage.line}: the final stage has neither CMD nor ENTRYPOINT`);
  else {
    const exec = stage.entrypoint ? stage.entrypoint.args : stage.cmd?.args ?? [];
    // The shell form runs `/bin/sh -c "<command line>"`: its words are the command's.
    const args = exec[0] === '/bin/sh' && exec[1] === '-c' ? (exec[2] ?? '').split(/\s+/).filter(Boolean) : exec;
    const files = args.slice(1).filter((arg) => looksLikePath(arg) || /\.(?:c|m)?js$|\.sh$/.test(arg));
    if (files.length === 0) problems.push(`${file}:${run.line}: ${args.join(' ')}: names no file of the image to run`);
    for (const arg of files) {
      const containerPath = posix.resolve(stage.workdir, arg);
      const source = repoPathInImage(info, containerPath);
      if (source === null) problems.push(`${file}:${run.line}: runs ${arg} (${containerPath}), which no COPY of the final stage puts in the image`);
      else if (source.kind === 'context' && !existsSync(source.path)) {
        problems.push(`${file}:${run.line}: runs ${arg}, which comes from ${path.relative(info.context, source.path)}: it does not exist`);
      }
    }
  }
  return problems;
}

/**
 * Production packages package-lock.json installs under a workspace's own node_modules (`packages/x/node_modules/y`):
 * a Dockerfile that copies only the dependencies stage's /app/node_modules would leave them out of the image.
 */
export function nestedProductionModules(packageLock: string): string[] {
  const lock = JSON.parse(packageLock) as { packages?: Record<string, { dev?: boolean; devOptional?: boolean }> };
  return Object.entries(lock.packages ?? {})
    .filter(([location, entry]) => /^packages\/[^/]+\/node_modules\//.test(location) && !entry.dev && !entry.devOptional)
    .map(([location]) => location);
}

// ---------------------------------------------------------------------------------------------------------------
// Worker: stop grace period and environment

/** A Compose duration (`60s`, `1m30s`, `1h`, `500ms`, `10us`; a bare number is seconds) in milliseconds. */
export function composeDurationMs(value: unknown): number | null {
  if (typeof value === 'number') return value * 1000;
  if (typeof value !== 'string' || !/^(?:\d+(?:\.\d+)?(?:us|ms|s|m|h))+$/.test(value)) return null;
  const unit: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  for (const match of value.matchAll(/(\d+(?:\.\d+)?)(us|ms|s|m|h)/g)) total += Number(match[1]) * unit[match[2]!]!;
  return total;
}

/** `20 seconds`, `1 minute`, `500ms`, `2m`: the forms the Temporal SDK's durations (the `ms` package) take. */
function sdkDurationMs(value: string): number | null {
  const match = /^(\d+(?:\.\d+)?)\s*(ms|milliseconds?|msecs?|s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?)?$/i.exec(value.trim());
  if (!match) return null;
  const unit = (match[2] ?? 'ms').toLowerCase();
  const factor = unit.startsWith('ms') || unit.startsWith('milli') ? 1 : unit.startsWith('s') ? 1000 : unit.startsWith('m') ? 60_000 : 3_600_000;
  return Number(match[1]) * factor;
}

/**
 * The worker's shutdownGraceTime, read from its source: `shutdownGraceTime: '20 seconds'`, or
 * `shutdownGraceTime: NAME` with `const NAME = '20 seconds'` (or a number of ms) in the same file.
 */
export function shutdownGraceTimeFromSource(source: string, file: string): { ms: number; line: number } {
  const match = /shutdownGraceTime\s*:\s*(?:'([^']*)'|"([^"]*)"|(\d[\d_]*)|([A-Za-z_$][\w$]*))/.exec(source);
  if (!match) throw new Error(`${file}: no shutdownGraceTime found`);
  const line = source.slice(0, match.index).split('\n').length;
  let literal = match[1] ?? match[2] ?? match[3];
  if (literal === undefined) {
    const constant = new RegExp(`const\\s+${match[4]!}\\s*(?::[^=]+)?=\\s*(?:'([^']*)'|"([^"]*)"|(\\d[\\d_]*))`).exec(source);
    if (!constant) throw new Error(`${file}:${line}: shutdownGraceTime is ${match[4]!}, whose value is not a literal of this file`);
    literal = constant[1] ?? constant[2] ?? constant[3]!;
  }
  const ms = sdkDurationMs(literal.replace(/_/g, ''));
  if (ms === null) throw new Error(`${file}:${line}: shutdownGraceTime ${literal} is not a duration understood here`);
  return { ms, line };
}

/** Compose's default when a service sets none. */
const DEFAULT_STOP_GRACE_MS = 10_000;

/** The service's stop_grace_period (SIGTERM to SIGKILL) is longer than the worker's shutdownGraceTime. */
export function checkStopGracePeriod(compose: ComposeFile, serviceName: string, graceMs: number, graceSource: string): string[] {
  const service = services(compose).find(([name]) => name === serviceName)?.[1];
  if (!service) return [`${compose.file}: no service ${serviceName}`];
  const keys = ['services', serviceName, 'stop_grace_period'];
  const raw = service.stop_grace_period;
  const period = raw === undefined ? DEFAULT_STOP_GRACE_MS : composeDurationMs(raw);
  if (period === null) return [at(compose, keys, `service ${serviceName}: stop_grace_period ${String(raw)} is not a duration`)];
  if (period <= graceMs) {
    const shown = raw === undefined ? 'unset (10s, the default)' : String(raw);
    return [at(compose, raw === undefined ? ['services', serviceName] : keys,
      `service ${serviceName}: stop_grace_period ${shown} is not longer than the worker's shutdownGraceTime of ${graceMs / 1000}s (${graceSource}): Docker would SIGKILL it mid-shutdown`)];
  }
  return [];
}

/**
 * Environment variable names a source text reads: `env.NAME`, `env['NAME']`, and upper-case string literals with an
 * underscore (names kept in constants, e.g. `'APCA_API_BASE_URL'`).
 */
export function variablesRead(sources: string[]): Set<string> {
  const names = new Set<string>();
  for (const source of sources) {
    for (const match of source.matchAll(/env(?:\.|\[\s*['"])([A-Z][A-Z0-9_]*)/g)) names.add(match[1]!);
    for (const match of source.matchAll(/['"`]([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)['"`]/g)) names.add(match[1]!);
  }
  return names;
}

/** Every variable the service's environment names is one the worker reads, and the required ones are there. */
export function checkServiceEnvironment(compose: ComposeFile, serviceName: string, read: Set<string>, required: readonly string[]): string[] {
  const service = services(compose).find(([name]) => name === serviceName)?.[1];
  if (!service) return [`${compose.file}: no service ${serviceName}`];
  const env = environment(service);
  const problems: string[] = [];
  for (const name of env.keys()) {
    if (!read.has(name)) problems.push(at(compose, ['services', serviceName, 'environment', name], `service ${serviceName} sets ${name}, which the worker does not read`));
  }
  for (const name of required) {
    if (!env.has(name)) problems.push(at(compose, ['services', serviceName, 'environment'], `service ${serviceName} does not pass ${name}, which the worker reads`));
  }
  return problems;
}
