// The 7-series clock estimate of a synthesized netlist: the static timing analysis (sta.ts) with
// the 7-series delay table (delays.ts) at speed grades -1 and -2, each with fast and slow net
// delays, so that the answer is a range, never a promise (the iCE40 calibration in
// bench/timing.bench.ts measures how far such an estimate lands from a router). Paths are grouped
// by the RTL module their endpoint register is written in (the `src` attribute Yosys keeps on
// flip-flops, block RAMs and DSPs), so one synthesis of the top gives the worst path of every
// module inside it. Kept modules (the replicated matrix column) stay modules of the netlist: each
// is characterized once (sta.ts characterizeModule) and timed as a cell at its instances, so that
// the server preset's 64 columns are not 64 copies in memory.
import { stripComments } from '../emit/ports.ts';
import { xc7Delays, type Corner, type SpeedGrade } from './delays.ts';
import { analyzeTiming, characterizeModule, fmaxMHz, type MacroTiming, type TimingPath, type YosysCell, type YosysNetlist } from './sta.ts';

export interface PathSummary {
  start: string;
  end: string;
  endPin: string;
  levels: number;
  cellTypes: Record<string, number>;
  delayNs: number;
}

export interface CornerEstimate {
  grade: SpeedGrade;
  corner: Corner;
  fmaxMHz: number;
  worst: PathSummary;
  /** The worst path ending in each RTL module. */
  modules: Record<string, PathSummary>;
}

function summary(p: TimingPath): PathSummary {
  return { start: p.start, end: p.end, endPin: p.endPin, levels: p.levels, cellTypes: p.cellTypes, delayNs: Number(p.delay.toFixed(3)) };
}

/** The instance name after a module name at `i` (`m #( … ) u_x (`), if that is what follows. */
function instanceAfter(body: string, i: number): string | undefined {
  const ws = (): void => {
    while (i < body.length && /\s/.test(body[i]!)) i++;
  };
  ws();
  if (body[i] === '#') {
    i++;
    ws();
    if (body[i] !== '(') return undefined;
    let depth = 0;
    for (; i < body.length; i++) {
      if (body[i] === '(') depth++;
      else if (body[i] === ')' && --depth === 0) break;
    }
    i++;
    ws();
  }
  const id = /^[A-Za-z_][\w$]*/.exec(body.slice(i, i + 200));
  if (!id) return undefined;
  i += id[0].length;
  ws();
  return body[i] === '(' ? id[0] : undefined;
}

/**
 * The RTL module a flattened cell belongs to, from its hierarchical name (`u_engine.\\g_lane[0].
 * u_ic.mem_q…`, `$flatten\\u_engine.…`): walk the instance names from the top through the modules'
 * instantiations (generate-block names in between are skipped). Yosys 0.23's `flatten` gives
 * inner cells the `src` of the instantiation, so the name is the reliable part.
 */
export function moduleResolver(top: string, sources: { name: string; text: string }[]): (cellName: string) => string {
  const names = sources.map((s) => s.name);
  // Per module: instance name → module type.
  const insts = new Map<string, Map<string, string>>();
  for (const s of sources) {
    const m = new Map<string, string>();
    const body = stripComments(s.text);
    for (const child of names) {
      if (child === s.name) continue;
      for (const x of body.matchAll(new RegExp(`\\b${child}\\b`, 'g'))) {
        const inst = instanceAfter(body, x.index + child.length);
        if (inst !== undefined) m.set(inst, child);
      }
    }
    insts.set(s.name, m);
  }
  return (cellName) => {
    const parts = cellName.replace(/^\$flatten/, '').split('.').map((p) => p.replace(/^\\/, ''));
    let cur = top;
    for (const p of parts) {
      const next = insts.get(cur)?.get(p);
      if (next !== undefined) cur = next;
      else if (!/^g\w*(\[\d+\])?$|^genblk\d+(\[\d+\])?$/.test(p)) break;
    }
    return cur;
  };
}

/**
 * The submodules of `top` kept as their own modules in the netlist (the replicated matrix
 * column: synthesized and timed once), children before parents.
 */
export function keptModules(netlist: YosysNetlist, top: string, sources: { name: string; text: string }[]): string[] {
  const rtl = new Set(sources.map((s) => s.name));
  const order: string[] = [];
  const seen = new Set<string>();
  const walk = (m: string): void => {
    for (const c of Object.values(netlist.modules[m]?.cells ?? {})) {
      if (!rtl.has(c.type) || seen.has(c.type) || netlist.modules[c.type] === undefined) continue;
      seen.add(c.type);
      walk(c.type);
      order.push(c.type);
    }
  };
  walk(top);
  return order;
}

/**
 * Runs the STA at every grade × corner over a synth_xilinx netlist: flattened, or with kept
 * submodules (keptModules), each characterized once (sta.ts characterizeModule) and timed as a
 * cell at each of its instances.
 */
export function estimateNetlist(netlist: YosysNetlist, top: string, sources: { name: string; text: string }[]): CornerEstimate[] {
  const kept = keptModules(netlist, top, sources);
  const grouper = (root: string): ((name: string, cell: YosysCell | undefined) => string) => {
    const resolve = moduleResolver(root, sources);
    const byCell = new Map<string, string>();
    return (name, cell) => {
      if (cell === undefined) return root; // an output port
      let g = byCell.get(name);
      if (g === undefined) {
        g = resolve(name);
        byCell.set(name, g);
      }
      return g;
    };
  };
  const groupers = new Map([top, ...kept].map((m) => [m, grouper(m)]));
  const out: CornerEstimate[] = [];
  for (const grade of [1, 2] as const) {
    for (const corner of ['fast', 'slow'] as const) {
      const model = xc7Delays(grade, corner);
      const macros = new Map<string, MacroTiming>();
      for (const m of kept) macros.set(m, characterizeModule(netlist, m, model, groupers.get(m), macros));
      const r = analyzeTiming(netlist, top, model, groupers.get(top), macros);
      if (!r.worst) throw new Error(`timing: no register-to-register path in ${top}`);
      out.push({
        grade,
        corner,
        fmaxMHz: Number(fmaxMHz(r.worst.delay).toFixed(1)),
        worst: summary(r.worst),
        modules: Object.fromEntries([...r.groups].sort(([a], [b]) => (a < b ? -1 : 1)).map(([g, p]) => [g, summary(p)])),
      });
    }
  }
  return out;
}

/** The estimated Fmax range (MHz) at a speed grade: slow nets … fast nets. */
export function fmaxRange(corners: CornerEstimate[], grade: SpeedGrade): { min: number; max: number } {
  const at = (c: Corner): number => {
    const x = corners.find((k) => k.grade === grade && k.corner === c);
    if (!x) throw new Error(`timing: no estimate for speed grade -${grade}, ${c} nets`);
    return x.fmaxMHz;
  };
  return { min: at('slow'), max: at('fast') };
}
