// Data types of networks (DESIGN.md §6): a DAG of named nodes over sparse tensors. The in-memory
// forms of `sparseforge.network/1`, `sparseforge.tensor/1` and `sparseforge.network-result/1`.
// Shared by the golden network, the model zoo, the network runner on the RTL and pruning.
import type { Coord, LayerType, Requant } from './types.ts';

/** The node every network starts from: the voxelized input cloud (tensor stride 1). */
export const INPUT_NODE = 'input';

export const NODE_OPS = ['conv', 'add', 'concat'] as const;
export type NodeOp = (typeof NODE_OPS)[number];

/** A conv node's layer: Cin and the input tensor stride come from its input node. */
export interface NetworkLayer {
  type: LayerType;
  kernelSize: number;
  stride: number;
  outChannels: number;
}

export interface ConvNode {
  name: string;
  op: 'conv';
  inputs: [string];
  layer: NetworkLayer;
  /** `weights[kernelIndex][cin][cout]`. */
  weights: number[][][];
  bias?: number[];
  requant?: Requant;
  /** Only for transposed layers: the node whose coordinates are the output coordinates. */
  outputCoordsOf?: string;
}

/** Residual add, per channel `clamp(floor((a·ma + b·mb + r) / 2^sh), lo, hi)`. */
export interface AddParams {
  multiplierA: number[];
  multiplierB: number[];
  shift: number[];
  relu: boolean;
}

export interface AddNode {
  name: string;
  op: 'add';
  inputs: [string, string];
  add: AddParams;
}

export interface ConcatNode {
  name: string;
  op: 'concat';
  inputs: [string, string];
}

export type NetworkNode = ConvNode | AddNode | ConcatNode;

/** The in-memory form of a `sparseforge.network/1` file. */
export interface Network {
  name: string;
  inputChannels: number;
  /** In any topological order (the file's order). */
  nodes: NetworkNode[];
  outputs: string[];
}

/** One node's output tensor (also the `sparseforge.tensor/1` file's content). */
export interface NodeTensor {
  tensorStride: number;
  /** Canonical order in results; any order in an input tensor file. */
  coords: Coord[];
  /** `outWidth`-bit features; absent for a conv output without requantization. */
  features?: number[][];
  /** Raw accumulators (after bias) of a conv output without requantization. */
  accumulators?: number[][];
}

/** The in-memory form of a `sparseforge.network-result/1` file. */
export interface NetworkResult {
  nodes: Record<string, NodeTensor>;
}
