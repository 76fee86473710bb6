// The network runner on the RTL (`net sim`): every conv node runs on the complete accelerator
// through the host driver (generator/sim/accel/, tiles as needed, the map kept on chip where the
// previous conv had the same coordinates, kernel size and tensor stride and nothing was tiled);
// add and concat run in the host driver on the accelerator's outputs. Every node's output is
// compared bit for bit with the golden network.
//
// Each conv node is driven with the golden tensor of its input node. That tensor is itself
// compared with what the RTL (or the host driver, for add/concat) produced for that node, so as
// long as every earlier node matches, this is exactly the chained run; the first mismatch (in
// topological order) is reported with the node's name and, for a conv node, its harness run is
// repeated up to the node with a waveform (trace.ts).
//
// Fusion across layers (`fusion`, buffers.keepFeatures; plan-hw.ts fusionPlan): a conv whose
// output is the next conv's input keeps it in the feature buffer where it fits, and the next conv
// reads it there, so the chain on chip is real (the next conv computes from what the accelerator
// produced, not from the golden tensor). With 'on' an output that nothing else needs is not
// streamed at all: only its coordinates are compared, its features only through the nodes
// computed from them (and the network outputs, which are always streamed). 'debug' streams every
// kept output too, so every node is compared word for word; `all` implies it.
//
// Driving golden inputs lets the conv nodes
// run back to back in few harness runs: the layers of one reuse chain always share a harness run
// (the map lives in the simulated chip), and runs are cut only where no reuse is lost, after at
// most `layersPerRun` layers (progress is reported per harness run).
import { join } from 'node:path';
import type { AcceleratorSpec } from '../dsl/spec.ts';
import { compareResults, formatComparison, type ResultComparison } from '../io/layer-result.ts';
import { runNetwork, runNode, nodeLayerCase, canonicalInput, pickResult, type NetworkRun } from '../model/network.ts';
import { nodeLayerShape } from '../model/network-plan.ts';
import { INPUT_NODE, type Network, type NetworkResult, type NodeTensor } from '../model/network-types.ts';
import type { LayerResult } from '../model/types.ts';
import { planTiles, tileLimits } from '../model/tiles.ts';
import { runAccelBatch, type BatchLayer, type BatchLayerResult, type BatchOptions } from '../sim/accel/batch.ts';
import type { BuildProfile } from '../sim/build.ts';
import { canReuse, checkNetworkForSpec, derive, fusionPlan, modelConv, modelLoss, streamBytes, type ChipState, type FusionMode } from './plan-hw.ts';
import { hostRow, nodeKind, summarize, type ClockRange, type NetworkReport, type NodeRow } from './report.ts';
import { nodeMismatchReport, traceNodeMismatch } from './trace.ts';

export interface NetSimOptions {
  /** Probability of a stall per cycle on every stream and AXI-Lite response (random backpressure). */
  stall?: number;
  seed?: number;
  /** Reuse the map on chip where allowed (default true). */
  reuse?: boolean;
  /** Fusion across layers (default 'off'): see the file comment. */
  fusion?: FusionMode;
  /** The clock of the time figures, when given. */
  clockMhz?: number;
  /** The accelerator's estimated Fmax range (synth --timing), when known. */
  clockEstimate?: ClockRange;
  profile?: BuildProfile;
  /** Harness runs are cut after this many conv layers where no reuse is lost (default 12). */
  layersPerRun?: number;
  /** Names the harness run folders (default the network's name). */
  name?: string;
  /** Folder of the harness runs (one sub-folder per run; default .cache/sim-runs/accel-<name>-<i>). */
  workDir?: string;
  /** Write every node into `result` (default: the network outputs). */
  all?: boolean;
  onProgress?: (line: string) => void;
  /**
   * Test hook: replaces a node's golden tensor before the comparison (not what the next node is
   * driven with), to check that a mismatch names the node.
   */
  expectOverride?: Record<string, NodeTensor>;
  /** On a conv node's mismatch, repeat its harness run up to the node with a waveform (default true). */
  traceOnMismatch?: boolean;
}

export interface NetSimResult {
  report: NetworkReport;
  /** The accelerator's (and the host driver's) node tensors, in the result-file form. */
  result: NetworkResult;
  golden: NetworkRun;
  /** Per node, the comparison with the golden network. */
  comparisons: Map<string, ResultComparison>;
}

function asLayerResult(t: NodeTensor): LayerResult {
  const r: LayerResult = { tensorStride: t.tensorStride, coords: t.coords, accumulators: t.accumulators ?? [], wraps: 0 };
  if (t.features !== undefined) r.features = t.features;
  return r;
}

function asTensor(r: LayerResult): NodeTensor {
  return r.features !== undefined ? { tensorStride: r.tensorStride, coords: r.coords, features: r.features } : { tensorStride: r.tensorStride, coords: r.coords, accumulators: r.accumulators };
}

export async function simulateNetwork(spec: AcceleratorSpec, net: Network, input: NodeTensor, opts: NetSimOptions = {}): Promise<NetSimResult> {
  const t0 = performance.now();
  const say = opts.onProgress ?? (() => {});
  const widths = spec.arithmetic;
  const golden = runNetwork(net, input, { widths, all: true });
  const plan = golden.plan;
  const expected = (name: string) => opts.expectOverride?.[name] ?? golden.tensors.get(name)!;
  say(`golden network: ${golden.order.length} nodes on ${golden.tensors.get(INPUT_NODE)!.coords.length} points, ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  // Every node the accelerator cannot run is refused by name before anything is built.
  checkNetworkForSpec(spec, plan, (node) => golden.tensors.get(node)!.coords);

  // Conv nodes in topological order, cut into harness runs where no reuse is lost.
  const lim = tileLimits(spec);
  const convs = golden.order.filter((n) => plan.info.get(n)!.node!.op === 'conv');
  const fusion: FusionMode = opts.fusion ?? 'off';
  const fplan = fusionPlan(spec, plan, convs, fusion === 'on' && opts.all ? 'debug' : fusion);
  const chunks: BatchLayer[][] = [];
  let chip: ChipState | undefined;
  let prevConv: string | undefined;
  const perRun = opts.layersPerRun ?? 12;
  for (const name of convs) {
    const c = nodeLayerCase(plan, name, golden.tensors);
    const inCoords = c.input.coords; // canonical: a node tensor
    const outCoords = golden.tensors.get(name)!.coords;
    const tiles = planTiles({ layer: c.layer, inCoords, outCoords }, lim).length;
    // A kept output lives in the simulated chip: its consumer runs in the same harness run.
    const fused = prevConv !== undefined && fplan.get(prevConv)?.keepForNext === true;
    const chained = (opts.reuse !== false && canReuse(chip, c.layer, inCoords, tiles)) || fused;
    const last = chunks[chunks.length - 1];
    if (last === undefined || (!chained && last.length >= perRun)) chunks.push([]);
    const fp = fplan.get(name);
    chunks[chunks.length - 1]!.push({ name, case: c, golden: asLayerResult(expected(name)), ...(fp ? { keepForNext: true, streamOut: fp.streamOut } : {}) });
    prevConv = name;
    chip = { layer: { type: c.layer.type, kernelSize: c.layer.kernelSize, inTensorStride: c.layer.inTensorStride, inCoords }, tiled: tiles > 1 };
  }

  const hw = new Map<string, BatchLayerResult>();
  const command = new Map<string, string>();
  const xSeedOf = new Map<string, number>();
  const chunkOf = new Map<string, number>();
  const runOpts = (i: number, suffix = ''): BatchOptions => ({
    name: `${opts.name ?? net.name}-${i + 1}${suffix}`, ...(opts.workDir ? { workDir: join(opts.workDir, `run-${i + 1}${suffix}`) } : {}),
    stall: opts.stall, seed: (opts.seed ?? 1) + i, reuse: opts.reuse, profile: opts.profile, fusion: fusion !== 'off',
  });
  let simulatedCycles = 0, buildMs = 0;
  for (const [i, chunk] of chunks.entries()) {
    const t1 = performance.now();
    const r = await runAccelBatch(spec, chunk, runOpts(i));
    for (const l of r.layers) {
      hw.set(l.name, l);
      command.set(l.name, r.run.command);
      xSeedOf.set(l.name, r.run.xSeed);
      chunkOf.set(l.name, i);
    }
    simulatedCycles += r.run.summary.cycles;
    if (!r.build.cached) buildMs += r.build.buildMs;
    const bad = r.layers.filter((l) => !l.comparison.equal).map((l) => l.name);
    say(
      `harness run ${i + 1}/${chunks.length}: ${chunk.length} conv node${chunk.length === 1 ? '' : 's'} (${chunk[0]!.name} … ${chunk[chunk.length - 1]!.name}), ` +
        `${r.run.summary.cycles.toLocaleString('en-US')} cycles in ${((performance.now() - t1) / 1000).toFixed(1)} s` +
        `${r.build.cached ? '' : ` (build ${(r.build.buildMs / 1000).toFixed(1)} s)`}${bad.length ? `, MISMATCH: ${bad.join(', ')}` : ''}`,
    );
  }

  // The nodes in topological order: conv outputs from the RTL, add/concat by the host driver on them.
  const mine = new Map<string, NodeTensor>([[INPUT_NODE, canonicalInput(net, input, widths)]]);
  const comparisons = new Map<string, ResultComparison>();
  const rows: NodeRow[] = [];
  let firstMismatch: NetworkReport['firstMismatch'];
  const statsOf = new Map(golden.stats.map((s) => [s.name, s]));
  const d = derive(spec);
  for (const name of golden.order) {
    const n = plan.info.get(name)!.node!;
    const s = statsOf.get(name)!;
    let cmp: ResultComparison;
    if (n.op === 'conv') {
      const l = hw.get(name)!;
      mine.set(name, asTensor(l.result));
      cmp = l.comparison;
      const layer = nodeLayerShape(plan, n);
      const post = { bias: n.bias !== undefined, requant: n.requant !== undefined };
      const m = modelConv(spec, s, layer, post, l.runs);
      const c = l.stats.cycles;
      const W = spec.interfaces.axisDataWidth / 8;
      const plain = streamBytes(spec, d, layer, post, l.runs.map((r) => ({ ...r, featOnChip: false, wordsOnChip: false })));
      rows.push({
        name, op: 'conv', kind: nodeKind(s), where: 'accelerator', pointsIn: s.pointsIn, pointsOut: s.pointsOut,
        inTensorStride: s.inTensorStride, outTensorStride: s.outTensorStride, inChannels: s.inChannels, outChannels: s.outChannels,
        mapEntries: s.mapEntries, macs: s.macs, computeBound: l.stats.computeBound, tiles: l.tiles.length, reused: l.reused,
        ...(l.tiles.length > 1 && l.tiling.chosenBy !== 'only' ? { tiling: l.tiling.plan } : {}),
        passGrouping: l.stats.passGrouping.policy,
        cycles: { total: c.total, coordLoad: c.coordLoad, measured: c.measured, mapping: c.mapping, compute: c.compute, stall: c.stall, tail: c.tail },
        utilisation: c.total > 0 ? l.stats.computeBound / c.total : 0,
        bytesIn: l.beatsIn * W, bytesOut: l.beatsOut * W,
        fusion: { featOnChip: l.fusion.featOnChip, keptOut: l.fusion.keptOut, streamedOut: l.fusion.streamedOut, ...(l.fusion.refusal ? { refusal: l.fusion.refusal } : {}) },
        bytesNoFusion: plain.bytesIn + plain.bytesOut,
        sweepCycles: l.stats.sweepCycles,
        loss: modelLoss(m.prediction),
        model: { total: m.prediction.total, noReuse: m.noReuse.total, error: c.total > 0 ? (m.prediction.total - c.total) / c.total : 0 },
        match: cmp.equal, mismatches: cmp.count,
      });
    } else {
      const t = runNode(plan, name, mine, widths).tensor;
      mine.set(name, t);
      cmp = compareResults(asLayerResult(expected(name)), asLayerResult(t), { limit: 20 });
      rows.push({ ...hostRow(s), match: cmp.equal, mismatches: cmp.count });
    }
    comparisons.set(name, cmp);
    if (!cmp.equal && firstMismatch === undefined) {
      const where = n.op === 'conv' ? `accelerator, ${hw.get(name)!.tiles.length} tile(s), seed ${opts.seed ?? 1}, stall ${opts.stall ?? 0}` : 'host driver';
      let rerun = '';
      if (n.op === 'conv') {
        const i = chunkOf.get(name)!;
        const chunk = chunks[i]!;
        const position = chunk.findIndex((l) => l.name === name) + 1;
        const first = cmp.mismatches[0]!;
        say(`node ${name} does not match: repeating harness run ${i + 1} up to it with a waveform`);
        const trace = opts.traceOnMismatch === false ? undefined : await traceNodeMismatch(spec, chunk.slice(0, position), runOpts(i, '-trace'), first);
        rerun = `\n${nodeMismatchReport({
          node: name, caseName: runOpts(i).name!, harnessRun: i + 1, harnessRuns: chunks.length, position, runLength: chunk.length,
          seed: (opts.seed ?? 1) + i, xSeed: xSeedOf.get(name)!, stall: opts.stall ?? 0, mismatch: first,
          cycle: first.point === undefined ? -1 : hw.get(name)!.outputCycle(first.point, first.channel), ...(trace ? { trace } : {}),
        })}\nreproduce the harness run: ${command.get(name)}`;
      }
      const unseen = n.op === 'conv' && !hw.get(name)!.fusion.streamedOut ? ' (output kept on chip: coordinates compared)' : '';
      firstMismatch = { node: name, report: `node ${JSON.stringify(name)} (${nodeKind(s)}, ${where})${unseen}: ${formatComparison(cmp)}${rerun}` };
    }
  }
  const report = summarize({
    network: net.name, spec: spec.name, source: 'rtl', inputPoints: golden.tensors.get(INPUT_NODE)!.coords.length, reuse: opts.reuse !== false, fusion,
    ...(opts.clockMhz !== undefined ? { clockMhz: opts.clockMhz } : {}), ...(opts.clockEstimate ? { clockEstimate: opts.clockEstimate } : {}), nodes: rows, match: firstMismatch === undefined, firstMismatch,
    run: { wallMs: Math.round(performance.now() - t0), harnessRuns: chunks.length, simulatedCycles, buildMs: Math.round(buildMs) },
  });
  return { report, result: pickResult(plan, mine, opts.all ?? false), golden, comparisons };
}
