// The cycle model (schedule replay) on layers of many short passes, against co-simulation of the
// fpga preset (the cached build) with no backpressure: transposed layers (k=2 s=2 map-free, k=3 s=2
// merged) on the bunny with several cin/cout tile counts under both pass-grouping policies, and MinkUNet w1.0 nodes with
// their real shapes and point counts on the LiDAR strip of bench/network-rtl.bench.ts. With few
// points per map bank a pass is a handful of rows, and the gather's 4-deep descriptor FIFO (a
// slot frees only when the gather issues the pass's last entry) holds the scheduler back; the
// replay once ignored it and under-predicted these by 2–9 % (before map-free transposed: dec3.up
// −8.8 %, dec2.up −5.4 %; now k=3 s=2 16→128 −3.3 %, enc4.res0.conv1 −2.6 %). On tiny layers the
// scheduler's walk phase decides when a run is first passed; the replay started the walk after the
// coordinate load instead of with the layer (+6.1 % on a 19 → 67-point merged k=2 layer, fpga
// without map-free transposed: bench only). Cases: cycle-model-cases.ts.
// The offset-grouped walk's skip (accel_sched bo_q, model v8): enc4.res0.conv1 (66 points, 128 →
// 256, runs of one or two entries) is where it counts (model 131,727 → 114,797 cycles). Mutations
// of accel_sched, applied by hand, all red in the MinkUNet case: the skip disabled (`grp_q && 1'b0
// && …`) — measured 132,111 against 114,797 predicted, −13.1 %; its comparator flipped (`!=` →
// `==`, banks of the target skipped) and the recorded-candidate check dropped (`nb_ov | 1'b1`, a
// bank skipped on a stale key) — the walk never finishes, harness no-progress. The push cycle doing
// NEXT's work (model v9, 114,797 → 100,486; measured 101,768): `adv = 1'b0` in EMA — measured
// 108,034, −7.0 %; in EMB — 108,287, −7.2 %.
// The recorded candidates' clear at every pair start (accel_sched `bov_N_q <= 0` at SC_INIT) has no
// mutation test because it is redundant in every reachable state. Proof (invariant: a bank with a
// record is not exhausted, bov_b = 1 ⇒ rdseg_b < nseg_b):
//  1. bov_b is written only in a DEC of bank b, with `offer`. The DEC branches that offer are the
//     target's direct pass of a mirrored run (offer = sm_q, set_seg = closed & ~sm_q = 0) and the
//     non-emitting branch (no set_seg); both need have_q (rdseg_b < nseg_b, read in RD0; rdseg_b is
//     unchanged since). Branches that advance rdseg_b (run_done, a last pass) offer nothing and
//     clear the record; so after every DEC of b the invariant holds for b.
//  2. Between b's DECs: rdseg_b changes only with set_seg in b's own DEC (and at INIT); nseg_b
//     (accel_mapbuf) is reset only by mb_rst at a START and otherwise only grows. The skip in NEXT
//     reads a record but never writes one.
//  3. A walked pair ends only through FIN, entered from NEXT's work when all_exh (every rdseg =
//     nseg) and map_done; by the invariant every record is 0 then, and FIN → REL → INIT write
//     none, so the clear at INIT finds every bov already 0. A pair replayed from the pass list
//     (gatherScatter.passListDepth: INIT → PLAY → FIN, or INIT → FIN) has no DEC, so it writes no
//     record and its records stay the 0 they were at its INIT (by induction over the pairs). The
//     other way into INIT, WAITN after go, follows a START, which soft-resets the scheduler
//     (accel_ctrl soft_rst → dp_rst → rst_i), and rst_i clears the records anyway.
// Checked once (not in CI) on 895b80a's RTL: the clear removed, fpga, offset grouping forced,
// bunny sub k=3 32→32 (four channel-tile pairs), random sub k=3 40→40, sub k=5 20→20, conv k=3
// s=2 36→20, transposed k=3 s=2 20→36, each with backpressure 0 and 0.3: bit-exact and the same
// PERF_TOTAL_CYCLES to the cycle as the unmutated RTL (42,896 / 46,431 … 16,683 / 17,011).
import { describe, expect, it } from 'vitest';
import { compareCycleModel, formatTable, MAX_ERROR, networkNodeCases, stripAt, transposedCases } from './cycle-model-cases.ts';
import { presets } from '../../generator/dsl/presets.ts';
import { bunnyCase } from './cases.ts';
import { ACCEL_TIMEOUT_MS } from './run.ts';

describe('cycle model vs co-simulation: short passes (fpga, no backpressure)', () => {
  it(`transposed layers (k=2 map-free, k=3 merged) with several channel-tile counts within ${MAX_ERROR * 100} %`, async () => {
    const rows = await compareCycleModel(transposedCases());
    console.log(formatTable(rows));
    for (const r of rows) expect(Math.abs(r.error), `${r.case}: predicted ${r.predicted}, measured ${r.measured}`).toBeLessThanOrEqual(MAX_ERROR);
  }, 4 * ACCEL_TIMEOUT_MS);

  it(`map-free transposed k=2 on 19 → 67 points with several cout tiles within ${MAX_ERROR * 100} % (marks after the map's end; the tile-end mark replaces a pending one)`, async () => {
    // The map ends before the first pair's passes do. The scheduler's frontier is N_out from then
    // on, so marks are posted inside every last cin-tile pair, and the tile-end mark replaces a
    // mark of its pair still pending instead of waiting for it. (Before, the engine's idle
    // frontier of 0 stopped those marks; a replay that marked up to N_out − 1 and then made the
    // tile-end mark wait was ≈ 70 cycles per cout tile too slow: 16→32 +3.65 %, 16→48 +6.79 %.)
    const fpga = presets.fpga;
    const rows = await compareCycleModel(([[16, 32, 'bank'], [32, 32, 'auto'], [16, 48, 'auto']] as const).map(([cin, cout, passGrouping]) => ({
      name: `transposed k2 s2 ${cin}→${cout} bunny v2 ${passGrouping} (map-free)`,
      spec: fpga,
      make: () => bunnyCase(fpga, { voxel: 2, type: 'transposed', k: 2, s: 2, cin, cout, requant: true }),
      opts: { passGrouping },
    })));
    console.log(formatTable(rows));
    for (const r of rows) expect(Math.abs(r.error), `${r.case}: predicted ${r.predicted}, measured ${r.measured}`).toBeLessThanOrEqual(MAX_ERROR);
  }, 2 * ACCEL_TIMEOUT_MS);

  it(`MinkUNet w1.0 node shapes on the LiDAR strip within ${MAX_ERROR * 100} %`, async () => {
    // The point counts of bench/results/network-rtl.json.
    expect([1, 2, 4, 8, 16].map((ts) => stripAt(ts).length)).toEqual([5678, 1873, 402, 152, 66]);
    const rows = await compareCycleModel(networkNodeCases());
    console.log(formatTable(rows));
    for (const r of rows) expect(Math.abs(r.error), `${r.case}: predicted ${r.predicted}, measured ${r.measured}`).toBeLessThanOrEqual(MAX_ERROR);
  }, 4 * ACCEL_TIMEOUT_MS);
});
