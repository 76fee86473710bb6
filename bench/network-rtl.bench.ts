// A full-width MinkUNet through the RTL: `minkunet --width 1.0` (channels 32 … 256) on a strip of
// the synthetic LiDAR scan (bench/lidar.ts at voxel 0.1: x in [−60, 60) m, y in [−2, 2) m, the road
// through the sensor, 5,678 points — 3.1× the bunny's 1,835), calibrated on that strip, every conv
// node co-simulated on the fpga preset (matrix.maxChannels 512: the first decoder stage
// concatenates 256 + 128 = 384 channels), tiled by the host driver where a node does not fit
// (tiled 3×3×3 nodes core-only where the cycle model predicts it faster, model/tile-choice.ts),
// Verilator speed build, no backpressure, and compared bit for bit with the golden network; the
// per-node cycles against the cycle model; with and without map reuse (cycle model). The strip is
// sized to finish within half an hour on the shared, loaded 2-core machine (the 8 m strip, 15,833
// points, did not). Target: every node bit-exact.
import { presets } from '../generator/dsl/presets.ts';
import { buildTensor } from '../generator/io/tensor-builder.ts';
import { simulateNetwork } from '../generator/network/runner.ts';
import { buildZooNetwork } from '../generator/network/zoo/index.ts';
import { machine, target, type Bench, type BenchReport } from './harness.ts';
import { lidarStrip, NETWORK_STRIP } from './lidar.ts';
import { lossBy, lossTotal } from '../generator/network/loss.ts';

const VOXEL = NETWORK_STRIP.voxel;
/** The strip, metres: x0, x1, y0, y1 (half-open). */
const STRIP = [...NETWORK_STRIP.x, ...NETWORK_STRIP.y] as const;

const bench: Bench = {
  name: 'network-rtl',
  description: 'minkunet --width 1.0 on a 5.7k-point LiDAR strip through the fpga RTL: bit-exact at every node, cycles vs cycle model',
  async run(log) {
    const info = machine();
    const spec = presets.fpga;
    const points = lidarStrip();
    // The voxel coordinates as points of a unit voxel: buildTensor keeps them (one point per voxel).
    const input = buildTensor({ points: Float64Array.from(points.flatMap((c) => [c[1] + 0.5, c[2] + 0.5, c[3] + 0.5])), voxel: 1, channels: 4, seed: 1 });
    const t0 = performance.now();
    const net = buildZooNetwork({ arch: 'minkunet', width: 1, inChannels: 4, classes: 19, seed: 1 }, input).network;
    log(`${net.name}: ${net.nodes.length} nodes, calibrated on ${input.coords.length} points in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const c0 = process.cpuUsage();
    const r = await simulateNetwork(spec, net, input, { profile: 'speed', name: 'bench-minkunet-w1', onProgress: log });
    const cpu = process.cpuUsage(c0);
    const rep = r.report;
    const T = rep.totals;
    const acc = rep.nodes.filter((n) => n.where === 'accelerator');
    const worst = acc.reduce((a, n) => (Math.abs(n.model.error!) > Math.abs(a.model.error!) ? n : a));
    log(`${T.cycles.toLocaleString('en-US')} cycles, utilisation ${(100 * T.utilisation).toFixed(1)} %, cycle model ${((T.modelCycles / T.cycles - 1) * 100).toFixed(2)} %, ` +
      `worst node ${worst.name} ${(100 * worst.model.error!).toFixed(2)} %; ${rep.match ? 'bit-exact' : `MISMATCH at ${rep.firstMismatch?.node}`}`);
    const simulated = rep.run!.simulatedCycles;
    const wallS = rep.run!.wallMs / 1000;
    return {
      ...info,
      method:
        'runner.simulateNetwork on the fpga preset (matrix.maxChannels 512; Verilator speed build, no backpressure): every conv node through the host driver (tiles where it does not fit), ' +
        'add/concat in the host driver, every node compared with the golden network; cycles are PERF_TOTAL_CYCLES per node; ' +
        '"without reuse" is the measured total plus the cycle model\'s difference. The harness runs are child processes: their CPU time is not in this process\'s.',
      workload: {
        network: net.name, cloud: `LiDAR scan (bench/lidar.ts) voxel ${VOXEL}, strip x ∈ [${STRIP[0]}, ${STRIP[1]}) m, y ∈ [${STRIP[2]}, ${STRIP[3]}) m`,
        points: input.coords.length, spec: spec.name, maxChannels: spec.matrix.maxChannels,
        match: rep.match, firstMismatch: rep.firstMismatch ?? null,
        totals: T, worstModelError: { node: worst.name, error: worst.model.error },
        modelErrorWithin2Percent: `${acc.filter((n) => Math.abs(n.model.error!) <= 0.02).length} of ${acc.length} conv nodes`,
        run: rep.run, wallSeconds: wallS, nodeCpuSeconds: (cpu.user + cpu.system) / 1e6,
        nodes: rep.nodes.map((n) => ({ name: n.name, kind: n.kind, where: n.where, points: [n.pointsIn, n.pointsOut], channels: [n.inChannels, n.outChannels],
          cycles: n.cycles.total, computeBound: n.computeBound, utilisation: n.utilisation, reused: n.reused, model: n.model, bytesIn: n.bytesIn, bytesOut: n.bytesOut,
          tiles: n.tiles, tiling: n.tiling ?? null, passGrouping: n.passGrouping ?? null, modelLoss: n.loss ?? null })),
        // The cycle model's breakdown of the same runs (network/loss.ts), by kind and in total.
        modelLossByKind: lossBy(rep, (n) => n.kind), modelLoss: lossTotal(rep),
        coreOnlyNodes: rep.nodes.filter((n) => n.tiling === 'core').map((n) => n.name),
      },
      results: [],
      targets: [target('every node bit-exact', 'nodes matching / nodes', '>=', 1, 'fraction', rep.nodes.filter((n) => n.match).length / rep.nodes.length,
        rep.nodes.filter((n) => n.match).length / rep.nodes.length)],
      pass: rep.match === true,
    } satisfies BenchReport;
  },
};

export default bench;
