// Vite's `?worker&url` import of the capture worklet: the URL of its bundled script.
declare module '*/capture-worklet.ts?worker&url' {
  const url: string;
  export default url;
}
