// `sparseforge.float-network/1` files: a zoo network's float form (the same DAG with float
// weights, ReLU flags, which convs requantize) with the input scale and every node's output
// scale from calibration. Not part of DESIGN.md §6; the reference for quantization error and
// pruning sensitivity. Weights are written at float32 precision.
import { FieldError } from '../model/index.ts';
import { checkObject, describe } from '../io/check.ts';
import { inFile, readJsonFile, writeFileAtomic } from '../io/files.ts';
import type { NodeScales } from './calibrate.ts';
import type { FloatNetwork } from './zoo/float-network.ts';

export const FLOAT_NETWORK_FORMAT = 'sparseforge.float-network/1';

export interface FloatNetworkFile {
  network: FloatNetwork;
  inputScale: number;
  scales: Record<string, NodeScales>;
}

const f32 = (v: number) => Math.fround(v);

export function serializeFloatNetwork(f: FloatNetworkFile): string {
  const nodes = f.network.nodes.map((n) => {
    if (n.op !== 'conv') return `    ${JSON.stringify(n)}`;
    const { weights, ...rest } = n;
    const w = weights.map((wi) => `        [${wi.map((row) => `[${row.map(f32).join(',')}]`).join(',')}]`).join(',\n');
    return `    {${JSON.stringify(rest).slice(1, -1)}, "weights": [\n${w}\n      ]}`;
  });
  return `{\n  "format": ${JSON.stringify(FLOAT_NETWORK_FORMAT)},\n  "name": ${JSON.stringify(f.network.name)},\n` +
    `  "inputChannels": ${f.network.inputChannels},\n  "inputScale": ${f.inputScale},\n  "nodes": [\n${nodes.join(',\n')}\n  ],\n` +
    `  "outputs": ${JSON.stringify(f.network.outputs)},\n  "scales": ${JSON.stringify(f.scales)}\n}\n`;
}

/** Structural checks only: the file is written by `net init --float-out`, not by hand. */
export function parseFloatNetwork(json: unknown): FloatNetworkFile {
  const doc = checkObject(json, '', ['format', 'name', 'inputChannels', 'inputScale', 'nodes', 'outputs', 'scales']);
  if (doc.format !== FLOAT_NETWORK_FORMAT) throw new FieldError('format', `expected "${FLOAT_NETWORK_FORMAT}", got ${describe(doc.format)}`);
  if (typeof doc.inputScale !== 'number' || !(doc.inputScale > 0)) throw new FieldError('inputScale', 'expected a positive number');
  if (!Array.isArray(doc.nodes)) throw new FieldError('nodes', 'expected an array');
  return {
    network: { name: String(doc.name), inputChannels: Number(doc.inputChannels), nodes: doc.nodes as FloatNetwork['nodes'], outputs: doc.outputs as string[] },
    inputScale: doc.inputScale,
    scales: doc.scales as Record<string, NodeScales>,
  };
}

export async function writeFloatNetworkFile(path: string, f: FloatNetworkFile): Promise<void> {
  await writeFileAtomic(path, serializeFloatNetwork(f));
}

export async function readFloatNetworkFile(path: string): Promise<FloatNetworkFile> {
  const json = await readJsonFile(path);
  return inFile(path, () => parseFloatNetwork(json));
}
