// A full-width MinkUNet through the RTL: `minkunet --width 1.0` (channels 32 … 256), calibrated on
// the bunny at voxel 0.2 (1,835 of its 1,839 points: the bunny at full resolution, the test suite's
// 0.25 keeps 1,790), every conv node co-simulated on the fpga preset with matrix.maxChannels = 512
// (the first decoder stage concatenates 256 + 128 = 384 channels; the preset's 256 refuses it),
// Verilator speed build, no backpressure, and compared bit for bit with the golden network;
// the per-node cycles against the cycle model; with and without map reuse (cycle model). Target:
// every node bit-exact.
import { defineAccelerator } from '../generator/dsl/define.ts';
import { presets } from '../generator/dsl/presets.ts';
import { bunnyPoints } from '../generator/io/bunny.ts';
import { buildTensor } from '../generator/io/tensor-builder.ts';
import { simulateNetwork } from '../generator/network/runner.ts';
import { buildZooNetwork } from '../generator/network/zoo/index.ts';
import { machine, target, type Bench, type BenchReport } from './harness.ts';

const VOXEL = 0.2;

const bench: Bench = {
  name: 'network-rtl',
  description: 'minkunet --width 1.0 on the bunny (voxel 0.2) through the fpga RTL: bit-exact at every node, cycles vs cycle model',
  async run(log) {
    const info = machine();
    const spec = defineAccelerator({ name: 'sf_fpga_c512', matrix: { maxChannels: 512 } }, presets.fpga);
    const input = buildTensor({ points: bunnyPoints(), voxel: VOXEL, channels: 4, seed: 1 });
    const t0 = performance.now();
    const net = buildZooNetwork({ arch: 'minkunet', width: 1, inChannels: 4, classes: 19, seed: 1 }, input).network;
    log(`${net.name}: ${net.nodes.length} nodes, calibrated on ${input.coords.length} points in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const c0 = process.cpuUsage();
    const r = await simulateNetwork(spec, net, input, { profile: 'speed', name: 'bench-minkunet-w1', onProgress: log });
    const cpu = process.cpuUsage(c0);
    const rep = r.report;
    const T = rep.totals;
    const worst = rep.nodes.filter((n) => n.where === 'accelerator').reduce((a, n) => (Math.abs(n.model.error!) > Math.abs(a.model.error!) ? n : a));
    log(`${T.cycles.toLocaleString('en-US')} cycles, utilisation ${(100 * T.utilisation).toFixed(1)} %, cycle model ${((T.modelCycles / T.cycles - 1) * 100).toFixed(2)} %, ` +
      `worst node ${worst.name} ${(100 * worst.model.error!).toFixed(2)} %; ${rep.match ? 'bit-exact' : `MISMATCH at ${rep.firstMismatch?.node}`}`);
    const simulated = rep.run!.simulatedCycles;
    const wallS = rep.run!.wallMs / 1000;
    return {
      ...info,
      method:
        'runner.simulateNetwork on the fpga preset with matrix.maxChannels 512 (Verilator speed build, no backpressure): every conv node through the host driver, ' +
        'add/concat in the host driver, every node compared with the golden network; cycles are PERF_TOTAL_CYCLES per node; ' +
        '"without reuse" is the measured total plus the cycle model\'s difference. The harness runs are child processes: their CPU time is not in this process\'s.',
      workload: {
        network: net.name, cloud: `bunny voxel ${VOXEL}`, points: input.coords.length, spec: spec.name,
        match: rep.match, firstMismatch: rep.firstMismatch ?? null,
        totals: T, worstModelError: { node: worst.name, error: worst.model.error },
        run: rep.run, wallSeconds: wallS, nodeCpuSeconds: (cpu.user + cpu.system) / 1e6,
        nodes: rep.nodes.map((n) => ({ name: n.name, kind: n.kind, where: n.where, points: [n.pointsIn, n.pointsOut], channels: [n.inChannels, n.outChannels],
          cycles: n.cycles.total, computeBound: n.computeBound, utilisation: n.utilisation, reused: n.reused, model: n.model, bytesIn: n.bytesIn, bytesOut: n.bytesOut })),
      },
      results: [],
      targets: [target('every node bit-exact', 'nodes matching / nodes', '>=', 1, 'fraction', rep.nodes.filter((n) => n.match).length / rep.nodes.length,
        rep.nodes.filter((n) => n.match).length / rep.nodes.length)],
      pass: rep.match === true,
    } satisfies BenchReport;
  },
};

export default bench;
