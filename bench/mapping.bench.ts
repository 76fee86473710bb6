// Benchmark: the mapping engine on the bunny (voxel 0.3, 1688 points) for mapLanes 1, 2, 4, 8
// (fpga preset otherwise): mapping cycles per input point for submanifold k = 3 and conv k = 2
// s = 2, merge comparisons per cycle, the symmetric-shortcut ratio, and Yosys synth_xilinx
// resources of <name>_mapping_top for each lane count. Every run is also checked entry by entry
// against the golden model. The AXI4-Stream width is widened to carry one map word per beat
// (max(128, next power of two ≥ lanes · slot width)) so that the output port does not limit the
// merge; the sink is always ready (no backpressure) — cycle counts are the engine's own.
//
// Targets (issue): the merge advances ≥ 0.9 comparisons per cycle per lane holding an offset
// (no bubbles in steady state), and submanifold k = 3 with the symmetric shortcut takes ≤ 0.55×
// the merge cycles of computing all 27 offsets (measured as conv k = 3 s = 1 on the same cloud:
// same coordinates in and out, every offset merged).
// Run: `npx tsx bench/run.ts mapping` (Yosys results are cached in .cache/synth). Simulation runs
// on the shared co-simulation framework (generic harness, `speed` build profile, .cache/verilator).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deriveMapping } from '../generator/dsl/derive/mapping.ts';
import { presets } from '../generator/dsl/presets.ts';
import type { AcceleratorSpec } from '../generator/dsl/spec.ts';
import { bunnyPoints } from '../generator/io/bunny.ts';
import { voxelize } from '../generator/io/voxelize.ts';
import { compareCoords } from '../generator/model/tensor.ts';
import type { Coord } from '../generator/model/types.ts';
import { buildMappingSim } from '../generator/sim/mapping/build.ts';
import { compareMapping, goldenMapping, runMappingSim, type MapJob, type MapLayer } from '../generator/sim/mapping/driver.ts';
import { PROJECT_ROOT, renderMappingRtl } from '../generator/sim/mapping/rtl.ts';
import { synthesizeRtl } from '../generator/synth/yosys.ts';
import { machine, target, type Bench, type BenchResult, type Target } from './harness.ts';

const VOXEL = 0.3;
const LANES = [1, 2, 4, 8];

function benchSpec(lanes: number): AcceleratorSpec {
  const base = presets.fpga;
  const spec: AcceleratorSpec = { ...base, name: `sf_fpga_map${lanes}`, mapping: { ...base.mapping, lanes } };
  const word = deriveMapping(spec).mapWordWidth;
  let w = 128;
  while (w < word) w *= 2;
  return { ...spec, interfaces: { ...spec.interfaces, axisDataWidth: w } };
}

function result(name: string, value: number, unit: string, work: number, workUnit: string, wallMs: number): BenchResult {
  return { name, value, wallValue: value, unit, work, workUnit, timing: { wallMs, cpuMs: wallMs, runs: 1, warmup: 0 } };
}

const bench: Bench = {
  name: 'mapping',
  description: 'mapping engine on the bunny: cycles per point, merge comparisons per cycle, symmetric shortcut, Yosys resources (mapLanes 1, 2, 4, 8)',
  async run(log) {
    const coords: Coord[] = voxelize(bunnyPoints(), VOXEL).sort(compareCoords);
    const n = coords.length;
    const layers: Record<string, MapLayer> = {
      'submanifold k=3': { type: 'submanifold', kernelSize: 3, stride: 1, inTensorStride: 1 },
      'all offsets k=3 (conv s=1)': { type: 'conv', kernelSize: 3, stride: 1, inTensorStride: 1 },
      'conv k=2 s=2': { type: 'conv', kernelSize: 2, stride: 2, inTensorStride: 1 },
    };
    const results: BenchResult[] = [];
    const targets: Target[] = [];
    const perLanes: Record<string, unknown>[] = [];
    let mismatches = 0;
    for (const lanes of LANES) {
      const spec = benchSpec(lanes);
      const { binary } = await buildMappingSim(spec, { profile: 'speed' });
      const row: Record<string, unknown> = { lanes, axisDataWidth: spec.interfaces.axisDataWidth };
      const counters: Record<string, Record<string, number>> = {};
      for (const [label, layer] of Object.entries(layers)) {
        const job: MapJob = { layer, inCoords: coords };
        const t0 = performance.now();
        const r = await runMappingSim(binary, spec, job, { seed: 1 });
        const wall = performance.now() - t0;
        const cmp = compareMapping(spec, job, goldenMapping(job), r);
        if (!cmp.ok) {
          mismatches += cmp.mismatches.length;
          log(`MISMATCH lanes ${lanes} ${label}: ${cmp.mismatches.slice(0, 3).join('; ')}`);
        }
        const c = r.counters;
        counters[label] = { ...c, entries: cmp.totalEntries, outputPoints: r.outPoints };
        const cyc = c.PERF_MAPPING_CYCLES!;
        results.push(result(`lanes ${lanes}: ${label} mapping cycles/point`, cyc / n, 'cycles/point', n, 'input points', wall));
        const steady = c.MAP_COMPARISONS! / c.MAP_LANE_BUSY!;
        const overall = c.MAP_COMPARISONS! / (c.MAP_MERGE_CYCLES! * lanes);
        results.push(result(`lanes ${lanes}: ${label} comparisons/busy lane-cycle`, steady, 'cmp/cycle/lane', c.MAP_COMPARISONS!, 'comparisons', wall));
        results.push(result(`lanes ${lanes}: ${label} comparisons/cycle/lane overall`, overall, 'cmp/cycle/lane', c.MAP_COMPARISONS!, 'comparisons', wall));
        log(`lanes ${lanes} ${label}: ${cyc} mapping cycles (${(cyc / n).toFixed(2)}/point; ds ${c.MAP_DS_CYCLES}, merge ${c.MAP_MERGE_CYCLES}), ` +
          `${cmp.totalEntries} entries, ${steady.toFixed(3)} cmp/busy lane-cycle, ${overall.toFixed(3)} overall, ${cmp.ok ? 'match' : 'MISMATCH'}`);
        if (label !== 'all offsets k=3 (conv s=1)') {
          targets.push(target(`lanes ${lanes}, ${label}: merge comparisons per busy lane-cycle`, 'MAP_COMPARISONS / MAP_LANE_BUSY', '>=', 0.9, 'cmp/cycle/lane', steady, steady));
        }
      }
      const ratio = counters['submanifold k=3']!.MAP_MERGE_CYCLES! / counters['all offsets k=3 (conv s=1)']!.MAP_MERGE_CYCLES!;
      results.push(result(`lanes ${lanes}: symmetric / all-offsets merge cycles`, ratio, 'ratio', 1, 'layer', 0));
      targets.push(target(`lanes ${lanes}: submanifold k=3 symmetric shortcut`, 'merge cycles (half + centre) / merge cycles (27 offsets)', '<=', 0.55, 'ratio', ratio, ratio));
      log(`lanes ${lanes}: symmetric shortcut ratio ${ratio.toFixed(3)}`);

      const dir = join(PROJECT_ROOT, '.cache', 'mapping-rtl', spec.name);
      mkdirSync(dir, { recursive: true });
      const rtl = renderMappingRtl(spec);
      for (const f of rtl) writeFileSync(join(dir, f.name), f.text);
      const t0 = performance.now();
      const syn = await synthesizeRtl(dir, { top: rtl[rtl.length - 1]!.module });
      const t = syn.total;
      row.resources = { luts: t.luts, ffs: t.ffs, ramb18: t.bram.ramb18, ramb36: t.bram.ramb36, lutram: t.lutram, dsp48: t.dsp48, latches: t.latches };
      row.counters = counters;
      perLanes.push(row);
      log(`lanes ${lanes}: Yosys ${t.luts} LUT, ${t.ffs} FF, ${t.bram.ramb36} RAMB36 + ${t.bram.ramb18} RAMB18, ${t.lutram} LUTRAM, ${t.latches} latches (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
      targets.push(target(`lanes ${lanes}: no latches`, 'Yosys latches', '<=', 0, 'latches', t.latches, t.latches));
    }
    targets.push(target('zero mismatches against the golden model', 'mismatching entries/coordinates', '<=', 0, 'mismatches', mismatches, mismatches));
    return {
      ...machine(),
      method:
        'Verilator co-simulation of <name>_mapping_top (fpga preset, lanes varied, AXI-Stream widened to one map word per beat), ' +
        'sink always ready; cycle counts from the engine\'s AXI-Lite counters (PERF_MAPPING_CYCLES = downsample + merge phases, ' +
        'MAP_MERGE_CYCLES, MAP_COMPARISONS, MAP_LANE_BUSY); resources from Yosys 0.23 synth_xilinx -noiopad of the whole top.',
      workload: { cloud: `bunny voxel ${VOXEL}`, points: n, coordDepth: presets.fpga.buffers.coordDepth, perLanes },
      results,
      targets,
      pass: targets.every((x) => x.pass),
    };
  },
};

export default bench;
