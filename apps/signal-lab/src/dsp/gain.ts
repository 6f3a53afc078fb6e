// Gain in dB, applied per sample; a constant block costs one pow().

export function applyGainDb(buf: Float64Array, n: number, db: Float32Array): void {
  if (db.length > 1) {
    for (let i = 0; i < n; i++) buf[i] *= Math.pow(10, db[i] * 0.05);
    return;
  }
  const g = Math.pow(10, db[0] * 0.05);
  if (g === 1) return;
  for (let i = 0; i < n; i++) buf[i] *= g;
}
