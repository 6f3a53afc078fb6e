export * from './model.ts';
export { StudioError, StudioErrorCodes, isStudioErrorCode } from './errors.ts';
export type { StudioErrorCode } from './errors.ts';
