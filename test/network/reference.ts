// An independent reference of DESIGN.md §6 for tests: a network evaluated by direct definition
// over dictionaries keyed by coordinate strings, sharing no code with generator/model (its own
// offsets, output coordinates, recursion instead of a topological sort, BigInt arithmetic
// throughout). Slow by design; small networks only. It assumes a valid network.
import type { Coord, NetworkNode, NodeTensor } from '../../generator/model/index.ts';

interface Widths { inWidth: number; weightWidth: number; accWidth: number; outWidth: number }

interface Tensor {
  ts: number;
  /** key `b,x,y,z` → row; every row of one tensor has the same length. */
  rows: Map<string, bigint[]>;
  raw: boolean;
}

interface Net {
  inputChannels: number;
  nodes: NetworkNode[];
  outputs: string[];
}

const key = (c: readonly number[]) => c.join(',');
const unkey = (k: string) => k.split(',').map(Number) as Coord;

export function referenceNetwork(net: Net, input: NodeTensor, w: Widths): Record<string, NodeTensor> {
  const byName = new Map(net.nodes.map((n) => [n.name, n]));
  const memo = new Map<string, Tensor>();
  const inRows = new Map<string, bigint[]>();
  input.coords.forEach((c, r) => inRows.set(key(c), input.features![r].map(BigInt)));
  memo.set('input', { ts: input.tensorStride, rows: inRows, raw: false });

  const evaluate = (name: string): Tensor => {
    const done = memo.get(name);
    if (done) return done;
    const n = byName.get(name)!;
    let t: Tensor;
    if (n.op === 'conv') t = conv(n, evaluate(n.inputs[0]), n.outputCoordsOf === undefined ? undefined : evaluate(n.outputCoordsOf), w);
    else {
      const a = evaluate(n.inputs[0]), b = evaluate(n.inputs[1]);
      const rows = new Map<string, bigint[]>();
      for (const [k, ra] of a.rows) {
        const rb = b.rows.get(k)!;
        if (n.op === 'concat') rows.set(k, [...ra, ...rb]);
        else {
          const p = n.add;
          rows.set(k, ra.map((x, c) => clampDiv(x * BigInt(p.multiplierA[c]) + rb[c] * BigInt(p.multiplierB[c]), p.shift[c], p.relu, w.outWidth)));
        }
      }
      t = { ts: a.ts, rows, raw: false };
    }
    memo.set(name, t);
    return t;
  };

  const out: Record<string, NodeTensor> = {};
  for (const n of net.nodes) {
    const t = evaluate(n.name);
    const keys = [...t.rows.keys()].map(unkey).sort((p, q) => p[0] - q[0] || p[1] - q[1] || p[2] - q[2] || p[3] - q[3]);
    const data = keys.map((c) => t.rows.get(key(c))!.map(Number));
    out[n.name] = t.raw ? { tensorStride: t.ts, coords: keys, accumulators: data } : { tensorStride: t.ts, coords: keys, features: data };
  }
  return out;
}

function axis(k: number): number[] {
  const out: number[] = [];
  for (let a = 0; a < k; a++) out.push(k % 2 === 1 ? a - (k - 1) / 2 : a);
  return out;
}

function conv(n: Extract<NetworkNode, { op: 'conv' }>, x: Tensor, of: Tensor | undefined, w: Widths): Tensor {
  const { type, kernelSize: k, stride, outChannels: cout } = n.layer;
  const outTs = type === 'conv' ? x.ts * stride : type === 'transposed' ? x.ts / stride : x.ts;
  let outKeys: string[];
  if (type === 'submanifold') outKeys = [...x.rows.keys()];
  else if (type === 'transposed') outKeys = [...of!.rows.keys()];
  else {
    const s = new Set<string>();
    for (const kk of x.rows.keys()) {
      const c = unkey(kk);
      s.add(key([c[0], ...c.slice(1).map((v) => Math.floor(v / outTs) * outTs)]));
    }
    outKeys = [...s];
  }
  const ax = axis(k);
  const rows = new Map<string, bigint[]>();
  for (const ok of outKeys) {
    const p = unkey(ok);
    const sum = new Array<bigint>(cout).fill(0n);
    for (let iz = 0; iz < k; iz++) for (let iy = 0; iy < k; iy++) for (let ix = 0; ix < k; ix++) {
      const d = [ax[ix], ax[iy], ax[iz]];
      // submanifold/conv: in[p + δ(ts)]; transposed: the q with p = q + δ(outTs).
      const q = type === 'transposed'
        ? [p[0], p[1] - d[0] * outTs, p[2] - d[1] * outTs, p[3] - d[2] * outTs]
        : [p[0], p[1] + d[0] * x.ts, p[2] + d[1] * x.ts, p[3] + d[2] * x.ts];
      const f = x.rows.get(key(q));
      if (f === undefined) continue;
      const wi = n.weights[(iz * k + iy) * k + ix];
      f.forEach((v, c) => { for (let o = 0; o < cout; o++) sum[o] += v * BigInt(wi[c][o]); });
    }
    const acc = sum.map((s, o) => BigInt.asIntN(w.accWidth, s + BigInt(n.bias?.[o] ?? 0)));
    const rq = n.requant;
    rows.set(ok, rq === undefined ? acc : acc.map((a, o) => clampDiv(a * BigInt(rq.multiplier[o]), rq.shift[o], rq.relu, w.outWidth)));
  }
  return { ts: outTs, rows, raw: n.requant === undefined };
}

/** `clamp(floor((v + r) / 2^sh), lo, hi)` by explicit floor division. */
function clampDiv(v: bigint, sh: number, relu: boolean, outWidth: number): bigint {
  const num = v + (sh > 0 ? 2n ** BigInt(sh - 1) : 0n);
  const den = 2n ** BigInt(sh);
  let q = num / den;
  if (num % den !== 0n && num < 0n) q -= 1n;
  const hi = 2n ** BigInt(outWidth - 1) - 1n;
  const lo = relu ? 0n : -hi - 1n;
  return q < lo ? lo : q > hi ? hi : q;
}
