// Reproducibility: generation is byte-identical across runs and processes (this process vs
// `bin/sparseforge generate` in a child, for a preset and for a config file whose keys come in
// another order), and two co-simulations with the same seed and random stalls give the same
// cycle counts, the same output beats at the same cycles and the same AXI-Lite log.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defineAccelerator, loadSpecFile, parseSpec, presets, type AcceleratorSpec } from '../../generator/dsl/index.ts';
import { emitAccelerator, writeEmitted } from '../../generator/emit/index.ts';
import { cosim } from '../../generator/sim/cosim.ts';
import { encodeMatrixCase, expectedMatrix, randomMatrixCase } from '../../generator/sim/matrix.ts';
import { encodePostprocBeats, expectedPostproc, randomPostprocBeats } from '../../generator/sim/postproc.ts';
import { TB_AXIL } from '../../generator/sim/tb.ts';
import { buildConfig, CONFIG_TIMEOUT_MS } from '../sim/configs.ts';
import { listFiles, runCli, scratchDir } from './helpers.ts';

const scratch = scratchDir('repro');
afterAll(scratch.cleanup);

/** Every file of two folders, byte for byte. */
function expectSameTree(a: string, b: string): string[] {
  const fa = listFiles(a);
  expect(listFiles(b)).toEqual(fa);
  for (const f of fa) {
    const x = readFileSync(join(a, f));
    const y = readFileSync(join(b, f));
    expect(Buffer.compare(x, y), `${f} differs between ${a} and ${b}`).toBe(0);
  }
  return fa;
}

/** Reverse the key order of every object (arrays keep their order). */
function reversedKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(reversedKeys);
  if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reversedKeys(x)]));
  return v;
}

describe('byte-identical generation', () => {
  it('in this process and in a child process, for a preset and for a config file', async () => {
    const custom: AcceleratorSpec = defineAccelerator({
      name: 'sf_repro',
      arithmetic: { inWidth: 6, weightWidth: 5, accWidth: 27, outWidth: 7 },
      mapping: { lanes: 3, maxKernelSize: 3, layerTypes: ['transposed', 'submanifold'], coordWidth: 9, batchWidth: 2 },
      matrix: { rows: 2, cols: 8, maxChannels: 40 },
      postprocess: { relu: false, multiplierWidth: 11, shiftWidth: 5 },
      interfaces: { axisDataWidth: 64 },
    });
    // The config file lists every key in reverse order.
    const config = join(scratch.dir, 'repro.json');
    writeFileSync(config, `${JSON.stringify(reversedKeys(custom), null, 1)}\n`);

    const inProcess = async (spec: AcceleratorSpec, dir: string) => {
      const e1 = emitAccelerator(spec);
      const e2 = emitAccelerator(structuredClone(spec));
      expect(e2.files).toEqual(e1.files);
      await writeEmitted(e1.files, dir);
    };
    await inProcess(presets.tiny, join(scratch.dir, 'tiny-a'));
    await inProcess(await loadSpecFile(config), join(scratch.dir, 'custom-a'));
    // Equal specs with their keys in another order emit the same bytes (manifest.json included).
    expect(emitAccelerator(parseSpec(reversedKeys(custom))).files).toEqual(emitAccelerator(custom).files);

    const [t, c] = await Promise.all([
      runCli(['generate', '--preset', 'tiny', '--out', join(scratch.dir, 'tiny-b')]),
      runCli(['generate', '--config', config, '--out', join(scratch.dir, 'custom-b')]),
    ]);
    for (const r of [t, c]) {
      expect(String(r.stderr)).toBe('');
      expect(r.exitCode).toBe(0);
    }
    const tinyFiles = expectSameTree(join(scratch.dir, 'tiny-a'), join(scratch.dir, 'tiny-b'));
    const customFiles = expectSameTree(join(scratch.dir, 'custom-a'), join(scratch.dir, 'custom-b'));
    expect(tinyFiles).toContain('manifest.json');
    expect(tinyFiles).toContain('sf_tiny_matrix_unit.v');
    expect(customFiles).toContain('sf_repro_mapping_top.v');
    // The same files under the other prefix, except the downsampler: sf_repro has no conv layers.
    expect(customFiles.map((f) => f.replace(/^sf_repro/, 'sf_tiny')).sort()).toEqual(tinyFiles.filter((f) => f !== 'sf_tiny_map_downsample.v').sort());
  }, 120_000);
});

describe('seeded co-simulation', () => {
  it(
    'same seed with random stalls: same cycles, same beats at the same cycles; another seed: other timing, same values',
    async () => {
      const b = await buildConfig({ name: 'tiny', spec: presets.tiny });
      const { tb } = b;
      const mc = randomMatrixCase(tb.matrix, 41, { passes: 5, maxRows: 7 });
      const enc = encodeMatrixCase(mc, tb.streams.w, tb.streams.x);
      const pp = randomPostprocBeats(tb.postproc, 42, 40);
      const hex = (n: number) => n.toString(16);
      const run = (caseName: string, seed: number) =>
        cosim({
          caseName,
          build: b.buildOptions,
          run: {
            seed,
            stall: 0.35,
            stallPorts: { axil: 0.5 },
            inputs: {
              w: { beats: enc.w, width: tb.streams.w.width },
              x: { beats: enc.x, width: tb.streams.x.width },
              a: { beats: encodePostprocBeats(tb.postproc, tb.streams.a, pp), width: tb.streams.a.width },
            },
            axil: [`w ${hex(TB_AXIL.scratch[1]!)} 5a5a`, `r ${hex(TB_AXIL.scratch[1]!)}`, 's', `r ${hex(TB_AXIL.status)}`],
          },
          checks: [
            { stream: 'y', layout: tb.streams.y, expected: expectedMatrix(tb.matrix, mc) },
            { stream: 'z', layout: tb.streams.z, expected: expectedPostproc(tb.postproc, pp) },
          ],
          log: () => {},
        });
      const [r1, r2, r3] = await Promise.all([run('robustness-repro-1', 7), run('robustness-repro-2', 7), run('robustness-repro-3', 8)]);
      const timing = (r: typeof r1) => ({
        cycles: r.result.cycles,
        y: r.result.outputs.y,
        z: r.result.outputs.z,
        axil: r.result.axil,
        ports: r.result.summary.ports,
      });
      expect(r1.result.summary.status).toBe('ok');
      expect(timing(r2)).toEqual(timing(r1));
      expect(r2.result.xSeed).toBe(r1.result.xSeed);
      // The stalls are really on: another seed moves beats to other cycles, never changes a value.
      expect(r3.result.outputs.y!.map((o) => o.cycle)).not.toEqual(r1.result.outputs.y!.map((o) => o.cycle));
      expect(r3.result.outputs.y!.map((o) => [o.data, o.last])).toEqual(r1.result.outputs.y!.map((o) => [o.data, o.last]));
      expect(r3.result.outputs.z!.map((o) => [o.data, o.last])).toEqual(r1.result.outputs.z!.map((o) => [o.data, o.last]));
      expect(r1.result.cycles).toBeGreaterThan(enc.x.length + pp.length / 2);
    },
    CONFIG_TIMEOUT_MS,
  );
});
