// rtl-out/ holds the committed output of the tiny and fpga presets (FPGA users take the RTL
// without running Node; template changes show up as Verilog diffs). This fails when it is stale:
// regenerate with `bin/sparseforge generate --preset tiny && bin/sparseforge generate --preset fpga`.
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { presets } from '../../generator/dsl/index.ts';
import { emitAccelerator, writeEmitted } from '../../generator/emit/index.ts';
import { PROJECT_ROOT } from '../../generator/emit/render.ts';

export const COMMITTED_PRESETS = ['tiny', 'fpga'] as const;

function listFiles(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).sort() : [];
}

describe('rtl-out/ is up to date', () => {
  it.each(COMMITTED_PRESETS)('%s', async (p) => {
    const spec = presets[p];
    const fresh = join(PROJECT_ROOT, '.cache', 'rtl-out-check', spec.name);
    rmSync(fresh, { recursive: true, force: true });
    await writeEmitted(emitAccelerator(spec).files, fresh);
    const committed = join(PROJECT_ROOT, 'rtl-out', spec.name);
    const hint = `rtl-out/${spec.name} is stale: run bin/sparseforge generate --preset ${p}`;
    expect(listFiles(committed), hint).toEqual(listFiles(fresh));
    for (const f of listFiles(fresh)) {
      expect(readFileSync(join(committed, f), 'utf8'), `${hint} (${f} differs)`).toBe(readFileSync(join(fresh, f), 'utf8'));
    }
  });
});
