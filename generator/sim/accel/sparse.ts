// Host-side N:M weight sparsity (DESIGN.md §7, docs/accelerator.md "N:M weight sparsity"): the check
// that a layer fits the accelerator's pattern, and how a dense layer still runs on an N:M
// accelerator when the caller asks for it.
import type { AcceleratorSpec } from '../../dsl/spec.ts';
import { weightPattern } from '../../dsl/sparsity.ts';
import { describeNmViolation, FieldError, findNmViolation, nmName, type LayerCase, type NmPattern } from '../../model/index.ts';

/** What the driver does with a layer whose weights are not N:M sparse for the accelerator's pattern. */
export type DenseLayerPolicy = 'refuse' | 'pad';

/** Throws a FieldError naming the first offending kernel index, input-channel group and output channel. */
export function checkWeightPattern(spec: AcceleratorSpec, c: LayerCase): void {
  const nm = weightPattern(spec);
  if (!nm) return;
  const v = findNmViolation(c.weights, nm);
  if (v === undefined) return;
  throw new FieldError(
    `weights[${v.kernelIndex}]`,
    `${describeNmViolation(v, nm)}; ${spec.name} has matrix.weightSparsity ${nmName(nm)} (prune the layer: sparseforge prune --pattern ${nmName(nm)}; or run it padded at dense speed: --dense-layers pad)`,
  );
}

/**
 * The same layer with every group of N real input channels spread over M virtual ones (channel
 * c → (c div N)·M + c mod N, the other M − N virtual channels zero in features and weights).
 * The padded layer is N:M sparse whatever its weights, its result is the original's bit for bit
 * (zeros add nothing), and since a pass covers rows · M/N virtual = rows real channels, it runs at
 * the speed of a dense array of the same size; features and weights stream M/N times wider.
 */
export function padToPattern(c: LayerCase, nm: NmPattern, maxChannels: number, specName: string): LayerCase {
  const cin = c.layer.inChannels;
  const virt = (ch: number) => Math.floor(ch / nm.n) * nm.m + (ch % nm.n);
  const cinV = cin === 0 ? 0 : virt(cin - 1) + 1;
  if (cinV > maxChannels) {
    throw new FieldError(
      'layer.inChannels',
      `a dense layer runs on ${specName} (${nmName(nm)}) padded to ${cinV} input channels, above matrix.maxChannels = ${maxChannels}; prune it or use a dense accelerator`,
    );
  }
  const spread = (row: readonly number[]) => {
    const out = new Array<number>(cinV).fill(0);
    row.forEach((v, ch) => (out[virt(ch)] = v));
    return out;
  };
  const cout = c.layer.outChannels;
  return {
    ...c,
    layer: { ...c.layer, inChannels: cinV },
    input: { coords: c.input.coords, features: c.input.features.map(spread) },
    weights: c.weights.map((wi) => {
      const out = Array.from({ length: cinV }, () => new Array<number>(cout).fill(0));
      wi.forEach((row, ch) => (out[virt(ch)] = [...row]));
      return out;
    }),
  };
}

/** The case the accelerator runs: `c` itself, or its padded form for a dense layer under the 'pad' policy. */
export function caseForPattern(spec: AcceleratorSpec, c: LayerCase, policy: DenseLayerPolicy): LayerCase {
  const nm = weightPattern(spec);
  if (!nm || findNmViolation(c.weights, nm) === undefined) return c;
  if (policy === 'refuse') checkWeightPattern(spec, c);
  return padToPattern(c, nm, spec.matrix.maxChannels, spec.name);
}
