import { describe, expect, it } from 'vitest';
import { canonicalJson, configHash, defineAccelerator, derive, PRESET_NAMES, presets, randomValidSpec } from '../../generator/dsl/index.ts';
import { clog2, countWidth, addrWidth } from '../../generator/dsl/derive/math.ts';
import type { RegisterMap } from '../../generator/dsl/derive/index.ts';

describe('math helpers', () => {
  it('clog2, countWidth, addrWidth', () => {
    expect([0, 1, 2, 3, 4, 5, 4096, 4097].map(clog2)).toEqual([0, 0, 1, 2, 2, 3, 12, 13]);
    expect([0, 1, 2, 3, 4, 256].map(countWidth)).toEqual([1, 1, 2, 2, 3, 9]);
    expect([1, 2, 16, 17].map(addrWidth)).toEqual([1, 1, 4, 5]);
  });
});

describe('derive', () => {
  it('computes the fpga numbers', () => {
    const d = derive(presets.fpga);
    expect(d.prefix).toBe('sf_fpga_');
    expect(d.kernel).toMatchObject({ maxSize: 5, maxVolume: 125, sizeWidth: 3, indexWidth: 7, strideWidth: 2 });
    expect(d.coords).toMatchObject({ pointWidth: 52, pointCountWidth: 13, tensorStrideLog2Width: 4 });
    expect(d.buffers.coord).toEqual({ depth: 4096, addrWidth: 12, width: 52, banks: 8 });
    expect(d.buffers.feature).toEqual({ depth: 4096, addrWidth: 12, width: 128, banks: 1 });
    expect(d.buffers.weight).toEqual({ depth: 2048, addrWidth: 11, width: 128, banks: 2 });
    expect(d.buffers.accumulator).toEqual({ depth: 4096, addrWidth: 12, width: 512, banks: 1 });
    expect(d.buffers.map).toEqual({ depth: 32768, addrWidth: 15, width: 7 + 12 + 12, banks: 8 });
    expect(d.arithmetic).toMatchObject({ productWidth: 16, reductionWidth: 32 });
    expect(d.channels).toMatchObject({ countWidth: 10, maxInTiles: 32, maxOutTiles: 32 });
    expect(d.axis).toMatchObject({ keepWidth: 16, outBeatsPerWord: 1, accBeatsPerWord: 4 });
    expect(d.layerTypes.mask).toBe(7);
    expect(d.matrix.rows).toBe(16);
    expect(d.postproc.multiplierWidth).toBe(16);
  });

  it('aggregates every unit and is JSON-clean for all presets and random specs', () => {
    for (const s of [...PRESET_NAMES.map((p) => presets[p]), ...Array.from({ length: 30 }, (_, i) => randomValidSpec(i))]) {
      const d = derive(s);
      expect(Object.keys(d)).toEqual(expect.arrayContaining(['mapping', 'matrix', 'postproc', 'registers', 'buffers', 'latencies']));
      expect(JSON.parse(JSON.stringify(d))).toEqual(d);
      expect(d.arithmetic.reductionWidth).toBeLessThanOrEqual(d.arithmetic.accWidth);
    }
  });

  it('channel-tile counts: accel_ctrl\'s rounding sums (C + X − 1) >> log2 X never wrap, also when an N:M pass is wider than maxChannels', () => {
    // The RTL computes ceil(C / X) as (C + X − 1) >> log2 X in chRoundW bits; modelled here modulo
    // 2^chRoundW for every channel count of every spec (random spec 711026: 1:4, rows 4,
    // maxChannels 4 summed 1 + 15 in 4 bits, 0 tiles, and hung).
    const specs = [...PRESET_NAMES.map((p) => presets[p]), ...Array.from({ length: 30 }, (_, i) => randomValidSpec(i))];
    const narrow = [
      { rows: 4, cols: 2, maxChannels: 4, weightSparsity: '1:4', axisDataWidth: 128 },
      { rows: 4, cols: 4, maxChannels: 7, weightSparsity: '1:8', axisDataWidth: 256 },
      { rows: 8, cols: 8, maxChannels: 8, weightSparsity: '2:8', axisDataWidth: 256 },
      { rows: 2, cols: 1, maxChannels: 2, weightSparsity: '1:8', axisDataWidth: 256 },
    ] as const;
    for (const n of narrow) {
      specs.push(defineAccelerator({ name: 'x', matrix: { rows: n.rows, cols: n.cols, maxChannels: n.maxChannels, weightSparsity: n.weightSparsity }, interfaces: { axisDataWidth: n.axisDataWidth } }, presets.tiny));
    }
    let wide = 0;
    for (const s of specs) {
      const a = derive(s).accel;
      const lit = (l: string) => Number.parseInt(l.split("'d")[1]!, 10);
      expect([lit(a.xRowsM1Lit), lit(a.colsM1Lit)]).toEqual([a.xRows - 1, a.cols - 1]);
      if (a.xRows > s.matrix.maxChannels) wide++;
      for (let c = 1; c <= s.matrix.maxChannels; c++) {
        const ti = ((c + a.xRows - 1) % 2 ** a.chRoundW) >> a.xRowsLog2;
        const to = ((c + a.cols - 1) % 2 ** a.chRoundW) >> a.colsLog2;
        expect([s.name, c, ti, to]).toEqual([s.name, c, Math.ceil(c / a.xRows), Math.ceil(c / a.cols)]);
      }
    }
    expect(wide).toBeGreaterThanOrEqual(narrow.length);
  });

  it('pipelining knobs: which adder-tree levels are registered, and the added latency', () => {
    const regs = (rows: number, treePipeline: number) => {
      const d = derive(defineAccelerator({ name: 'x', matrix: { rows, cols: 4, treePipeline }, buffers: { weightDepth: 32768 }, interfaces: { axisDataWidth: 1024 } }));
      return [d.matrix.levels.filter((l) => l.registered).map((l) => l.level), d.matrix.latency, d.latencies.matrix];
    };
    // Default: every second level and the root; then the middle of the earliest longest run.
    expect(regs(16, 0)).toEqual([[2, 4], 3, 4]);
    expect(regs(16, 1)).toEqual([[1, 2, 4], 4, 5]);
    expect(regs(16, 2)).toEqual([[1, 2, 3, 4], 5, 6]);
    expect(regs(32, 0)).toEqual([[2, 4, 5], 4, 5]);
    expect(regs(32, 2)).toEqual([[1, 2, 3, 4, 5], 6, 7]);
    expect(regs(64, 1)).toEqual([[1, 2, 4, 6], 5, 6]);
    const pp = (pipelineStages: number) => derive(defineAccelerator({ name: 'x', postprocess: { pipelineStages } })).postproc;
    expect([0, 1, 2, 3].map((k) => [pp(k).latency, pp(k).reluAtClamp, pp(k).sideStages.at(-1)!.stage])).toEqual([
      [4, 3, 4],
      [5, 4, 5],
      [6, 5, 6],
      [7, 6, 7],
    ]);
    expect([pp(1).pipeMul, pp(1).pipeShift, pp(3).pipeClamp]).toEqual([true, false, true]);
    expect(derive(defineAccelerator({ name: 'x', postprocess: { pipelineStages: 2 } })).latencies.postproc).toBe(7);
  });

  it('is deterministic', () => {
    expect(JSON.stringify(derive(presets.edge))).toBe(JSON.stringify(derive(structuredClone(presets.edge))));
  });
});

describe('config hash', () => {
  it('is the SHA-256 of the canonical JSON, independent of key order', () => {
    const a = presets.tiny;
    const reordered = JSON.parse(JSON.stringify(a, Object.keys(a).reverse().concat(...Object.values(a).flatMap((v) => (typeof v === 'object' ? Object.keys(v) : [])))));
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: 3 }] })).toBe('{"a":[{"c":3,"d":2}],"b":1}');
    expect(configHash(reordered)).toBe(configHash(a));
    expect(configHash(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(configHash(defineAccelerator({ name: 'sf_tiny', matrix: { rows: 2 } }, presets.tiny))).not.toBe(configHash(a));
    expect(derive(a).configHashWord).toBe(Number.parseInt(configHash(a).slice(0, 8), 16));
  });
});

function checkMap(map: RegisterMap): void {
  const names = new Set<string>();
  map.registers.forEach((r, i) => {
    expect(names.has(r.name), r.name).toBe(false);
    names.add(r.name);
    expect(r.index).toBe(i);
    expect(r.offset).toBe(i * map.stride);
    let used = 0n;
    let reset = 0n;
    for (const f of r.fields) {
      const mask = ((1n << BigInt(f.width)) - 1n) << BigInt(f.lsb);
      expect(used & mask, `${r.name}.${f.name} overlaps`).toBe(0n);
      used |= mask;
      expect(f.msb).toBe(f.lsb + f.width - 1);
      expect(f.msb).toBeLessThan(map.dataWidth);
      expect(BigInt(f.mask)).toBe(mask);
      expect(BigInt(f.reset)).toBeLessThan(1n << BigInt(f.width));
      reset |= BigInt(f.reset) << BigInt(f.lsb);
    }
    expect(BigInt(r.resetHex)).toBe(reset);
  });
  expect(2 ** map.addrWidth).toBeGreaterThanOrEqual(map.count * map.stride);
}

describe('register map', () => {
  it('has the registers the top level needs, without overlaps', () => {
    const d = derive(presets.fpga);
    const names = d.registers.registers.map((r) => r.name);
    expect(names.slice(0, 3)).toEqual(['ID', 'VERSION', 'CONFIG_HASH']);
    for (const n of ['CONTROL', 'STATUS', 'LAYER_TYPE', 'KERNEL_SIZE', 'STRIDE', 'IN_TENSOR_STRIDE', 'IN_POINTS', 'OUT_POINTS', 'IN_CHANNELS', 'OUT_CHANNELS', 'POSTPROC']) {
      expect(names).toContain(n);
    }
    for (const n of ['PERF_TOTAL_CYCLES', 'PERF_MAPPING_CYCLES', 'PERF_COMPUTE_CYCLES', 'PERF_STALL_CYCLES', 'PERF_MAP_ENTRIES']) {
      expect(names).toContain(`${n}_LO`);
      expect(names).toContain(`${n}_HI`);
    }
    const status = d.registers.registers.find((r) => r.name === 'STATUS')!;
    expect(status.fields.map((f) => `${f.name}:${f.access}`)).toEqual(['BUSY:RO', 'DONE:W1C', 'ERROR:W1C', 'ERROR_CODE:RO']);
    expect(d.registers.registers.find((r) => r.name === 'CONFIG_HASH')!.reset).toBe(d.configHashWord);
    expect(d.registers.registers.find((r) => r.name === 'ID')!.resetHex).toBe('0x53460001');
    checkMap(d.registers);
  });

  it('uses one register per counter on a 64-bit bus', () => {
    const d = derive(defineAccelerator({ name: 'wide', interfaces: { axilDataWidth: 64 } }));
    expect(d.registers.stride).toBe(8);
    expect(d.registers.registers.map((r) => r.name)).toContain('PERF_TOTAL_CYCLES');
    expect(d.registers.registers.find((r) => r.name === 'ID')!.resetHex).toBe('0x0000000053460001');
    checkMap(d.registers);
  });

  it('has POSTPROC bits only for the stages the spec has', () => {
    const d = derive(defineAccelerator({ name: 'plain', postprocess: { bias: false, requant: false, relu: false } }));
    expect(d.registers.registers.find((r) => r.name === 'POSTPROC')!.fields).toEqual([]);
    const full = derive(presets.tiny).registers.registers.find((r) => r.name === 'POSTPROC')!;
    expect(full.fields.map((f) => f.name)).toEqual(['BIAS_EN', 'REQUANT_EN', 'RELU_EN']);
  });

  it('is sound for random specs', () => {
    for (let i = 0; i < 100; i++) checkMap(derive(randomValidSpec(i)).registers);
  });
});
