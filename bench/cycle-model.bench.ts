// Speed of the cycle model (generator/model/cycle-model.ts, schedule replay) on a synthetic LiDAR
// scan of ≥ 100 k points: a submanifold k = 3 layer on the fpga preset (the host driver cuts it into
// box tiles: the model replays every tile) and on a spec whose buffers hold the whole scan (one
// run of 100 k points), plus a conv k = 2 s = 2 layer. Target: one layer evaluated in < 1 s (CPU
// time; `predict`: the model given the runs; `runs+predict`: with the tiling and canonical
// ordering of cycle-model-runs.ts). Its accuracy against co-simulation: cycle-model-accuracy.bench.ts.
import { presets } from '../generator/dsl/presets.ts';
import type { AcceleratorSpec } from '../generator/dsl/spec.ts';
import { predictCycles } from '../generator/model/cycle-model.ts';
import { cycleModelRuns } from '../generator/model/cycle-model-runs.ts';
import type { LayerStats } from '../generator/model/stats.ts';
import type { LayerCase, LayerType } from '../generator/model/types.ts';
import { machine, measure, target, throughput, type Bench, type BenchReport, type BenchResult, type Target } from './harness.ts';
import { DEFAULT_SCAN, lidarScan } from './lidar.ts';

const TARGET_MS = 1000;

function layerCase(coords: LayerCase['input']['coords'], type: LayerType, k: number, s: number, ch: number): LayerCase {
  return {
    layer: { type, kernelSize: k, stride: s, inTensorStride: 1, inChannels: ch, outChannels: ch },
    // The model reads no feature or weight values: empty rows keep the case small.
    input: { coords, features: coords.map(() => []) },
    weights: [],
  };
}

const bench: Bench = {
  name: 'cycle-model',
  description: 'cycle model (schedule replay) on a ≥ 100 k-point LiDAR scan: time per layer',
  run(log) {
    const info = machine();
    const scan = lidarScan(DEFAULT_SCAN);
    const n = scan.coords.length;
    log(`scan: ${n} points`);
    const big: AcceleratorSpec = {
      ...presets.fpga,
      name: 'fpga_big',
      buffers: { ...presets.fpga.buffers, coordDepth: 1 << 18, featureDepth: 1 << 18, accumulatorDepth: 1 << 18, mapDepth: 1 << 23 },
    };
    const workloads: { name: string; spec: AcceleratorSpec; c: LayerCase }[] = [
      { name: 'fpga sub k3 16→16 (tiled)', spec: presets.fpga, c: layerCase(scan.coords, 'submanifold', 3, 1, 16) },
      { name: 'big buffers sub k3 16→16 (one run)', spec: big, c: layerCase(scan.coords, 'submanifold', 3, 1, 16) },
      { name: 'big buffers conv k2 s2 16→32', spec: big, c: layerCase(scan.coords, 'conv', 2, 2, 16) },
    ];
    const results: BenchResult[] = [];
    const targets: Target[] = [];
    const workload: Record<string, unknown> = { scan: { ...DEFAULT_SCAN, points: n } };
    for (const w of workloads) {
      const { tiles, runs } = cycleModelRuns(w.spec, w.c);
      // The replay reads no statistic but the map entries for the compute bound: 0 is enough here.
      const stats = { pointsIn: n, pointsOut: 0, kernelVolume: w.c.layer.kernelSize ** 3, mapEntries: 0, mapEntriesPerOffset: [] } as unknown as LayerStats;
      const layer = { ...w.c.layer, requant: true, bias: true, runs };
      const p = predictCycles(w.spec, stats, layer);
      log(`${w.name}: ${tiles.length} tiles, predicted ${p.total} cycles (mapping ${p.mapping}, compute rows ${p.compute}, comparisons ${p.detail.comparisons})`);
      workload[w.name] = { lanes: w.spec.mapping.lanes, tiles: tiles.length, predictedCycles: p.total, computeRows: p.compute, comparisons: p.detail.comparisons };
      const mp = measure(() => predictCycles(w.spec, stats, layer), { warmup: 1, runs: 5 });
      const me = measure(() => predictCycles(w.spec, stats, { ...w.c.layer, requant: true, bias: true, runs: cycleModelRuns(w.spec, w.c).runs }), { warmup: 1, runs: 3 });
      results.push(throughput(`${w.name}: predict`, n, 'points', 'M points/s', mp));
      results.push(throughput(`${w.name}: runs+predict`, n, 'points', 'M points/s', me));
      targets.push(target(`${w.name}: predict < ${TARGET_MS} ms`, 'CPU ms per layer', '<=', TARGET_MS, 'ms', mp.cpuMs, mp.wallMs));
      targets.push(target(`${w.name}: runs+predict < ${TARGET_MS} ms`, 'CPU ms per layer', '<=', TARGET_MS, 'ms', me.cpuMs, me.wallMs));
    }
    const report: BenchReport = {
      ...info,
      method: 'measure(): 1 warm-up, median of 5 (predict) / 3 (runs+predict) runs; CPU time judged',
      workload,
      results,
      targets,
      pass: targets.every((t) => t.pass),
    };
    return report;
  },
};

export default bench;
