// Fusion across layers (buffers.keepFeatures, `net sim --fusion`): off-chip MB per inference with
// and without fusion for the model zoo's minkunet (width 0.25, 0.5, 1.0) and resnet (0.25, 1.0) on
// the bunny (voxel 0.25) on the fpga preset, from the cycle model (`net sim --model`, the same
// placement as co-simulation), with the cycles both ways; and through the RTL for minkunet and
// resnet at width 0.25 (`net sim --fusion on`, no backpressure): every streamed node bit-exact,
// the measured off-chip bytes equal to the estimate's, the cycle model's error per node. The
// LiDAR scan is not in this table: fpga cannot run MinkUNet on it (bench/network.bench.ts names
// the node).
import { presets } from '../generator/dsl/presets.ts';
import { bunnyPoints } from '../generator/io/bunny.ts';
import { buildTensor } from '../generator/io/tensor-builder.ts';
import { estimateNetwork } from '../generator/network/estimate.ts';
import { simulateNetwork } from '../generator/network/runner.ts';
import { networkStructure } from '../generator/network/zoo/float-network.ts';
import { buildZooNetwork, zooFloatNetwork } from '../generator/network/zoo/index.ts';
import { machine, target, type Bench, type BenchReport } from './harness.ts';

const MODEL: [string, number][] = [['minkunet', 0.25], ['minkunet', 0.5], ['minkunet', 1], ['resnet', 0.25], ['resnet', 1]];
const RTL: [string, number][] = [['minkunet', 0.25], ['resnet', 0.25]];
const mb = (b: number) => b / 1e6;

const bench: Bench = {
  name: 'fusion',
  description: 'off-chip MB per inference with and without fusion across layers: minkunet/resnet on the bunny, fpga, cycle model and RTL',
  async run(log) {
    const info = machine();
    const spec = presets.fpga;
    const input = buildTensor({ points: bunnyPoints(), voxel: 0.25, channels: 4, seed: 1 });
    const model: Record<string, unknown>[] = [];
    for (const [arch, width] of MODEL) {
      const net = networkStructure(zooFloatNetwork({ arch: arch as 'minkunet' | 'resnet', width, inChannels: 4, classes: 19, seed: 1 }));
      const off = estimateNetwork(spec, net, input.coords, { fusion: 'off' });
      const on = estimateNetwork(spec, net, input.coords, { fusion: 'on' });
      const row = {
        network: net.name, points: input.coords.length, convNodes: on.totals.accelNodes,
        offChipMB: mb(off.totals.offChipBytes), offChipMBFused: mb(on.totals.offChipBytes), saved: 1 - on.totals.offChipBytes / off.totals.offChipBytes,
        inMB: [mb(off.totals.bytesIn), mb(on.totals.bytesIn)], outMB: [mb(off.totals.bytesOut), mb(on.totals.bytesOut)],
        fusedNodes: on.totals.fusedNodes, keptOnlyNodes: on.nodes.filter((n) => n.fusion?.keptOut && !n.fusion.streamedOut).length,
        tiledNodes: on.nodes.filter((n) => n.tiles > 1).length,
        cycles: off.totals.cycles, cyclesFused: on.totals.cycles,
      };
      model.push(row);
      log(`${net.name}: off-chip ${row.offChipMB.toFixed(3)} MB → ${row.offChipMBFused.toFixed(3)} MB with fusion (${(100 * row.saved).toFixed(1)} % saved, ${row.fusedNodes}/${row.convNodes} conv nodes read features on chip, ` +
        `${row.keptOnlyNodes} outputs never streamed); cycles ${row.cycles.toLocaleString('en-US')} → ${row.cyclesFused.toLocaleString('en-US')}`);
    }
    const rtl: Record<string, unknown>[] = [];
    let allExact = true;
    for (const [arch, width] of RTL) {
      const net = buildZooNetwork({ arch: arch as 'minkunet' | 'resnet', width, inChannels: 4, classes: 19, seed: 1 }, input).network;
      const r = await simulateNetwork(spec, net, input, { fusion: 'on', name: `bench-fuse-${arch}`, onProgress: log });
      const m = estimateNetwork(spec, net, input.coords, { fusion: 'on' });
      const T = r.report.totals;
      const acc = r.report.nodes.filter((n) => n.where === 'accelerator');
      const worst = acc.reduce((a, n) => (Math.abs(n.model.error!) > Math.abs(a.model.error!) ? n : a));
      const fusedWorst = acc.filter((n) => n.fusion?.featOnChip || n.fusion?.keptOut).reduce((a, n) => Math.max(a, Math.abs(n.model.error!)), 0);
      allExact &&= r.report.match === true;
      const row = {
        network: net.name, match: r.report.match, firstMismatch: r.report.firstMismatch ?? null,
        nodesComparedWordForWord: r.report.nodes.filter((n) => n.where === 'host' || n.fusion?.streamedOut !== false).length,
        nodesCoordinatesOnly: acc.filter((n) => n.fusion?.streamedOut === false).map((n) => n.name),
        offChipMB: mb(T.offChipBytes), offChipMBNoFusion: mb(T.offChipBytesNoFusion), estimateOffChipMB: mb(m.totals.offChipBytes),
        cycles: T.cycles, modelCycles: T.modelCycles, modelError: T.modelCycles / T.cycles - 1,
        worstNode: { name: worst.name, error: worst.model.error }, worstFusedNodeError: fusedWorst, fusedNodes: T.fusedNodes, run: r.report.run,
      };
      rtl.push(row);
      log(`${net.name} RTL --fusion on: ${r.report.match ? 'bit-exact' : 'MISMATCH'}, off-chip ${row.offChipMB.toFixed(3)} MB (${row.offChipMBNoFusion.toFixed(3)} without fusion; estimate ${row.estimateOffChipMB.toFixed(3)}), ` +
        `cycles ${T.cycles.toLocaleString('en-US')} (model ${(100 * row.modelError).toFixed(2)} %, worst node ${worst.name} ${(100 * worst.model.error!).toFixed(2)} %, worst fused node ${(100 * fusedWorst).toFixed(2)} %)`);
    }
    const targets = [
      target('RTL with fusion: every streamed node bit-exact', 'networks bit-exact / networks', '>=', 1, 'fraction', allExact ? 1 : 0, allExact ? 1 : 0),
    ];
    return {
      ...info,
      method:
        'estimateNetwork (cycle model, fusion off/on: network/plan-hw.ts fusionPlan + sim/accel/fusion.ts keptOutputBase, the placement co-simulation uses) on the fpga preset ' +
        '(buffers.keepFeatures); off-chip bytes = AXI4-Stream bytes in + out of the conv nodes (add/concat run in the host driver and are not counted as traffic). ' +
        'RTL: runner.simulateNetwork --fusion on, no backpressure, test build; kept-only outputs are compared by coordinates, their features through the nodes computed from them.',
      workload: { cloud: 'bunny voxel 0.25', points: input.coords.length, spec: spec.name, model, rtl },
      results: [],
      targets,
      pass: targets.every((t) => t.pass),
    } satisfies BenchReport;
  },
};

export default bench;
