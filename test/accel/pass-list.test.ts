// Pass-list replay (gatherScatter.passListDepth, templates/top/accel_sched.v.hbs SC_PLAY): the first
// channel-tile pair that starts on a complete map records its runs' descriptors, every later pair
// replays them at one per cycle instead of walking the map banks. Co-simulation on MT_SMALL_SPEC
// (the shared 8-lane 4×4 build of mapfree-transposed.test.ts and weight-read-rows.test.ts, which
// carries a 32-entry list, so their layers replay or fall back too), bit-exact under random
// backpressure on deep-layer-like layers (≈ 20 points, 9 or 16 channel-tile pairs): lists of 31
// (capacity − 1), 32 (at capacity) and 33 passes (one past: the layer walks every pair), both
// pass-grouping policies (the offset policy replays REUSE descriptors). Without backpressure the
// cycle model's prediction with replay matches the measured cycles (bank ≤ 1 %, offset ≤ 2 %: its
// walk of the recording pair is off by up to +6.6 % on these layers without replay) and the measured
// cycles are ≥ 10 % below the model's walk-only prediction of the same layer (fails when the RTL
// never replays).
// Mutations of accel_sched checked by hand (each turns this file red):
//  - replay reads the wrong entry (pl_rd from pl_i_q + 1) — wrong sums;
//  - off-by-one at the list end (pl_last = pl_i_q + 2 == pl_n_q: one garbage entry replayed; or
//    pl_i_q == pl_n_q: the last pass never replayed) — wrong sums / no progress;
//  - the first pair recorded instead (pl_elig without map_done_i): the list is the first pair's
//    passes cut by the open map — cycles off the model;
//  - never falling back (a push past the last entry ignored, the truncated list replayed) — wrong
//    sums in the 33-pass case.
import { describe, expect, it } from 'vitest';
import { derive } from '../../generator/dsl/derive/index.ts';
import { parseSpec, validateSpec } from '../../generator/dsl/define.ts';
import { presets } from '../../generator/dsl/presets.ts';
import { randomValidSpec } from '../../generator/dsl/random.ts';
import type { AcceleratorSpec } from '../../generator/dsl/spec.ts';
import { predictCycles } from '../../generator/model/cycle-model.ts';
import { cycleModelRuns } from '../../generator/model/cycle-model-runs.ts';
import { layerStats } from '../../generator/model/stats.ts';
import type { LayerCase } from '../../generator/model/types.ts';
import type { PassGrouping } from '../../generator/model/pass-grouping.ts';
import { MT_SMALL_SPEC, randomCase, widthsOf } from './cases.ts';
import { MAX_ERROR } from './cycle-model-cases.ts';
import { ACCEL_TIMEOUT_MS, expectBitExact } from './run.ts';

const spec = MT_SMALL_SPEC;
const depth = spec.gatherScatter.passListDepth;

function predict(s: AcceleratorSpec, c: LayerCase, passGrouping: PassGrouping) {
  const { runs } = cycleModelRuns(s, c);
  return predictCycles(s, layerStats(c, widthsOf(s)), { ...c.layer, requant: c.requant !== undefined, bias: c.bias !== undefined, runs, passGrouping });
}
const withDepth = (s: AcceleratorSpec, d: number): AcceleratorSpec => ({ ...s, gatherScatter: { ...s.gatherScatter, passListDepth: d } });

// Deep-layer-like layers: few points, many channel-tile pairs; the recorded list's length by the model.
const conv = (seed: number) => randomCase(spec, { type: 'conv', k: 3, s: 2, cin: 12, cout: 12, n: 20, span: 3, requant: true, relu: true, seed });
const sub = () => randomCase(spec, { type: 'submanifold', k: 3, cin: 16, cout: 16, n: 16, span: 2, requant: true, seed: 2 });
const CASES: { name: string; make: () => LayerCase; passes: number; g: PassGrouping }[] = [
  { name: 'conv k3 s2 12→12, 31 passes', make: () => conv(4), passes: depth - 1, g: 'bank' },
  { name: 'conv k3 s2 12→12, 32 passes', make: () => conv(6), passes: depth, g: 'offset' },
  { name: 'conv k3 s2 12→12, 33 passes (fallback)', make: () => conv(2), passes: depth + 1, g: 'bank' },
  { name: 'sub k3 16→16, 32 passes', make: sub, passes: depth, g: 'offset' },
];

describe('gatherScatter.passListDepth: spec, derived parameters, random specs, model', () => {
  it('0 (off) by default; edge and fpga take 256 entries; 0 … 4096 accepted, others refused by name', () => {
    expect(presets.tiny.gatherScatter.passListDepth).toBe(0);
    expect(presets.server.gatherScatter.passListDepth).toBe(0);
    expect([presets.edge.gatherScatter.passListDepth, presets.fpga.gatherScatter.passListDepth, presets.edge.mapping.lanes]).toEqual([256, 256, 6]);
    expect(derive(presets.tiny).accel.pl.on).toBe(false);
    for (const d of [1, 5, 4096]) expect(validateSpec(withDepth(presets.tiny, d))).toEqual([]);
    for (const d of [-1, 4097, 2.5]) expect(validateSpec(withDepth(presets.tiny, d)).map((i) => i.field)).toEqual(['gatherScatter.passListDepth']);
    expect(() => parseSpec(withDepth(presets.tiny, 4097))).toThrow(/gatherScatter\.passListDepth/);
  });

  it('derives the list RAM: depth, index and count widths, one entry per descriptor without the pair fields', () => {
    const d = derive(spec).accel;
    expect(d.pl).toMatchObject({ on: true, depth: 32, depthM: 31, idxW: 5, cntW: 6, fullLit: "6'd32" });
    // {bank, start, len, kidx, swap, reuse}: REUSE only with the offset policy.
    expect(d.pl.w).toBe(d.laneIdxW + d.bankAwM + 1 + d.lenW + d.kidxW + 1 + 1);
    const bankOnly = derive(parseSpec({ ...withDepth(spec, 5), gatherScatter: { ...spec.gatherScatter, passListDepth: 5, passGrouping: ['bank'] } })).accel;
    expect(bankOnly.pl.w).toBe(d.pl.w - 1);
    expect([bankOnly.pl.idxW, bankOnly.pl.cntW, bankOnly.pl.fullLit]).toEqual([3, 3, "3'd5"]);
  });

  it('random specs draw it (off in about half)', () => {
    const seen = new Set<number>();
    for (let seed = 1; seed <= 40; seed++) seen.add(randomValidSpec(seed).gatherScatter.passListDepth);
    expect([...seen].sort((a, b) => a - b)).toEqual([0, 4, 16, 64]);
  });

  it('the model records the first pair that starts on a complete map and replays the rest; a list one past capacity falls back', () => {
    for (const c of CASES) {
      const p = predict(spec, c.make(), c.g);
      expect(p.runs, c.name).toHaveLength(1);
      const pl = p.runs![0]!.passList;
      const pairs = Math.ceil(c.make().layer.inChannels / 4) * Math.ceil(c.make().layer.outChannels / 4);
      if (c.passes > depth) {
        expect(pl, c.name).toEqual({ recorded: -1, replayedPairs: 0, fallback: true });
        expect(predict(withDepth(spec, depth + 1), c.make(), c.g).runs![0]!.passList.recorded, c.name).toBe(c.passes);
      } else {
        expect(pl.recorded, c.name).toBe(c.passes);
        expect(pl.fallback).toBe(false);
        // The map is complete from the second pair on.
        expect(pl.replayedPairs, c.name).toBe(pairs - 2);
      }
    }
    // Off: nothing recorded.
    expect(predict(withDepth(spec, 0), sub(), 'bank').runs![0]!.passList).toEqual({ recorded: -1, replayedPairs: 0, fallback: false });
  });
});

describe('pass-list replay: co-simulation on MT_SMALL_SPEC (32 entries)', () => {
  it('bit-exact under random backpressure at capacity − 1, at capacity, one past (fallback), both groupings', async () => {
    for (const [i, c] of CASES.entries()) {
      const r = await expectBitExact(spec, c.make(), `pl-${i}`, { stall: 0.3, seed: 40 + i, passGrouping: c.g });
      expect(r.stats.passGrouping.policy, c.name).toBe(c.g);
    }
  }, ACCEL_TIMEOUT_MS);

  it('without backpressure: the model with replay within 1 % (bank) / 2 % (offset), ≥ 10 % fewer cycles than the walk-only prediction', async () => {
    const rows: string[] = [];
    for (const [i, c] of CASES.entries()) {
      const lc = c.make();
      const r = await expectBitExact(spec, lc, `pl-nostall-${i}`, { passGrouping: c.g });
      const measured = r.stats.cycles.total;
      const withReplay = predict(spec, lc, c.g).total;
      const walkOnly = predict(withDepth(spec, 0), lc, c.g).total;
      const err = (withReplay - measured) / measured;
      rows.push(`${c.name} ${c.g}: measured ${measured}, model ${withReplay} (${(100 * err).toFixed(2)} %), walk-only model ${walkOnly}`);
      expect(Math.abs(err), `${c.name}: predicted ${withReplay}, measured ${measured}`).toBeLessThanOrEqual(c.g === 'bank' ? 0.01 : MAX_ERROR);
      if (c.passes <= depth) expect(measured, `${c.name}: walk-only ${walkOnly}`).toBeLessThan(0.9 * walkOnly);
      else expect(withReplay, c.name).toBe(walkOnly);
    }
    console.log(rows.join('\n'));
  }, ACCEL_TIMEOUT_MS);
});
