// The Stanford bunny (npm package `bunny`, 1,839 vertices) as a ready-made test cloud.
import bunny from 'bunny';

/** Bunny vertex positions, interleaved `[x, y, z, …]` (a fresh copy each call). */
export function bunnyPoints(): Float64Array {
  const ps = bunny.positions;
  const out = new Float64Array(ps.length * 3);
  for (let i = 0; i < ps.length; i++) {
    out[3 * i] = ps[i][0];
    out[3 * i + 1] = ps[i][1];
    out[3 * i + 2] = ps[i][2];
  }
  return out;
}
