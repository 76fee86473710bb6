// The timing netlist drops block-RAM contents (INIT_xx/INITP_xx) before write_json: the server
// preset's thousands of RAMB36 made its netlist 481 MB against the 500 MB the analysis reads.
// One Yosys run of a tiny module with a RAMB36 writes the netlist before and after the strip:
// same cells (so the same resources), same clock estimate, fewer bytes, no contents left.
import { mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rtlSources } from '../../generator/emit/lint.ts';
import { parseModules } from '../../generator/emit/ports.ts';
import { PROJECT_ROOT } from '../../generator/emit/render.ts';
import { runTool } from '../../generator/emit/tools.ts';
import { estimateNetlist } from '../../generator/synth/estimate.ts';
import type { YosysNetlist } from '../../generator/synth/sta.ts';
import { countCells, NETLIST_LIMIT_BYTES, RAMB_INIT_PARAMS, readNetlist, synthScript, yosysTool } from '../../generator/synth/yosys.ts';

const RTL = join(PROJECT_ROOT, 'rtl-out', 'sf_tiny');
const TOP = 'sf_tiny_accel_mapbuf';

function histogram(net: YosysNetlist): Record<string, number> {
  const h: Record<string, number> = {};
  for (const m of Object.values(net.modules)) for (const c of Object.values(m.cells)) h[c.type] = (h[c.type] ?? 0) + 1;
  return h;
}

describe('timing netlist without block-RAM contents', () => {
  it('names every RAMB36E1 content parameter', () => {
    expect(RAMB_INIT_PARAMS).toHaveLength(144);
    expect(RAMB_INIT_PARAMS).toEqual(expect.arrayContaining(['INIT_00', 'INIT_3F', 'INIT_7F', 'INITP_00', 'INITP_0F']));
    expect(RAMB_INIT_PARAMS).not.toContain('INIT_A'); // the output latch's reset value, not contents
  });

  it('gives the same cells and the same clock estimate as the netlist with them', async () => {
    const { files } = rtlSources(RTL);
    const script = synthScript(files, TOP, 'stat.json', [], 'net.json');
    const strip = /setparam (-unset \w+ )+t:RAMB18E1 t:RAMB36E1; /.exec(script);
    expect(strip, script).not.toBeNull();
    // The same run, with the netlist also written just before the strip.
    const both = script.replace(strip![0], `write_json full.json; ${strip![0]}`);
    const dir = mkdtempSync(join(tmpdir(), 'sf-strip-'));
    try {
      const res = await runTool(yosysTool(), ['-q', '-p', both], { cwd: dir, timeoutMs: 300_000 });
      expect(res.exitCode, res.all).toBe(0);
      const full = JSON.parse(readFileSync(join(dir, 'full.json'), 'utf8')) as YosysNetlist;
      const stripped = JSON.parse(readFileSync(join(dir, 'net.json'), 'utf8')) as YosysNetlist;
      const rambs = (n: YosysNetlist) => Object.values(n.modules).flatMap((m) => Object.values(m.cells)).filter((c) => /^RAMB/.test(c.type));
      expect(rambs(full).length).toBeGreaterThan(0);
      expect(rambs(full).every((c) => 'INIT_00' in (c.parameters ?? {}))).toBe(true);
      expect(rambs(stripped).some((c) => Object.keys(c.parameters ?? {}).some((k) => /^INITP?_[0-9A-F]{2}$/.test(k)))).toBe(false);
      expect(rambs(stripped).every((c) => 'READ_WIDTH_A' in (c.parameters ?? {}) && 'DOA_REG' in (c.parameters ?? {}))).toBe(true);
      expect(statSync(join(dir, 'net.json')).size).toBeLessThan(statSync(join(dir, 'full.json')).size);
      expect(countCells(histogram(stripped))).toEqual(countCells(histogram(full)));
      const sources = files.flatMap((f) => {
        const text = readFileSync(f, 'utf8');
        return parseModules(text).map((m) => ({ name: m.name, text }));
      });
      expect(estimateNetlist(stripped, TOP, sources)).toEqual(estimateNetlist(full, TOP, sources));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);

  it('a netlist past the read limit is refused with its size and what to do, before reading it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sf-strip-'));
    try {
      const file = join(dir, 'net.json');
      writeFileSync(file, '');
      truncateSync(file, NETLIST_LIMIT_BYTES + 2 ** 20); // sparse: no disk used
      await expect(readNetlist(file, 'sf_big_accel')).rejects.toThrow(
        /^synth --timing: the timing netlist of sf_big_accel is 501 MB of JSON, more than the 500 MB .*--top MODULE/,
      );
      writeFileSync(file, '{"modules": {}}');
      await expect(readNetlist(file, 'sf_big_accel')).resolves.toEqual({ modules: {} });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
