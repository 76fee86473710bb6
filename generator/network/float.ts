// The float reference of a model-zoo network: the same DAG evaluated in float64 with the
// unquantized weights and no rounding or clamping (ReLU only where the architecture has it), on
// the kernel maps of the golden model. Compare an INT8 node output x_int with it through the
// node's scale: x_float ≈ x_int · outputScale[c].
import { FieldError, INPUT_NODE, canonicalPermutation, planNetwork, shapeNode, type Coord, type NodeTensor } from '../model/index.ts';
import { networkStructure, type FloatNetwork } from './zoo/float-network.ts';

export interface FloatTensor {
  tensorStride: number;
  /** Canonical order. */
  coords: Coord[];
  channels: number;
  /** Row-major `[point][channel]`. */
  values: Float64Array;
}

/**
 * Every node's float output. `input` holds INT8 features (any order) read as `int · inputScale`;
 * `weights` optionally replaces a node's float weights (e.g. pruned ones) by name.
 */
export function runFloatNetwork(
  float: FloatNetwork, input: NodeTensor, inputScale: number, weights: Record<string, number[][][]> = {},
): Map<string, FloatTensor> {
  const plan = planNetwork(networkStructure(float), { data: false });
  const order = canonicalPermutation(input.coords);
  const cin = float.inputChannels;
  const x = new Float64Array(order.length * cin);
  order.forEach((src, r) => {
    const row = input.features?.[src];
    if (row === undefined || row.length !== cin) throw new FieldError(`input.features[${src}]`, `must have ${cin} channels`);
    for (let c = 0; c < cin; c++) x[r * cin + c] = row[c] * inputScale;
  });
  const out = new Map<string, FloatTensor>([[INPUT_NODE, { tensorStride: 1, coords: Array.from(order, (r) => input.coords[r]), channels: cin, values: x }]]);
  const coords = new Map<string, Coord[]>([[INPUT_NODE, out.get(INPUT_NODE)!.coords]]);
  const byName = new Map(float.nodes.map((n) => [n.name, n]));
  for (const name of plan.order) {
    const f = byName.get(name)!;
    const shape = shapeNode(plan, name, coords);
    coords.set(name, shape.coords);
    const a = out.get(f.inputs[0])!;
    const n = shape.coords.length;
    let t: FloatTensor;
    if (f.op === 'conv') {
      const w = weights[name] ?? f.weights;
      const cout = f.layer.outChannels, ci = a.channels;
      const y = new Float64Array(n * cout);
      shape.map!.pairs.forEach((p, i) => {
        const wi = w[i];
        for (let e = 0; e < p.input.length; e++) {
          const src = p.input[e] * ci, dst = p.output[e] * cout;
          for (let c = 0; c < ci; c++) {
            const v = a.values[src + c];
            if (v === 0) continue;
            const wr = wi[c];
            for (let o = 0; o < cout; o++) y[dst + o] += v * wr[o];
          }
        }
      });
      if (f.relu) relu(y);
      t = { tensorStride: shape.stats.outTensorStride, coords: shape.coords, channels: cout, values: y };
    } else {
      const b = out.get(f.inputs[1])!;
      if (f.op === 'add') {
        const y = Float64Array.from(a.values, (v, i) => v + b.values[i]);
        if (f.relu) relu(y);
        t = { ...a, values: y };
      } else {
        const ch = a.channels + b.channels;
        const y = new Float64Array(n * ch);
        for (let r = 0; r < n; r++) {
          y.set(a.values.subarray(r * a.channels, (r + 1) * a.channels), r * ch);
          y.set(b.values.subarray(r * b.channels, (r + 1) * b.channels), r * ch + a.channels);
        }
        t = { tensorStride: a.tensorStride, coords: a.coords, channels: ch, values: y };
      }
    }
    out.set(name, t);
  }
  return out;
}

function relu(y: Float64Array): void {
  for (let i = 0; i < y.length; i++) if (y[i] < 0) y[i] = 0;
}
