// One UDP socket speaking OSC: binds (127.0.0.1 by default), caps datagram size, decodes, and
// hands whole messages to its owner. Malformed input is reported through onDrop and never
// throws out of the socket's event handler.
import { createSocket } from 'node:dgram';
import type { RemoteInfo, Socket } from 'node:dgram';
import { isIP } from 'node:net';
import { LiveSetError } from '../errors.ts';
import { decodeOsc, encodeOsc } from './codec.ts';
import { OscDecodeError, type OscDropCode } from './errors.ts';
import type { OscArg, OscMessage } from './codec.ts';

export interface OscPeer {
  readonly address: string;
  readonly port: number;
}

export interface OscSocketOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** Larger datagrams are dropped unread (OSC_TOO_LARGE). */
  maxPacketBytes: number;
  /** Messages allowed in one packet, bundles flattened. */
  maxMessagesPerPacket: number;
  /** Kernel receive buffer; bursts of small packets overflow the default one. */
  recvBufferBytes?: number;
  onMessage(msg: OscMessage, from: OscPeer): void;
  onDrop(code: OscDropCode, detail: string): void;
  onError?(err: Error): void;
}

export class OscSocket {
  private readonly socket: Socket;
  private readonly opts: OscSocketOptions;
  private closed = false;

  private constructor(socket: Socket, opts: OscSocketOptions) {
    this.socket = socket;
    this.opts = opts;
    socket.on('message', (buf: Buffer, rinfo: RemoteInfo) => this.receive(buf, rinfo));
    socket.on('error', (err) => opts.onError?.(err));
  }

  static async bind(opts: OscSocketOptions): Promise<OscSocket> {
    const type = isIP(opts.host) === 6 ? 'udp6' : 'udp4';
    const socket = createSocket({ type });
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error) => {
        socket.close();
        reject(new LiveSetError('LIVESET_BIND_FAILED', `cannot bind UDP ${opts.host}:${opts.port}: ${err.message}`, { cause: err }));
      };
      socket.once('error', onError);
      socket.bind(opts.port, opts.host, () => {
        socket.off('error', onError);
        resolve();
      });
    });
    if (opts.recvBufferBytes !== undefined) {
      try {
        socket.setRecvBufferSize(opts.recvBufferBytes);
      } catch {
        // Linux caps it at net.core.rmem_max silently; other systems may refuse. The default
        // buffer still works at lower rates.
      }
    }
    return new OscSocket(socket, opts);
  }

  get port(): number {
    return this.socket.address().port;
  }

  /** Sends one message; failures (no route, closed) go to onError, never throw. */
  send(address: string, args: readonly OscArg[], to: OscPeer): void {
    if (this.closed) return;
    const bytes = encodeOsc(address, args);
    this.socket.send(bytes, to.port, to.address, (err) => {
      if (err) this.opts.onError?.(err);
    });
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }

  private receive(buf: Buffer, rinfo: RemoteInfo): void {
    if (this.closed) return;
    if (buf.length > this.opts.maxPacketBytes) {
      this.opts.onDrop('OSC_TOO_LARGE', `${buf.length}-byte packet from ${rinfo.address}:${rinfo.port}`);
      return;
    }
    let messages: OscMessage[];
    try {
      messages = decodeOsc(buf, this.opts.maxMessagesPerPacket);
    } catch (err) {
      const code = OscDecodeError.is(err) ? err.code : 'OSC_BAD_PACKET';
      this.opts.onDrop(code, (err as Error).message);
      return;
    }
    for (const m of messages) {
      try {
        // RemoteInfo is an OscPeer already: no copy per packet.
        this.opts.onMessage(m, rinfo);
      } catch (err) {
        // A handler bug must not take the socket down; report it like a malformed message.
        this.opts.onError?.(err as Error);
      }
    }
  }
}
