/**
 * The `trade_updates` WebSocket at `/stream` on the simulator's own port, speaking Alpaca's protocol:
 * authenticate, listen, then one binary JSON frame per order event of the key's account (no replay, as Alpaca).
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { EngineEvent } from './records';
import { isAdminPath, routeName } from './request-stats';
import type { SimState } from './state';
import { orderJson } from './wire';

export const STREAM_PATH = '/stream';

interface Session {
  ws: WebSocket;
  key: string | null;
  streams: Set<string>;
}

/** Alpaca's paper stream sends JSON in binary frames; the SDK decodes either. */
function send(ws: WebSocket, message: unknown): void {
  if (ws.readyState !== ws.OPEN) return;
  ws.send(Buffer.from(JSON.stringify(message)), { binary: true });
}

/** The `data` of a trade_updates frame; fills carry this execution's price and qty and the position after it. */
export function tradeUpdateJson(e: EngineEvent): Record<string, unknown> {
  const data: Record<string, unknown> = {
    event: e.event,
    execution_id: e.executionId,
    order: orderJson(e.order),
    timestamp: new Date(e.at).toISOString(),
  };
  if (e.price !== null) data.price = String(e.price);
  if (e.qty !== null) data.qty = String(e.qty);
  if (e.positionQty !== null) data.position_qty = String(e.positionQty);
  return data;
}

function parse(raw: RawData): Record<string, unknown> | null {
  try {
    const text = Array.isArray(raw) ? Buffer.concat(raw).toString('utf8') : Buffer.from(raw as ArrayBuffer).toString('utf8');
    const v: unknown = JSON.parse(text);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** Serves `/stream` on the fastify server's port and relays the engine's events to listening sessions. */
export function attachTradeStream(app: FastifyInstance, state: SimState): void {
  const wss = new WebSocketServer({ noServer: true });
  const sessions = new Set<Session>();

  app.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = (req.url ?? '').split('?')[0] ?? '';
    const keyHeader = req.headers['apca-api-key-id'];
    const counted = !isAdminPath(path);
    // The upgrade is the stream's one HTTP request: counted as `GET /stream`, answered 101 once upgraded.
    if (counted) {
      state.stats.request(routeName(req.method ?? 'GET', path === STREAM_PATH ? STREAM_PATH : undefined),
        (Array.isArray(keyHeader) ? keyHeader[0] : keyHeader) ?? '');
    }
    if (path !== STREAM_PATH) {
      if (counted) state.stats.answered(404);
      socket.end('HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n{"code":40410000,"message":"endpoint not found"}');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      state.stats.answered(101);
      wss.emit('connection', ws, req);
    });
  });

  wss.on('connection', (ws: WebSocket) => {
    const session: Session = { ws, key: null, streams: new Set() };
    sessions.add(session);
    ws.on('close', () => sessions.delete(session));
    ws.on('error', () => sessions.delete(session));
    ws.on('message', (raw: RawData) => {
      const msg = parse(raw);
      const data = msg && typeof msg.data === 'object' && msg.data !== null ? (msg.data as Record<string, unknown>) : {};
      if (!msg || typeof msg.action !== 'string') {
        return send(ws, { action: 'error', data: { error_message: 'invalid syntax' } });
      }
      if (msg.action === 'authenticate' || msg.action === 'auth') {
        const keyId = typeof data.key_id === 'string' ? data.key_id : '';
        const secret = typeof data.secret_key === 'string' ? data.secret_key : '';
        const ok = state.secrets.admit(keyId, secret);
        if (ok) session.key = keyId;
        send(ws, { stream: 'authorization', data: { status: ok ? 'authorized' : 'unauthorized', action: 'authenticate' } });
        if (!ok) ws.close(1008, 'unauthorized');
        return;
      }
      if (msg.action === 'listen') {
        if (session.key === null) {
          return send(ws, { stream: 'authorization', data: { status: 'unauthorized', action: 'listen' } });
        }
        const streams = Array.isArray(data.streams) ? data.streams.filter((s): s is string => typeof s === 'string') : [];
        // Only trade_updates exists here; an empty list unsubscribes.
        session.streams = new Set(streams.filter((s) => s === 'trade_updates'));
        return send(ws, { stream: 'listening', data: { streams: [...session.streams] } });
      }
      send(ws, { action: 'error', data: { error_message: `unknown action: ${msg.action}` } });
    });
  });

  const unsubscribe = state.engine.subscribe((e) => {
    let frame: Record<string, unknown> | null = null;
    for (const s of sessions) {
      if (s.key !== e.accountKey || !s.streams.has('trade_updates')) continue;
      frame ??= { stream: 'trade_updates', data: tradeUpdateJson(e) };
      send(s.ws, frame);
    }
  });

  app.addHook('preClose', (done) => {
    unsubscribe();
    for (const s of sessions) s.ws.terminate();
    sessions.clear();
    wss.close(() => done());
  });
}
