// Static timing analysis over a Yosys JSON netlist (`write_json` after synthesis and `flatten`):
// the longest register-to-register path, found by a topological longest-path search over the
// bit-level netlist. Each cell type gets its timing from a delay model (delays.ts: 7-series from
// the Xilinx data sheets, iCE40 from icestorm's timing database): clock-to-out where a path
// starts, setup where it ends, a delay per combinational arc, and a delay per net hop (a range,
// because without placement and routing the wire is the unknown). Module ports count as
// registers (the design sits between registers, as in the iCE40 register wrapper of ice40.ts):
// an input arrives at a flip-flop's clock-to-out, an output needs a flip-flop's setup.
// An estimate, not sign-off timing: no clock skew, no fanout-dependent routing congestion, and
// the netlist is Yosys's, not the vendor tool's.

export type YosysBit = number | '0' | '1' | 'x' | 'z';

export interface YosysCell {
  type: string;
  parameters?: Record<string, string | number>;
  attributes?: Record<string, string | number>;
  port_directions?: Record<string, 'input' | 'output' | 'inout'>;
  connections: Record<string, YosysBit[]>;
}

export interface YosysModule {
  ports: Record<string, { direction: 'input' | 'output' | 'inout'; bits: YosysBit[] }>;
  cells: Record<string, YosysCell>;
  netnames?: Record<string, { hide_name?: number; bits: YosysBit[]; attributes?: Record<string, string | number> }>;
}

export interface YosysNetlist {
  modules: Record<string, YosysModule>;
}

/** How one cell type behaves in time (ns). Undefined means "no such timing point / arc". */
export interface CellTiming {
  /** Input ports that are clocks: never part of a data path. */
  clocks?: readonly string[];
  /** Clock-to-out of an output bit: a path starts here. */
  clockToOut?(port: string, bit: number): number | undefined;
  /** Setup of an input bit: a path ends here. */
  setup?(port: string, bit: number): number | undefined;
  /** Delay of the combinational arc from an input bit to an output bit. */
  arc?(inPort: string, inBit: number, outPort: string, outBit: number): number | undefined;
}

export interface NetHop {
  driverType?: string;
  driverPort?: string;
  sinkType?: string;
  sinkPort?: string;
  /** Sinks on the net. */
  fanout: number;
}

export interface DelayModel {
  /** e.g. `xc7 -2, net 0.45 ns/level`. */
  name: string;
  /** The timing of a cell type; throws on an unknown type so that nothing is silently free. */
  cell(type: string, params: Record<string, string | number>): CellTiming;
  /** Wire delay from a driver pin to a sink pin (0 on dedicated connections such as carry chains). */
  net(hop: NetHop): number;
  /**
   * Clock-to-out of the register assumed to drive a module input, and the setup of the one
   * assumed to take a module output; undefined: ports are not timed (a wrapped netlist whose
   * ports are pins).
   */
  ports?: { inputArrival: number; outputSetup: number };
}

export interface PathPoint {
  /** Cell name (or port name) and the net it drives. */
  cell: string;
  type: string;
  net: string;
  /** Arrival at this point's output, ns. */
  at: number;
}

export interface TimingPath {
  /** Delay including the endpoint's setup, ns. */
  delay: number;
  /** The register (or input port) the path starts at: the name of the net it drives. */
  start: string;
  /** The register (or output port) the path ends at. */
  end: string;
  /** The endpoint cell's type and pin (`FDRE.D`, `port`). */
  endPin: string;
  /** Combinational cells on the path. */
  levels: number;
  /** Combinational cells of the path by type (`LUT6: 3, CARRY4: 5`). */
  cellTypes: Record<string, number>;
  points: PathPoint[];
  /** Endpoint cell name (for grouping). */
  endCell: string;
}

export interface StaResult {
  model: string;
  /** The worst path over the design; undefined when there is no register-to-register path. */
  worst?: TimingPath;
  /** The worst path ending in each group (see `groupOf`). */
  groups: Map<string, TimingPath>;
  cells: number;
  endpoints: number;
}

function paramNumber(v: string | number | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  if (typeof v === 'number') return v;
  if (/^[01]+$/.test(v) && v.length > 1) return parseInt(v, 2);
  const n = Number(v);
  return Number.isFinite(n) ? n : dflt;
}

/** A cell parameter as a number (Yosys writes 32-bit binary strings). */
export function param(params: Record<string, string | number>, name: string, dflt = 0): number {
  return paramNumber(params[name], dflt);
}

type Driver = { kind: 'cell'; cell: number; port: string; bit: number } | { kind: 'input'; port: string };
interface Sink {
  cell: number;
  port: string;
  bit: number;
}

const NEG = Number.NEGATIVE_INFINITY;

/**
 * Longest register-to-register paths of `top` in `netlist` under `model`. `groupOf(endCell,
 * cell)` names the group an endpoint belongs to (default: one group, the top).
 */
export function analyzeTiming(
  netlist: YosysNetlist,
  top: string,
  model: DelayModel,
  groupOf: (name: string, cell: YosysCell | undefined) => string = () => top,
): StaResult {
  const mod = netlist.modules[top];
  if (!mod) throw new Error(`sta: module ${top} is not in the netlist (modules: ${Object.keys(netlist.modules).join(', ')})`);
  const names = Object.keys(mod.cells);
  const cells = names.map((n) => mod.cells[n]!);
  const timing = cells.map((c, i) => {
    try {
      return model.cell(c.type, c.parameters ?? {});
    } catch (e) {
      throw new Error(`sta: cell ${names[i]}: ${(e as Error).message}`);
    }
  });

  const driver = new Map<number, Driver>();
  const sinks = new Map<number, Sink[]>();
  const addSink = (b: number, s: Sink): void => {
    const l = sinks.get(b);
    if (l) l.push(s);
    else sinks.set(b, [s]);
  };
  for (const [pname, p] of Object.entries(mod.ports)) {
    p.bits.forEach((b) => {
      if (typeof b !== 'number') return;
      if (p.direction === 'input') driver.set(b, { kind: 'input', port: pname });
    });
  }
  cells.forEach((c, ci) => {
    const dirs = c.port_directions ?? {};
    for (const [port, bits] of Object.entries(c.connections)) {
      const dir = dirs[port];
      if (dir === undefined) throw new Error(`sta: cell ${names[ci]} (${c.type}) has no direction for port ${port} (write_json after synthesis, with the cell library loaded)`);
      bits.forEach((b, bit) => {
        if (typeof b !== 'number') return;
        if (dir === 'output') driver.set(b, { kind: 'cell', cell: ci, port, bit });
        else addSink(b, { cell: ci, port, bit });
      });
    }
  });

  // Readable names: the shortest public net name of each bit.
  const bitName = new Map<number, string>();
  for (const [n, info] of Object.entries(mod.netnames ?? {})) {
    const hidden = info.hide_name === 1 || n.startsWith('$');
    info.bits.forEach((b, i) => {
      if (typeof b !== 'number') return;
      const label = info.bits.length > 1 ? `${n}[${i}]` : n;
      const old = bitName.get(b);
      if (old === undefined || (hidden ? false : old.startsWith('$') || label.length < old.length)) {
        if (!hidden || old === undefined) bitName.set(b, label);
      }
    });
  }
  const nameOf = (b: number): string => bitName.get(b) ?? `net${b}`;
  const fanout = (b: number): number => sinks.get(b)?.length ?? 0;

  const hopDelay = (b: number, sink: Sink | 'port'): number => {
    const d = driver.get(b);
    const base = {
      driverType: d?.kind === 'cell' ? cells[d.cell]!.type : undefined,
      driverPort: d?.kind === 'cell' ? d.port : undefined,
      fanout: fanout(b),
    };
    return sink === 'port' ? model.net(base) : model.net({ ...base, sinkType: cells[sink.cell]!.type, sinkPort: sink.port });
  };

  // Combinational inputs of every cell output bit, computed once per cell.
  const inputsOf = (ci: number, port: string, bit: number): { b: number; d: number; port: string; bit: number }[] => {
    const t = timing[ci]!;
    if (!t.arc) return [];
    const c = cells[ci]!;
    const dirs = c.port_directions!;
    const clocks = new Set(t.clocks ?? []);
    const out: { b: number; d: number; port: string; bit: number }[] = [];
    for (const [ip, bits] of Object.entries(c.connections)) {
      if (dirs[ip] === 'output' || clocks.has(ip)) continue;
      bits.forEach((b, ib) => {
        if (typeof b !== 'number') return;
        const d = t.arc!(ip, ib, port, bit);
        if (d !== undefined) out.push({ b, d, port: ip, bit: ib });
      });
    }
    return out;
  };

  // Arrival time of every net bit and its predecessor on the longest path (iterative DFS).
  const arrival = new Map<number, number>();
  const pred = new Map<number, number>();
  const state = new Map<number, 1 | 2>();
  const visit = (root: number): number => {
    const done = arrival.get(root);
    if (done !== undefined) return done;
    const stack: { b: number; ins?: { b: number; d: number; port: string; bit: number }[]; i: number; best: number; from: number }[] = [
      { b: root, i: 0, best: NEG, from: -1 },
    ];
    while (stack.length) {
      const f = stack[stack.length - 1]!;
      if (f.ins === undefined) {
        state.set(f.b, 1);
        const d = driver.get(f.b);
        if (d === undefined) {
          f.ins = [];
        } else if (d.kind === 'input') {
          f.best = model.ports?.inputArrival ?? NEG;
          f.ins = [];
        } else {
          const start = timing[d.cell]!.clockToOut?.(d.port, d.bit);
          if (start !== undefined) f.best = start;
          f.ins = inputsOf(d.cell, d.port, d.bit);
        }
      }
      if (f.i < f.ins.length) {
        const inp = f.ins[f.i]!;
        const a = arrival.get(inp.b);
        if (a === undefined) {
          if (state.get(inp.b) === 1) {
            const d = driver.get(f.b);
            throw new Error(`sta: combinational loop through ${d?.kind === 'cell' ? names[d.cell] : nameOf(f.b)} (net ${nameOf(inp.b)})`);
          }
          stack.push({ b: inp.b, i: 0, best: NEG, from: -1 });
          continue;
        }
        if (a > NEG) {
          const d = driver.get(f.b) as Extract<Driver, { kind: 'cell' }>;
          const t = a + hopDelay(inp.b, { cell: d.cell, port: inp.port, bit: inp.bit }) + inp.d;
          if (t > f.best) {
            f.best = t;
            f.from = inp.b;
          }
        }
        f.i++;
        continue;
      }
      arrival.set(f.b, f.best);
      if (f.from >= 0) pred.set(f.b, f.from);
      state.set(f.b, 2);
      stack.pop();
    }
    return arrival.get(root)!;
  };

  const pathTo = (b: number, endName: string, endPin: string, endCell: string, total: number): TimingPath => {
    const points: PathPoint[] = [];
    let cur: number | undefined = b;
    while (cur !== undefined) {
      const d = driver.get(cur);
      const cell = d?.kind === 'cell' ? names[d.cell]! : d?.kind === 'input' ? d.port : '?';
      const type = d?.kind === 'cell' ? cells[d.cell]!.type : 'port';
      points.unshift({ cell, type, net: nameOf(cur), at: arrival.get(cur)! });
      cur = pred.get(cur);
    }
    const comb = points.slice(1);
    const cellTypes: Record<string, number> = {};
    for (const p of comb) cellTypes[p.type] = (cellTypes[p.type] ?? 0) + 1;
    return { delay: total, start: points[0]!.net, end: endName, endPin, levels: comb.length, cellTypes, points, endCell };
  };

  const groups = new Map<string, TimingPath>();
  let worst: TimingPath | undefined;
  let endpoints = 0;
  const consider = (b: number, total: number, endName: string, endPin: string, endCell: string, cell: YosysCell | undefined): void => {
    endpoints++;
    const g = groupOf(endCell, cell);
    const old = groups.get(g);
    if (old !== undefined && old.delay >= total && worst !== undefined && worst.delay >= total) return;
    const p = pathTo(b, endName, endPin, endCell, total);
    if (old === undefined || total > old.delay) groups.set(g, p);
    if (worst === undefined || total > worst.delay) worst = p;
  };

  cells.forEach((c, ci) => {
    const t = timing[ci]!;
    if (!t.setup) return;
    const dirs = c.port_directions!;
    const clocks = new Set(t.clocks ?? []);
    // The register's own name: the net its first output drives, else the cell name.
    const outBit = Object.entries(c.connections).find(([p]) => dirs[p] === 'output')?.[1].find((x) => typeof x === 'number') as number | undefined;
    const regName = outBit !== undefined ? nameOf(outBit) : names[ci]!;
    for (const [port, bits] of Object.entries(c.connections)) {
      if (dirs[port] === 'output' || clocks.has(port)) continue;
      bits.forEach((b, bit) => {
        if (typeof b !== 'number') return;
        const s = t.setup!(port, bit);
        if (s === undefined) return;
        const a = visit(b);
        if (a === NEG) return;
        consider(b, a + hopDelay(b, { cell: ci, port, bit }) + s, regName, `${c.type}.${port}`, names[ci]!, c);
      });
    }
  });
  const ports = model.ports;
  for (const [pname, p] of Object.entries(mod.ports)) {
    if (p.direction !== 'output' || ports === undefined) continue;
    p.bits.forEach((b, i) => {
      if (typeof b !== 'number') return;
      const a = visit(b);
      if (a === NEG) return;
      consider(b, a + hopDelay(b, 'port') + ports.outputSetup, p.bits.length > 1 ? `${pname}[${i}]` : pname, 'port', pname, undefined);
    });
  }
  return { model: model.name, worst, groups, cells: cells.length, endpoints };
}

/** MHz from a path delay in ns. */
export function fmaxMHz(delayNs: number): number {
  return 1000 / delayNs;
}
