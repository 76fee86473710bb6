// `sparseforge.network-result/1` files (DESIGN.md §6): the tensors of a network's outputs (every
// node with `--all`), coordinates in canonical order, `features` (outWidth-bit) or, for a conv
// output without requantization, `accumulators` (accWidth-bit). Also the node-by-node comparison
// of two results that mismatch reports use.
import { DEFAULT_WIDTHS, FieldError } from '../model/index.ts';
import type { ArithmeticWidths, LayerResult, NetworkResult, NodeTensor } from '../model/index.ts';
import { validateTensor } from '../model/index.ts';
import {
  checkArray, checkCanonicalOrder, checkCoords, checkIntMatrix, checkObject, checkTensorStride, describe, join, signedRange,
} from './check.ts';
import { inFile, readJsonFile, writeFileAtomic } from './files.ts';
import { rows } from './layer-case.ts';
import { compareResults, type CompareOptions, type ResultComparison } from './layer-result.ts';

export const NETWORK_RESULT_FORMAT = 'sparseforge.network-result/1';

const NODE_FIELDS = ['tensorStride', 'coords', 'features', 'accumulators'] as const;

export function parseNetworkResult(json: unknown, widths: ArithmeticWidths = DEFAULT_WIDTHS): NetworkResult {
  const doc = checkObject(json, '', ['format', 'nodes']);
  if (doc.format !== NETWORK_RESULT_FORMAT) {
    throw new FieldError('format', `expected "${NETWORK_RESULT_FORMAT}", got ${describe(doc.format)}`);
  }
  if (typeof doc.nodes !== 'object' || doc.nodes === null || Array.isArray(doc.nodes)) {
    throw new FieldError('nodes', `expected an object of node tensors, got ${describe(doc.nodes)}`);
  }
  const nodes: Record<string, NodeTensor> = {};
  for (const [name, v] of Object.entries(doc.nodes as Record<string, unknown>)) nodes[name] = parseNodeTensor(v, join('nodes', name), widths);
  return { nodes };
}

function parseNodeTensor(v: unknown, field: string, widths: ArithmeticWidths): NodeTensor {
  const o = checkObject(v, field, NODE_FIELDS, ['tensorStride', 'coords']);
  const hasF = o.features !== undefined, hasA = o.accumulators !== undefined;
  if (hasF === hasA) throw new FieldError(field, 'expected exactly one of features (requantized) or accumulators (raw conv output)');
  const tensorStride = checkTensorStride(o.tensorStride, `${field}.tensorStride`);
  const coords = checkCoords(o.coords, `${field}.coords`);
  validateTensor(coords, tensorStride, `${field}.coords`, `${field}.tensorStride`);
  checkCanonicalOrder(coords, `${field}.coords`);
  const key = hasF ? 'features' : 'accumulators';
  const f = `${field}.${key}`;
  const data = checkArray(o[key], f, coords.length, 'one row per coordinate');
  const channels = data.length > 0 ? checkArray(data[0], `${f}[0]`).length : 0;
  if (data.length > 0 && channels === 0) throw new FieldError(`${f}[0]`, 'expected at least one channel');
  const [lo, hi] = signedRange(hasF ? widths.outWidth : widths.accWidth);
  const m = checkIntMatrix(data, f, coords.length, channels, lo, hi, 'one row per coordinate', `the channel count of ${key}[0]`);
  return hasF ? { tensorStride, coords, features: m } : { tensorStride, coords, accumulators: m };
}

/** JSON text of a result: node by node, one point per line. */
export function serializeNetworkResult(r: NetworkResult): string {
  const nodes = Object.entries(r.nodes).map(([name, t]) => {
    const parts = [`"tensorStride": ${t.tensorStride}`, `"coords": ${rows(t.coords, '      ')}`];
    if (t.features !== undefined) parts.push(`"features": ${rows(t.features, '      ')}`);
    if (t.accumulators !== undefined) parts.push(`"accumulators": ${rows(t.accumulators, '      ')}`);
    return `    ${JSON.stringify(name)}: {\n      ${parts.join(',\n      ')}\n    }`;
  });
  return `{\n  "format": ${JSON.stringify(NETWORK_RESULT_FORMAT)},\n  "nodes": {${nodes.length ? `\n${nodes.join(',\n')}\n  ` : ''}}\n}\n`;
}

export async function readNetworkResultFile(path: string, widths?: ArithmeticWidths): Promise<NetworkResult> {
  const json = await readJsonFile(path);
  return inFile(path, () => parseNetworkResult(json, widths));
}

export async function writeNetworkResultFile(path: string, r: NetworkResult): Promise<void> {
  await writeFileAtomic(path, serializeNetworkResult(r));
}

/** A node tensor seen as a layer result, so that compareResults reports coordinates and channels. */
export function tensorAsResult(t: NodeTensor): LayerResult {
  const r: LayerResult = { tensorStride: t.tensorStride, coords: t.coords, accumulators: t.accumulators ?? t.coords.map(() => []), wraps: 0 };
  if (t.features !== undefined) r.features = t.features;
  return r;
}

export interface NodeComparison {
  node: string;
  comparison: ResultComparison;
}

/**
 * Node by node, in the order of `expected`: every node of `expected` must be in `actual` with the
 * same tensor. Returns the nodes that differ (a node missing in `actual` has count 1 and no mismatches).
 */
export function compareNetworkResults(
  expected: NetworkResult, actual: NetworkResult, opts: Omit<CompareOptions, 'wraps'> = {},
): NodeComparison[] {
  const out: NodeComparison[] = [];
  for (const [node, e] of Object.entries(expected.nodes)) {
    const a = actual.nodes[node];
    if (a === undefined) {
      out.push({ node, comparison: { equal: false, count: 1, mismatches: [] } });
      continue;
    }
    const comparison = compareResults(tensorAsResult(e), tensorAsResult(a), { ...opts, wraps: false });
    if (!comparison.equal) out.push({ node, comparison });
  }
  return out;
}
