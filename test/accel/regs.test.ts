// The AXI4-Lite register file against the generated C header (every register read back by the
// harness after reset, every RW field written and read), and the error paths: each error sets
// STATUS.ERROR with its code, the rest of the layer's stream is dropped, and the next layer in
// the same simulation runs correctly.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { derive, type Derived } from '../../generator/dsl/derive/index.ts';
import { presets } from '../../generator/dsl/presets.ts';
import type { AcceleratorSpec } from '../../generator/dsl/spec.ts';
import { emitAccelerator } from '../../generator/emit/index.ts';
import { FieldError } from '../../generator/model/errors.ts';
import { runLayer } from '../../generator/model/layer.ts';
import type { Coord, LayerCase } from '../../generator/model/types.ts';
import { RUNS_ROOT } from '../../generator/sim/cosim.ts';
import { runAccelCase, canonicalLayer } from '../../generator/sim/accel/driver.ts';
import { buildAccel } from '../../generator/sim/accel/rtl.ts';
import {
  decodeOutput,
  decodeReadback,
  encodeLayer,
  layerScript,
  outputBeatCount,
  type Beat,
  type HwLayer,
} from '../../generator/sim/accel/stream.ts';
import { runSim } from '../../generator/sim/run.ts';
import { randomCase } from './cases.ts';
import { ACCEL_TIMEOUT_MS } from './run.ts';

interface HeaderReg {
  name: string;
  offset: number;
  reset: bigint;
  /** Masks of the register's fields by name. */
  fields: Map<string, bigint>;
}

/** The registers of a generated `<name>_regs.h`, from its #defines alone. */
function parseHeader(text: string, prefix: string): HeaderReg[] {
  const defs = new Map<string, string>();
  for (const m of text.matchAll(/^#define\s+(\w+)\s+(\S+)/gm)) defs.set(m[1]!, m[2]!);
  const num = (v: string) => BigInt(v.replace(/u+l*$/i, ''));
  const regs: HeaderReg[] = [];
  for (const [k, v] of defs) {
    const m = new RegExp(`^${prefix}_(\\w+)_OFFSET$`).exec(k);
    if (!m) continue;
    const name = m[1]!;
    const fields = new Map<string, bigint>();
    for (const [k2, v2] of defs) {
      const f = new RegExp(`^${prefix}_${name}_(\\w+)_MASK$`).exec(k2);
      // A longer register name that starts with this one (PERF_X vs PERF_X_LO) has its own OFFSET.
      if (f && !defs.has(`${prefix}_${name}_${f[1]!.replace(/_[A-Z0-9]+$/, '')}_OFFSET`)) fields.set(f[1]!, num(v2));
    }
    regs.push({ name, offset: Number(num(v)), reset: num(defs.get(`${prefix}_${name}_RESET`)!), fields });
  }
  return regs.sort((a, b) => a.offset - b.offset);
}

const hex = (v: number | bigint) => v.toString(16);

async function rawRun(spec: AcceleratorSpec, name: string, axil: string[], beats: Beat[] = []) {
  const b = await buildAccel(spec);
  const r = await runSim(b.binary, {
    workDir: join(RUNS_ROOT, `accel-regs-${name}`),
    seed: 1,
    inputs: { in: { beats, width: spec.interfaces.axisDataWidth } },
    outputs: ['out'],
    axil,
  });
  expect(r.ok, `${r.summary.status}: ${r.summary.error} (${r.command})`).toBe(true);
  return r;
}

const tiny64: AcceleratorSpec = {
  ...presets.tiny,
  name: 'sf_tiny64',
  interfaces: { ...presets.tiny.interfaces, axilDataWidth: 64 },
};

describe('register map: C header = RTL', () => {
  for (const spec of [presets.tiny, tiny64]) {
    it(
      `${spec.name} (${spec.interfaces.axilDataWidth}-bit bus): reset values, RW fields, unknown addresses`,
      async () => {
        const P = spec.name.toUpperCase();
        const header = emitAccelerator(spec).files.find((f) => f.path === `${spec.name}_regs.h`)!.contents;
        const regs = parseHeader(header, P);
        const d = derive(spec);
        expect(regs.map((r) => r.name)).toEqual(d.registers.registers.map((r) => r.name));
        const status = regs.find((r) => r.name === 'STATUS')!;
        const rw = d.registers.registers.filter((r) => r.fields.some((f) => f.access === 'RW'));
        const rwMask = (name: string) =>
          d.registers.registers.find((r) => r.name === name)!.fields.filter((f) => f.access === 'RW').reduce((m, f) => m | BigInt(f.mask), 0n);
        const unknown = regs[regs.length - 1]!.offset + d.registers.stride;
        const script = [
          `p ${hex(status.offset)} ${hex(status.fields.get('BUSY')!)} 0`,
          ...regs.map((r) => `r ${hex(r.offset)}`),
          ...rw.map((r) => `w ${hex(r.offset)} ${hex(r.name === 'LAYER_TYPE' ? 2n : rwMask(r.name))}`),
          ...rw.map((r) => `r ${hex(r.offset)}`),
          `r ${hex(unknown)}`,
        ];
        const res = await rawRun(spec, spec.name, script);
        const reads = res.axil.filter((a) => a.op === 'r');
        expect(reads).toHaveLength(regs.length + rw.length + 1);
        regs.forEach((r, i) => expect(reads[i]!.data, `${r.name} after reset`).toBe(r.reset));
        rw.forEach((r, i) => {
          const got = reads[regs.length + i]!.data;
          expect(got, `${r.name} read back`).toBe(r.name === 'LAYER_TYPE' ? 2n : rwMask(r.name));
        });
        expect(reads[reads.length - 1]!.data).toBe(0n);
        for (const a of res.axil) expect(a.resp).toBe(0);
      },
      ACCEL_TIMEOUT_MS,
    );
  }
});

/** A good layer to run after an error: a small submanifold case and its expected output. */
function goodLayer(spec: AcceleratorSpec, d: Derived, seed: number) {
  const c = randomCase(spec, { type: 'submanifold', k: 3, cin: 3, cout: 4, n: 60, span: 3, requant: true, seed });
  const lay = canonicalLayer(c);
  const hw: HwLayer = { ...c.layer, inCoords: lay.inCoords, features: lay.features, weights: c.weights, bias: c.bias, requant: c.requant, requantOut: true };
  return { hw, golden: runLayer(c).result, beats: encodeLayer(spec, d, hw) };
}

function denseCube(nx: number, ny: number, nz: number): Coord[] {
  const out: Coord[] = [];
  for (let x = 0; x < nx; x++) for (let y = 0; y < ny; y++) for (let z = 0; z < nz; z++) out.push([0, x, y, z]);
  return out;
}

describe('errors: flag, code, recovery', () => {
  const spec = presets.tiny;
  const d = derive(spec);

  it(
    'BAD_CHANNELS, FEATURE_OVERFLOW, UNSORTED_COORDS, STREAM_PROTOCOL, MAP_OVERFLOW; then a good layer',
    async () => {
      const good = goodLayer(spec, d, 61);
      const base = (over: Partial<HwLayer>): HwLayer => ({ ...good.hw, ...over });
      const bad: { name: string; hw: HwLayer; edit?: (b: Beat[]) => Beat[] }[] = [
        { name: 'BAD_CHANNELS', hw: base({ inChannels: 0 }) },
        { name: 'FEATURE_OVERFLOW', hw: base({ inChannels: 17 }) },
        {
          name: 'UNSORTED_COORDS',
          hw: base({}),
          edit: (b) => [b[1]!, b[0]!, ...b.slice(2)],
        },
        {
          // TLAST missing on the last feature beat.
          name: 'STREAM_PROTOCOL',
          hw: base({}),
          edit: (b) => {
            const n = good.hw.inCoords.length;
            const tables = spec.postprocess.bias ? d.accel.biasSlices.length : 0;
            const rq = d.accel.multSlices.length + d.accel.shiftSlices.length;
            const lastFeat = n + tables + rq + 27 * spec.matrix.rows + n - 1;
            return b.map((x, i) => (i === lastFeat ? { ...x, last: false } : x));
          },
        },
      ];
      const cube = denseCube(7, 7, 5);
      const mapHw: HwLayer = {
        ...good.hw,
        inCoords: cube,
        features: cube.map(() => [1, 2, 3]),
        requantOut: false,
        requant: undefined,
      };
      bad.push({ name: 'MAP_OVERFLOW', hw: mapHw });
      const beats: Beat[] = [];
      const script: string[] = [];
      for (const x of bad) {
        // A layer refused at START consumes no stream data; the others drop the rest of their stream.
        const refused = x.name === 'BAD_CHANNELS' || x.name === 'FEATURE_OVERFLOW';
        const enc = refused ? [] : encodeLayer(spec, d, x.hw);
        beats.push(...(x.edit ? x.edit(enc) : enc));
        script.push(...layerScript(d, x.hw));
      }
      beats.push(...good.beats);
      script.push(...layerScript(d, good.hw));
      const r = await rawRun(spec, 'errors', script, beats);
      const per = script.length / (bad.length + 1);
      const reads = r.axil.filter((a) => a.op === 'r');
      const perReads = reads.length / (bad.length + 1);
      expect(per).toBe(layerScript(d, good.hw).length);
      bad.forEach((x, i) => {
        const rb = decodeReadback(d, reads.slice(i * perReads, (i + 1) * perReads).map((a) => a.data));
        expect(rb.error, x.name).toBe(true);
        expect(rb.errorName).toBe(x.name);
        expect(rb.done).toBe(false);
      });
      const rb = decodeReadback(d, reads.slice(bad.length * perReads).map((a) => a.data));
      expect(rb.error).toBe(false);
      expect(rb.done).toBe(true);
      const out = r.outputs.out!;
      const n = outputBeatCount(spec, d, good.hw, good.golden.coords.length);
      // Nothing is emitted for a refused or aborted layer, except coordinates already streamed.
      const dec = decodeOutput(spec, d, good.hw, good.golden.coords.length, out.slice(out.length - n));
      expect(dec.coords).toEqual(good.golden.coords);
      expect(dec.values).toEqual(good.golden.features);
    },
    ACCEL_TIMEOUT_MS,
  );

  it('the driver refuses what the accelerator cannot run, naming the field', async () => {
    const c: LayerCase = randomCase(spec, { type: 'submanifold', k: 3, cin: 4, cout: 4, n: 30, span: 3, requant: true, seed: 62 });
    const refuse = async (x: LayerCase, field: string) => {
      const e = await runAccelCase(spec, x).catch((err: unknown) => err);
      expect(e).toBeInstanceOf(FieldError);
      expect((e as FieldError).field).toBe(field);
    };
    const mult = [...c.requant!.multiplier];
    mult[3] = 2 ** spec.postprocess.multiplierWidth;
    await refuse({ ...c, requant: { ...c.requant!, multiplier: mult } }, 'requant.multiplier[3]');
    const shift = [...c.requant!.shift];
    shift[1] = 2 ** spec.postprocess.shiftWidth;
    await refuse({ ...c, requant: { ...c.requant!, shift } }, 'requant.shift[1]');
    await refuse({ ...c, layer: { ...c.layer, kernelSize: 5 }, weights: Array.from({ length: 125 }, () => c.weights[0]!) }, 'layer.kernelSize');
    await refuse({ ...c, layer: { ...c.layer, inChannels: 300 } }, 'layer.inChannels');
    // Coordinates are re-based per batch, and a cloud wider than the 8-bit range runs in tiles
    // re-based one by one (model/rebase.ts, model/tiles.ts): no refusal, bit-exact.
    const far = c.input.coords.map((p, i) => (i === 2 ? ([0, 200, 0, 0] as Coord) : i === 3 ? ([0, -100, 0, 0] as Coord) : p));
    const wide = await runAccelCase(spec, { ...c, input: { ...c.input, coords: far } });
    expect(wide.stats.match, `${wide.stats.mismatches} mismatches`).toBe(true);
    expect(wide.stats.tiles).toBeGreaterThanOrEqual(2);
    const batch = c.input.coords.map((p, i) => (i === 2 ? ([16, 0, 0, 0] as Coord) : p));
    await refuse({ ...c, input: { ...c.input, coords: batch } }, 'input.coords[2]');
  });
});
