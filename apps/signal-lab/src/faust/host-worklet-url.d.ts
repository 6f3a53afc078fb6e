// Vite's `?worker&url` import of the Faust host worklet: the URL of its bundled script.
declare module '*/host-worklet.ts?worker&url' {
  const url: string;
  export default url;
}
