// Small hand-made layer cases for the I/O tests (plain JSON documents, as read from a file).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type Json = Record<string, any>;

/** A valid k = 3 submanifold case with 3 points, 2 → 3 channels. */
export function submanifoldDoc(): Json {
  const kv = 27;
  return {
    format: 'sparseforge.layer-case/1',
    layer: { type: 'submanifold', kernelSize: 3, stride: 1, inTensorStride: 2, inChannels: 2, outChannels: 3 },
    input: {
      coords: [[0, 2, 4, 6], [0, 0, 0, 0], [1, -2, 4, 6]],
      features: [[1, -2], [127, -128], [0, 5]],
    },
    weights: Array.from({ length: kv }, (_, i) => [[i, -i, 1], [2, 0, -(i % 5)]]),
    bias: [10, -20, 30],
    requant: { multiplier: [1, 2 ** 31 - 1, 0], shift: [0, 63, 5], relu: true },
  };
}

/** A valid transposed case: k = 2, stride 2, input at tensor stride 4, outputs at 2. */
export function transposedDoc(): Json {
  return {
    format: 'sparseforge.layer-case/1',
    layer: { type: 'transposed', kernelSize: 2, stride: 2, inTensorStride: 4, inChannels: 1, outChannels: 2 },
    input: { coords: [[0, 0, 0, 0], [0, 4, -4, 8]], features: [[3], [-4]] },
    weights: Array.from({ length: 8 }, (_, i) => [[i - 4, 2]]),
    outputCoords: [[0, 2, 0, 0], [0, 0, 0, 0], [0, 6, -2, 10], [0, 4, -4, 8]],
  };
}

/** A valid conv case (no bias, no requant). */
export function convDoc(): Json {
  return {
    format: 'sparseforge.layer-case/1',
    layer: { type: 'conv', kernelSize: 2, stride: 2, inTensorStride: 1, inChannels: 1, outChannels: 1 },
    input: { coords: [[0, 1, 1, 1], [0, 0, 0, 0], [0, 5, 4, 3]], features: [[1], [2], [3]] },
    weights: Array.from({ length: 8 }, () => [[1]]),
  };
}

export function tempDir(prefix = 'sparseforge-io-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
