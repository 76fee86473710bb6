// The golden network (generator/model/network.ts) on the model zoo: `net golden` of MinkUNet at
// widths 0.25 / 0.5 / 1.0 and of the ResNet on the bunny (voxel 0.25), the coordinate-only pass
// (`networkShapes`, what `net sim --model` uses) on the synthetic LiDAR scan, and the full golden
// MinkUNet on that scan (keeping only the live tensors, as `net golden` does). Networks are
// calibrated on the bunny outside the timed region (the build time is reported separately).
import { bunnyPoints } from '../generator/io/bunny.ts';
import { buildTensor } from '../generator/io/tensor-builder.ts';
import { networkShapes, runNetwork, type NodeTensor } from '../generator/model/index.ts';
import { buildZooNetwork, type ZooNetwork } from '../generator/network/zoo/index.ts';
import { Prng } from '../generator/io/prng.ts';
import { machine, measure, target, throughput, type Bench, type BenchResult } from './harness.ts';
import { DEFAULT_SCAN, lidarScan } from './lidar.ts';

const TARGET_BUNNY_W1_MS = 5_000; // CPU ms: "seconds" for minkunet w1.0 on the bunny
const TARGET_SHAPES_LIDAR_MS = 20_000; // CPU ms: the coordinate pass of minkunet w1.0 on the scan

const bench: Bench = {
  name: 'golden-network',
  description: 'golden network: zoo networks on the bunny, coordinate pass and full golden MinkUNet on the LiDAR scan',
  run(log) {
    const info = machine();
    const bunny = buildTensor({ points: bunnyPoints(), voxel: 0.25, channels: 4, seed: 1 });
    const results: BenchResult[] = [];
    const built: Record<string, { nodes: number; weights: number; buildCpuMs: number; macsBunny: number }> = {};
    const nets: Record<string, ZooNetwork> = {};
    const configs = [['minkunet', 0.25], ['minkunet', 0.5], ['minkunet', 1], ['resnet', 1]] as const;
    for (const [arch, width] of configs) {
      const key = `${arch}-w${width}`;
      const c0 = process.cpuUsage();
      const z = buildZooNetwork({ arch, width, inChannels: 4, classes: 19, seed: 1 }, bunny);
      const c = process.cpuUsage(c0);
      nets[key] = z;
      const macs = z.stats.reduce((s, n) => s + n.macs, 0);
      built[key] = {
        nodes: z.network.nodes.length,
        weights: z.network.nodes.reduce((s, n) => s + (n.op === 'conv' ? n.weights.length * n.weights[0].length * n.layer.outChannels : 0), 0),
        buildCpuMs: Math.round((c.user + c.system) / 1000),
        macsBunny: macs,
      };
      const m = measure(() => runNetwork(z.network, bunny, { keep: false }), width === 1 ? { warmup: 1, runs: 3 } : { warmup: 1, runs: 5 });
      results.push(throughput(`golden ${key}, bunny ${bunny.coords.length} points`, macs, 'MACs', 'M MAC/s', m));
      log(`${key}: built in ${built[key].buildCpuMs} ms CPU; golden on the bunny ${m.cpuMs.toFixed(0)} ms CPU (${m.wallMs.toFixed(0)} ms wall)`);
    }
    const w1 = results.find((r) => r.name.startsWith('golden minkunet-w1,'))!;

    const scan = lidarScan(DEFAULT_SCAN);
    const g = new Prng(7);
    const lidar: NodeTensor = { tensorStride: 1, coords: scan.coords, features: scan.coords.map(() => g.ints(4, -128, 127)) };
    const mu = nets['minkunet-w1'].network;
    const shapes = networkShapes(mu, scan.coords);
    const lidarMacs = shapes.stats.reduce((s, n) => s + n.macs, 0);
    const sm = measure(() => networkShapes(mu, scan.coords), { warmup: 0, runs: 3 });
    const shapesResult = throughput(`coordinate pass minkunet-w1, LiDAR ${scan.coords.length} points`, scan.coords.length, 'points', 'M points/s', sm);
    results.push(shapesResult);
    log(`coordinate pass on the scan: ${sm.cpuMs.toFixed(0)} ms CPU, ${lidarMacs.toExponential(3)} MACs`);

    const heap0 = process.memoryUsage().rss;
    let peak = heap0;
    const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 200);
    const full: Record<string, number> = {};
    for (const key of ['minkunet-w0.25', 'minkunet-w1']) {
      const m = measure(() => {
        const r = runNetwork(nets[key].network, lidar, { keep: false });
        peak = Math.max(peak, process.memoryUsage().rss);
        return r;
      }, { warmup: 0, runs: 1 });
      const macs = key === 'minkunet-w1' ? lidarMacs : networkShapes(nets[key].network, scan.coords).stats.reduce((s, n) => s + n.macs, 0);
      results.push(throughput(`golden ${key}, LiDAR ${scan.coords.length} points`, macs, 'MACs', 'M MAC/s', m));
      full[key] = m.cpuMs;
      log(`golden ${key} on the scan: ${(m.cpuMs / 1000).toFixed(1)} s CPU (${(m.wallMs / 1000).toFixed(1)} s wall), ${macs.toExponential(3)} MACs`);
    }
    clearInterval(timer);

    const targets = [
      target('golden minkunet w1.0 on the bunny ≤ 5 s', w1.name, '<=', TARGET_BUNNY_W1_MS, 'ms CPU', w1.timing.cpuMs, w1.timing.wallMs),
      target('coordinate pass of minkunet w1.0 on the LiDAR scan ≤ 20 s', shapesResult.name, '<=', TARGET_SHAPES_LIDAR_MS, 'ms CPU', sm.cpuMs, sm.wallMs),
    ];
    return {
      ...info,
      method:
        'median of the runs after warm-up runs (one unwarmed run for the LiDAR golden); `value` is work / process CPU time ' +
        '(user + system), `wallValue` work / wall-clock time; networks built and calibrated on the bunny beforehand',
      workload: {
        bunny: { voxel: 0.25, points: bunny.coords.length, channels: 4, seed: 1 },
        lidar: { scan: DEFAULT_SCAN, points: scan.coords.length, channels: 4 },
        networks: built,
        lidarMacsMinkunetW1: lidarMacs,
        lidarGoldenCpuMs: full,
        peakRssMB: Math.round(peak / 2 ** 20),
      },
      results,
      targets,
      pass: targets.every((t) => t.pass),
    };
  },
};

export default bench;
