// Bytes on the wire, as TCP payload both ways (WebSocket frame headers, HTTP headers and bodies
// included; TCP/IP headers not): the sum of bytesRead + bytesWritten over every socket a set of
// viewers used. A socket keeps its counters after it closes, so a closed one still counts.
import type { Socket } from 'node:net';

export class ByteMeter {
  private readonly sockets = new Set<Socket>();

  add(socket: Socket): void {
    this.sockets.add(socket);
  }

  totals(): { down: number; up: number } {
    let down = 0;
    let up = 0;
    for (const s of this.sockets) {
      down += s.bytesRead;
      up += s.bytesWritten;
    }
    return { down, up };
  }

  clear(): void {
    this.sockets.clear();
  }
}
