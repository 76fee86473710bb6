// Post-training quantization of a float network to the INT8 network of DESIGN.md §6, calibrated
// on one input. Every tensor T has a float scale per channel, x_float ≈ x_int · s_T[c]. Node by
// node, in topological order, on the calibration input:
// - conv: the input scales are folded into the float weights, V = W · s_x[cin], and V is
//   quantized with one per-layer scale s_w = max|V| / 127, so acc · s_w ≈ the float output. The
//   layer runs without requantization; the output scale is chosen so that the `quantile` of the
//   observed accumulators (their positive part after a ReLU, their magnitude otherwise) maps onto
//   the top of the INT8 range, and m / 2^sh ≈ s_w / s_y with a 15-bit multiplier. A raw output
//   (the head) keeps its accumulators, scale s_w.
// - add: `(a·ma + b·mb) / 2^sh` with ma ≈ s_a / s_y, mb ≈ s_b / s_y, s_y from the quantile of
//   the float sums.
// - concat: the scales of both inputs, side by side.
// Then the nodes' outputs are computed with the golden model itself, so what is calibrated is
// exactly what runs, and the saturated fraction (outputs clipped at the INT8 range) is reported.
import {
  DEFAULT_WIDTHS, canonicalInput, nodeLayerCase, planNetwork, runLayerFlat, runNode,
  type AddNode, type ArithmeticWidths, type Network, type NetworkNode, type NodeStats, type NodeTensor,
} from '../model/index.ts';
import { networkStructure, type FloatNetwork } from './zoo/float-network.ts';

export interface NodeScales {
  /** Per output channel: x_float ≈ x_int · outputScale[c] (accumulators for a raw output). */
  outputScale: number[];
  /** Conv nodes: the per-layer weight scale (int weight · weightScale = folded float weight). */
  weightScale?: number;
}

export interface NodeCalibration {
  name: string;
  op: NetworkNode['op'];
  /** Outputs clipped at the INT8 range on the calibration input, and all outputs. */
  saturated: number;
  values: number;
  /** The accumulator (conv) or float-sum (add) level mapped to the top of the range. */
  clipLevel?: number;
}

export interface CalibrateOptions {
  widths?: ArithmeticWidths;
  /** Quantile of the observed values mapped to the top of the output range (default 0.999). */
  quantile?: number;
  /** Float value of one unit of the INT8 input features (default 1/128). */
  inputScale?: number;
  /** Called after each node is calibrated (progress of long runs). */
  onNode?: (name: string, done: number, total: number) => void;
}

export interface QuantizedNetwork {
  network: Network;
  scales: Record<string, NodeScales>;
  inputScale: number;
  report: NodeCalibration[];
  /** The golden model's per-node stats on the calibration input. */
  stats: NodeStats[];
}

/** Significant bits of the calibrated requantization and add multipliers. */
export const CALIBRATED_BITS = 15;
const SAMPLE = 1 << 18;

export function quantizeNetwork(float: FloatNetwork, calibration: NodeTensor, opts: CalibrateOptions = {}): QuantizedNetwork {
  const widths = opts.widths ?? DEFAULT_WIDTHS;
  const quantile = opts.quantile ?? 0.999;
  const inputScale = opts.inputScale ?? 1 / 128;
  const hi = 2 ** (widths.outWidth - 1) - 1;
  const wMax = 2 ** (widths.weightWidth - 1) - 1;

  // The INT8 network's skeleton: structure now, data filled in node by node.
  const network = networkStructure(float);
  const plan = planNetwork(network, { widths, data: false });
  const byName = new Map(float.nodes.map((n) => [n.name, n]));
  const scales: Record<string, NodeScales> = { input: { outputScale: new Array(float.inputChannels).fill(inputScale) } };
  const tensors = new Map<string, NodeTensor>([['input', canonicalInput(network, calibration, widths)]]);
  const report: NodeCalibration[] = [];
  const stats: NodeStats[] = [];

  for (const name of plan.order) {
    const n = plan.info.get(name)!.node!;
    const f = byName.get(name)!;
    let clipLevel: number | undefined;
    if (n.op === 'conv' && f.op === 'conv') {
      const sx = scales[n.inputs[0]].outputScale;
      let vmax = 0;
      for (const wi of f.weights) for (let c = 0; c < wi.length; c++) for (const w of wi[c]) vmax = Math.max(vmax, Math.abs(w * sx[c]));
      const sw = vmax === 0 ? 1 : vmax / wMax;
      // `+ 0` turns -0 into 0, which a file round trip would do anyway.
      n.weights = f.weights.map((wi) => wi.map((row, c) => row.map((w) => clampInt(Math.round((w * sx[c]) / sw), -wMax, wMax) + 0)));
      const cout = n.layer.outChannels;
      if (n.requant !== undefined) {
        const relu = n.requant.relu;
        delete n.requant;
        const { acc } = runLayerFlat(nodeLayerCase(plan, name, tensors), widths);
        clipLevel = quantileOfFlat(acc, relu, quantile);
        const [m, sh] = fixedPoint(clipLevel === 0 ? 1 : hi / clipLevel);
        n.requant = { multiplier: new Array(cout).fill(m), shift: new Array(cout).fill(sh), relu };
        scales[name] = { outputScale: new Array(cout).fill((sw * 2 ** sh) / m), weightScale: sw };
      } else {
        scales[name] = { outputScale: new Array(cout).fill(sw), weightScale: sw };
      }
    } else if (n.op === 'add') {
      const sa = scales[n.inputs[0]].outputScale, sb = scales[n.inputs[1]].outputScale;
      const a = tensors.get(n.inputs[0])!.features!, b = tensors.get(n.inputs[1])!.features!;
      const sums = a.map((ra, r) => ra.map((v, c) => v * sa[c] + b[r][c] * sb[c]));
      clipLevel = quantileOf(sums, n.add.relu, quantile);
      const sy = clipLevel === 0 ? Math.max(...sa, ...sb) : clipLevel / hi;
      setAddParams(n, sa, sb, sy);
      scales[name] = { outputScale: new Array(sa.length).fill(sy) };
    } else if (n.op === 'concat') {
      scales[name] = { outputScale: [...scales[n.inputs[0]].outputScale, ...scales[n.inputs[1]].outputScale] };
    }
    const r = runNode(plan, name, tensors, widths);
    tensors.set(name, r.tensor);
    stats.push(r.stats);
    const entry: NodeCalibration = { name, op: n.op, saturated: r.stats.saturated, values: r.stats.pointsOut * r.stats.outChannels };
    if (clipLevel !== undefined) entry.clipLevel = clipLevel;
    report.push(entry);
    opts.onNode?.(name, report.length, plan.order.length);
  }
  // The finished network passes the full validation.
  planNetwork(network, { widths });
  return { network, scales, inputScale, report, stats };
}

function setAddParams(n: AddNode, sa: number[], sb: number[], sy: number): void {
  const top = 2 ** CALIBRATED_BITS;
  n.add.multiplierA = [];
  n.add.multiplierB = [];
  n.add.shift = [];
  for (let c = 0; c < sa.length; c++) {
    const ma = sa[c] / sy, mb = sb[c] / sy;
    const big = Math.max(ma, mb);
    const sh = clampInt(CALIBRATED_BITS - 1 - Math.floor(Math.log2(big)), 0, 63);
    n.add.multiplierA.push(clampInt(Math.round(ma * 2 ** sh), 0, top - 1));
    n.add.multiplierB.push(clampInt(Math.round(mb * 2 ** sh), 0, top - 1));
    n.add.shift.push(sh);
  }
}

/** `scale ≈ m / 2^sh` with m < 2^CALIBRATED_BITS, sh ∈ [0, 63]. */
export function fixedPoint(scale: number): [number, number] {
  const top = 2 ** CALIBRATED_BITS;
  const sh = clampInt(CALIBRATED_BITS - 1 - Math.floor(Math.log2(scale)), 0, 63);
  return [clampInt(Math.round(scale * 2 ** sh), 1, top - 1), sh];
}

function clampInt(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

/**
 * The q-quantile of the values' positive parts (after a ReLU) or magnitudes, from an evenly
 * strided sample of at most 2^18 values.
 */
function quantileOf(rows: number[][], relu: boolean, q: number): number {
  const width = rows.length === 0 ? 0 : rows[0].length;
  return quantileOfSample(rows.length * width, (i) => rows[Math.floor(i / width)][i % width], relu, q);
}

function quantileOfFlat(values: Float64Array, relu: boolean, q: number): number {
  return quantileOfSample(values.length, (i) => values[i], relu, q);
}

function quantileOfSample(total: number, at: (i: number) => number, relu: boolean, q: number): number {
  if (total === 0) return 0;
  const step = Math.max(1, Math.floor(total / SAMPLE));
  const sample = new Float64Array(Math.ceil(total / step));
  let k = 0;
  for (let i = 0; i < total; i += step) {
    const v = at(i);
    sample[k++] = relu ? Math.max(0, v) : Math.abs(v);
  }
  const s = sample.subarray(0, k).sort();
  return s[Math.min(k - 1, Math.floor(q * (k - 1)))];
}
