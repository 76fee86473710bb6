// sim-map's tile merge (generator/sim/mapping/host.ts) without the RTL: tile runs that reproduce
// the golden map of each tile merge into exactly the golden map of the whole cloud, for every
// layer type; a wrong, missing or surplus entry in a core, or a wrong downsampled coordinate, is a
// mismatch; entries of the halo (outputs owned by a neighbouring tile) are not counted.
import { describe, expect, it } from 'vitest';
import { presets } from '../../generator/dsl/presets.ts';
import { convOutputCoords } from '../../generator/model/downsample.ts';
import { compareCoords } from '../../generator/model/tensor.ts';
import type { Coord } from '../../generator/model/types.ts';
import { goldenMapping, type MapJob, type MapSimResult } from '../../generator/sim/mapping/driver.ts';
import { mergeMappingTiles, planMappingTiles, tileJob, type MappingTileRun } from '../../generator/sim/mapping/host.ts';

const spec = presets.tiny;

function cloud(n: number, seed: number): Coord[] {
  let r = seed;
  const seen = new Map<string, Coord>();
  while (seen.size < n) {
    r = (r * 48271) % 2147483647;
    const c: Coord = [r % 2, (r >> 3) % 24, (r >> 8) % 9, (r >> 13) % 9];
    seen.set(c.join(), c);
  }
  return [...seen.values()].sort(compareCoords);
}

/** A perfect engine: each tile's run is the golden map of the tile. */
function perfectRuns(job: MapJob, maxTilePoints: number): { golden: ReturnType<typeof goldenMapping>; tiles: MappingTileRun[] } {
  const golden = goldenMapping(job);
  const plan = planMappingTiles(spec, job, golden, maxTilePoints);
  const tiles = plan.map((tile) => {
    const j = tileJob(job, tile);
    const g = goldenMapping(j);
    const result: MapSimResult = {
      status: { busy: false, done: true, error: false, errorCode: 0, errorName: 'NONE' },
      outCoords: job.layer.type === 'conv' ? g.outCoords.map((c) => [...c] as Coord) : null,
      outCoordsAt: [],
      pairs: g.map.pairs.map((p) => ({ input: [...p.input], output: [...p.output], at: [] })),
      statusCycle: 0,
      mapWords: 0,
      outPoints: g.outCoords.length,
      counters: { PERF_MAP_ENTRIES: g.map.pairs.reduce((a, p) => a + p.output.length, 0) },
      simCycles: 0,
      timeout: false,
      protocol: [],
    };
    return { tile, job: j, result, cmp: { ok: true, mismatches: [], details: [], entriesPerOffset: [], totalEntries: 0 } };
  });
  return { golden, tiles };
}

const jobs: MapJob[] = (() => {
  const c = cloud(300, 7);
  return [
    { layer: { type: 'submanifold', kernelSize: 3, stride: 1, inTensorStride: 1 }, inCoords: c },
    { layer: { type: 'conv', kernelSize: 2, stride: 2, inTensorStride: 1 }, inCoords: c },
    { layer: { type: 'conv', kernelSize: 3, stride: 2, inTensorStride: 1 }, inCoords: c },
    { layer: { type: 'transposed', kernelSize: 2, stride: 2, inTensorStride: 2 }, inCoords: convOutputCoords(c, 2), outCoords: c },
  ];
})();

describe('sim-map tile merge', () => {
  it('perfect tiles merge into the golden map of the whole cloud (every layer type, several tiles)', () => {
    for (const job of jobs) {
      const { golden, tiles } = perfectRuns(job, 60);
      expect(tiles.length, job.layer.type).toBeGreaterThan(2);
      const m = mergeMappingTiles(job, golden, tiles);
      expect(m.mismatches, job.layer.type).toEqual([]);
      expect(m.ok).toBe(true);
      expect(m.entriesPerOffset).toEqual(golden.map.pairs.map((p) => p.output.length));
      expect(m.outPoints).toBe(golden.outCoords.length);
    }
  });

  it('a wrong, missing or surplus core entry, or a wrong downsampled coordinate, is a mismatch; halo entries are ignored', () => {
    for (const job of jobs) {
      const t = job.layer.type;
      const fresh = () => perfectRuns(job, 60);
      // The first core entry of the second tile, for the first kernel index that has one.
      const coreEntry = (tiles: MappingTileRun[]) => {
        const tr = tiles[1]!;
        const core = new Set(tr.tile.coreAt);
        for (const p of tr.result.pairs) {
          const e = p.output.findIndex((o) => core.has(o));
          if (e >= 0) return { p, e };
        }
        throw new Error('no core entry');
      };
      let r = fresh();
      let ce = coreEntry(r.tiles);
      ce.p.input[ce.e] = ce.p.input[ce.e]! + 1;
      expect(mergeMappingTiles(job, r.golden, r.tiles).ok, `${t}: wrong input index`).toBe(false);
      r = fresh();
      ce = coreEntry(r.tiles);
      ce.p.input.splice(ce.e, 1);
      ce.p.output.splice(ce.e, 1);
      const missing = mergeMappingTiles(job, r.golden, r.tiles);
      expect(missing.ok, `${t}: missing entry`).toBe(false);
      expect(missing.mismatches.join('\n')).toMatch(/merged tiles: kernel index \d+: \d+ entries, expected \d+/);
      r = fresh();
      ce = coreEntry(r.tiles);
      ce.p.input.push(ce.p.input[ce.e]!);
      ce.p.output.push(ce.p.output[ce.e]!);
      expect(mergeMappingTiles(job, r.golden, r.tiles).ok, `${t}: duplicated entry`).toBe(false);
      if (t === 'conv') {
        r = fresh();
        const tr = r.tiles[1]!;
        tr.result.outCoords![tr.tile.coreAt[0]!]![1] += 2;
        expect(mergeMappingTiles(job, r.golden, r.tiles).ok, `${t}: downsampled coordinate`).toBe(false);
      }
      if (t === 'submanifold') {
        // An entry whose output lies in the halo belongs to another tile: changing it changes nothing.
        r = fresh();
        const tr = r.tiles[1]!;
        const core = new Set(tr.tile.coreAt);
        const p = tr.result.pairs.find((q) => q.output.some((o) => !core.has(o)))!;
        expect(p).toBeDefined();
        const e = p.output.findIndex((o) => !core.has(o));
        p.input[e] = p.input[e]! + 1;
        expect(mergeMappingTiles(job, r.golden, r.tiles).ok).toBe(true);
      }
    }
  });
});
