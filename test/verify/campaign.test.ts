// The CI tier of the verification campaign (docs/verification.md): random clouds and layer cases
// on the tiny preset built with line + toggle coverage (line coverage of its RTL asserted ≥ 90 %),
// and on two small random valid specs, all under random backpressure, compared bit for bit with
// the golden model. `npm run verify:long` is the long tier.
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { presetSpec } from '../../generator/dsl/load.ts';
import { randomValidSpec } from '../../generator/dsl/random.ts';
import { checkCaseForSpec, hardwareCase } from '../../generator/sim/accel/check.ts';
import { drawFittingCase, randomLayerCase } from '../../generator/verify/case-gen.ts';
import { runCampaign, type CampaignSummary } from '../../generator/verify/campaign.ts';
import { parseLayerCase } from '../../generator/io/layer-case.ts';
import { serializeLayerCase } from '../../generator/io/layer-case.ts';

/** The CI campaign: seeds and specs (see docs/verification.md before changing them). */
export const CI_TINY = { firstSeed: 1, seeds: 30 };
export const CI_RANDOM = { firstSeed: 1, seeds: 10, specSeeds: [35, 1002] };

const TIMEOUT = 600_000;
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function failures(s: CampaignSummary): string {
  return s.failures.map((f) => `seed ${f.seed} (${f.spec}): ${f.message}\n  reproduce: ${f.reproduce}\n  case: ${f.dir}`).join('\n');
}

describe('verification campaign (CI tier)', () => {
  it('random cases fit the spec they are drawn for and are valid layer cases', () => {
    // 1766: map-free transposed (half its transposed cases are k = s = 2, case-gen.ts).
    expect(randomValidSpec(1766).mapping.mapFreeTransposed).toBe(true);
    expect(Array.from({ length: 60 }, (_, i) => randomLayerCase(randomValidSpec(1766), i + 1).case.layer).some((l) => l.type === 'transposed' && l.kernelSize === 2 && l.stride === 2)).toBe(true);
    for (const spec of [presetSpec('tiny'), presetSpec('fpga'), ...[35, 1001, 1002, 1003, 1766].map(randomValidSpec)]) {
      const w = spec.arithmetic;
      for (let seed = 1; seed <= 60; seed++) {
        const d = randomLayerCase(spec, seed);
        // Far cases (a quarter) are re-based by the host driver first, as runAccelCase does.
        expect(() => checkCaseForSpec(spec, hardwareCase(spec, d.case).hc), `${spec.name} seed ${seed}: ${d.label}`).not.toThrow();
        expect(() => parseLayerCase(JSON.parse(serializeLayerCase(d.case)), { ...w, accWidth: Math.min(w.accWidth, 48) })).not.toThrow();
        expect(randomLayerCase(spec, seed)).toEqual(d);
      }
    }
  });

  it(`tiny preset with coverage: ${CI_TINY.seeds} cases bit-exact, line coverage ≥ 90 %`, { timeout: TIMEOUT }, async () => {
    const out = mkdtempSync(join(tmpdir(), 'sf-verify-'));
    dirs.push(out);
    const s = await runCampaign({ ...CI_TINY, presets: ['tiny'], coverage: true, jobs: 2, out, minimize: false, progress: () => {} });
    expect(s.failures, failures(s)).toEqual([]);
    expect(s.cases).toBe(CI_TINY.seeds);
    expect(Object.keys(s.perLayerType).sort()).toEqual(['conv', 'submanifold', 'transposed']);
    expect(existsSync(join(out, 'summary.json'))).toBe(true);
    const cov = s.coverage!;
    const tiny = cov.perTop.sf_tiny!;
    const table = readFileSync(join(out, 'coverage', 'coverage.txt'), 'utf8');
    expect(tiny.lines.pct, table).toBeGreaterThanOrEqual(90);
    expect(cov.modules.length).toBeGreaterThanOrEqual(15);
    expect(cov.verilatorTotal).toMatch(/Total coverage/);
    expect(existsSync(join(out, 'coverage', 'annotated'))).toBe(true);
  });

  it(`random specs ${CI_RANDOM.specSeeds.join(', ')}: ${CI_RANDOM.seeds} cases bit-exact`, { timeout: TIMEOUT }, async () => {
    const out = mkdtempSync(join(tmpdir(), 'sf-verify-'));
    dirs.push(out);
    const s = await runCampaign({ ...CI_RANDOM, randomSpecs: true, jobs: 2, out, minimize: false, progress: () => {} });
    expect(s.failures, failures(s)).toEqual([]);
    expect(s.cases).toBe(CI_RANDOM.seeds);
    expect(Object.keys(s.perSpec).sort()).toEqual(CI_RANDOM.specSeeds.map((x) => `random:${x}`).sort());
  });
});
