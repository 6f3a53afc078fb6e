// MERGE STUB (B1 owns this file): the real splitScript/storyFromScript come with the render
// pipeline; take B1's version at merge. This placeholder only exists so the server's split route
// type-checks and runs: blank lines separate scenes, long paragraphs split at sentence ends.

/** Splits a script into the texts of its scenes. */
export function splitScript(script: string): string[] {
  const out: string[] = [];
  for (const para of script.replace(/\r\n?/g, '\n').split(/\n\s*\n/)) {
    const text = para.replace(/\s+/g, ' ').trim();
    if (text.length === 0) continue;
    if (text.length <= 280) {
      out.push(text);
      continue;
    }
    let cur = '';
    for (const sentence of text.match(/[^.!?]+[.!?]*\s*/g) ?? [text]) {
      if (cur.length + sentence.length > 280 && cur.length > 0) {
        out.push(cur.trim());
        cur = '';
      }
      cur += sentence;
    }
    if (cur.trim()) out.push(cur.trim());
  }
  return out;
}
