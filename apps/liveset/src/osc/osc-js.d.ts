// The codec half of osc.js (npm `osc`), which ships no types. Only what codec.ts uses.
declare module 'osc/src/osc.js' {
  export interface OscJsArg {
    type: string;
    value: unknown;
  }
  export interface OscJsMessage {
    address: string;
    args: OscJsArg[];
  }
  export interface OscJsBundle {
    timeTag: unknown;
    packets: Array<OscJsMessage | OscJsBundle>;
  }
  export interface OscJsOptions {
    metadata?: boolean;
    unpackSingleArgs?: boolean;
  }
  const osc: {
    readPacket(data: Uint8Array, options?: OscJsOptions): OscJsMessage | OscJsBundle;
    writePacket(packet: OscJsMessage, options?: OscJsOptions): Uint8Array;
  };
  export default osc;
}
