// Pass grouping (gatherScatter.passGrouping, templates/top/accel_sched.v.hbs policy 1, the REUSE
// weight descriptor of accel_wfetch and the matrix unit's tile reuse): both policies bit-exact
// under random backpressure on the bunny (mirrored submanifold passes, four channel-tile pairs)
// and on tiled layers (a k = 1 conv whose only kernel index meets itself across a cin-tile
// boundary, so a tile reused across pairs would give wrong sums; a conv k = 3 s = 2 cut into
// tiles); the host's register programming and refusals; the per-layer choice. The cycle
// model's accuracy for the offset policy is in cycle-model.test.ts (forced-policy cases).
// Matrix-unit repeat counters (matrix_unit.v.hbs, mutated by hand): rep_t dropped when the tile
// behind becomes the head, or rep_h never counting down — the harness stops with no progress
// (bunny, tiled); a reuse beat counted on rep_h instead of rep_t — wrong sums (bunny); a reuse
// beat after its tile retired made head of the wrong slot — wrong sums (short passes only).
import { describe, expect, it } from 'vitest';
import { derive } from '../../generator/dsl/derive/index.ts';
import { presets } from '../../generator/dsl/presets.ts';
import { FieldError } from '../../generator/model/errors.ts';
import { choosePassGrouping } from '../../generator/model/pass-grouping.ts';
import { predictCycles } from '../../generator/model/cycle-model.ts';
import { cycleModelRuns } from '../../generator/model/cycle-model-runs.ts';
import { layerStats } from '../../generator/model/stats.ts';
import { checkRegisterWrites } from '../../generator/sim/capacity.ts';
import { layerScript, type HwLayer } from '../../generator/sim/accel/stream.ts';
import { formatSimReport } from '../../generator/cli/commands/sim.ts';
import { bunnyCase, randomCase, widthsOf } from './cases.ts';
import { ACCEL_TIMEOUT_MS, expectBitExact } from './run.ts';

const fpga = presets.fpga;

describe('pass grouping: registers and host', () => {
  it('LAYER_TYPE.GROUPING exists only with two policies; CAPS1 says which', () => {
    const f = derive(fpga).registers.registers;
    const field = f.find((r) => r.name === 'LAYER_TYPE')!.fields.find((x) => x.name === 'GROUPING')!;
    expect([field.lsb, field.width, field.access]).toEqual([8, 1, 'RW']);
    expect(f.find((r) => r.name === 'CAPS1')!.fields.find((x) => x.name === 'PASS_GROUPINGS')!.reset).toBe(3);
    const t = derive(presets.tiny).registers.registers;
    expect(t.find((r) => r.name === 'LAYER_TYPE')!.fields.some((x) => x.name === 'GROUPING')).toBe(false);
    expect(t.find((r) => r.name === 'CAPS1')!.fields.find((x) => x.name === 'PASS_GROUPINGS')!.reset).toBe(1);
  });

  it('the host writes the policy code, refuses a policy the spec lacks, and never truncates the field', () => {
    const hw: HwLayer = {
      type: 'submanifold', kernelSize: 3, stride: 1, inTensorStride: 1, inChannels: 4, outChannels: 4,
      inCoords: [[0, 0, 0, 0]], features: [[1, 2, 3, 4]], weights: [], requantOut: false,
    };
    const d = derive(fpga);
    const layerType = d.registers.registers.find((r) => r.name === 'LAYER_TYPE')!;
    const write = (g?: 'bank' | 'offset') => layerScript(d, { ...hw, passGrouping: g })[0]!;
    expect(write('offset')).toBe(`w ${layerType.offset.toString(16)} ${(1 << 8).toString(16)}`);
    expect(write('bank')).toBe(`w ${layerType.offset.toString(16)} 0`);
    expect(() => layerScript(derive(presets.tiny), { ...hw, passGrouping: 'offset' })).toThrow(FieldError);
    expect(() => layerScript(derive(presets.tiny), { ...hw, passGrouping: 'offset' })).toThrow(/gatherScatter\.passGrouping: sf_tiny has bank/);
    // A code the 1-bit field cannot hold is refused by the register-width check.
    expect(() => checkRegisterWrites(d.registers, [`w ${layerType.offset.toString(16)} ${(2 << 8).toString(16)}`])).toThrow(/LAYER_TYPE\.GROUPING/);
  });

  it('choosePassGrouping: the smallest prediction among the supported policies, ties to bank', () => {
    expect(choosePassGrouping(['bank', 'offset'], (p) => (p === 'bank' ? 100 : 90))).toEqual({ policy: 'offset', predicted: { bank: 100, offset: 90 } });
    expect(choosePassGrouping(['bank', 'offset'], () => 7).policy).toBe('bank');
    expect(choosePassGrouping(['offset'], () => 7)).toEqual({ policy: 'offset', predicted: { offset: 7 } });
    expect(() => choosePassGrouping([], () => 1)).toThrow(RangeError);
  });
});

describe('pass grouping: co-simulation, every policy, random backpressure', () => {
  it('fpga bunny submanifold k=3 24→20 (mirrored passes, 4 channel-tile pairs)', async () => {
    const c = bunnyCase(fpga, { voxel: 0.5, type: 'submanifold', k: 3, cin: 24, cout: 20, requant: true, relu: true });
    const bank = await expectBitExact(fpga, c, 'grouping-bunny', { stall: 0.3, seed: 5, passGrouping: 'bank' });
    const offset = await expectBitExact(fpga, c, 'grouping-bunny', { stall: 0.3, seed: 6, passGrouping: 'offset' });
    // (buffers.w0Interleave: the W0_BLOCK the cycle model picked for the forced policy, one of those it tried.)
    const { w0Block, w0Predicted, ...grouping } = bank.stats.passGrouping;
    expect(grouping).toEqual({ policy: 'bank', chosenBy: 'forced', predicted: {} });
    expect(Object.keys(w0Predicted)).toContain(String(w0Block));
    expect(offset.stats.passGrouping.policy).toBe('offset');
    // Grouped layers dispatch offset-major (the banks' runs line up by kernel index).
    expect(bank.stats.mapSchedule).toEqual({ map: 'merge', jobOrder: 'segment-major' });
    expect(offset.stats.mapSchedule).toEqual({ map: 'merge', jobOrder: 'offset-major' });
  }, ACCEL_TIMEOUT_MS);

  it('tiled: conv k=1 (one kernel index across a cin-tile boundary) and conv k=3 s=2 in tiles', async () => {
    const k1 = randomCase(fpga, { type: 'conv', k: 1, s: 1, cin: 20, cout: 24, n: 300, span: 6, requant: true, seed: 71 });
    const k3 = bunnyCase(fpga, { voxel: 0.5, type: 'conv', k: 3, s: 2, cin: 18, cout: 17, requant: true });
    for (const g of ['bank', 'offset'] as const) {
      const a = await expectBitExact(fpga, k1, `grouping-k1-${g}`, { stall: 0.3, seed: 7, passGrouping: g, maxTilePoints: 120 });
      expect(a.stats.tiles).toBeGreaterThan(1);
      const b = await expectBitExact(fpga, k3, `grouping-k3-${g}`, { stall: 0.25, seed: 8, passGrouping: g, maxTilePoints: 300 });
      expect(b.stats.tiles).toBeGreaterThan(1);
    }
  }, ACCEL_TIMEOUT_MS);

  it('short passes on a sparse cloud (submanifold k=3, conv k=3 s=2): a reuse beat after its tile was retired', async () => {
    // One- and two-row passes: the matrix unit finishes a pass before the scheduler issues the
    // next of the same kernel index, so the REUSE beat finds no tile held and must make the tile
    // loaded last the head again (matrix_unit: head_d = ~tail_q). The bunny's longer passes never
    // reach that branch; pointing it at the other tile slot gives wrong sums here.
    const sub = randomCase(fpga, { type: 'submanifold', k: 3, cin: 16, cout: 16, n: 200, span: 10, seed: 3, requant: true });
    const conv = randomCase(fpga, { type: 'conv', k: 3, s: 2, cin: 16, cout: 16, n: 400, span: 8, seed: 5, requant: true });
    await expectBitExact(fpga, sub, 'grouping-short-sub', { stall: 0, passGrouping: 'offset' });
    await expectBitExact(fpga, conv, 'grouping-short-conv', { stall: 0.2, seed: 9, passGrouping: 'offset' });
  }, ACCEL_TIMEOUT_MS);

  it('auto: the driver runs the policy the cycle model predicts fastest, and says so', async () => {
    const c = bunnyCase(fpga, { voxel: 2, type: 'submanifold', k: 3, cin: 48, cout: 48 });
    const r = await expectBitExact(fpga, c, 'grouping-auto');
    const p = predictCycles(fpga, layerStats(c, widthsOf(fpga)), { ...c.layer, requant: false, bias: c.bias !== undefined, runs: cycleModelRuns(fpga, c).runs });
    expect(r.stats.passGrouping.chosenBy).toBe('cycle model');
    expect(r.stats.passGrouping.policy).toBe(p.passGrouping!.policy);
    expect(r.stats.passGrouping.predicted).toEqual(p.passGrouping!.predicted);
    // Short passes are load-bound bank by bank: the bunny at voxel 2 (67 points: passes of a few
    // rows), 48 channels (3 × 3 pairs). At voxel 0.8 (≈ 10-row passes) bank wins since
    // fpga loads a tile in rows / buffers.weightReadRows = 4 beats.
    expect(p.passGrouping!.predicted.offset!).toBeLessThan(p.passGrouping!.predicted.bank!);
    expect(r.stats.passGrouping.policy).toBe('offset');
    // `sim` prints the choice; `sim --stats` writes r.stats (passGrouping with the predictions).
    expect(formatSimReport(r, 'case')).toMatch(/\n  passes +offset-grouped \(one weight tile per kernel offset across banks\); chosen by the cycle model: bank \d+, offset \d+ cycles predicted\n/);
    expect(JSON.parse(JSON.stringify(r.stats)).passGrouping).toEqual(r.stats.passGrouping);
  }, ACCEL_TIMEOUT_MS);
});
