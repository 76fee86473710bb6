// Benchmark: N:M weight sparsity on the fpga-size array (16×16, 8 mapping lanes, 256-bit streams):
// the measured speed-up of 2:4 (fpga-2of4) over the same array dense on real bunny layers
// (submanifold 3×3×3 at 16→16, 64→64, 128→128; a downsampling conv k=2 s=2 and an upsampling
// transposed k=2 s=2 at 64→64), every run co-simulated bit-exact against the golden model on the
// layer pruned to 2:4 (the dense array runs the same pruned weights), with the cycle breakdown
// and the reason wherever the speed-up falls short of 2×; 1:4 on the same array for the
// 64→64 submanifold layer; LUT/FF/DSP48/BRAM of the dense and 2:4 tops (Yosys synth_xilinx).
// Run: `npm run bench -- sparsity` (writes bench/results/sparsity.json).
import { defineAccelerator, presets } from '../generator/dsl/index.ts';
import type { AcceleratorSpec } from '../generator/dsl/spec.ts';
import { bunnyPoints } from '../generator/io/bunny.ts';
import { buildCase } from '../generator/io/case-builder.ts';
import { parseNmPattern, type LayerCase, type LayerType } from '../generator/model/index.ts';
import { runAccelCase, type AccelStats } from '../generator/sim/accel/driver.ts';
import { pruneCase } from '../generator/prune/prune.ts';
import { synthesize } from '../generator/synth/yosys.ts';
import { cycleModelRuns } from '../generator/model/cycle-model-runs.ts';
import { predictCycles } from '../generator/model/cycle-model.ts';
import { layerStats } from '../generator/model/stats.ts';
import { machine, target, type Bench, type BenchResult } from './harness.ts';

// Like for like: each dense reference is its sparse spec with only matrix.weightSparsity set back
// to dense (same array, lanes, buffers, stream width and features); fpga-2of4 is the base spec
// (no drain port, fusion, pass grouping or 512 channels of the fpga preset) with 2:4.
const sparse24: AcceleratorSpec = presets['fpga-2of4'];
const sparse14: AcceleratorSpec = defineAccelerator({ name: 'sf_fpga_1of4', matrix: { weightSparsity: '1:4' }, interfaces: { axisDataWidth: 512 } }, sparse24);
const denseOf = (sp: AcceleratorSpec): AcceleratorSpec => defineAccelerator({ name: `${sp.name}_dense`, matrix: { weightSparsity: 'dense' } }, sp);
const dense = denseOf(sparse24);
const dense14 = denseOf(sparse14);

const LAYERS: { name: string; type: LayerType; k: number; s: number; c: number; with14?: boolean }[] = [
  { name: 'submanifold k=3 16→16', type: 'submanifold', k: 3, s: 1, c: 16 },
  { name: 'submanifold k=3 64→64', type: 'submanifold', k: 3, s: 1, c: 64, with14: true },
  { name: 'submanifold k=3 128→128', type: 'submanifold', k: 3, s: 1, c: 128 },
  { name: 'conv k=2 s=2 64→64 (downsampling)', type: 'conv', k: 2, s: 2, c: 64 },
  { name: 'transposed k=2 s=2 64→64 (upsampling)', type: 'transposed', k: 2, s: 2, c: 64 },
];

function bunny(type: LayerType, k: number, s: number, c: number, pattern: string): LayerCase {
  const raw = buildCase({ points: bunnyPoints(), voxel: 0.25, layer: type, kernel: k, stride: s, cin: c, cout: c, requant: true, relu: true, seed: 1 });
  return pruneCase(raw, parseNmPattern(pattern)).case;
}

function breakdown(s: AccelStats) {
  const c = s.cycles;
  return { total: c.total, measured: c.measured, coordLoad: c.coordLoad, compute: c.compute, drainRows: c.drainRows, stall: c.stall, tail: c.tail, mapping: c.mapping, computeBound: s.computeBound, tiles: s.tiles, hwLayers: s.hwLayers, match: s.match };
}

type Breakdown = ReturnType<typeof breakdown>;

/** Why the speed-up is below the ideal M/N, from the two breakdowns. */
function reason(d: Breakdown, sp: Breakdown, ideal: number, speedup: number): string {
  if (speedup >= 0.97 * ideal) return `close to the ideal ${ideal}×`;
  const why: string[] = [];
  if (d.computeBound === sp.computeBound) {
    why.push(`no pass saved: Cin ≤ rows, so the dense array already takes every input channel in one pass (⌈Cin/16⌉ = ⌈Cin/32⌉ = 1); 2:4 only helps once Cin > rows`);
  }
  const rowsRatio = d.compute / Math.max(1, sp.compute);
  why.push(`matrix-unit rows ${d.compute} → ${sp.compute} (÷${rowsRatio.toFixed(2)}${sp.drainRows ? `; ${sp.drainRows} drain rows per run are not accelerated` : ''})`);
  if (sp.mapping >= 0.9 * sp.compute) why.push(`mapping-bound: the mapping engine needs ${sp.mapping} cycles (it is the same on both), more than the ${sp.compute} compute rows`);
  if (sp.stall > 0.25 * sp.total && sp.mapping < 0.9 * sp.compute) why.push(`stalls ${sp.stall} of ${sp.total} (weight-tile loads: a pass shorter than 16 rows cannot hide the next tile's 16-beat load, and features arriving)`);
  if (sp.tiles > 1 || d.tiles > 1) why.push(`tiles ${d.tiles} dense vs ${sp.tiles} sparse: halo points are mapped and computed in two tiles`);
  const fixed = sp.coordLoad + sp.tail;
  if (fixed > 0.1 * sp.total) why.push(`coordinate load and tail ${fixed} of ${sp.total} cycles do not shrink`);
  return why.join('; ');
}

const bench: Bench = {
  name: 'sparsity',
  description: 'N:M weight sparsity: measured 2:4 (and 1:4) speed-up over dense on the fpga-size array for real bunny layers, with the reasons; LUT/FF/DSP48 of dense vs 2:4',
  async run(log) {
    const m = machine();
    const results: BenchResult[] = [];
    const layers: Record<string, unknown> = {};
    const speedups: Record<string, number> = {};
    for (const L of LAYERS) {
      const c24 = bunny(L.type, L.k, L.s, L.c, '2:4');
      const rd = await runAccelCase(dense, c24, { name: `bench-sparsity-dense-${L.type}-${L.c}` });
      const rs = await runAccelCase(sparse24, c24, { name: `bench-sparsity-2of4-${L.type}-${L.c}` });
      const d = breakdown(rd.stats);
      const s = breakdown(rs.stats);
      const speedup = d.total / s.total;
      speedups[L.name] = speedup;
      const pred = predictCycles(sparse24, layerStats(c24), { ...c24.layer, requant: true, bias: true, runs: cycleModelRuns(sparse24, c24).runs });
      const entry: Record<string, unknown> = {
        dense: d,
        '2:4': s,
        speedup: Number(speedup.toFixed(3)),
        speedupMeasured: Number((d.measured / s.measured).toFixed(3)),
        reason: reason(d, s, 2, speedup),
        cycleModel2of4: { predicted: pred.total, error: Number(((pred.total - s.total) / s.total).toFixed(4)) },
      };
      log(`${L.name.padEnd(40)} dense ${d.total} → 2:4 ${s.total} cycles: ${speedup.toFixed(2)}× (${d.match && s.match ? 'both bit-exact' : 'MISMATCH'}); ${entry.reason}`);
      if (L.with14) {
        const c14 = bunny(L.type, L.k, L.s, L.c, '1:4');
        const r1 = await runAccelCase(dense14, c14, { name: `bench-sparsity-dense14-${L.type}-${L.c}` });
        const r4 = await runAccelCase(sparse14, c14, { name: `bench-sparsity-1of4-${L.type}-${L.c}` });
        const d1 = breakdown(r1.stats);
        const s4 = breakdown(r4.stats);
        const sp = d1.total / s4.total;
        entry['1:4'] = { dense: d1, sparse: s4, speedup: Number(sp.toFixed(3)), reason: reason(d1, s4, 4, sp) };
        log(`${L.name.padEnd(40)} dense ${d1.total} → 1:4 ${s4.total} cycles: ${sp.toFixed(2)}× (${d1.match && s4.match ? 'both bit-exact' : 'MISMATCH'}); ${(entry['1:4'] as { reason: string }).reason}`);
      }
      layers[L.name] = entry;
      results.push({
        name: `speed-up 2:4 over dense, ${L.name}`, value: speedup, wallValue: speedup, unit: '×', work: s.computeBound, workUnit: 'compute-bound cycles (2:4)',
        timing: { wallMs: rs.stats.sim.wallMs, cpuMs: rs.stats.sim.simCpuMs, runs: 1, warmup: 0 },
      });
    }
    const synth: Record<string, unknown> = {};
    for (const spec of [dense, sparse24]) {
      const t0 = performance.now();
      const r = await synthesize(spec);
      const t = r.total;
      synth[spec.name] = { luts: t.luts, ffs: t.ffs, dsp48: t.dsp48, ramb18: t.bram.ramb18, ramb36: t.bram.ramb36, lutram: t.lutram, latches: t.latches, wallMs: Math.round(performance.now() - t0) };
      log(`${spec.name}: ${t.luts} LUT, ${t.ffs} FF, ${t.dsp48} DSP48, ${t.bram.ramb18} RAMB18 + ${t.bram.ramb36} RAMB36, ${t.latches} latches`);
    }
    const sub128 = speedups['submanifold k=3 128→128']!;
    const targets = [
      target('2:4 over dense, bunny submanifold k=3 128→128 (compute-bound): at least 1.5×', 'speed-up 2:4 over dense, submanifold k=3 128→128', '>=', 1.5, '×', sub128, sub128),
    ];
    return {
      ...m,
      method:
        'Verilator co-simulation of <name>_accel through the host driver, no stalls; both arrays run the same layer pruned to the pattern ' +
        '(magnitude pruning, sparseforge prune), bit-exact against the golden model; cycles = PERF_TOTAL_CYCLES (START→DONE) of the ' +
        'requantized run, summed over tiles; speed-up = dense total ÷ sparse total. Dense reference: the sparse spec with only ' +
        'matrix.weightSparsity set to dense (fpga-2of4 → sf_fpga_2of4_dense, the same 256-bit streams; sf_fpga_1of4 → sf_fpga_1of4_dense). ' +
        'Synthesis: Yosys synth_xilinx -noiopad of the whole top.',
      workload: {
        cloud: 'bunny voxel 0.25 (1790 points; transposed: 1790 output points from 939), requant + ReLU, bias, seed 1',
        specs: { dense: dense.name, '2:4': sparse24.name, '1:4': sparse14.name, 'dense for 1:4': dense14.name },
        layers,
        synth,
      },
      results,
      targets,
      pass: targets.every((t) => t.pass),
    };
  },
};

export default bench;
