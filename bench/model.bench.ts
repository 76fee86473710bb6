// Golden-model benchmarks on a synthetic LiDAR scan: kernel-map construction (hash, merge,
// symmetric merge) for a 3×3×3 submanifold layer, and sparse convolution 32→32 and 64→64, both
// the gather-GEMV-scatter kernel alone and runLayer end to end (validation, sorting, mapping,
// arithmetic, result rows).
import { accumulate } from '../generator/model/accumulate.ts';
import { kernelOffsets } from '../generator/model/kernel.ts';
import { buildKernelMapHash, buildKernelMapMerge, buildSubmanifoldMapSymmetric, countMapEntries } from '../generator/model/kernel-map.ts';
import { planLayer } from '../generator/model/layer-plan.ts';
import { runLayer } from '../generator/model/layer.ts';
import { canonicalPermutation } from '../generator/model/tensor.ts';
import type { Coord, LayerCase } from '../generator/model/types.ts';
import { machine, measure, target, throughput, type Bench, type BenchResult } from './harness.ts';
import { DEFAULT_SCAN, lidarScan } from './lidar.ts';

const TARGET_QUERIES = 20; // M point-offset queries/s
const TARGET_MERGE_RATIO = 2; // merge time / hash time
const TARGET_MACS = 300; // M MAC/s, 32→32

function convCase(coords: Coord[], channels: number, seed: number): LayerCase {
  let s = seed >>> 0;
  // xorshift32: int8 values without the cost of a float PRNG per entry.
  const int8 = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return ((s >>> 0) % 256) - 128;
  };
  const row = () => Array.from({ length: channels }, int8);
  return {
    layer: { type: 'submanifold', kernelSize: 3, stride: 1, inTensorStride: 1, inChannels: channels, outChannels: channels },
    input: { coords, features: coords.map(row) },
    weights: Array.from({ length: 27 }, () => Array.from({ length: channels }, row)),
  };
}

const bench: Bench = {
  name: 'model',
  description: 'golden model: kernel maps and sparse convolution on a synthetic LiDAR scan',
  run(log) {
    const info = machine();
    const t0 = performance.now();
    const scan = lidarScan(DEFAULT_SCAN);
    const n = scan.coords.length;
    log(`scan: ${n} voxels from ${scan.rays} rays (${(performance.now() - t0).toFixed(0)} ms)`);
    const results: BenchResult[] = [];

    const sortM = measure(() => canonicalPermutation(scan.coords), { warmup: 2, runs: 7 });
    results.push(throughput('canonical sort', n, 'points', 'M points/s', sortM));
    const sorted = Array.from(canonicalPermutation(scan.coords), (i) => scan.coords[i]);

    const offsets = kernelOffsets(3, 1);
    const queries = n * offsets.length;
    const mapRuns = { warmup: 2, runs: 7 };
    const hashM = measure(() => buildKernelMapHash(sorted, sorted, offsets, 1), mapRuns);
    const mergeM = measure(() => buildKernelMapMerge(sorted, sorted, offsets, 1), mapRuns);
    const symM = measure(() => buildSubmanifoldMapSymmetric(sorted, 3, 1), mapRuns);
    const hash = throughput('kernel map 3×3×3, hash', queries, 'point-offset queries', 'M queries/s', hashM);
    const merge = throughput('kernel map 3×3×3, merge', queries, 'point-offset queries', 'M queries/s', mergeM);
    results.push(hash, merge, throughput('kernel map 3×3×3, symmetric merge', queries, 'point-offset queries', 'M queries/s', symM));
    log('kernel maps measured');

    const entries = countMapEntries(buildKernelMapMerge(sorted, sorted, offsets, 1));
    const conv: Record<number, { kernel: BenchResult; layer: BenchResult }> = {};
    for (const channels of [32, 64]) {
      const c = convCase(scan.coords, channels, channels);
      const macs = entries * channels * channels;
      const plan = planLayer(c);
      const weights = Float64Array.from(plan.weights);
      const runs = channels === 32 ? { warmup: 1, runs: 5 } : { warmup: 1, runs: 3 };
      const kernelM = measure(() => accumulate(plan.map, plan.features, channels, weights, channels, plan.outCols.n), runs);
      const layerM = measure(() => runLayer(c), runs);
      conv[channels] = {
        kernel: throughput(`conv ${channels}→${channels}, gather-GEMV-scatter`, macs, 'MACs', 'M MAC/s', kernelM),
        layer: throughput(`conv ${channels}→${channels}, runLayer end to end`, macs, 'MACs', 'M MAC/s', layerM),
      };
      results.push(conv[channels].kernel, conv[channels].layer);
      log(`conv ${channels}→${channels} measured`);
    }

    const ratio = mergeM.cpuMs / hashM.cpuMs, wallRatio = mergeM.wallMs / hashM.wallMs;
    const targets = [
      target('hash kernel map ≥ 20 M queries/s', hash.name, '>=', TARGET_QUERIES, 'M queries/s', hash.value, hash.wallValue),
      target('merge kernel map ≥ 20 M queries/s', merge.name, '>=', TARGET_QUERIES, 'M queries/s', merge.value, merge.wallValue),
      target('merge within 2× of hash', 'merge time / hash time', '<=', TARGET_MERGE_RATIO, '×', ratio, wallRatio),
      target('conv 32→32 kernel ≥ 300 M MAC/s', conv[32].kernel.name, '>=', TARGET_MACS, 'M MAC/s', conv[32].kernel.value, conv[32].kernel.wallValue),
      target('conv 32→32 runLayer ≥ 300 M MAC/s', conv[32].layer.name, '>=', TARGET_MACS, 'M MAC/s', conv[32].layer.value, conv[32].layer.wallValue),
    ];
    return {
      ...info,
      method:
        'median of several runs after warm-up runs; `value` is work / process CPU time (user + system, the figure ' +
        'targets are judged on), `wallValue` work / wall-clock time; inputs are built once outside the timed region',
      workload: {
        scan: DEFAULT_SCAN,
        rays: scan.rays,
        returns: scan.returns,
        points: n,
        kernel: '3×3×3 submanifold, tensor stride 1',
        mapEntries: entries,
        avgNeighbours: entries / n,
      },
      results,
      targets,
      pass: targets.every((t) => t.pass),
    };
  },
};

export default bench;
