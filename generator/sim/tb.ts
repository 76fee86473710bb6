// The test-only co-simulation top of one spec: the matrix unit and the post-processing unit side
// by side, each port exposed as an AXI4-Stream, plus a small AXI4-Lite register block (scratch
// registers and a status word) that exercises the harness's AXI-Lite master. Rendered from
// templates/tb/*.v.hbs; never part of the product's module list.
import type { AcceleratorSpec } from '../dsl/spec.ts';
import { deriveMatrix, type MatrixDerived } from '../dsl/derive/matrix.ts';
import { derivePostproc, type PostprocDerived } from '../dsl/derive/postproc.ts';
import { streamLayout, type FieldSpec, type StreamLayout } from './layout.ts';
import type { DutBinding } from './binding.ts';

export const TB_TEMPLATES = ['stream_fifo.v.hbs', 'matrix_col.v.hbs', 'matrix_unit.v.hbs', 'postproc.v.hbs', 'tb/axil_regs.v.hbs', 'tb/sim_top.v.hbs'];
/** The matrix unit alone behind AXI4-Streams (benchmarks: nothing else is evaluated per cycle). */
export const MATRIX_TOP_TEMPLATES = ['stream_fifo.v.hbs', 'matrix_col.v.hbs', 'matrix_unit.v.hbs', 'tb/matrix_top.v.hbs'];

/** AXI-Lite register map of the test top (byte addresses). */
export const TB_AXIL = {
  addrWidth: 8,
  scratch: [0x00, 0x04, 0x08, 0x0c],
  /** Read-only: bit 0 = matrix unit tile_err_o. */
  status: 0x10,
  /** Read-only: a constant identifying the test top. */
  id: 0x14,
  idValue: 0x5f5e_0001,
};

export interface SimTopDerived {
  module: string;
  matrixTopModule: string;
  axilModule: string;
  matrix: MatrixDerived;
  postproc: PostprocDerived;
  streams: { w: StreamLayout; x: StreamLayout; y: StreamLayout; a: StreamLayout; z: StreamLayout };
  /** Field bit ranges printed by the wrapper: name → {lsb, msb}. */
  f: Record<string, { lsb: number; msb: number }>;
  axilAddrWidth: number;
  axilAddrMsb: number;
  axilDataWidth: number;
  axilDataMsb: number;
  axilStrbWidth: number;
  axilStrbMsb: number;
  axilBytes: { byte: number; lsb: number; msb: number }[];
  axilScratch: { index: number; addr: number }[];
  axilStatusAddr: number;
  axilIdAddr: number;
  axilIdValue: number;
  /** Status word padding above bit 0. */
  statusPad: number;
}

export function deriveSimTop(spec: AcceleratorSpec): SimTopDerived {
  const m = deriveMatrix(spec);
  const p = derivePostproc(spec);
  // A weight beat carries buffers.weightReadRows tile rows (row j's column c at lane j·cols + c).
  const w = streamLayout('w', 'in', [{ name: 'w', lanes: m.wReadRows * m.cols, laneWidth: m.weightWidth, signed: true }]);
  const x = streamLayout('x', 'in', [
    { name: 'x', lanes: m.rows, laneWidth: m.inWidth, signed: true },
    { name: 'tag', laneWidth: m.tagWidth },
  ]);
  const y = streamLayout('y', 'out', [
    { name: 'y', lanes: m.cols, laneWidth: m.psumWidth, signed: true },
    { name: 'tag', laneWidth: m.tagWidth },
  ]);
  const aFields: FieldSpec[] = [{ name: 'acc', lanes: p.lanes, laneWidth: p.accWidth, signed: true }];
  if (p.bias) aFields.push({ name: 'bias', lanes: p.lanes, laneWidth: p.accWidth, signed: true });
  if (p.requant) {
    aFields.push({ name: 'mult', lanes: p.lanes, laneWidth: p.multiplierWidth });
    aFields.push({ name: 'shift', lanes: p.lanes, laneWidth: p.shiftWidth });
  }
  if (p.relu) aFields.push({ name: 'relu', laneWidth: 1 });
  aFields.push({ name: 'tag', laneWidth: p.tagWidth });
  const a = streamLayout('a', 'in', aFields);
  const zFields: FieldSpec[] = [{ name: 'acc', lanes: p.lanes, laneWidth: p.accWidth, signed: true }];
  if (p.requant) zFields.push({ name: 'q', lanes: p.lanes, laneWidth: p.outWidth, signed: true });
  zFields.push({ name: 'tag', laneWidth: p.tagWidth });
  const z = streamLayout('z', 'out', zFields);
  const f: Record<string, { lsb: number; msb: number }> = {};
  for (const s of [w, x, y, a, z]) for (const fl of s.fields) f[`${s.name}_${fl.name}`] = { lsb: fl.lsb, msb: fl.msb };
  const dataWidth = spec.interfaces.axilDataWidth;
  const strb = dataWidth / 8;
  return {
    module: `${spec.name}_sim_top`,
    matrixTopModule: `${spec.name}_matrix_top`,
    axilModule: `${spec.name}_tb_axil_regs`,
    matrix: m,
    postproc: p,
    streams: { w, x, y, a, z },
    f,
    axilAddrWidth: TB_AXIL.addrWidth,
    axilAddrMsb: TB_AXIL.addrWidth - 1,
    axilDataWidth: dataWidth,
    axilDataMsb: dataWidth - 1,
    axilStrbWidth: strb,
    axilStrbMsb: strb - 1,
    axilBytes: Array.from({ length: strb }, (_, byte) => ({ byte, lsb: byte * 8, msb: byte * 8 + 7 })),
    axilScratch: TB_AXIL.scratch.map((addr, index) => ({ index, addr })),
    axilStatusAddr: TB_AXIL.status,
    axilIdAddr: TB_AXIL.id,
    axilIdValue: TB_AXIL.idValue,
    statusPad: dataWidth - 1,
  };
}

/** Port binding of the test top for the C++ harness. */
export function simTopBinding(d: SimTopDerived): DutBinding {
  const s = d.streams;
  return {
    clock: 'clk_i',
    reset: 'rst_i',
    sources: [s.w, s.x, s.a].map((l) => ({ name: l.name, prefix: `${l.name}_`, width: l.width })),
    sinks: [s.y, s.z].map((l) => ({ name: l.name, prefix: `${l.name}_`, width: l.width })),
    axil: { prefix: 's_axil_', addrWidth: d.axilAddrWidth, dataWidth: d.axilDataWidth },
  };
}

/** Port binding of the matrix-only top. */
export function matrixTopBinding(d: SimTopDerived): DutBinding {
  const s = d.streams;
  return {
    clock: 'clk_i',
    reset: 'rst_i',
    sources: [s.w, s.x].map((l) => ({ name: l.name, prefix: `${l.name}_`, width: l.width })),
    sinks: [{ name: s.y.name, prefix: 'y_', width: s.y.width }],
  };
}
