export { defineErrors, isCodedError } from './errors.ts';
export type { CodedError, CodedErrorOptions, ErrorInfo, ErrorRegistry } from './errors.ts';
export {
  BytesError,
  BytesErrorCodes,
  ByteReader,
  ByteWriter,
  MAX_VARUINT_BYTES,
  concatBytes,
  unzigzag,
  utf8LengthCapped,
  varuintSize,
  writeVaruint,
  zigzag,
} from './bytes.ts';
export type { ByteReaderOptions, BytesErrorCode, ReadFailure } from './bytes.ts';
