// A small hand-made U-Net with every node kind, as a plain JSON network document, and its input.
import type { Network, NetworkNode, NodeTensor } from '../../generator/model/index.ts';

const ramp = (k: number, cin: number, cout: number, seed: number) =>
  Array.from({ length: k ** 3 }, (_, i) => Array.from({ length: cin }, (_, c) => Array.from({ length: cout }, (_, o) => ((i * 7 + c * 5 + o * 3 + seed) % 9) - 4)));
const rq = (cout: number, relu: boolean) => ({ multiplier: Array(cout).fill(3), shift: Array(cout).fill(4), relu });

/** input(2) → stem → down → up(onto stem) → cat(up, stem) → branch → add(cat, branch) → head (raw). */
export function tinyUNet(): Network {
  const nodes: NetworkNode[] = [
    { name: 'stem', op: 'conv', inputs: ['input'], layer: { type: 'submanifold', kernelSize: 3, stride: 1, outChannels: 4 }, weights: ramp(3, 2, 4, 1), bias: [1, -2, 3, -4], requant: rq(4, true) },
    { name: 'down', op: 'conv', inputs: ['stem'], layer: { type: 'conv', kernelSize: 2, stride: 2, outChannels: 4 }, weights: ramp(2, 4, 4, 2), requant: rq(4, true) },
    { name: 'up', op: 'conv', inputs: ['down'], outputCoordsOf: 'stem', layer: { type: 'transposed', kernelSize: 2, stride: 2, outChannels: 4 }, weights: ramp(2, 4, 4, 3), requant: rq(4, false) },
    { name: 'cat', op: 'concat', inputs: ['up', 'stem'] },
    { name: 'branch', op: 'conv', inputs: ['cat'], layer: { type: 'submanifold', kernelSize: 3, stride: 1, outChannels: 8 }, weights: ramp(3, 8, 8, 4), requant: rq(8, false) },
    { name: 'res', op: 'add', inputs: ['cat', 'branch'], add: { multiplierA: Array(8).fill(5), multiplierB: Array(8).fill(3), shift: Array(8).fill(3), relu: true } },
    { name: 'head', op: 'conv', inputs: ['res'], layer: { type: 'submanifold', kernelSize: 1, stride: 1, outChannels: 3 }, weights: ramp(1, 8, 3, 5) },
  ];
  return { name: 'tiny-unet', inputChannels: 2, nodes, outputs: ['head'] };
}

/** 12 points of two batches, in non-canonical order, 2 channels. */
export function tinyInput(): NodeTensor {
  const coords: [number, number, number, number][] = [
    [0, 1, 1, 0], [0, 0, 0, 0], [1, 3, -1, 2], [0, 1, 0, 0], [0, 2, 2, 1], [0, -1, 0, 0],
    [1, 2, -2, 2], [0, 3, 3, 3], [0, 2, 3, 3], [1, 3, -2, 2], [0, -2, -1, 0], [0, 0, 1, 0],
  ];
  return { tensorStride: 1, coords, features: coords.map((c, i) => [((i * 37) % 255) - 128, c[1] * 10 - c[2]]) };
}

/** A deep copy, to mutate in a test. */
export function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}
