// A viewer of the original design: msgpack commands up, msgpack frames down, every frame
// unpacked (what its client had to do before drawing anything).
import { WebSocket } from 'ws';
import type { IncomingMessage } from 'node:http';
import { baselineCodec } from './baseline.ts';
import type { BaselineCommand, FrameMessage } from './baseline.ts';
import type { ByteMeter } from './byte-meter.ts';

export class BaselineClient {
  /** Called with every frame, unpacked, and its arrival time (performance.now()). */
  onFrame: ((msg: FrameMessage, at: number) => void) | null = null;
  onError: ((message: string) => void) | null = null;
  private readonly codec = baselineCodec();

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => {
      const at = performance.now();
      let msg: FrameMessage;
      try {
        msg = this.codec.unpack(data) as FrameMessage;
      } catch (err) {
        this.onError?.(`undecodable frame: ${(err as Error).message}`);
        return;
      }
      this.onFrame?.(msg, at);
    });
    ws.on('error', (err) => this.onError?.(err.message));
  }

  static connect(url: string, meter?: ByteMeter): Promise<BaselineClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { perMessageDeflate: false });
      if (meter) ws.once('upgrade', (res: IncomingMessage) => meter.add(res.socket));
      ws.once('open', () => resolve(new BaselineClient(ws)));
      ws.once('error', reject);
    });
  }

  send(cmd: BaselineCommand): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(this.codec.pack(cmd));
  }

  close(): void {
    this.ws.terminate();
  }
}
