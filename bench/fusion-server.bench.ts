// Fusion across layers on the server preset (buffers.keepFeatures, on since issue 13): two chained
// 64→64 submanifold k=3 layers on the bunny (voxel 0.8), the first one's output kept in the feature
// buffer and not streamed, the second reading it there; co-simulated with and without random
// backpressure, every streamed word compared with the golden model, the cycle model per layer.
// The fpga preset's fusion is in the test suite (test/accel/fusion.test.ts); a server build is too
// slow for CI, hence a bench. Run: `npm run bench -- fusion-server`.
import { presets } from '../generator/dsl/presets.ts';
import type { AcceleratorSpec } from '../generator/dsl/spec.ts';
import { bunnyPoints } from '../generator/io/bunny.ts';
import { buildCase, calibrateRequant } from '../generator/io/case-builder.ts';
import { Prng } from '../generator/io/prng.ts';
import { predictCycles } from '../generator/model/cycle-model.ts';
import { runLayer } from '../generator/model/layer.ts';
import { layerStats } from '../generator/model/stats.ts';
import type { LayerCase } from '../generator/model/types.ts';
import { runAccelBatch, type BatchLayer } from '../generator/sim/accel/batch.ts';
import { widthsOf } from '../generator/verify/case-gen.ts';
import { machine, target, type Bench, type BenchReport } from './harness.ts';

/** The layer that consumes `prev`'s golden output (as test/accel/fusion.test.ts's nextLayer). */
function nextLayer(spec: AcceleratorSpec, prev: LayerCase, cout: number, seed: number): LayerCase {
  const w = widthsOf(spec);
  const g = runLayer(prev, w).result;
  const r = new Prng(seed);
  const cin = prev.layer.outChannels;
  const hi = 2 ** (w.weightWidth - 1) - 1;
  const c: LayerCase = {
    layer: { type: 'submanifold', kernelSize: 3, stride: 1, inTensorStride: g.tensorStride, inChannels: cin, outChannels: cout },
    input: { coords: g.coords, features: g.features! },
    weights: Array.from({ length: 27 }, () => Array.from({ length: cin }, () => r.ints(cout, -hi - 1, hi))),
    bias: r.ints(cout, -500, 500),
  };
  c.requant = calibrateRequant(c, true, w);
  return c;
}

const bench: Bench = {
  name: 'fusion-server',
  description: 'server preset: two chained 64→64 submanifold layers on the bunny with the first output kept on chip (buffers.keepFeatures), co-simulated bit-exact',
  async run(log) {
    const info = machine();
    const spec = presets.server;
    const w = widthsOf(spec);
    const a = buildCase({ points: bunnyPoints(), voxel: 0.8, layer: 'submanifold', kernel: 3, stride: 1, cin: 64, cout: 64, requant: true, relu: true, seed: 3, widths: w });
    const b = nextLayer(spec, a, 64, 5);
    const layers: BatchLayer[] = [{ name: 'a', case: a, keepForNext: true, streamOut: false }, { name: 'b', case: b }];
    const runs: Record<string, unknown>[] = [];
    let mismatches = 0;
    let worstModel = 0;
    for (const stall of [0.2, 0]) {
      const t0 = performance.now();
      const r = await runAccelBatch(spec, layers, { name: `fusion-server-${stall}`, fusion: true, stall, seed: 9 });
      const rows = r.layers.map((l) => {
        const c = layers.find((y) => y.name === l.name)!.case;
        const predicted = predictCycles(spec, layerStats(c, w), { ...c.layer, requant: true, bias: true, runs: l.runs }).total;
        const measured = l.stats.cycles.total;
        if (stall === 0) worstModel = Math.max(worstModel, Math.abs(predicted - measured) / measured);
        mismatches += l.comparison.count;
        return { layer: l.name, mismatches: l.comparison.count, fusion: l.fusion, beatsIn: l.beatsIn, beatsOut: l.beatsOut, cycles: measured, predicted };
      });
      const wallMs = Math.round(performance.now() - t0);
      log(`stall ${stall}: ${rows.map((x) => `${x.layer} ${x.mismatches} mismatches, ${x.cycles} cycles (model ${x.predicted}), in ${x.beatsIn} / out ${x.beatsOut} beats`).join('; ')} (${wallMs} ms)`);
      runs.push({ stall, seed: 9, layers: rows, wallMs });
    }
    const targets = [
      target('server fusion: every streamed word bit-exact', 'mismatches', '<=', 0, 'words', mismatches, mismatches),
      target('server fusion: cycle model within 2 % (no backpressure)', 'largest model error', '<=', 0.02, 'fraction', worstModel, worstModel),
    ];
    return {
      ...info,
      method: 'runAccelBatch --fusion (sim/accel/batch.ts), test build; layer a keeps its requantized output in the feature buffer (FUSION.KEEP_OUT, not streamed), layer b reads it there (FUSION.FEAT_ON_CHIP); b\'s streamed output compared with the golden model; predicted = predictCycles on the batch\'s runs (fusion flags).',
      workload: { cloud: 'bunny voxel 0.8', points: a.input.coords.length, spec: spec.name, runs },
      results: [],
      targets,
      pass: targets.every((t) => t.pass),
    } satisfies BenchReport;
  },
};

export default bench;
