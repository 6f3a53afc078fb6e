// The ws WebSocket class the server runs on. Two changes:
// - When ws's receiver rejects the client's input by itself (a message above maxPayload, broken
//   WebSocket framing, invalid UTF-8) it fails the connection with close(code) and no reason,
//   before telling anyone; the client saw a bare 1009 with neither an ERROR frame nor a reason.
//   That call now goes to the connection's fault handler first, which sends the coded ERROR
//   frame (docs/protocol.md §6) and closes with the same code and the error code as the reason
//   (docs/server.md §1).
// - sendBinary(): a small binary message goes to the socket as one buffer, header and payload
//   copied together, with the bytes ws.send would write (docs/server.md §4.3).
import type { Socket } from 'node:net';
import { WebSocket } from 'ws';

export const kFaultHandler = Symbol('tidewire.faultHandler');

export interface FaultHandler {
  /** ws rejected the peer's input with `closeCode`; true when the handler closed the socket. */
  receiverFault(closeCode: number): boolean;
}

/** Messages up to this size are copied behind their header; larger ones go through ws.send,
 *  which writes header and payload with one writev and copies nothing. */
export const ONE_BUFFER_MAX_BYTES = 16 * 1024;

const SEND_OPTIONS = { binary: true } as const;

/** The parts of ws's WebSocket (8.x) that sendBinary relies on. */
interface WsInternals {
  _socket: Socket | null | undefined;
  _sender: { _state: number | undefined } | null | undefined;
  _extensions: Record<string, unknown> | undefined;
}

/** ws's Sender state while nothing of its own is queued (ws/lib/sender.js DEFAULT). */
const SENDER_IDLE = 0;

/** Bytes of the header of an unmasked WebSocket frame carrying `n` payload bytes (RFC 6455 §5.2). */
export function binaryHeaderSize(n: number): number {
  return n < 126 ? 2 : n < 65_536 ? 4 : 10;
}

/** Writes the header of one unmasked, final, binary WebSocket frame of `n` bytes at `buf[0]`. */
export function writeBinaryHeader(buf: Uint8Array, n: number): number {
  buf[0] = 0x82; // FIN, opcode 2 (binary)
  if (n < 126) {
    buf[1] = n;
    return 2;
  }
  if (n < 65_536) {
    buf[1] = 126;
    buf[2] = n >>> 8;
    buf[3] = n & 0xff;
    return 4;
  }
  buf[1] = 127;
  const hi = Math.floor(n / 2 ** 32);
  const lo = n >>> 0;
  for (let i = 0; i < 4; i++) {
    buf[2 + i] = (hi >>> (24 - 8 * i)) & 0xff;
    buf[6 + i] = (lo >>> (24 - 8 * i)) & 0xff;
  }
  return 10;
}

export class TidewireSocket extends WebSocket {
  [kFaultHandler]: FaultHandler | undefined = undefined;

  override close(code?: number, data?: string | Buffer): void {
    // Only ws's receiver calls close(code) with no reason while the socket is open: every call
    // of ours passes a reason (possibly '').
    if (data === undefined && code !== undefined && this.readyState === WebSocket.OPEN && this[kFaultHandler]?.receiverFault(code) === true) return;
    super.close(code, data);
  }

  /**
   * send(data, { binary: true }, cb), the same bytes on the wire. A message up to
   * ONE_BUFFER_MAX_BYTES is written as one buffer straight to the socket: ws.send frames it in
   * a second buffer and writes both corked (a writev), and that path — its option objects,
   * the cork and the two-part write — cost a server streaming 25 small TL_FRAMES a second per
   * viewer more than the message itself. Anything else (larger, not open, ws queueing frames
   * of its own, a compressing connection) goes through ws.send, so the order on the wire is
   * always the order of the calls.
   */
  sendBinary(data: Uint8Array, cb: (err?: Error | null) => void): void {
    const ws = this as unknown as WsInternals;
    const socket = ws._socket;
    const n = data.length;
    if (
      n > ONE_BUFFER_MAX_BYTES ||
      this.readyState !== WebSocket.OPEN ||
      // `== null` and the typeof: should a ws release rename these private fields, every message
      // takes ws.send again instead of throwing (socket-write.test.ts then shows the fast path gone).
      socket == null ||
      ws._sender == null ||
      typeof ws._sender._state !== 'number' ||
      ws._sender._state !== SENDER_IDLE ||
      ws._extensions?.['permessage-deflate'] !== undefined
    ) {
      this.send(data, SEND_OPTIONS, cb);
      return;
    }
    const h = binaryHeaderSize(n);
    const buf = Buffer.allocUnsafe(h + n);
    writeBinaryHeader(buf, n);
    buf.set(data, h);
    socket.write(buf, cb);
  }
}
