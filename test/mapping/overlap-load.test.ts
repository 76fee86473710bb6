// mapping.overlapLoad on the standalone mapping top: submanifold and transposed layers merge while
// the coordinates still arrive, a lane reading coordinate i only once the load has written it
// (templates/mapping/map_lane.v.hbs). Co-simulated against the golden model with slow coordinate
// streams (90 % of the source's cycles held back, so every lane catches up with the load and
// must wait) and with fast ones; the whole-list checks (order, duplicates, TLAST) still raise
// their codes after the merge started. The full accelerator: test/accel/overlap-load.test.ts.
//
// Mutations checked by hand (each turns this file red): the lane's input gate removed
// (a_ok = a_addr != n_in: compares against unloaded RAM), the gate off by one
// (a_addr <= in_av), the output gate removed, the search-probe gate removed.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAP_ERROR_CODES, type MapErrorName } from '../../generator/dsl/derive/mapping.ts';
import { presets } from '../../generator/dsl/presets.ts';
import type { AcceleratorSpec } from '../../generator/dsl/spec.ts';
import { emitAccelerator, writeEmitted } from '../../generator/emit/index.ts';
import { formatLintMessage, lintRtl } from '../../generator/emit/lint.ts';
import { PROJECT_ROOT } from '../../generator/emit/render.ts';
import type { MapJob, MapLayer, StimulusOptions } from '../../generator/sim/mapping/driver.ts';
import type { Coord } from '../../generator/model/types.ts';
import { bunny, cloud, transposedPair } from './clouds.ts';
import { cosim, simulate } from './run.ts';
import { wide } from './specs.ts';

const ov = (s: AcceleratorSpec, name: string): AcceleratorSpec => ({ ...s, name, mapping: { ...s.mapping, overlapLoad: true } });
/** 3 lanes (4 segments: searches for segments 1–3 wait for their probes). */
const wideOv = ov(wide, 'sf_maptest_ov');
/** 8 lanes, segment-major, the bunny. */
const fpgaOv = presets.fpga.mapping.overlapLoad ? presets.fpga : ov(presets.fpga, 'sf_fpga_ov');
const TIMEOUT_MS = 600_000;

const sub = (k: number, ts = 1): MapLayer => ({ type: 'submanifold', kernelSize: k, stride: 1, inTensorStride: ts });
const trans = (k: number, s: number, ts: number): MapLayer => ({ type: 'transposed', kernelSize: k, stride: s, inTensorStride: ts });

async function check(spec: AcceleratorSpec, job: MapJob, opts: StimulusOptions, what: string): Promise<Record<string, number>> {
  const { result, cmp } = await cosim(spec, job, opts);
  expect(cmp.mismatches, what).toEqual([]);
  expect(result.status.done, what).toBe(true);
  return result.counters;
}

describe('mapping.overlapLoad: the merge starts while the coordinates arrive', () => {
  it('emits -Wall clean RTL (3 lanes, tiny; fpga in test/emit/lint.test.ts)', async () => {
    for (const spec of [wideOv, ov(presets.tiny, 'sf_tiny_ov')]) {
      const out = join(PROJECT_ROOT, '.cache', 'lint-gate', spec.name);
      await writeEmitted(emitAccelerator(spec).files, out);
      const report = await lintRtl(out, { concurrency: 2 });
      expect(report.messages.map(formatLintMessage), spec.name).toEqual([]);
    }
  }, TIMEOUT_MS);

  it('submanifold k = 3 and 5, transposed, conv: bit-exact with slow and fast coordinate streams', async () => {
    const cases: { job: MapJob; what: string }[] = [];
    for (const [i, kind] of (['negative', 'batches', 'scatter', 'blob'] as const).entries()) {
      const c = cloud(kind, 40 + i, 150, 1, 6);
      cases.push({ job: { layer: sub(3), inCoords: c }, what: `${kind} sub k3` });
    }
    cases.push({ job: { layer: sub(5, 2), inCoords: cloud('batches', 45, 120, 2, 8) }, what: 'batches sub k5 ts2' });
    const fine = cloud('negative', 46, 160, 1, 6);
    cases.push({ job: { layer: trans(2, 2, 2), ...transposedPair(fine, 1, 2) }, what: 'negative transposed k2 s2' });
    const fine3 = cloud('batches', 47, 140, 1, 6);
    cases.push({ job: { layer: trans(3, 2, 2), ...transposedPair(fine3, 1, 2) }, what: 'batches transposed k3 s2' });
    // Conv layers merge after the downsampler, as without the knob.
    cases.push({ job: { layer: { type: 'conv', kernelSize: 3, stride: 2, inTensorStride: 1 }, inCoords: cloud('negative', 48, 150, 1, 6) }, what: 'negative conv k3 s2' });
    // A single point and an empty transposed input.
    cases.push({ job: { layer: sub(3), inCoords: [[1, -3, 2, -1]] }, what: 'one point' });
    cases.push({ job: { layer: trans(2, 2, 2), inCoords: [], outCoords: cloud('scatter', 49, 10, 1, 4) }, what: 'transposed, no inputs' });
    let seed = 1;
    for (const { job, what } of cases) {
      await check(wideOv, job, { seed, stallIn: 900, stallOut: 0 }, `${what}, slow coordinates`);
      await check(wideOv, job, { seed: seed + 100, stallIn: 300, stallOut: 500 }, `${what}, backpressure`);
      seed++;
    }
  }, TIMEOUT_MS);

  it('the bunny on 8 lanes (segment-major): the merge overlaps the load', async () => {
    const job: MapJob = { layer: sub(3), inCoords: bunny(0.5) };
    await check(fpgaOv, job, { seed: 7, stallIn: 800, stallOut: 200 }, 'bunny sub k3, slow coordinates');
    const fast = await check(fpgaOv, job, { seed: 8 }, 'bunny sub k3, no stalls');
    // The lanes worked during the load: the mapping phase after it (PERF_MAPPING_CYCLES) is shorter
    // than the lanes' busy cycles per lane (without the knob every busy cycle lies inside it).
    expect(fast.PERF_MAPPING_CYCLES!).toBeLessThan(fast.MAP_LANE_BUSY! / fpgaOv.mapping.lanes);
  }, TIMEOUT_MS);

  it('an unsorted or duplicate coordinate near the end of the list, after the merge started: the same code, the stream drained', async () => {
    const c: Coord[] = cloud('negative', 50, 150, 1, 6);
    const at = c.length - 3;
    const swapped = [...c];
    [swapped[at], swapped[at + 1]] = [swapped[at + 1]!, swapped[at]!];
    const dup = [...c];
    dup[at + 1] = dup[at]!;
    const fineT = cloud('batches', 51, 120, 1, 6);
    const pairT = transposedPair(fineT, 1, 2);
    const outSwapped = [...pairT.outCoords];
    const m = outSwapped.length - 2;
    [outSwapped[m], outSwapped[m + 1]] = [outSwapped[m + 1]!, outSwapped[m]!];
    const cases: { job: MapJob; name: MapErrorName; opts?: StimulusOptions }[] = [
      { job: { layer: sub(3), inCoords: swapped }, name: 'UNSORTED_COORDS' },
      { job: { layer: sub(3), inCoords: dup }, name: 'DUPLICATE_COORD' },
      { job: { layer: trans(2, 2, 2), inCoords: pairT.inCoords, outCoords: outSwapped }, name: 'UNSORTED_COORDS' },
      // TLAST two beats early.
      { job: { layer: sub(3), inCoords: c }, name: 'STREAM_PROTOCOL', opts: { editBeats: (b) => b.map((x, i) => ({ ...x, last: i === c.length - 3 })) } },
    ];
    for (const x of cases) {
      const r = await simulate(wideOv, x.job, { stallIn: 700, stallOut: 300, seed: 11, maxCycles: 400_000, ...x.opts });
      const what = `${x.name} (${x.job.layer.type})`;
      expect(r.timeout, `${what}: the run must end (no hang)`).toBe(false);
      expect([r.status.error, r.status.done, r.status.busy, r.status.errorName, r.status.errorCode], what).toEqual([true, false, false, x.name, MAP_ERROR_CODES[x.name]]);
      // The merge had started: lanes compared before the error stopped them.
      expect(r.counters.MAP_COMPARISONS!, what).toBeGreaterThan(0);
      // Only the aborted layer's map went out (beats before the error), nothing malformed.
      expect(r.protocol, what).toEqual([]);
    }
  }, TIMEOUT_MS);
});
