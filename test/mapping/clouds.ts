// Point clouds for the mapping-engine co-simulation: every kind the issue lists, seeded, unique,
// in canonical order, at any tensor stride.
import { Prng } from '../../generator/io/prng.ts';
import { bunnyPoints } from '../../generator/io/bunny.ts';
import { voxelize } from '../../generator/io/voxelize.ts';
import { compareCoords } from '../../generator/model/tensor.ts';
import { convOutputCoords } from '../../generator/model/downsample.ts';
import type { Coord } from '../../generator/model/types.ts';

export type CloudKind = 'blob' | 'scatter' | 'line' | 'plane' | 'negative' | 'batches';

function finish(set: Map<string, Coord>, ts: number): Coord[] {
  return [...set.values()].map((c) => [c[0], c[1] * ts, c[2] * ts, c[3] * ts] as Coord).sort(compareCoords);
}

/** A cloud in unit cells (then scaled by `ts`); `span` bounds |coordinate / ts|. */
export function cloud(kind: CloudKind, seed: number, n: number, ts = 1, span = 20): Coord[] {
  const r = new Prng(seed);
  const pts = new Map<string, Coord>();
  const add = (c: Coord) => pts.set(c.join(','), c);
  const s = Math.max(2, Math.min(span, 12));
  let guard = 0;
  while (pts.size < n && guard++ < n * 50) {
    switch (kind) {
      case 'blob': {
        // Dense: a small cube mostly filled.
        const e = Math.max(2, Math.ceil(Math.cbrt(n * 1.4)));
        add([0, r.int(0, e - 1) - (e >> 1), r.int(0, e - 1) - (e >> 1), r.int(0, e - 1) - (e >> 1)]);
        break;
      }
      case 'scatter':
        add([0, r.int(-span, span), r.int(-span, span), r.int(-span, span)]);
        break;
      case 'line': {
        const t = r.int(-span, span);
        const which = r.int(0, 2);
        add(which === 0 ? [0, t, 1, -2] : which === 1 ? [0, 3, t, 0] : [0, t, t, (t >> 1) + r.int(0, 1)]);
        break;
      }
      case 'plane':
        add([0, r.int(-s, s), r.int(-s, s), r.int(0, 1) === 0 ? 2 : r.int(1, 3)]);
        break;
      case 'negative':
        add([0, -r.int(1, span), -r.int(1, s), -r.int(1, s)]);
        break;
      case 'batches':
        add([r.int(0, 3), r.int(-s, s), r.int(-s >> 1, s >> 1), r.int(-s, s)]);
        break;
    }
  }
  return finish(pts, ts);
}

/** The bunny voxelized at `voxel` (batch 0), canonical order. */
export function bunny(voxel: number): Coord[] {
  return voxelize(bunnyPoints(), voxel).sort(compareCoords);
}

/** A transposed layer's pair: output = `fine` (tensor stride ts), input = its conv downsample at ts·s. */
export function transposedPair(fine: Coord[], ts: number, s: number): { inCoords: Coord[]; outCoords: Coord[] } {
  return { inCoords: convOutputCoords(fine, ts * s), outCoords: fine };
}
