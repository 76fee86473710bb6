import { describe, expect, it } from 'vitest';
import { convOutputCoords, runLayer, type LayerCase } from '../../generator/model/index.ts';
import { bunnyPoints } from '../../generator/io/bunny.ts';
import { buildCase, type BuildCaseOptions } from '../../generator/io/case-builder.ts';
import { parseLayerCase, serializeLayerCase } from '../../generator/io/layer-case.ts';
import { voxelize } from '../../generator/io/voxelize.ts';

const points = bunnyPoints();
const base: BuildCaseOptions = {
  points, voxel: 0.25, layer: 'submanifold', kernel: 3, stride: 1, cin: 4, cout: 5, requant: false, relu: false, seed: 1,
};

function valid(c: LayerCase): void {
  expect(parseLayerCase(JSON.parse(serializeLayerCase(c)))).toEqual(c);
}

describe('buildCase', () => {
  it('is deterministic in the seed', () => {
    const a = buildCase({ ...base, requant: true });
    expect(buildCase({ ...base, requant: true })).toEqual(a);
    const b = buildCase({ ...base, requant: true, seed: 2 });
    expect(b.input.coords).toEqual(a.input.coords);
    expect(b.input.features).not.toEqual(a.input.features);
    expect(b.weights).not.toEqual(a.weights);
  });

  it('builds a valid submanifold case from the voxelized cloud, with INT8 data and a bias', () => {
    const c = buildCase(base);
    valid(c);
    expect(c.input.coords).toEqual(voxelize(points, 0.25));
    expect(c.layer).toEqual({ type: 'submanifold', kernelSize: 3, stride: 1, inTensorStride: 1, inChannels: 4, outChannels: 5 });
    const f = c.input.features.flat();
    expect(Math.min(...f)).toBe(-128);
    expect(Math.max(...f)).toBe(127);
    expect(c.bias).toHaveLength(5);
    expect(c.requant).toBeUndefined();
    expect(buildCase({ ...base, bias: false }).bias).toBeUndefined();
  });

  it('scales conv inputs by the tensor stride', () => {
    const c = buildCase({ ...base, layer: 'conv', kernel: 2, stride: 2, inTensorStride: 4 });
    valid(c);
    expect(c.layer.inTensorStride).toBe(4);
    expect(c.input.coords).toEqual(voxelize(points, 0.25).map(([b, x, y, z]) => [b, 4 * x, 4 * y, 4 * z]));
  });

  it('builds transposed cases: outputs = the cloud at ts, inputs = its downsampling at ts·stride', () => {
    const c = buildCase({ ...base, layer: 'transposed', kernel: 2, stride: 2, inTensorStride: 2 });
    valid(c);
    const cloud = voxelize(points, 0.25).map(([b, x, y, z]) => [b, 2 * x, 2 * y, 2 * z]);
    expect(c.outputCoords).toEqual(cloud);
    expect(c.layer.inTensorStride).toBe(4);
    expect(c.input.coords).toEqual(convOutputCoords(c.outputCoords!, 4));
    expect(runLayer(c).result.coords).toHaveLength(cloud.length);
  });

  it('calibrates requantization so that outputs spread over the INT8 range', () => {
    for (const relu of [false, true]) {
      const c = buildCase({ ...base, cin: 8, cout: 8, requant: true, relu });
      valid(c);
      expect(c.requant!.relu).toBe(relu);
      for (const m of c.requant!.multiplier) expect(m).toBeGreaterThanOrEqual(2 ** 14);
      const out = runLayer(c).result.features!.flat();
      const saturated = out.filter((v) => v === 127 || v === -128).length / out.length;
      expect(saturated).toBeLessThan(0.05);
      expect(Math.max(...out)).toBeGreaterThan(60);
      if (relu) expect(Math.min(...out)).toBe(0);
      else expect(Math.min(...out)).toBeLessThan(-60);
    }
  });

  it('names the CLI flag of a bad option', () => {
    const bad: [Partial<BuildCaseOptions>, RegExp][] = [
      [{ voxel: 0 }, /^--voxel: must be a finite number > 0/],
      [{ voxel: 1e-30 }, /^--voxel: point 0 .* beyond ±2\^30/],
      [{ layer: 'dense' as never }, /^--layer: must be one of submanifold, conv, transposed, got dense/],
      [{ kernel: 0 }, /^--kernel: must be an integer in \[1, 64\], got 0/],
      [{ stride: 2 }, /^--stride: submanifold layers have stride 1/],
      [{ layer: 'conv', stride: 3 }, /^--stride: must be a power of two for conv layers/],
      [{ cin: 1.5 }, /^--cin: /],
      [{ cout: 0 }, /^--cout: /],
      [{ seed: 0.5 }, /^--seed: /],
      [{ inTensorStride: 3 }, /^--tensor-stride: must be a power of two/],
      [{ inTensorStride: 2 ** 30 }, /^--tensor-stride: voxel coordinate/],
      [{ relu: true }, /^--relu: needs --requant/],
      [{ points: new Float64Array(0) }, /^points: the point cloud is empty/],
    ];
    for (const [o, re] of bad) expect(() => buildCase({ ...base, ...o }), re.source).toThrow(re);
  });
});
