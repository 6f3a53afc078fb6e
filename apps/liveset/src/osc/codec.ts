// OSC 1.0/1.1 packets <-> messages, on top of osc.js's codec (npm `osc`; only its codec file is
// loaded, not its Node transports). Bundles are flattened into their messages; every message
// keeps its arguments' type tags so handlers can tell an int from a float from a string.
import osc from 'osc/src/osc.js';
import type { OscJsBundle, OscJsMessage } from 'osc/src/osc.js';
import { OscDecodeError } from './errors.ts';
import { checkOscFraming } from './framing.ts';

export interface OscArg {
  /** OSC type tag: i f d h s S T F N b t c r m … */
  readonly type: string;
  readonly value: unknown;
}

export interface OscMessage {
  readonly address: string;
  readonly args: readonly OscArg[];
}

const READ_OPTIONS = { metadata: true, unpackSingleArgs: false } as const;
const WRITE_OPTIONS = { metadata: true } as const;

function isBundle(p: OscJsMessage | OscJsBundle): p is OscJsBundle {
  return Array.isArray((p as OscJsBundle).packets);
}

/**
 * Decodes one UDP payload. Throws OscDecodeError for bytes that are not OSC or not well framed
 * (framing.ts), and when a bundle (however nested) holds more than `maxMessages` messages.
 */
export function decodeOsc(bytes: Uint8Array, maxMessages = 64): OscMessage[] {
  checkOscFraming(bytes);
  // osc.js reads a blob from the start of the whole ArrayBuffer, ignoring byteOffset: a view
  // into a larger buffer would yield its neighbour's bytes. Copy only then (UDP payloads are not).
  const own = bytes.byteOffset === 0 ? bytes : bytes.slice();
  let packet: OscJsMessage | OscJsBundle;
  try {
    packet = osc.readPacket(own, READ_OPTIONS);
  } catch (err) {
    throw new OscDecodeError('OSC_BAD_PACKET', (err as Error).message ?? String(err));
  }
  const out: OscMessage[] = [];
  const stack: Array<OscJsMessage | OscJsBundle> = [packet];
  while (stack.length > 0) {
    const p = stack.pop()!;
    if (isBundle(p)) {
      for (let i = p.packets.length - 1; i >= 0; i--) stack.push(p.packets[i]!);
      continue;
    }
    if (typeof p.address !== 'string' || !Array.isArray(p.args)) throw new OscDecodeError('OSC_BAD_PACKET', 'message without address or arguments');
    if (out.length === maxMessages) throw new OscDecodeError('OSC_TOO_MANY_MESSAGES', `more than ${maxMessages} messages in one packet`);
    out.push(p);
  }
  return out;
}

/** Encodes one message. Arguments carry explicit type tags (no guessing int vs float). */
export function encodeOsc(address: string, args: readonly OscArg[]): Uint8Array {
  return osc.writePacket({ address, args: args as OscArg[] as { type: string; value: unknown }[] }, WRITE_OPTIONS);
}

// Argument constructors for outgoing messages.
export const int = (value: number): OscArg => ({ type: 'i', value: value | 0 });
export const float = (value: number): OscArg => ({ type: 'f', value });
export const str = (value: string): OscArg => ({ type: 's', value });
export const bool = (value: boolean): OscArg => ({ type: value ? 'T' : 'F', value });
