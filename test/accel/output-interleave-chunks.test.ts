// The interleaved output's pass threshold pinned directly (accel_sched `mfRowChunks`; the
// co-simulation of test/accel/output-interleave.test.ts catches it only through the bunny's cycle
// bound). The rule (docs: the comment at accel_sched's `elig`, derive/accel.ts mfRowChunks): with
// the drain port, map-free downsampling and interfaces.outputOrder 'interleaved', an open run of a
// map-free layer (mfree_i: map-free conv or transposed) is passed once it holds
// max(4, rows / weightReadRows) entries (one weight-tile load per pass hides behind it), every
// other open run at max(4, 2·rows); without the interleaved output only map-free transposed layers
// (mt_i) take the short threshold. Checked here without simulation: the derived flag against that
// rule, the thresholds printed into the emitted scheduler against the rule's numbers, and the
// cycle model (which co-simulation holds within 2 %) replaying the same threshold — so a change of
// the flag, of the template's literal or of the model's rule names itself here.
// Mutations (each turned this file red): derive mfRowChunks → false (the elig line has mt_i, not
// mfree_i); the template's mfRowChunks branch printing {{chunkMinLit}} for mfree_i (threshold 32,
// expected 4); the cycle model's interleaved conv threshold 2·rows (the replay at the RTL's
// threshold no longer equals the calibrated prediction).
import { describe, expect, it } from 'vitest';
import { parseSpec } from '../../generator/dsl/define.ts';
import { derive } from '../../generator/dsl/derive/index.ts';
import { presets } from '../../generator/dsl/presets.ts';
import type { AcceleratorSpec } from '../../generator/dsl/spec.ts';
import { renderModules } from '../../generator/emit/index.ts';
import { replayParams } from '../../generator/model/cycle-model.ts';
import { replayLayer } from '../../generator/model/cycle-model-replay.ts';
import { cycleModelRuns } from '../../generator/model/cycle-model-runs.ts';
import { bunnyCase } from './cases.ts';

const il: AcceleratorSpec = parseSpec({ ...presets.fpga, name: 'sf_fpga_il', interfaces: { ...presets.fpga.interfaces, outputOrder: 'interleaved' } });
// The fpga preset with the sections output (the preset itself is interleaved since the cycle model replays it exactly).
const sections: AcceleratorSpec = parseSpec({ ...presets.fpga, name: 'sf_fpga_sec', interfaces: { ...presets.fpga.interfaces, outputOrder: 'sections' } });

/** The rule's thresholds for a spec: [map-free open runs, other open runs], capped by the bank depth. */
function ruleThresholds(s: AcceleratorSpec): [number, number] {
  const bankDepth = Math.floor(s.buffers.mapDepth / s.mapping.lanes);
  const cap = (n: number) => Math.max(1, Math.min(bankDepth, n));
  return [cap(Math.max(4, s.matrix.rows / s.buffers.weightReadRows)), cap(Math.max(4, 2 * s.matrix.rows))];
}

/** The emitted scheduler's `elig` line: its select signal and its two thresholds. */
function schedElig(s: AcceleratorSpec): { select: string; short: number; long: number; line: string } {
  const d = derive(s);
  const sched = renderModules(s, d).find((r) => r.module.name === d.accel.m.sched);
  if (!sched) throw new Error(`no module ${d.accel.m.sched} emitted`);
  const line = sched.text.split('\n').find((l) => /\bwire\s+elig\b/.test(l));
  if (!line) throw new Error(`${d.accel.m.sched}: no elig wire`);
  const m = /avail >= \((\w+) \? \d+'d(\d+) : \d+'d(\d+)\)/.exec(line);
  if (!m) throw new Error(`${d.accel.m.sched}: elig has no per-layer threshold select: ${line.trim()}`);
  return { select: m[1]!, short: Number(m[2]), long: Number(m[3]), line: line.trim() };
}

describe('interleaved output: map-free passes of max(4, rows / weightReadRows) entries (accel_sched mfRowChunks)', () => {
  it('the derived flag follows the rule (drain port, map-free downsampling, interleaved output)', () => {
    expect(derive(il).accel.mfRowChunks, 'fpga + interleaved output: mfRowChunks').toBe(true);
    expect(derive(sections).accel.mfRowChunks, 'fpga with the sections output: mfRowChunks').toBe(false);
    const noDrain = parseSpec({ ...il, name: 'sf_il_nodrain', gatherScatter: { ...il.gatherScatter, drainPort: false } });
    expect(derive(noDrain).accel.mfRowChunks, 'interleaved output without the drain port: mfRowChunks').toBe(false);
  });

  it('the emitted scheduler passes open map-free runs at the rule\'s threshold, others at 2·rows', () => {
    const [short, long] = ruleThresholds(il);
    expect([short, long]).toEqual([4, 32]); // fpga: rows 16, weightReadRows 4
    const e = schedElig(il);
    expect(e.select, `sf_fpga_il elig must select on every map-free layer (mfree_i): ${e.line}`).toBe('mfree_i');
    expect([e.short, e.long], `sf_fpga_il elig thresholds [map-free, other]: ${e.line}`).toEqual([short, long]);
    // Sections: only map-free transposed layers take the short threshold.
    const f = schedElig(sections);
    expect(f.select, `sf_fpga elig: ${f.line}`).toBe('mt_i');
    expect([f.short, f.long], `sf_fpga_sec elig thresholds: ${f.line}`).toEqual(ruleThresholds(sections));
  });

  it('the cycle model replays the same threshold on a map-free conv layer, and the threshold matters there', () => {
    const c = bunnyCase(il, { voxel: 0.25, type: 'conv', k: 2, s: 2, cin: 16, cout: 16, requant: true, relu: true });
    const plan = cycleModelRuns(il, c);
    expect(plan.runs).toHaveLength(1);
    const run = plan.runs[0]!;
    // The walk after the load (mapping.mapFreeEarlyWalk off: ewChunk 0), where open runs meet the
    // threshold; with the early walk the map is complete during the load and the chunk rule passes.
    const replay = (chunkMin?: number) => replayLayer({ ...replayParams(il), ewChunk: 0, projection: chunkMin === undefined ? undefined : { chunkMin } }, {
      type: 'conv', kernelSize: 2, stride: 2, inTensorStride: 1, inChannels: 16, outChannels: 16,
      inCoords: run.inCoords, outCoords: run.outCoords, requant: true, bias: true, passGrouping: 'bank', w0Block: 0,
    }).total;
    const [short, long] = ruleThresholds(il);
    const model = replay();
    expect(replay(short), `cycle model: the calibrated replay (${model}) must use the RTL's map-free threshold ${short}`).toBe(model);
    // Passes of 2·rows cost ≈ 7 % here (cycle model at 895b80a: 4,397 against 4,116 cycles).
    expect(replay(long), `cycle model at threshold ${long} against ${short}`).toBeGreaterThan(model * 1.02);
  });
});
