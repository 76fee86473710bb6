// Static timing analysis over a Yosys JSON netlist (`write_json` after synthesis and `flatten`):
// the longest register-to-register path, found by a topological longest-path search over the
// bit-level netlist. Each cell type gets its timing from a delay model (delays.ts: 7-series from
// the Xilinx data sheets, iCE40 from icestorm's timing database): clock-to-out where a path
// starts, setup where it ends, a delay per combinational arc, and a delay per net hop (a range,
// because without placement and routing the wire is the unknown). Module ports count as
// registers (the design sits between registers, as in the iCE40 register wrapper of ice40.ts):
// an input arrives at a flip-flop's clock-to-out, an output needs a flip-flop's setup. A
// submodule kept in the netlist (a replicated matrix column) is characterized once, like a
// vendor's timing model of a hard block: clock-to-out of its outputs, the worst path from each
// input to an inner register, its input-to-output paths; the parent times it as a cell.
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

/**
 * The timing of a kept submodule (a "macro": the replicated matrix column), characterized once by
 * `characterizeModule` and used for every instance, so that the design is never flattened. A pin
 * key is `port[bit]`. The macro's delays stop at its pins; the wires across the boundary are
 * timed in the parent as one net each, as if flattened: the inner driver of an output, the inner
 * sinks of an input (their count in the fanout, their type when there is one).
 */
export interface MacroPin {
  /** ns: clock-to-out plus logic (outputs), port to register setup (inputs), port to port (arcs). */
  delay: number;
  /** The inner register the path starts at (outputs) or ends at (inputs). */
  reg: string;
  /** The inner endpoint's cell type and pin (inputs). */
  pin: string;
  /** The group of the inner endpoint (inputs). */
  group: string;
  levels: number;
  cellTypes: Record<string, number>;
}

export interface MacroTiming {
  module: string;
  /** Output pins driven by inner registers. */
  outputs: Map<string, MacroPin>;
  /** Input pins that reach an inner register: the worst such path. */
  inputs: Map<string, MacroPin>;
  /** Combinational input pin → output pin paths. */
  arcs: Map<string, Map<string, MacroPin>>;
  /** Inside, per input pin: how many sinks it has, and the one sink's cell type and pin. */
  inPins: Map<string, { fanout: number; only?: { type: string; port: string } }>;
  /** Inside, per output pin: the driving cell's type and pin, and its other sinks inside. */
  outPins: Map<string, { driverType?: string; driverPort?: string; fanout: number }>;
  /** The register-to-register paths inside the module (names relative to it). */
  internal: StaResult;
}

export const pinKey = (port: string, bit: number): string => `${port}[${bit}]`;

function macroCellTiming(m: MacroTiming): CellTiming {
  return {
    clockToOut: (p, b) => m.outputs.get(pinKey(p, b))?.delay,
    setup: (p, b) => m.inputs.get(pinKey(p, b))?.delay,
    arc: (ip, ib, op, ob) => m.arcs.get(pinKey(ip, ib))?.get(pinKey(op, ob))?.delay,
  };
}

type Driver = { kind: 'cell'; cell: number; port: string; bit: number } | { kind: 'input'; port: string };
interface Sink {
  cell: number;
  port: string;
  bit: number;
}
interface InArc {
  b: number;
  d: number;
  port: string;
  bit: number;
}

const NEG = Number.NEGATIVE_INFINITY;

function addTypes(to: Record<string, number>, from: Record<string, number>): void {
  for (const [t, n] of Object.entries(from)) to[t] = (to[t] ?? 0) + n;
}

/** The bit-level graph of one module, with its cells' timing (kept submodules as macros). */
function buildGraph(netlist: YosysNetlist, top: string, model: DelayModel, macros: Map<string, MacroTiming>, portHops = true) {
  const mod = netlist.modules[top];
  if (!mod) throw new Error(`sta: module ${top} is not in the netlist (modules: ${Object.keys(netlist.modules).join(', ')})`);
  const names = Object.keys(mod.cells);
  const cells = names.map((n) => mod.cells[n]!);
  const macroOf = cells.map((c) => macros.get(c.type));
  const timing = cells.map((c, i) => {
    const m = macroOf[i];
    if (m) return macroCellTiming(m);
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
  // A net into or out of a macro has the macro's inner sinks too (see MacroTiming).
  const fanout = (b: number): number => {
    let n = 0;
    for (const s of sinks.get(b) ?? []) n += macroOf[s.cell]?.inPins.get(pinKey(s.port, s.bit))?.fanout ?? 1;
    const d = driver.get(b);
    if (d?.kind === 'cell') n += macroOf[d.cell]?.outPins.get(pinKey(d.port, d.bit))?.fanout ?? 0;
    return n;
  };

  const hopDelay = (b: number, sink: Sink | 'port'): number => {
    const d = driver.get(b);
    // Inside a macro the wire from an input pin is the parent's (its net, its fanout).
    if (!portHops && d?.kind === 'input') return 0;
    let driverType: string | undefined;
    let driverPort: string | undefined;
    if (d?.kind === 'cell') {
      const m = macroOf[d.cell];
      const o = m?.outPins.get(pinKey(d.port, d.bit));
      driverType = m ? o?.driverType : cells[d.cell]!.type;
      driverPort = m ? o?.driverPort : d.port;
    }
    const hop: NetHop = { driverType, driverPort, fanout: fanout(b) };
    if (sink !== 'port') {
      const m = macroOf[sink.cell];
      const only = m ? m.inPins.get(pinKey(sink.port, sink.bit))?.only : { type: cells[sink.cell]!.type, port: sink.port };
      if (only) {
        hop.sinkType = only.type;
        hop.sinkPort = only.port;
      }
    }
    return model.net(hop);
  };

  // Combinational inputs of a cell output bit.
  const inputsOf = (ci: number, port: string, bit: number): InArc[] => {
    const t = timing[ci]!;
    if (!t.arc) return [];
    const c = cells[ci]!;
    const dirs = c.port_directions!;
    const clocks = new Set(t.clocks ?? []);
    const out: InArc[] = [];
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

  // The register's own name: the net its first output drives, else the cell name.
  const regName = (ci: number): string => {
    const c = cells[ci]!;
    const dirs = c.port_directions!;
    const outBit = Object.entries(c.connections).find(([p]) => dirs[p] === 'output')?.[1].find((x) => typeof x === 'number') as number | undefined;
    return outBit !== undefined ? nameOf(outBit) : names[ci]!;
  };

  return { mod, names, cells, macroOf, timing, driver, sinks, nameOf, hopDelay, inputsOf, regName };
}

type Graph = ReturnType<typeof buildGraph>;

/**
 * The path that ends at net `b`, from the predecessor maps of a longest-path search (`pred`: the
 * net before; `via`: the input pin of the driver the path came through). Macro instances count
 * as the inner cells of their paths.
 */
function tracePath(
  g: Graph,
  b: number,
  arrival: Map<number, number>,
  pred: Map<number, number>,
  via: Map<number, { port: string; bit: number }>,
): { start: string; levels: number; cellTypes: Record<string, number>; points: PathPoint[] } {
  const points: PathPoint[] = [];
  const chain: number[] = [];
  for (let cur: number | undefined = b; cur !== undefined; cur = pred.get(cur)) chain.unshift(cur);
  let levels = 0;
  const cellTypes: Record<string, number> = {};
  let start = g.nameOf(chain[0]!);
  chain.forEach((net, i) => {
    const d = g.driver.get(net);
    const cell = d?.kind === 'cell' ? g.names[d.cell]! : d?.kind === 'input' ? d.port : '?';
    const type = d?.kind === 'cell' ? g.cells[d.cell]!.type : 'port';
    points.push({ cell, type, net: g.nameOf(net), at: arrival.get(net)! });
    const m = d?.kind === 'cell' ? g.macroOf[d.cell] : undefined;
    if (i === 0) {
      if (m && d?.kind === 'cell') {
        const o = m.outputs.get(pinKey(d.port, d.bit));
        if (o) {
          start = `${cell}.${o.reg}`;
          levels += o.levels;
          addTypes(cellTypes, o.cellTypes);
        }
      }
      return;
    }
    if (m && d?.kind === 'cell') {
      const v = via.get(net);
      const a = v ? m.arcs.get(pinKey(v.port, v.bit))?.get(pinKey(d.port, d.bit)) : undefined;
      if (a) {
        levels += a.levels;
        addTypes(cellTypes, a.cellTypes);
        return;
      }
    }
    levels++;
    cellTypes[type] = (cellTypes[type] ?? 0) + 1;
  });
  return { start, levels, cellTypes, points };
}

/** Longest arrival at every net bit from the registers (and the inputs, at `inputArrival`). */
function arrivals(g: Graph, inputArrival: number) {
  const arrival = new Map<number, number>();
  const pred = new Map<number, number>();
  const via = new Map<number, { port: string; bit: number }>();
  const state = new Map<number, 1 | 2>();
  const visit = (root: number): number => {
    const done = arrival.get(root);
    if (done !== undefined) return done;
    const stack: { b: number; ins?: InArc[]; i: number; best: number; from: number; fromPin?: { port: string; bit: number } }[] = [
      { b: root, i: 0, best: NEG, from: -1 },
    ];
    while (stack.length) {
      const f = stack[stack.length - 1]!;
      if (f.ins === undefined) {
        state.set(f.b, 1);
        const d = g.driver.get(f.b);
        if (d === undefined) {
          f.ins = [];
        } else if (d.kind === 'input') {
          f.best = inputArrival;
          f.ins = [];
        } else {
          const start = g.timing[d.cell]!.clockToOut?.(d.port, d.bit);
          if (start !== undefined) f.best = start;
          f.ins = g.inputsOf(d.cell, d.port, d.bit);
        }
      }
      if (f.i < f.ins.length) {
        const inp = f.ins[f.i]!;
        const a = arrival.get(inp.b);
        if (a === undefined) {
          if (state.get(inp.b) === 1) {
            const d = g.driver.get(f.b);
            throw new Error(`sta: combinational loop through ${d?.kind === 'cell' ? g.names[d.cell] : g.nameOf(f.b)} (net ${g.nameOf(inp.b)})`);
          }
          stack.push({ b: inp.b, i: 0, best: NEG, from: -1 });
          continue;
        }
        if (a > NEG) {
          const d = g.driver.get(f.b) as Extract<Driver, { kind: 'cell' }>;
          const t = a + g.hopDelay(inp.b, { cell: d.cell, port: inp.port, bit: inp.bit }) + inp.d;
          if (t > f.best) {
            f.best = t;
            f.from = inp.b;
            f.fromPin = { port: inp.port, bit: inp.bit };
          }
        }
        f.i++;
        continue;
      }
      arrival.set(f.b, f.best);
      if (f.from >= 0) {
        pred.set(f.b, f.from);
        via.set(f.b, f.fromPin!);
      }
      state.set(f.b, 2);
      stack.pop();
    }
    return arrival.get(root)!;
  };
  return { arrival, pred, via, visit };
}

/**
 * The register-to-register paths of the graph's module: every setup pin of a cell (a macro's
 * input pin counts as the inner register it reaches), and the output ports when `outputSetup` is
 * given. The macros' inner paths are merged in, named after their first instance.
 */
function registerPaths(
  g: Graph,
  modelName: string,
  groupOf: (name: string, cell: YosysCell | undefined) => string,
  inputArrival: number,
  outputSetup: number | undefined,
) {
  const a = arrivals(g, inputArrival);
  const groups = new Map<string, TimingPath>();
  let worst: TimingPath | undefined;
  let endpoints = 0;
  const offer = (group: string, total: number, make: () => TimingPath): void => {
    endpoints++;
    const old = groups.get(group);
    if (old !== undefined && old.delay >= total && worst !== undefined && worst.delay >= total) return;
    const p = make();
    if (old === undefined || total > old.delay) groups.set(group, p);
    if (worst === undefined || total > worst.delay) worst = p;
  };
  const path = (b: number, total: number, end: string, endPin: string, endCell: string, inner?: MacroPin): TimingPath => {
    const t = tracePath(g, b, a.arrival, a.pred, a.via);
    if (inner) {
      t.levels += inner.levels;
      addTypes(t.cellTypes, inner.cellTypes);
    }
    return { delay: total, start: t.start, end, endPin, levels: t.levels, cellTypes: t.cellTypes, points: t.points, endCell };
  };

  g.cells.forEach((c, ci) => {
    const t = g.timing[ci]!;
    if (!t.setup) return;
    const dirs = c.port_directions!;
    const clocks = new Set(t.clocks ?? []);
    const m = g.macroOf[ci];
    const reg = m ? '' : g.regName(ci);
    for (const [port, bits] of Object.entries(c.connections)) {
      if (dirs[port] === 'output' || clocks.has(port)) continue;
      bits.forEach((b, bit) => {
        if (typeof b !== 'number') return;
        const s = t.setup!(port, bit);
        if (s === undefined) return;
        const arr = a.visit(b);
        if (arr === NEG) return;
        const total = arr + g.hopDelay(b, { cell: ci, port, bit }) + s;
        if (m) {
          const inner = m.inputs.get(pinKey(port, bit))!;
          offer(inner.group, total, () => path(b, total, `${g.names[ci]}.${inner.reg}`, inner.pin, g.names[ci]!, inner));
        } else {
          offer(groupOf(g.names[ci]!, c), total, () => path(b, total, reg, `${c.type}.${port}`, g.names[ci]!));
        }
      });
    }
  });
  if (outputSetup !== undefined) {
    for (const [pname, p] of Object.entries(g.mod.ports)) {
      if (p.direction !== 'output') continue;
      p.bits.forEach((b, i) => {
        if (typeof b !== 'number') return;
        const arr = a.visit(b);
        if (arr === NEG) return;
        const total = arr + g.hopDelay(b, 'port') + outputSetup;
        const end = p.bits.length > 1 ? `${pname}[${i}]` : pname;
        offer(groupOf(pname, undefined), total, () => path(b, total, end, 'port', pname));
      });
    }
  }
  // Each macro's inner paths once, under its first instance's name.
  const firstInstance = new Map<MacroTiming, string>();
  g.macroOf.forEach((m, ci) => {
    if (!m) return;
    const old = firstInstance.get(m);
    if (old === undefined || g.names[ci]! < old) firstInstance.set(m, g.names[ci]!);
  });
  for (const [m, inst] of firstInstance) {
    endpoints += m.internal.endpoints;
    for (const [grp, p] of m.internal.groups) {
      const q: TimingPath = { ...p, start: `${inst}.${p.start}`, end: `${inst}.${p.end}`, endCell: `${inst}.${p.endCell}` };
      const old = groups.get(grp);
      if (old === undefined || q.delay > old.delay) groups.set(grp, q);
      if (worst === undefined || q.delay > worst.delay) worst = q;
    }
  }
  return { model: modelName, worst, groups, endpoints, arrivals: a };
}

/**
 * Longest register-to-register paths of `top` in `netlist` under `model`. `groupOf(endCell,
 * cell)` names the group an endpoint belongs to (default: one group, the top). `macros`: kept
 * submodules (by module name) already characterized, timed as cells (characterizeModule).
 */
export function analyzeTiming(
  netlist: YosysNetlist,
  top: string,
  model: DelayModel,
  groupOf: (name: string, cell: YosysCell | undefined) => string = () => top,
  macros: Map<string, MacroTiming> = new Map(),
): StaResult {
  const g = buildGraph(netlist, top, model, macros);
  const r = registerPaths(g, model.name, groupOf, model.ports?.inputArrival ?? NEG, model.ports?.outputSetup);
  return { model: r.model, worst: r.worst, groups: r.groups, cells: g.cells.length, endpoints: r.endpoints };
}

/**
 * The timing of `module` seen from outside (MacroTiming): its inner register-to-register paths,
 * clock-to-out of its outputs, the worst path from each input to an inner register, and the
 * combinational input-to-output paths. The inputs are followed one bit at a time through their
 * combinational fan-out cones (small for a matrix column: an input reaches a multiplier's
 * register or a mux in front of it).
 */
export function characterizeModule(
  netlist: YosysNetlist,
  module: string,
  model: DelayModel,
  groupOf: (name: string, cell: YosysCell | undefined) => string = () => module,
  macros: Map<string, MacroTiming> = new Map(),
): MacroTiming {
  const g = buildGraph(netlist, module, model, macros, false);
  const r = registerPaths(g, model.name, groupOf, NEG, undefined);
  const internal: StaResult = { model: r.model, worst: r.worst, groups: r.groups, cells: g.cells.length, endpoints: r.endpoints };

  const outputs = new Map<string, MacroPin>();
  const outKeys = new Map<number, string[]>();
  const inPins: MacroTiming['inPins'] = new Map();
  const outPins: MacroTiming['outPins'] = new Map();
  for (const [pname, p] of Object.entries(g.mod.ports)) {
    p.bits.forEach((b, i) => {
      if (typeof b !== 'number') return;
      const ss = g.sinks.get(b) ?? [];
      if (p.direction === 'input') {
        const s = ss[0];
        const only = ss.length === 1 && g.macroOf[s!.cell] === undefined ? { type: g.cells[s!.cell]!.type, port: s!.port } : undefined;
        inPins.set(pinKey(pname, i), { fanout: ss.length, ...(only ? { only } : {}) });
        return;
      }
      const d = g.driver.get(b);
      outPins.set(pinKey(pname, i), {
        ...(d?.kind === 'cell' && g.macroOf[d.cell] === undefined ? { driverType: g.cells[d.cell]!.type, driverPort: d.port } : {}),
        fanout: ss.length,
      });
    });
  }
  for (const [pname, p] of Object.entries(g.mod.ports)) {
    if (p.direction !== 'output') continue;
    p.bits.forEach((b, i) => {
      if (typeof b !== 'number') return;
      const l = outKeys.get(b);
      if (l) l.push(pinKey(pname, i));
      else outKeys.set(b, [pinKey(pname, i)]);
      const arr = r.arrivals.visit(b);
      if (arr === NEG) return;
      const t = tracePath(g, b, r.arrivals.arrival, r.arrivals.pred, r.arrivals.via);
      outputs.set(pinKey(pname, i), { delay: arr, reg: t.start, pin: 'port', group: module, levels: t.levels, cellTypes: t.cellTypes });
    });
  }

  // A net's successors: the outputs of the cells it feeds through a combinational arc, and the
  // setup pins it ends at.
  type Step = { to: number; d: number; port: string; bit: number } | { end: MacroPin; d: number };
  const steps = new Map<number, Step[]>();
  const outBits = new Map<number, { port: string; bit: number; b: number }[]>();
  const cellOuts = (ci: number): { port: string; bit: number; b: number }[] => {
    let l = outBits.get(ci);
    if (!l) {
      const c = g.cells[ci]!;
      l = [];
      for (const [p, bits] of Object.entries(c.connections)) {
        if (c.port_directions![p] !== 'output') continue;
        bits.forEach((b, bit) => {
          if (typeof b === 'number') l!.push({ port: p, bit, b });
        });
      }
      outBits.set(ci, l);
    }
    return l;
  };
  const stepsOf = (b: number): Step[] => {
    let l = steps.get(b);
    if (l) return l;
    l = [];
    for (const s of g.sinks.get(b) ?? []) {
      const t = g.timing[s.cell]!;
      if (new Set(t.clocks ?? []).has(s.port)) continue;
      const hop = g.hopDelay(b, s);
      const su = t.setup?.(s.port, s.bit);
      if (su !== undefined) {
        const m = g.macroOf[s.cell];
        const c = g.cells[s.cell]!;
        const inner = m?.inputs.get(pinKey(s.port, s.bit));
        const end: MacroPin =
          inner ? { ...inner, reg: `${g.names[s.cell]}.${inner.reg}` }
          : { delay: 0, reg: g.regName(s.cell), pin: `${c.type}.${s.port}`, group: groupOf(g.names[s.cell]!, c), levels: 0, cellTypes: {} };
        l.push({ end, d: hop + su });
      }
      if (t.arc) {
        for (const o of cellOuts(s.cell)) {
          const d = t.arc(s.port, s.bit, o.port, o.bit);
          if (d !== undefined) l.push({ to: o.b, d: hop + d, port: s.port, bit: s.bit });
        }
      }
    }
    steps.set(b, l);
    return l;
  };

  const inputs = new Map<string, MacroPin>();
  const arcs = new Map<string, Map<string, MacroPin>>();
  for (const [pname, p] of Object.entries(g.mod.ports)) {
    if (p.direction !== 'input') continue;
    p.bits.forEach((b0, i) => {
      if (typeof b0 !== 'number') return;
      // The cone in topological order (reverse post-order of a depth-first search).
      const order: number[] = [];
      const state = new Map<number, 1 | 2>([[b0, 1]]);
      const stack: { b: number; i: number }[] = [{ b: b0, i: 0 }];
      while (stack.length) {
        const f = stack[stack.length - 1]!;
        const l = stepsOf(f.b);
        if (f.i < l.length) {
          const s = l[f.i++]!;
          if (!('to' in s)) continue;
          const st = state.get(s.to);
          if (st === 1) throw new Error(`sta: combinational loop through net ${g.nameOf(s.to)} in ${module}`);
          if (st === undefined) {
            state.set(s.to, 1);
            stack.push({ b: s.to, i: 0 });
          }
          continue;
        }
        state.set(f.b, 2);
        order.push(f.b);
        stack.pop();
      }
      order.reverse();
      const dist = new Map<number, number>([[b0, 0]]);
      const pred = new Map<number, number>();
      const via = new Map<number, { port: string; bit: number }>();
      let best: { d: number; end: MacroPin; at: number } | undefined;
      for (const b of order) {
        const at = dist.get(b)!;
        for (const s of stepsOf(b)) {
          if ('to' in s) {
            if (at + s.d > (dist.get(s.to) ?? NEG)) {
              dist.set(s.to, at + s.d);
              pred.set(s.to, b);
              via.set(s.to, { port: s.port, bit: s.bit });
            }
          } else if (best === undefined || at + s.d + s.end.delay > best.d) {
            best = { d: at + s.d + s.end.delay, end: s.end, at: b };
          }
        }
      }
      const key = pinKey(pname, i);
      const trace = (b: number) => tracePath(g, b, dist, pred, via);
      if (best) {
        const t = trace(best.at);
        const cellTypes = { ...t.cellTypes };
        addTypes(cellTypes, best.end.cellTypes);
        inputs.set(key, { delay: best.d, reg: best.end.reg, pin: best.end.pin, group: best.end.group, levels: t.levels + best.end.levels, cellTypes });
      }
      for (const b of order) {
        for (const ok of outKeys.get(b) ?? []) {
          const t = trace(b);
          let m = arcs.get(key);
          if (!m) arcs.set(key, (m = new Map()));
          m.set(ok, { delay: dist.get(b)!, reg: '', pin: 'port', group: module, levels: t.levels, cellTypes: t.cellTypes });
        }
      }
    });
  }
  return { module, outputs, inputs, arcs, internal, inPins, outPins };
}

/** MHz from a path delay in ns. */
export function fmaxMHz(delayNs: number): number {
  return 1000 / delayNs;
}
