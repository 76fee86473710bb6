// Flattens a hierarchical Yosys JSON netlist in memory (every cell whose type is a module of the
// netlist becomes that module's cells, named `instance.cell`): the reference the hierarchical
// static timing analysis (a kept module timed once, as a cell) is compared with.
import type { YosysBit, YosysCell, YosysNetlist } from '../../generator/synth/sta.ts';

export function flattenNetlist(netlist: YosysNetlist, top: string, kept: string[]): YosysNetlist {
  let next = 1;
  for (const m of Object.values(netlist.modules)) {
    for (const c of Object.values(m.cells)) for (const bits of Object.values(c.connections)) for (const b of bits) if (typeof b === 'number') next = Math.max(next, b + 1);
    for (const p of Object.values(m.ports)) for (const b of p.bits) if (typeof b === 'number') next = Math.max(next, b + 1);
  }
  const cells: Record<string, YosysCell> = {};
  const netnames: NonNullable<YosysNetlist['modules'][string]['netnames']> = {};
  const expand = (module: string, prefix: string, map: (b: YosysBit) => YosysBit): void => {
    const mod = netlist.modules[module]!;
    for (const [n, info] of Object.entries(mod.netnames ?? {})) netnames[`${prefix}${n}`] = { ...info, bits: info.bits.map(map) };
    for (const [name, c] of Object.entries(mod.cells)) {
      if (!kept.includes(c.type)) {
        cells[`${prefix}${name}`] = { ...c, connections: Object.fromEntries(Object.entries(c.connections).map(([p, bits]) => [p, bits.map(map)])) };
        continue;
      }
      const sub = netlist.modules[c.type]!;
      const inner = new Map<number, YosysBit>();
      for (const [p, port] of Object.entries(sub.ports)) port.bits.forEach((b, i) => typeof b === 'number' && inner.set(b, map(c.connections[p]![i]!)));
      expand(c.type, `${prefix}${name}.`, (b) => {
        if (typeof b !== 'number') return b;
        let x = inner.get(b);
        if (x === undefined) inner.set(b, (x = next++));
        return x;
      });
    }
  };
  expand(top, '', (b) => b);
  return { modules: { ...netlist.modules, [top]: { ports: netlist.modules[top]!.ports, cells, netnames } } };
}
