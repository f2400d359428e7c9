/** One request to the simulator as account `key` (its secret is `s-<key>`); the body parsed when there is one. */
export async function call(base: string, key: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { 'APCA-API-KEY-ID': key, 'APCA-API-SECRET-KEY': `s-${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}
