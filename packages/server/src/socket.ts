// The ws WebSocket class the server runs on. One change: when ws's receiver rejects the
// client's input by itself (a message above maxPayload, broken WebSocket framing, invalid
// UTF-8) it fails the connection with close(code) and no reason, before telling anyone; the
// client saw a bare 1009 with neither an ERROR frame nor a reason. That call now goes to the
// connection's fault handler first, which sends the coded ERROR frame (docs/protocol.md §6)
// and closes with the same code and the error code as the reason (docs/server.md §1).
import { WebSocket } from 'ws';

export const kFaultHandler = Symbol('tidewire.faultHandler');

export interface FaultHandler {
  /** ws rejected the peer's input with `closeCode`; true when the handler closed the socket. */
  receiverFault(closeCode: number): boolean;
}

export class TidewireSocket extends WebSocket {
  [kFaultHandler]: FaultHandler | undefined = undefined;

  override close(code?: number, data?: string | Buffer): void {
    // Only ws's receiver calls close(code) with no reason while the socket is open: every call
    // of ours passes a reason (possibly '').
    if (data === undefined && code !== undefined && this.readyState === WebSocket.OPEN && this[kFaultHandler]?.receiverFault(code) === true) return;
    super.close(code, data);
  }
}
