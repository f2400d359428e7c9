/** Seeded, dependency-free randomness: the simulator's only source of chance, so runs replay exactly. */

const FNV_OFFSET = 0x811c9dc5;

/** FNV-1a over `text`, continuing from state `h`. */
function fnv(text: string, h: number): number {
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h;
}

/** 32-bit FNV-1a hash of the parts joined by '|'. */
export function hash32(...parts: Array<string | number>): number {
  return fnv(parts.join('|'), FNV_OFFSET) >>> 0;
}

/** One mulberry32 round on a hash spreads nearby inputs apart: a uniform number in [0, 1). */
function spread(hash: number): number {
  let t = (hash + 0x6d2b79f5) >>> 0;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

/** A uniform number in [0, 1) derived from the parts alone. */
export function unit(...parts: Array<string | number>): number {
  return spread(hash32(...parts));
}

/** Box-Muller over two uniforms. */
function boxMuller(u1: number, u2: number): number {
  return Math.sqrt(-2 * Math.log(Math.max(u1, 1e-12))) * Math.cos(2 * Math.PI * u2);
}

/** A standard normal variate derived from the parts alone (Box-Muller over two hashed uniforms). */
export function normal(...parts: Array<string | number>): number {
  return boxMuller(unit(...parts, 'a'), unit(...parts, 'b'));
}

/**
 * `(...rest) => normal(...prefix, ...rest)`, hashing the common prefix once: the same numbers, for a hot loop
 * that draws many variates sharing their first parts.
 */
export function normalsAfter(...prefix: Array<string | number>): (...rest: Array<string | number>) => number {
  const state = fnv(`${prefix.join('|')}|`, FNV_OFFSET);
  return (...rest) => {
    const h = fnv(rest.join('|'), state);
    return boxMuller(spread(fnv('|a', h) >>> 0), spread(fnv('|b', h) >>> 0));
  };
}

/** A sequential seeded generator (mulberry32). */
export function createRng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An RFC-4122-shaped (version 4) UUID from a uniform generator. */
export function uuidFrom(rng: () => number): string {
  const hex: string[] = [];
  for (let i = 0; i < 32; i++) hex.push(Math.floor(rng() * 16).toString(16));
  hex[12] = '4';
  hex[16] = ((parseInt(hex[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  const s = hex.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

/** A UUID that depends only on the parts, e.g. a stable asset id per symbol. */
export function stableUuid(...parts: Array<string | number>): string {
  return uuidFrom(createRng(hash32(...parts)));
}
