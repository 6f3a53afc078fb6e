export { defineErrors, isCodedError } from './errors.ts';
export type { CodedError, CodedErrorOptions, ErrorInfo, ErrorRegistry } from './errors.ts';
