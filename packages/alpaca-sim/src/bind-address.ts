/** Where the simulator really listens, as a URL, and what to tell an operator who binds beyond loopback. */
import type { AddressInfo } from 'node:net';

/** 127.0.0.0/8 and ::1, IPv4-mapped or not. */
export function isLoopback(address: string): boolean {
  const v4 = address.toLowerCase().startsWith('::ffff:') ? address.slice(7) : address;
  return v4.startsWith('127.') || address === '::1';
}

/** `http://host:port` of a bound address (IPv6 in brackets). */
export function urlOf(bound: AddressInfo): string {
  return `http://${bound.address.includes(':') ? `[${bound.address}]` : bound.address}:${bound.port}`;
}

/** The warning for a bind beyond loopback; it describes what server.ts, stream.ts and admin.ts do. */
export function exposureWarning(url: string): string {
  return `listening on ${url}, an address other machines may reach. The simulator has no real authentication: `
    + 'any key id with any secret gets an account on /v2 and /stream (the first secret a key id sends is the one it must '
    + 'keep sending). The admin API (/admin: prices, clock, faults, fill modes, account resets) has no authentication '
    + 'and answers only connections from 127.0.0.1 or ::1 (403 to others).';
}
