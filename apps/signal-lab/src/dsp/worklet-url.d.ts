// Vite's `?worker&url` import of the worklet module: the URL of its bundled script. Declared
// for this one path (not vite/client's wildcard) so it cannot clash with a project-wide one.
declare module '*/worklet.ts?worker&url' {
  const url: string;
  export default url;
}
