export { generateProject, paramIds } from './generate.ts';
export type { ProjectOptions } from './generate.ts';
