// The hierarchical timing estimate on a real Yosys netlist: tiny's matrix unit with its four
// columns kept (the netlist `synth --timing` writes), against the same netlist flattened in
// memory. The column is timed once and each instance as a cell; every module's worst path must
// come out the same as flattened (the boundary wires are timed as one net each).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { manifestReplicated, rtlSources } from '../../generator/emit/lint.ts';
import { parseModules } from '../../generator/emit/ports.ts';
import { PROJECT_ROOT } from '../../generator/emit/render.ts';
import { runTool } from '../../generator/emit/tools.ts';
import { estimateNetlist, keptModules } from '../../generator/synth/estimate.ts';
import type { YosysNetlist } from '../../generator/synth/sta.ts';
import { synthScript, yosysTool } from '../../generator/synth/yosys.ts';
import { flattenNetlist } from './sta-flatten.ts';

const RTL = join(PROJECT_ROOT, 'rtl-out', 'sf_tiny');
const TOP = 'sf_tiny_matrix_unit';

describe('hierarchical timing of a synth_xilinx netlist', () => {
  it('the kept matrix column timed once gives the flattened estimate, module by module', async () => {
    const { files } = rtlSources(RTL);
    const keep = manifestReplicated(RTL);
    expect(keep).toEqual(['sf_tiny_matrix_col']);
    const dir = mkdtempSync(join(tmpdir(), 'sf-sta-'));
    try {
      const res = await runTool(yosysTool(), ['-q', '-p', synthScript(files, TOP, 'stat.json', keep, 'net.json')], { cwd: dir, timeoutMs: 300_000 });
      expect(res.exitCode, res.all).toBe(0);
      const net = JSON.parse(readFileSync(join(dir, 'net.json'), 'utf8')) as YosysNetlist;
      const sources = files.flatMap((f) => {
        const text = readFileSync(f, 'utf8');
        return parseModules(text).map((m) => ({ name: m.name, text }));
      });
      expect(keptModules(net, TOP, sources)).toEqual(keep);
      const cols = Object.values(net.modules[TOP]!.cells).filter((c) => c.type === keep[0]).length;
      expect(cols).toBe(4);
      const hier = estimateNetlist(net, TOP, sources);
      const flat = estimateNetlist(flattenNetlist(net, TOP, keep), TOP, sources);
      expect(hier.map((c) => `${c.grade}${c.corner}`)).toEqual(flat.map((c) => `${c.grade}${c.corner}`));
      hier.forEach((h, i) => {
        const f = flat[i]!;
        expect(h.fmaxMHz).toBe(f.fmaxMHz);
        expect(Object.keys(h.modules)).toEqual(Object.keys(f.modules));
        expect(Object.keys(h.modules)).toContain('sf_tiny_matrix_col');
        for (const [m, p] of Object.entries(h.modules)) {
          expect(p.delayNs, `${h.grade} ${h.corner} ${m}`).toBeCloseTo(f.modules[m]!.delayNs, 6);
          expect(p.levels, `${h.grade} ${h.corner} ${m}`).toBe(f.modules[m]!.levels);
        }
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
