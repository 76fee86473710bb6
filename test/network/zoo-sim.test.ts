// The acceptance runs: `net sim` of the model zoo's minkunet (width 0.25) and resnet on the
// bunny at voxel 0.25 (1,790 points) on the fpga preset, every node bit-exact against the golden
// network under random backpressure, with map reuse along the residual blocks.
import { describe, expect, it } from 'vitest';
import { presets } from '../../generator/dsl/presets.ts';
import { bunnyPoints } from '../../generator/io/bunny.ts';
import { buildTensor } from '../../generator/io/tensor-builder.ts';
import { simulateNetwork } from '../../generator/network/runner.ts';
import { buildZooNetwork } from '../../generator/network/zoo/index.ts';

const spec = presets.fpga;
const TIMEOUT = 900_000;

describe('net sim: model-zoo networks on the fpga preset', () => {
  const input = buildTensor({ points: bunnyPoints(), voxel: 0.25, channels: 4, seed: 1 });

  for (const [arch, stall, seed] of [['minkunet', 0.2, 5], ['resnet', 0.3, 6]] as const) {
    it(`${arch} --width 0.25 on the bunny (voxel 0.25), backpressure ${stall}: every node bit-exact`, async () => {
      const net = buildZooNetwork({ arch, width: 0.25, inChannels: 4, classes: 19, seed: 1 }, input).network;
      const r = await simulateNetwork(spec, net, input, { stall, seed, name: `zoo-${arch}` });
      expect(r.report.inputPoints).toBe(1790);
      expect(r.report.match, r.report.firstMismatch?.report).toBe(true);
      expect(r.report.nodes.every((n) => n.match === true)).toBe(true);
      expect(r.report.nodes).toHaveLength(net.nodes.length);
      const T = r.report.totals;
      expect(T.accelNodes).toBe(net.nodes.filter((n) => n.op === 'conv').length);
      // The second conv of every residual block reuses the first one's map.
      expect(T.reusedNodes).toBeGreaterThan(0);
      for (const n of r.report.nodes.filter((x) => x.reused)) {
        expect(n.kind, n.name).toBe('subm k3');
        expect(n.cycles.coordLoad, n.name).toBe(0);
        expect(n.cycles.mapping, n.name).toBe(0);
      }
      expect(T.modelCyclesNoReuse).toBeGreaterThan(T.modelCycles);
      expect(r.result.nodes[net.outputs[0]!]).toEqual(r.golden.tensors.get(net.outputs[0]!));
    }, TIMEOUT);
  }
});
