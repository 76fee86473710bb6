// Delay tables for the static timing analysis (sta.ts): one for 7-series parts (the cells of
// Yosys `synth_xilinx`) and one for iCE40 HX parts (the cells of `synth_ice40`), each with a
// net-delay range, because without placement the wire between two cells is the unknown.
//
// Sources and assumptions, in ns:
//
// 7-series, speed grade -1 (the base of the table; Artix-7 class fabric):
//  - LUT1…LUT6 0.124 (TILO in UG474's slice timing model; the value Vivado's report_timing
//    prints as `Prop_lutN_I*_O` on -1 Artix-7/Zynq-7000 parts). DS181 no longer tabulates TILO.
//  - CARRY4: CI→CO 0.114 (TBYP, `Prop_carry4_CI_CO[3]`), S/DI→CO 0.52 (TOPCY/TAXCY, chain
//    entry, `Prop_carry4_DI[1]_CO[3]` 0.520, `Prop_carry4_S[1]_CO[3]` 0.533), CI→O 0.26 and
//    S/DI→O 0.45 (TCINA… and TAXA…: assumed, between the two figures above). CO[3]→CI and LUT
//    O6→S are dedicated wires (UG474 ch. 2): no net delay.
//  - MUXF7 I→O 0.25, S→O 0.35; MUXF8 I→O 0.10, S→O 0.30 (TIF7/TIF8-style figures; assumed from
//    Vivado -1 reports, which rarely show MUXF on critical paths). LUT→MUXF7→MUXF8 is dedicated.
//  - FDRE/FDSE/FDCE/FDPE clock-to-Q 0.456 (`Prop_fdre_C_Q` on -1 7-series), setup D 0.06,
//    CE 0.20, R/S/CLR/PRE 0.52 (TDICK/TCECK/TSRCK order of magnitude; assumed).
//  - RAMB18E1/RAMB36E1 clock-to-DO 2.45 without the output register, 0.88 with DOA_REG/DOB_REG
//    (TRCKO_DO / TRCKO_DO_REG order of magnitude of DS181's -1 column; assumed), setup ADDR 0.57,
//    DI 0.74, WE 0.53, EN 0.35 (TRCCK_ADDR, TRDCK_DI, TRCCK_WE, TRCCK_EN; assumed).
//  - DSP48E1 (UG479's pipeline registers decide the path): input to AREG/BREG setup 0.30, input
//    to MREG 2.40, input through the multiplier to PREG 3.90, input to P combinational 4.04
//    (`Prop_dsp48e1_A[16]_PCOUT[47]` 4.036 on -1); clock-to-P from PREG 0.38
//    (`Prop_dsp48e1_CLK_P` 0.383), from MREG through the ALU 1.70, from AREG through the
//    multiplier 3.50 (assumed from the setup figures).
//  - SRL16E/SRLC32E clock-to-Q 1.50, address→Q 0.124 (a LUT); LUT RAM (RAM32M, RAM64M, …)
//    address→DO 0.26, write-clock→DO 1.50, setup DI 0.30, WE 0.50, write address 0.30 (assumed,
//    UG474's distributed-RAM model has the same structure).
//  - Nets: fast corner 0.35 per hop (a neighbouring slice), slow corner 0.75 + 0.10·log2(fanout)
//    (0.72 ns is what Vivado's post-synthesis estimate charges a LUT→LUT hop on -1 Series-7,
//    and high fanout costs more). A LUT feeding only its own slice's flip-flop: 0 / 0.07.
// Speed grade -2: every -1 delay × 0.84, the ratio of DS181's -1 and -2 Fmax for the two hard
// blocks it tabulates (DSP48E1 464 vs 550 MHz, block RAM 388 vs 460 MHz); assumed to hold for
// the fabric too. Kintex-7 (DS182) is faster than Artix-7 at the same grade: this is the
// conservative family.
//
// iCE40 HX (slow corner of icestorm's timing database, icefuzz/timings_hx8k.txt, which
// nextpnr-ice40's chipdb is built from): LogicCell40 in0/in1/in2/in3→lcout 0.449/0.400/0.379/
// 0.316, carryin→carryout 0.126, in1/in2→carryout 0.259/0.231, clk→lcout 0.540, setup in0 0.470
// (a flip-flop without a LUT is fed through a route-through LUT: +0.449); SB_RAM40_4K
// RCLK→RDATA 2.146, setup RADDR 0.203, WADDR 0.224, WDATA 0.161, MASK 0.274, WE 0.133, RE 0.098,
// RCLKE/WCLKE 0.267; CEMux 0.603, SRMux 0.463. Nets: fast corner LocalMux + InMux
// 0.330 + 0.259 = 0.589, slow corner Odrv4 + Span4Mux_v4 + LocalMux + InMux = 1.312.
import { param, type CellTiming, type DelayModel, type NetHop } from './sta.ts';

export type Corner = 'fast' | 'slow';
export type SpeedGrade = 1 | 2;

const LUT_RE = /^LUT([1-6])(_2)?$/;
const FF_RE = /^FD[RSCP]E(_1)?$/;

function scaled(t: CellTiming, k: number): CellTiming {
  if (k === 1) return t;
  const m = (v: number | undefined): number | undefined => (v === undefined ? undefined : v * k);
  return {
    clocks: t.clocks,
    clockToOut: t.clockToOut && ((p, b) => m(t.clockToOut!(p, b))),
    setup: t.setup && ((p, b) => m(t.setup!(p, b))),
    arc: t.arc && ((ip, ib, op, ob) => m(t.arc!(ip, ib, op, ob))),
  };
}

const comb = (d: number): CellTiming => ({ arc: () => d });

function xc7Cell(type: string, params: Record<string, string | number>): CellTiming {
  if (LUT_RE.test(type) || type === 'INV') return comb(0.124);
  if (FF_RE.test(type)) {
    return {
      clocks: ['C'],
      clockToOut: () => 0.456,
      setup: (p) => (p === 'D' ? 0.06 : p === 'CE' ? 0.2 : 0.52),
    };
  }
  switch (type) {
    case 'CARRY4':
      return {
        arc: (ip, ib, op, ob) => {
          if (ip === 'CI' || ip === 'CYINIT') return op === 'CO' ? 0.114 + (ip === 'CYINIT' ? 0.3 : 0) : 0.26;
          if (ib > ob) return undefined; // bit i depends on bits 0…i only
          return op === 'CO' ? 0.52 : 0.45;
        },
      };
    case 'MUXF7':
      return { arc: (ip) => (ip === 'S' ? 0.35 : 0.25) };
    case 'MUXF8':
      return { arc: (ip) => (ip === 'S' ? 0.3 : 0.1) };
    case 'BUFG':
      return comb(0);
    case 'SRL16E':
    case 'SRLC32E':
      return {
        clocks: ['CLK'],
        clockToOut: () => 1.5,
        setup: (p) => (p === 'D' ? 0.05 : p === 'CE' ? 0.3 : undefined),
        arc: (ip) => (/^A/.test(ip) ? 0.124 : undefined),
      };
    case 'RAMB18E1':
    case 'RAMB36E1': {
      const regA = param(params, 'DOA_REG') > 0;
      const regB = param(params, 'DOB_REG') > 0;
      return {
        clocks: ['CLKARDCLK', 'CLKBWRCLK'],
        clockToOut: (p) => ((/^DOP?A/.test(p) ? regA : regB) ? 0.88 : 2.45),
        setup: (p) =>
          /^ADDR/.test(p) ? 0.57
          : /^DI/.test(p) ? 0.74
          : /^WE/.test(p) ? 0.53
          : /^EN|^REGCE|^RST/.test(p) ? 0.35
          : undefined,
      };
    }
    case 'DSP48E1': {
      const areg = Math.max(param(params, 'AREG', 1), param(params, 'BREG', 1)) > 0;
      const mreg = param(params, 'MREG', 1) > 0;
      const preg = param(params, 'PREG', 1) > 0;
      const creg = param(params, 'CREG', 1) > 0;
      const useMult = String(params.USE_MULT ?? 'MULTIPLY') !== 'NONE';
      const dataIn = (p: string): boolean => /^(A|B|ACIN|BCIN|D)$/.test(p);
      const isOut = (p: string): boolean => /^(P|PCOUT|CARRYOUT|CARRYCASCOUT|MULTSIGNOUT|PATTERNDETECT|PATTERNBDETECT|OVERFLOW|UNDERFLOW)$/.test(p);
      return {
        clocks: ['CLK'],
        clockToOut: (p) => {
          if (/^(ACOUT|BCOUT)$/.test(p)) return areg ? 0.5 : undefined;
          if (!isOut(p)) return undefined;
          if (preg) return 0.38;
          if (mreg && useMult) return 1.7;
          if (areg) return 3.5;
          return undefined;
        },
        setup: (p) => {
          if (/^(CE|RST)/.test(p)) return 0.3;
          if (dataIn(p)) return areg ? 0.3 : mreg && useMult ? 2.4 : preg ? 3.9 : undefined;
          if (p === 'C') return creg ? 0.2 : preg ? 1.5 : undefined;
          if (p === 'PCIN') return preg ? 1.2 : undefined;
          return preg ? 1.0 : undefined; // OPMODE, ALUMODE, INMODE, CARRYIN…
        },
        arc: (ip, _ib, op) => {
          if (/^(ACOUT|BCOUT)$/.test(op)) return areg ? undefined : 0.3;
          if (!isOut(op) || preg) return undefined;
          if (dataIn(ip)) return areg || (mreg && useMult) ? undefined : 4.04;
          if (ip === 'C') return creg ? undefined : 1.9;
          if (/^(CE|RST)/.test(ip)) return undefined;
          return 1.5;
        },
      };
    }
  }
  if (/^RAM(32|64|128|256)(M|X1[SD])$/.test(type)) {
    return {
      clocks: ['WCLK'],
      clockToOut: () => 1.5,
      setup: (p) => (/^D/.test(p) && !/^DO/.test(p) ? 0.3 : p === 'WE' ? 0.5 : /^(ADDRD|A\d|ADDR|DPRA)/.test(p) ? 0.3 : undefined),
      arc: (ip) => (/^(ADDR|A\d|DPRA|A$)/.test(ip) ? 0.26 : undefined),
    };
  }
  throw new Error(`no 7-series delay for cell type ${type}`);
}

/** 7-series delays (see the header): speed grade -1 or -2, fast or slow net corner. */
export function xc7Delays(grade: SpeedGrade, corner: Corner): DelayModel {
  const k = grade === 1 ? 1 : 0.84;
  const cache = new Map<string, CellTiming>();
  return {
    name: `xc7 -${grade} (${corner} nets)`,
    cell: (type, params) => {
      // Only the cells whose timing depends on parameters are built per instance.
      if (type === 'DSP48E1' || /^RAMB/.test(type)) return scaled(xc7Cell(type, params), k);
      let t = cache.get(type);
      if (!t) {
        t = scaled(xc7Cell(type, params), k);
        cache.set(type, t);
      }
      return t;
    },
    net: (h: NetHop) => {
      if (h.driverType === 'CARRY4' && h.driverPort === 'CO' && h.sinkType === 'CARRY4' && h.sinkPort === 'CI') return 0;
      if (h.driverType !== undefined && LUT_RE.test(h.driverType) && h.sinkType === 'CARRY4' && h.sinkPort === 'S') return 0;
      if ((h.sinkType === 'MUXF7' && h.sinkPort !== 'S' && h.driverType !== undefined && LUT_RE.test(h.driverType)) || (h.sinkType === 'MUXF8' && h.driverType === 'MUXF7')) return 0;
      if (h.driverType !== undefined && LUT_RE.test(h.driverType) && h.sinkType !== undefined && FF_RE.test(h.sinkType) && h.sinkPort === 'D' && h.fanout === 1) {
        return corner === 'fast' ? 0 : 0.07 * k;
      }
      const base = corner === 'fast' ? 0.35 : 0.75 + 0.1 * Math.log2(Math.max(1, h.fanout));
      return base * k;
    },
    ports: { inputArrival: 0.456 * k, outputSetup: 0.06 * k },
  };
}

const ICE_DFF_RE = /^SB_DFFN?(E)?(SR|SS|R|S|ER|ES|ESR|ESS)?$/;
const ICE_LUT_IN: Record<string, number> = { I0: 0.449, I1: 0.4, I2: 0.379, I3: 0.316 };

function ice40Cell(type: string): CellTiming {
  if (type === 'SB_LUT4') return { arc: (ip) => ICE_LUT_IN[ip] };
  if (type === 'SB_CARRY') return { arc: (ip) => (ip === 'CI' ? 0.126 : ip === 'I0' ? 0.259 : 0.231) };
  if (ICE_DFF_RE.test(type)) {
    return {
      clocks: ['C'],
      clockToOut: () => 0.54,
      // D: the LUT of the same logic cell is on the path (its arc); the cell's setup beyond it.
      setup: (p) => (p === 'D' ? 0.021 : p === 'E' ? 0.603 : 0.666),
    };
  }
  if (/^SB_RAM40_4K(NR|NW|NRNW)?$/.test(type)) {
    return {
      clocks: ['RCLK', 'WCLK', 'RCLKN', 'WCLKN'],
      clockToOut: (p) => (p === 'RDATA' ? 2.146 : undefined),
      setup: (p) =>
        p === 'RADDR' ? 0.203
        : p === 'WADDR' ? 0.224
        : p === 'WDATA' ? 0.161
        : p === 'MASK' ? 0.274
        : p === 'WE' ? 0.133
        : p === 'RE' ? 0.098
        : p === 'RCLKE' || p === 'WCLKE' ? 0.267
        : undefined,
    };
  }
  if (type === 'SB_GB') return comb(0.617);
  throw new Error(`no iCE40 delay for cell type ${type}`);
}

/** iCE40 HX delays (see the header). Ports are not timed: the netlist is a wrapped design. */
export function ice40Delays(corner: Corner): DelayModel {
  const cache = new Map<string, CellTiming>();
  return {
    name: `iCE40 HX (${corner} nets)`,
    cell: (type) => {
      let t = cache.get(type);
      if (!t) {
        t = ice40Cell(type);
        cache.set(type, t);
      }
      return t;
    },
    net: (h) => {
      if (h.driverType === 'SB_CARRY' && h.driverPort === 'CO' && (h.sinkType === 'SB_CARRY' || (h.sinkType === 'SB_LUT4' && h.sinkPort === 'I3'))) return 0;
      const wire = corner === 'fast' ? 0.589 : 1.312;
      if (h.sinkType !== undefined && ICE_DFF_RE.test(h.sinkType) && h.sinkPort === 'D') {
        // Packed with its LUT when that LUT feeds nothing else; otherwise a route-through LUT.
        if (h.driverType === 'SB_LUT4' && h.fanout === 1) return 0;
        return wire + 0.449;
      }
      return wire;
    },
  };
}
