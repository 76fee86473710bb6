// Shared fixtures of the sweep tests: a micro accelerator (small enough that Yosys takes seconds,
// not minutes), a hand-made cloud that fits its 16-point buffers, and temp folders.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import type { SweepGridInput } from '../../generator/sweep/index.ts';

export const MICRO_BASE = {
  name: 'sf_micro',
  mapping: { lanes: 1, maxKernelSize: 3, maxStride: 2, coordWidth: 8, batchWidth: 1 },
  buffers: { coordDepth: 16, featureDepth: 64, weightDepth: 128, accumulatorDepth: 64, mapDepth: 256 },
  matrix: { rows: 2, cols: 2, maxChannels: 8 },
  postprocess: { multiplierWidth: 16, shiftWidth: 6 },
  interfaces: { axisDataWidth: 32 },
};

/** 12 points: a 2×2×3 block, enough neighbours for every 3×3×3 offset class. */
export const MICRO_POINTS: number[][] = [];
for (let x = 0; x < 2; x++) for (let y = 0; y < 2; y++) for (let z = 0; z < 3; z++) MICRO_POINTS.push([x + 0.5, y + 0.5, z + 0.5]);

export function microGrid(over: Partial<SweepGridInput> = {}): SweepGridInput {
  return {
    format: 'sparseforge.sweep/1',
    name: 'micro',
    base: MICRO_BASE,
    grid: { 'mapping.lanes': [1, 2], 'matrix.rows,matrix.cols': [[2, 2], [4, 4]] },
    workloads: [
      { name: 'block-sub3', builder: { points: MICRO_POINTS, voxel: 1, layer: 'submanifold', kernel: 3, cin: 4, cout: 4, seed: 1 } },
      { name: 'block-down2', builder: { points: MICRO_POINTS, voxel: 1, layer: 'conv', kernel: 2, stride: 2, cin: 4, cout: 8, seed: 2 } },
    ],
    synth: false,
    lint: false,
    ...over,
  };
}

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

export function tempDir(prefix = 'sf-sweep-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
}

export function writeGrid(dir: string, grid: unknown, name = 'grid.json'): string {
  const f = join(dir, name);
  writeFileSync(f, `${JSON.stringify(grid, null, 2)}\n`);
  return f;
}

/** A progress sink that records lines (and can act on them). */
export function sink(onLine?: (line: string, n: number) => void): { write(s: string): boolean; lines: string[]; isTTY: false } {
  const lines: string[] = [];
  return {
    isTTY: false,
    lines,
    write(s: string) {
      for (const l of s.split('\n').filter((x) => x !== '')) {
        lines.push(l);
        onLine?.(l, lines.length);
      }
      return true;
    },
  };
}
