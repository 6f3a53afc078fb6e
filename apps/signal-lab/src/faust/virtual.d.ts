// The Vite plugin's virtual module (vite-plugin.ts): the bundled Faust effects.
declare module 'virtual:signal-lab/faust-effects' {
  export const faustEffects: Array<{ id: string; hash: string; wasmUrl: string; json: string }>;
}

// Vite's `?url` imports (the libfaust files the live editor loads): the asset's URL.
declare module '*?url' {
  const url: string;
  export default url;
}
