// Host-driver pieces without simulation: stream packing round trips, section layout, the tile
// planner's invariants (cores partition the outputs; every input an output of the core needs is in
// its tile) and the derived parameters' consistency with the register map.
import { describe, expect, it } from 'vitest';
import { derive } from '../../generator/dsl/derive/index.ts';
import { presets } from '../../generator/dsl/presets.ts';
import type { AcceleratorSpec } from '../../generator/dsl/spec.ts';
import { randomValidSpec } from '../../generator/dsl/random.ts';
import { runLayer } from '../../generator/model/layer.ts';
import type { Coord, LayerCase } from '../../generator/model/types.ts';
import { canonicalLayer } from '../../generator/sim/accel/driver.ts';
import {
  decodeOutput,
  encodeLayer,
  interleavedOutput,
  layerScript,
  outputBeatCount,
  packLanes,
  packPoint,
  unpackLane,
  unpackPoint,
  type HwLayer,
} from '../../generator/sim/accel/stream.ts';
import { inputReach, planTiles, tileLimits } from '../../generator/model/tiles.ts';
import { bunnyCase, randomCase } from './cases.ts';

describe('stream formats', () => {
  it('points and lanes round-trip, two’s complement', () => {
    const spec = presets.tiny;
    for (const p of [[0, -128, 127, -1], [15, 0, -5, 99], [3, 1, 2, 3]] as Coord[]) expect(unpackPoint(spec, packPoint(spec, p))).toEqual(p);
    const w = packLanes([-1, 5, -128, 127], 8);
    expect([0, 1, 2, 3].map((l) => unpackLane(w, l, 8, true))).toEqual([-1, 5, -128, 127]);
    expect(unpackLane(packLanes([40000], 16), 0, 16, false)).toBe(40000);
  });

  it('sections: coordinates, tables, first weight pair, features, other pairs — TLAST on each last beat', () => {
    const spec = presets.tiny;
    const d = derive(spec);
    const c = randomCase(spec, { type: 'submanifold', k: 3, cin: 5, cout: 6, n: 30, span: 2, requant: true, seed: 3 });
    const lay = canonicalLayer(c);
    const hw: HwLayer = { ...c.layer, inCoords: lay.inCoords, features: lay.features, weights: c.weights, bias: c.bias, requant: c.requant, requantOut: true };
    const beats = encodeLayer(spec, d, hw);
    const n = lay.inCoords.length;
    const ti = 2;
    const to = 2;
    const sizes = [n, to * d.accel.biasSlices.length, to * d.accel.multSlices.length, to * d.accel.shiftSlices.length, 27 * 4, n * ti, (ti * to - 1) * 27 * 4];
    expect(beats).toHaveLength(sizes.reduce((a, b) => a + b, 0));
    let k = 0;
    const lasts = beats.flatMap((b, i) => (b.last ? [i] : []));
    const ends = sizes.map((s) => (k += s) - 1);
    expect(lasts).toEqual(ends);
    // The AXI-Lite script programs, starts, waits for BUSY = 0 and reads status and counters.
    const script = layerScript(d, hw);
    expect(script.filter((l) => l.startsWith('p '))).toHaveLength(1);
    const control = d.registers.registers.find((r) => r.name === 'CONTROL')!.offset.toString(16);
    expect(script.findIndex((l) => l.startsWith('p '))).toBe(script.findIndex((l) => l.startsWith(`w ${control} `)) + 1);
  });

  it('decodes cout-tile-major output words and checks TLAST', () => {
    const spec = presets.tiny;
    const d = derive(spec);
    const c = randomCase(spec, { type: 'submanifold', k: 1, cin: 2, cout: 6, n: 5, span: 2, seed: 4 });
    const lay = canonicalLayer(c);
    const hw: HwLayer = { ...c.layer, inCoords: lay.inCoords, features: lay.features, weights: c.weights, bias: c.bias, requantOut: false };
    const g = runLayer(c).result;
    const nOut = g.coords.length;
    const beats: { data: bigint; last: boolean; cycle: number }[] = g.coords.map((p, q) => ({ data: packPoint(spec, p), last: q === nOut - 1, cycle: q }));
    for (let t = 0; t < 2; t++) {
      for (let q = 0; q < nOut; q++) {
        const lanes = [0, 1, 2, 3].map((ch) => g.accumulators[q]![t * 4 + ch] ?? 0);
        const word = packLanes(lanes, 32);
        for (let j = 0; j < d.accel.accBeats; j++) {
          beats.push({ data: (word >> BigInt(32 * j)) & 0xffffffffn, last: t === 1 && q === nOut - 1 && j === d.accel.accBeats - 1, cycle: 1000 + 100 * t + 10 * q + j });
        }
      }
    }
    expect(beats).toHaveLength(outputBeatCount(spec, d, hw, nOut));
    const dec = decodeOutput(spec, d, hw, nOut, beats);
    expect(dec.coords).toEqual(g.coords);
    expect(dec.values).toEqual(g.accumulators);
    // Where each value left the DUT (a mismatch report's cycle): the word's last beat.
    expect(dec.coordCycles).toEqual(g.coords.map((_, q) => q));
    expect(dec.wordCycles).toEqual(g.coords.map((_, q) => [0, 1].map((t) => 1000 + 100 * t + 10 * q + d.accel.accBeats - 1)));
    beats[nOut + 1]!.last = true;
    expect(() => decodeOutput(spec, d, hw, nOut, beats)).toThrow(/TLAST/);
  });

  it('interfaces.outputOrder interleaved: a map-free conv decodes coordinate / tile-0 word pairs, then tiles 1 …; other layers keep sections', () => {
    const spec: AcceleratorSpec = { ...presets.fpga, name: 'sf_fpga_il', interfaces: { ...presets.fpga.interfaces, outputOrder: 'interleaved' } };
    const d = derive(spec);
    const c = randomCase(spec, { type: 'conv', k: 2, s: 2, cin: 3, cout: 20, n: 40, span: 4, seed: 6 });
    const lay = canonicalLayer(c);
    const hw: HwLayer = { ...c.layer, inCoords: lay.inCoords, features: lay.features, weights: c.weights, bias: c.bias, requantOut: false };
    expect(interleavedOutput(spec, hw)).toBe(true);
    expect(interleavedOutput(spec, { ...hw, keepOut: true, noStream: true })).toBe(false);
    expect(interleavedOutput(spec, { ...hw, type: 'submanifold', stride: 1 })).toBe(false);
    expect(interleavedOutput({ ...spec, interfaces: { ...spec.interfaces, outputOrder: 'sections' } }, hw)).toBe(false);
    const g = runLayer(c).result;
    const nOut = g.coords.length;
    const per = d.accel.accBeats;
    const word = (t: number, q: number) => packLanes(Array.from({ length: 16 }, (_, ch) => g.accumulators[q]![t * 16 + ch] ?? 0), 32);
    const wordBeats = (t: number, q: number, cycle: number) => Array.from({ length: per }, (_, j) => ({
      data: (word(t, q) >> BigInt(128 * j)) & ((1n << 128n) - 1n), last: t === 1 && q === nOut - 1 && j === per - 1, cycle: cycle + j,
    }));
    const beats: { data: bigint; last: boolean; cycle: number }[] = [];
    for (let q = 0; q < nOut; q++) {
      beats.push({ data: packPoint(spec, g.coords[q]!), last: false, cycle: 100 * q });
      beats.push(...wordBeats(0, q, 100 * q + 10));
    }
    for (let q = 0; q < nOut; q++) beats.push(...wordBeats(1, q, 100_000 + 10 * q));
    expect(beats).toHaveLength(outputBeatCount(spec, d, hw, nOut));
    const dec = decodeOutput(spec, d, hw, nOut, beats);
    expect(dec.coords).toEqual(g.coords);
    expect(dec.values).toEqual(g.accumulators);
    expect(dec.coordCycles).toEqual(g.coords.map((_, q) => 100 * q));
    expect(dec.wordCycles).toEqual(g.coords.map((_, q) => [100 * q + 10 + per - 1, 100_000 + 10 * q + per - 1]));
    expect(dec.cycles.firstWord).toBe(10);
    // The sections reading of the same beats fails; so does TLAST on the last coordinate.
    expect(() => decodeOutput({ ...spec, interfaces: { ...spec.interfaces, outputOrder: 'sections' } }, d, hw, nOut, beats)).toThrow(/TLAST/);
    beats[(nOut - 1) * (1 + per)]!.last = true;
    expect(() => decodeOutput(spec, d, hw, nOut, beats)).toThrow(/coordinate beat .*TLAST set/);
  });
});

describe('tile planner', () => {
  const check = (c: LayerCase, lim: ReturnType<typeof tileLimits>) => {
    const lay = canonicalLayer(c);
    const tiles = planTiles(lay, lim);
    const { map } = runLayer(c);
    const owner = new Map<number, number>();
    tiles.forEach((t, i) => {
      expect(t.outRows.length).toBeGreaterThan(0);
      expect(t.inRows.length).toBeLessThanOrEqual(lim.coordDepth);
      expect(t.hwOut.length).toBeLessThanOrEqual(lim.coordDepth);
      // Each core output is where coreAt says in the tile's hardware outputs.
      t.outRows.forEach((q, k) => {
        expect(owner.has(q)).toBe(false);
        owner.set(q, i);
        expect(t.hwOut[t.coreAt[k]!]).toEqual(lay.outCoords[q]);
      });
    });
    expect(owner.size).toBe(lay.outCoords.length);
    // Every (input, output) pair of the map with the output in a core has its input in that tile.
    const inSets = tiles.map((t) => new Set(t.inRows));
    for (const p of map.pairs) {
      for (let e = 0; e < p.output.length; e++) expect(inSets[owner.get(p.output[e]!)!]!.has(p.input[e]!)).toBe(true);
    }
    return tiles;
  };

  it('cuts submanifold, conv and transposed layers into covering tiles', () => {
    const spec = presets.tiny;
    const lim = tileLimits(spec);
    expect(check(bunnyCase(spec, { voxel: 0.5, type: 'submanifold', k: 3, cin: 4, cout: 4 }), lim).length).toBeGreaterThan(3);
    expect(check(bunnyCase(spec, { voxel: 0.5, type: 'conv', k: 3, s: 2, cin: 4, cout: 4 }), lim).length).toBeGreaterThan(1);
    expect(check(bunnyCase(spec, { voxel: 0.5, type: 'transposed', k: 2, s: 2, cin: 4, cout: 4 }), lim).length).toBeGreaterThan(1);
    expect(check(randomCase(spec, { type: 'submanifold', k: 3, cin: 4, cout: 4, n: 600, span: 6, batches: 3, seed: 9 }), lim).length).toBeGreaterThan(1);
  });

  it('keeps a layer that fits in one tile', () => {
    const spec = presets.fpga;
    const tiles = check(bunnyCase(spec, { voxel: 0.25, type: 'submanifold', k: 3, cin: 16, cout: 16 }), tileLimits(spec));
    expect(tiles).toHaveLength(1);
    expect(tiles[0]!.inRows).toHaveLength(1790);
    expect(tiles[0]!.outRows).toHaveLength(1790);
    expect(tiles[0]!.coreAt).toEqual(tiles[0]!.outRows);
  });

  it('reaches: submanifold ±(k−1)/2·ts, conv covers its cell, transposed looks back', () => {
    const L = { inChannels: 1, outChannels: 1 };
    expect(inputReach({ ...L, type: 'submanifold', kernelSize: 3, stride: 1, inTensorStride: 2 })).toEqual([-2, 2]);
    expect(inputReach({ ...L, type: 'conv', kernelSize: 2, stride: 2, inTensorStride: 1 })).toEqual([0, 1]);
    expect(inputReach({ ...L, type: 'conv', kernelSize: 3, stride: 2, inTensorStride: 1 })).toEqual([-1, 1]);
    expect(inputReach({ ...L, type: 'transposed', kernelSize: 2, stride: 2, inTensorStride: 2 })).toEqual([-1, 0]);
  });
});

describe('derived parameters of the top level', () => {
  it('every preset and random spec derives; the POSTPROC enables follow the spec', () => {
    for (const spec of [presets.tiny, presets.edge, presets.fpga, presets.server, ...Array.from({ length: 30 }, (_, i) => randomValidSpec(1000 + i))]) {
      const a = derive(spec).accel;
      expect(a.m.top).toBe(`${spec.name}_accel`);
      expect(a.regReads.map((r) => r.name)).toEqual(derive(spec).registers.registers.map((r) => r.name));
      expect(a.regAbsent.map((r) => r.sig).includes('bias')).toBe(!spec.postprocess.bias);
      expect(a.bankDepth).toBe(Math.floor(spec.buffers.mapDepth / spec.mapping.lanes));
      expect(a.segDepth).toBeGreaterThan(spec.mapping.maxKernelSize ** 3);
    }
  });
});
