// buffers.weightReadRows = R (docs/accelerator.md "Weight-tile reads"): the weight buffer as R banks
// of weightDepth / R words (word w in bank w mod R), the weight fetcher reading R consecutive rows
// of a tile per cycle (templates/top/accel_wfetch.v.hbs), the matrix unit writing R rows per beat
// into its second tile buffer (templates/matrix_unit.v.hbs), the map-free transposed pass threshold
// max(4, rows / R) (accel_sched chunkMinMtLit) and the cycle model's tile load of rows / R cycles.
// Covered here: the spec rules by name, N:M specs, the derived parameters; co-simulation on
// MT_SMALL_SPEC (a 4×4 array, R = 2: two beats per tile, the build test/accel/mapfree-transposed.test.ts
// also runs) bit-exact under random backpressure: Cin < rows (short channel tiles: the tile's rows past
// Cin are zero words), several cin and cout tiles, submanifold (k = 3, 5), map-free conv and
// transposed, W0 / feature interleave blocks, both pass groupings (REUSE beats). R = 4 on fpga is
// covered by every fpga test (the preset takes it; the bunny transposed layer ≥ 0.85 in
// mapfree-transposed.test.ts), R = rows (one beat per tile) and short matrix-unit tiles whose last
// beat is part zero by the random specs of test/sim/matrix.test.ts.
// Mutations checked by hand (each turns the co-simulation below red, mismatches from the first case):
//  - accel_wfetch: the read address without the ×R (derive rowToW = row_q);
//  - accel_wfetch: a tile's last beat one early (fRowLastLit rows / R − 2);
//  - top: bank 1's write select compared with bank 0's index (two banks written, one never);
//  - top: the bank read index taken from the word address' low bits instead of w / R;
//  - matrix unit: the lane dropped from the row index ({wrow_idx, 0} for every lane).
// The map-free transposed threshold back to max(4, rows): the derived-value check below, and the
// fpga bunny transposed layer at 0.808 < 0.85 in mapfree-transposed.test.ts.
import { describe, expect, it } from 'vitest';
import { derive } from '../../generator/dsl/derive/index.ts';
import { presets } from '../../generator/dsl/presets.ts';
import { parseSpec, validateSpec } from '../../generator/dsl/define.ts';
import type { AcceleratorSpec } from '../../generator/dsl/spec.ts';
import { randomCampaignSpec, randomValidSpec } from '../../generator/dsl/random.ts';
import { predictCycles } from '../../generator/model/cycle-model.ts';
import { cycleModelRuns } from '../../generator/model/cycle-model-runs.ts';
import { layerStats } from '../../generator/model/stats.ts';
import { bunnyCase, MT_SMALL_SPEC, randomCase, widthsOf } from './cases.ts';
import { ACCEL_TIMEOUT_MS, expectBitExact } from './run.ts';

const withR = (s: AcceleratorSpec, r: number, rows = s.matrix.rows): unknown => ({
  ...s,
  matrix: { ...s.matrix, rows, maxChannels: Math.max(s.matrix.maxChannels, rows) },
  buffers: { ...s.buffers, weightReadRows: r },
});

describe('buffers.weightReadRows: spec, derived parameters, cycle model', () => {
  it('accepts 1, 2, 4 dividing matrix.rows; refuses others by the field name', () => {
    for (const r of [1, 2, 4]) expect(validateSpec(withR(presets.tiny, r))).toEqual([]);
    for (const r of [3, 8, 0]) expect(validateSpec(withR(presets.tiny, r)).map((i) => i.field)).toContain('buffers.weightReadRows');
    const e = validateSpec(withR(presets.tiny, 4, 2));
    expect(e.map((i) => i.field)).toEqual(['buffers.weightReadRows']);
    expect(e[0]!.rule).toMatch(/must divide matrix.rows/);
    expect(() => parseSpec(withR(presets.tiny, 4, 2))).toThrow(/buffers\.weightReadRows/);
  });

  it('fpga takes 4: four banks of weightDepth / 4 words, a 4-row matrix port, the map-free transposed threshold max(4, rows / 4)', () => {
    expect(presets.fpga.buffers.weightReadRows).toBe(4);
    const d = derive(presets.fpga);
    expect(d.accel.wRead).toMatchObject({ rows: 4, banked: true, bankDepth: presets.fpga.buffers.weightDepth / 4 });
    expect(d.accel.wRead.banks).toHaveLength(4);
    expect(d.matrix.wPortWidth).toBe(4 * d.matrix.wDataWidth);
    expect(d.matrix.rowsCount).toBe(4);
    expect(d.accel.chunkMinMtLit).toMatch(/'d4$/);
    const one = derive(parseSpec(withR(presets.fpga, 1)));
    expect(one.accel.chunkMinMtLit).toMatch(/'d16$/);
    expect(one.accel.wRead.banked).toBe(false);
  });

  it('N:M weight sparsity: the weight word ({position, weight} lanes) is banked as it is; 2:4 with R = 4 derives', () => {
    const s = parseSpec(withR(presets['fpga-2of4'], 4));
    const d = derive(s);
    expect(d.matrix.sparse).toBe(true);
    expect(d.matrix.wPortWidth).toBe(4 * d.matrix.cols * d.matrix.laneWidth);
    expect(d.accel.wRead.wRdW).toBe(d.matrix.wPortWidth);
  });

  it('random specs draw it (a divisor of rows ≤ 4), campaign specs with N:M too', () => {
    const seen = new Set<number>();
    for (let seed = 1; seed <= 60; seed++) {
      const s = randomValidSpec(seed);
      expect(s.matrix.rows % s.buffers.weightReadRows).toBe(0);
      seen.add(s.buffers.weightReadRows);
      const c = randomCampaignSpec(seed);
      expect(c.matrix.rows % c.buffers.weightReadRows).toBe(0);
    }
    expect([...seen].sort()).toEqual([1, 2, 4]);
  });

  it('cycle model (first-order): a pass takes at least rows / R cycles', () => {
    const stats = { pointsIn: 100, pointsOut: 100, kernelVolume: 1, mapEntriesPerOffset: [2], macs: 0 } as unknown as Parameters<typeof predictCycles>[1];
    const layer = { type: 'submanifold' as const, kernelSize: 1, stride: 1, inTensorStride: 1, inChannels: 16, outChannels: 16 };
    const c1 = predictCycles(parseSpec(withR(presets.fpga, 1)) as AcceleratorSpec, stats, layer).compute;
    const c4 = predictCycles(presets.fpga, stats, layer).compute;
    expect(c1 - c4).toBe(2 * (16 - 4));
  });

  it('the host keeps W0_BLOCK 0 on a conv layer unless a block is predicted > 1 % faster (fpga bunny conv k2 s2: 128 predicted −0.5 %, measured +2.5 %)', () => {
    // The map-free walk after the coordinate load (the fpga preset before mapping.mapFreeEarlyWalk):
    // there a block is predicted slightly faster, so the 1 % rule decides. With the early walk
    // (the preset) every block predicts the same cycles on this layer, and block 0 is kept too.
    const late: AcceleratorSpec = { ...presets.fpga, name: 'sf_fpga_late', mapping: { ...presets.fpga.mapping, mapFreeEarlyWalk: false } };
    const w0Of = (spec: AcceleratorSpec) => {
      const c = bunnyCase(spec, { voxel: 0.25, type: 'conv', k: 2, s: 2, cin: 16, cout: 16, requant: true, relu: true });
      const { runs } = cycleModelRuns(spec, c);
      return predictCycles(spec, layerStats(c, widthsOf(spec)), { ...c.layer, requant: true, bias: true, runs }).w0Block!;
    };
    const w0 = w0Of(late);
    const best = Math.min(...Object.values(w0.predicted));
    expect(best).toBeLessThan(w0.predicted[0]!);
    expect(best).toBeGreaterThanOrEqual(0.99 * w0.predicted[0]!);
    expect(w0.block).toBe(0);
    expect(w0Of(presets.fpga).block).toBe(0);
  });
});

describe('buffers.weightReadRows = 2 on a 4×4 array (co-simulation)', () => {
  const spec = MT_SMALL_SPEC;

  it('is the shared build with R = 2 (two beats per tile)', () => {
    expect(spec.buffers.weightReadRows).toBe(2);
    expect(derive(spec).matrix.rowsCount).toBe(2);
  });

  it('bit-exact under backpressure: Cin < rows, several cin / cout tiles, k = 3 and 5, map-free conv and transposed, W0 blocks, both groupings', async () => {
    const cases: [string, Parameters<typeof randomCase>[1], { w0Block?: number; passGrouping?: 'bank' | 'offset' }][] = [
      ['sub k3 3→9', { type: 'submanifold', k: 3, cin: 3, cout: 9, n: 70, span: 3, requant: true, relu: true, seed: 301 }, { w0Block: 3, passGrouping: 'offset' }],
      ['sub k3 10→6', { type: 'submanifold', k: 3, cin: 10, cout: 6, n: 60, span: 3, requant: true, seed: 302 }, { w0Block: 1, passGrouping: 'bank' }],
      ['sub k5 2→4', { type: 'submanifold', k: 5, cin: 2, cout: 4, n: 40, span: 3, seed: 303 }, { w0Block: 0 }],
      ['conv k2 s2 6→5', { type: 'conv', k: 2, s: 2, cin: 6, cout: 5, n: 120, span: 4, requant: true, seed: 304 }, { w0Block: 5 }],
      ['transposed k2 s2 3→7', { type: 'transposed', k: 2, s: 2, cin: 3, cout: 7, n: 100, span: 4, requant: true, seed: 305 }, { w0Block: 2 }],
      ['transposed k2 s2 9→4', { type: 'transposed', k: 2, s: 2, cin: 9, cout: 4, n: 80, span: 4, seed: 306 }, { passGrouping: 'offset' }],
    ];
    for (const [name, o, opts] of cases) {
      const r = await expectBitExact(spec, randomCase(spec, o), `wr2-${name.replace(/\W+/g, '-')}`, {
        seed: 31, stallPorts: { in: 0.4, out: 0.3, axil: 0.1 }, ...opts,
      });
      if (opts.w0Block !== undefined) expect(r.stats.passGrouping.w0Block, name).toBe(opts.w0Block);
      if (opts.passGrouping !== undefined) expect(r.stats.passGrouping.policy, name).toBe(opts.passGrouping);
    }
  }, ACCEL_TIMEOUT_MS);
});
