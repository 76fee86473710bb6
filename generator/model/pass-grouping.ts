// Pass-grouping policies of the compute scheduler (templates/top/accel_sched.v.hbs) and the
// per-layer choice between them (issue 13 item 1, in the spirit of TorchSparse++'s grouping
// search): the host driver asks the cycle model's schedule replay which policy the spec supports
// is fastest for this layer and programs it in LAYER_TYPE.GROUPING. Pure.

/**
 * `bank`: the scheduler walks the banks round-robin and cuts each bank's runs into passes; every
 * pass loads its weight tile. `offset`: one kernel offset's passes of every bank are issued back
 * to back (a mirrored offset's direct passes, then its swapped ones), and a pass whose tile is the
 * one just loaded reuses it (no reload): short passes stop being load-bound.
 */
export const PASS_GROUPINGS = ['bank', 'offset'] as const;
export type PassGrouping = (typeof PASS_GROUPINGS)[number];

/** The value of LAYER_TYPE.GROUPING for a policy. */
export const PASS_GROUPING_CODES: Record<PassGrouping, number> = { bank: 0, offset: 1 };

export interface PassGroupingChoice {
  policy: PassGrouping;
  /** Predicted PERF_TOTAL_CYCLES (summed over the layer's hardware runs) per supported policy. */
  predicted: Partial<Record<PassGrouping, number>>;
}

/**
 * The fastest supported policy by `predict` (the cycle model's replay of the layer's runs under a
 * policy). Ties go to the earlier policy in PASS_GROUPINGS (`bank`, the simpler schedule).
 */
export function choosePassGrouping(supported: readonly PassGrouping[], predict: (p: PassGrouping) => number): PassGroupingChoice {
  if (supported.length === 0) throw new RangeError('choosePassGrouping: the spec supports no pass-grouping policy');
  const predicted: Partial<Record<PassGrouping, number>> = {};
  let best: PassGrouping | undefined;
  for (const p of PASS_GROUPINGS) {
    if (!supported.includes(p)) continue;
    const c = predict(p);
    predicted[p] = c;
    if (best === undefined || c < predicted[best]!) best = p;
  }
  return { policy: best!, predicted };
}
