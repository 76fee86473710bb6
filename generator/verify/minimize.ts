// Greedy minimization of a failing layer case: drop input points (and, for transposed layers,
// output points) in shrinking chunks, then output and input channels, keeping every step that
// still fails. The predicate runs the case on the RTL; the number of runs is bounded.
import type { LayerCase } from '../model/types.ts';

export interface Minimized {
  case: LayerCase;
  /** Predicate runs spent. */
  runs: number;
}

function keepInputs(c: LayerCase, keep: (i: number) => boolean): LayerCase {
  const idx = c.input.coords.map((_, i) => i).filter(keep);
  return { ...c, input: { coords: idx.map((i) => c.input.coords[i]!), features: idx.map((i) => c.input.features[i]!) } };
}

function keepOutputs(c: LayerCase, keep: (i: number) => boolean): LayerCase {
  return { ...c, outputCoords: c.outputCoords!.filter((_, i) => keep(i)) };
}

/** Keep the output channels whose index passes `keep`. */
function keepCout(c: LayerCase, keep: (o: number) => boolean): LayerCase {
  const pick = <T>(xs: T[]) => xs.filter((_, o) => keep(o));
  const n = Array.from({ length: c.layer.outChannels }, (_, o) => o).filter(keep).length;
  return {
    ...c,
    layer: { ...c.layer, outChannels: n },
    weights: c.weights.map((wi) => wi.map((row) => pick(row))),
    bias: c.bias && pick(c.bias),
    requant: c.requant && { ...c.requant, multiplier: pick(c.requant.multiplier), shift: pick(c.requant.shift) },
  };
}

/** Keep the input channels whose index passes `keep`. */
function keepCin(c: LayerCase, keep: (i: number) => boolean): LayerCase {
  const n = Array.from({ length: c.layer.inChannels }, (_, i) => i).filter(keep).length;
  return {
    ...c,
    layer: { ...c.layer, inChannels: n },
    input: { coords: c.input.coords, features: c.input.features.map((f) => f.filter((_, i) => keep(i))) },
    weights: c.weights.map((wi) => wi.filter((_, i) => keep(i))),
  };
}

function clean(c: LayerCase): LayerCase {
  const out: LayerCase = { ...c };
  if (out.bias === undefined) delete out.bias;
  if (out.requant === undefined) delete out.requant;
  if (out.outputCoords === undefined) delete out.outputCoords;
  return out;
}

/**
 * `fails(case, k)` must return true when the case still fails (k numbers the attempt, for work
 * folders). At most `maxRuns` attempts.
 */
export async function minimizeCase(c0: LayerCase, fails: (c: LayerCase, k: number) => Promise<boolean>, maxRuns = 80): Promise<Minimized> {
  let c = clean(c0);
  let runs = 0;
  const attempt = async (cand: LayerCase): Promise<boolean> => {
    if (runs >= maxRuns) return false;
    runs++;
    const ok = await fails(clean(cand), runs);
    if (ok) c = clean(cand);
    return ok;
  };
  // Points: chunks of n/2, n/4, … 1 (ddmin-like, greedy).
  const shrink = async (count: () => number, drop: (lo: number, hi: number) => LayerCase, min: number) => {
    for (let chunk = Math.max(1, Math.floor(count() / 2)); chunk >= 1 && runs < maxRuns; chunk = Math.floor(chunk / 2)) {
      for (let lo = 0; lo < count() && count() > min && runs < maxRuns; ) {
        const hi = Math.min(count(), lo + chunk);
        if (count() - (hi - lo) < min || !(await attempt(drop(lo, hi)))) lo = hi;
      }
      if (chunk === 1) break;
    }
  };
  await shrink(() => c.input.coords.length, (lo, hi) => keepInputs(c, (i) => i < lo || i >= hi), 1);
  if (c.outputCoords) await shrink(() => c.outputCoords!.length, (lo, hi) => keepOutputs(c, (i) => i < lo || i >= hi), 1);
  // Channels: drop chunks of channel indices (any position), at least one kept.
  await shrink(() => c.layer.outChannels, (lo, hi) => keepCout(c, (o) => o < lo || o >= hi), 1);
  await shrink(() => c.layer.inChannels, (lo, hi) => keepCin(c, (i) => i < lo || i >= hi), 1);
  // Points again: a smaller channel count may let more points go.
  await shrink(() => c.input.coords.length, (lo, hi) => keepInputs(c, (i) => i < lo || i >= hi), 1);
  return { case: c, runs };
}
