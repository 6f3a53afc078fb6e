// The OSC input's drop codes (docs/liveset-osc.md §5): why an incoming packet or message was
// dropped. Malformed input never throws past the socket — it is counted by code — but the
// decoder throws OscDecodeError with one of these codes, like every other coded error.
import { defineErrors } from '@tidewire/base';

export const OSC_DROP_CODES = {
  OSC_TOO_LARGE: { description: 'a datagram above the cap (event port 8 KiB, reply port 64 KiB), not read' },
  OSC_BAD_PACKET: { description: 'not OSC (osc.js cannot decode it)' },
  OSC_BAD_STRING: {
    description: 'a string (address, type tags or argument) with no NUL terminator before the end of its element, or not padded to 4 bytes with NULs',
  },
  OSC_BAD_BLOB: { description: 'a blob whose size is negative or runs past the end of its element, or not padded to 4 bytes with NULs' },
  OSC_TOO_MANY_MESSAGES: { description: 'a bundle with more than 64 messages (the whole packet)' },
  OSC_UNKNOWN_SENDER: { description: 'on the AbletonOSC reply port, from another host or port than AbletonOSC' },
  OSC_UNKNOWN_ADDRESS: { description: 'an address not in §2.1 (and not a reply to a pending request)' },
  OSC_BAD_ARGS: { description: 'wrong argument count or types (§2)' },
  OSC_OUT_OF_RANGE: { description: 'an index §3 cannot resolve' },
  OSC_BAD_VALUE: { description: "a value outside its range (tempo, fader, pan, colors, a parameter's min–max)" },
} as const;

export type OscDropCode = keyof typeof OSC_DROP_CODES;

/** A packet that could not be decoded (OSC_BAD_PACKET, OSC_BAD_STRING, OSC_BAD_BLOB), or holds
 *  more messages than allowed (OSC_TOO_MANY_MESSAGES). */
export class OscDecodeError extends defineErrors('OscDecodeError', OSC_DROP_CODES).Error {}
