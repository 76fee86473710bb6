// Pass-list replay (gatherScatter.passListDepth, templates/top/accel_sched.v.hbs): MinkUNet
// (width 0.5 and 0.25, 4 input channels, 8 classes, seed 1) on the bunny (voxel 0.25) from the
// cycle model (`net sim --model`, the estimate co-simulation is checked against per node), on the
// edge preset's array at 4 and 6 lanes and on fpga, each with the list off (0) and at the depths
// named below: cycles, utilisation, the loss breakdown summed over the nodes (the walk's cost is
// `schedule`), the worst nodes, and the list figures (longest list, pairs replayed, runs whose
// list did not fit and were walked). The edge preset's lane count is decided from these rows
// (generator/dsl/presets.ts); bench/results/accel.json holds the single-layer bunny rows.
// Run: `npm run bench -- pass-list` (writes bench/results/pass-list.json).
import { parseSpec } from '../generator/dsl/define.ts';
import { presets } from '../generator/dsl/presets.ts';
import type { AcceleratorSpec } from '../generator/dsl/spec.ts';
import { bunnyPoints } from '../generator/io/bunny.ts';
import { buildTensor } from '../generator/io/tensor-builder.ts';
import { estimateNetwork } from '../generator/network/estimate.ts';
import { networkStructure } from '../generator/network/zoo/float-network.ts';
import { zooFloatNetwork } from '../generator/network/zoo/index.ts';
import { machine, target, type Bench } from './harness.ts';

const WIDTHS = [0.5, 0.25];
const DEPTHS = [0, 64, 128, 256];
/** The array of the edge preset before this bench (4 lanes, no list) and the variants compared. */
const variant = (base: AcceleratorSpec, lanes: number, depth: number): AcceleratorSpec =>
  parseSpec({ ...base, mapping: { ...base.mapping, lanes }, gatherScatter: { ...base.gatherScatter, passListDepth: depth } });

const bench: Bench = {
  name: 'pass-list',
  description: 'pass-list replay in the compute scheduler: MinkUNet w0.5 / w0.25 on the bunny, edge array at 4 and 6 lanes and fpga, list off and on (cycle model)',
  async run(log) {
    const info = machine();
    const input = buildTensor({ points: bunnyPoints(), voxel: 0.25, channels: 4, seed: 1 });
    const configs: { label: string; base: 'edge' | 'fpga'; lanes: number }[] = [
      { label: 'edge array, 4 lanes', base: 'edge', lanes: 4 },
      { label: 'edge array, 6 lanes', base: 'edge', lanes: 6 },
      { label: 'fpga', base: 'fpga', lanes: presets.fpga.mapping.lanes },
    ];
    const rows: Record<string, unknown>[] = [];
    const at = new Map<string, number>();
    for (const width of WIDTHS) {
      const net = networkStructure(zooFloatNetwork({ arch: 'minkunet', width, inChannels: 4, classes: 8, seed: 1 }));
      for (const c of configs) {
        for (const depth of DEPTHS) {
          const spec = variant(presets[c.base], c.lanes, depth);
          const r = estimateNetwork(spec, net, input.coords, {});
          const loss: Record<string, number> = {};
          let fallbacks = 0;
          let longest = -1;
          let replayedPairs = 0;
          for (const n of r.nodes) {
            for (const [k, v] of Object.entries(n.loss ?? {})) loss[k] = (loss[k] ?? 0) + (v as number);
            if (n.passList) {
              fallbacks += n.passList.fallbacks;
              longest = Math.max(longest, n.passList.longest);
              replayedPairs += n.passList.replayedPairs;
            }
          }
          const worst = r.nodes.filter((n) => n.where === 'accelerator').sort((a, b) => (b.cycles.total - b.computeBound) - (a.cycles.total - a.computeBound)).slice(0, 3)
            .map((n) => ({ node: n.name, cycles: n.cycles.total, computeBound: n.computeBound, schedule: n.loss?.schedule ?? 0, passGrouping: n.passGrouping }));
          const row = {
            network: net.name, config: c.label, lanes: c.lanes, passListDepth: depth, cycles: r.totals.cycles,
            utilisation: Number(r.totals.utilisation.toFixed(4)), computeBound: r.totals.computeBound, loss,
            passList: depth > 0 ? { longest, replayedPairs, fallbacks } : null, worstNodes: worst,
          };
          at.set(`${width}/${c.label}/${depth}`, r.totals.cycles);
          rows.push(row);
          log(`${net.name} ${c.label.padEnd(20)} list ${String(depth).padStart(3)}: ${r.totals.cycles.toLocaleString('en-US')} cycles, ${(100 * r.totals.utilisation).toFixed(1)} %, ` +
            `schedule loss ${Math.round(loss.schedule ?? 0).toLocaleString('en-US')}, tileLoad ${Math.round(loss.tileLoad ?? 0).toLocaleString('en-US')}` +
            (depth > 0 ? `; longest list ${longest}, ${replayedPairs} pairs replayed, ${fallbacks} runs walked (list too short)` : ''));
        }
      }
    }
    const today = at.get('0.5/edge array, 4 lanes/0')!;
    const six = at.get('0.5/edge array, 6 lanes/256')!;
    const targets = [
      target('edge array with 6 lanes and a 256-entry list beats the 4-lane array without a list (MinkUNet w0.5, bunny)', 'cycles 6 lanes + list / cycles 4 lanes', '<=', 1, 'ratio', six / today, six / today),
    ];
    return {
      ...info,
      method:
        'estimateNetwork (the cycle model of `net sim --model`, map reuse on, fusion off) per config; the spec is the preset with mapping.lanes and ' +
        'gatherScatter.passListDepth replaced. The cycle model replays the scheduler (v13+: the pass list recorded in the first pair that starts on a complete map, ' +
        'replayed one pass per cycle; test/accel/pass-list.test.ts checks it against co-simulation).',
      workload: { cloud: 'bunny voxel 0.25', points: input.coords.length, networks: WIDTHS.map((w) => `minkunet w${w}, 4 → 8 classes, seed 1`), rows },
      results: [],
      targets,
      pass: targets.every((t) => t.pass),
    };
  },
};

export default bench;
