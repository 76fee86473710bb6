// Fuzzed network documents (DESIGN.md §6) through parseNetwork and the golden network: valid
// networks mutated (values replaced, fields deleted or added, arrays shortened or duplicated,
// names and inputs rewired). Each document is either a network that round-trips and that
// runNetwork runs (or refuses with a FieldError), or a FieldError naming a field; never a
// RangeError, a TypeError or a stack trace. The same for tensor and network-result files.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { FieldError, runNetwork, type Network } from '../../generator/model/index.ts';
import { parseNetwork, serializeNetwork } from '../../generator/io/network.ts';
import { parseNetworkResult, serializeNetworkResult } from '../../generator/io/network-result.ts';
import { parseTensor, serializeTensor } from '../../generator/io/tensor.ts';
import { tinyInput, tinyUNet } from '../network/nets.ts';
import { randomNetwork } from '../network/random-network.ts';
import { describeThrown, expectFieldError, fcParams, FUZZ_SEED, outcome, parentOf, paths, type Path } from './helpers.ts';

type Json = Record<string, unknown>;

beforeAll(() => {
  process.stdout.write(`[robustness] network fuzz: fast-check seed ${FUZZ_SEED}\n`);
});

const BASES: Record<string, Json> = {
  tiny: JSON.parse(serializeNetwork(tinyUNet())) as Json,
  random7: JSON.parse(serializeNetwork(randomNetwork(7).net)) as Json,
  random12: JSON.parse(serializeNetwork(randomNetwork(12).net)) as Json,
};

const badValue = fc.oneof(
  fc.constantFrom<unknown>(
    null, true, false, '', 'input', 'stem', 'head', 'cat', 'n1', 'conv', 'add', 'concat', 'transposed', 'submanifold', [], {}, [[]], ['input'],
    ['stem', 'stem'], 0, -0, 1, -1, 0.5, 2, 3, 4, 127, 128, -129, 2 ** 31 - 1, 2 ** 31, 2 ** 53, 1e300, 63, 64, 65536, 65537, NaN, Infinity,
  ),
  fc.integer({ min: -(2 ** 33), max: 2 ** 33 }),
  fc.string({ maxLength: 6 }),
  fc.jsonValue({ maxDepth: 2 }),
);

type Edit =
  | { op: 'set'; at: number; value: unknown }
  | { op: 'delete' | 'duplicate'; at: number }
  | { op: 'unknown'; at: number; key: string; value: unknown };

const edit: fc.Arbitrary<Edit> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('set' as const), at: fc.nat(), value: badValue }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constantFrom('delete' as const, 'duplicate' as const), at: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('unknown' as const), at: fc.nat(), key: fc.constantFrom('extra', '__proto__', 'a b', 'inChannels', 'requant', 'add', 'weights'), value: badValue }) },
);

function applyEdits(base: Json, edits: Edit[]): unknown {
  const doc = JSON.parse(JSON.stringify(base)) as unknown;
  for (const e of edits) {
    const all = paths(doc);
    if (all.length === 0) break;
    // Favour the structure (names, inputs, layers, shapes) over the bulk of weight entries.
    const structural = all.filter((p) => !(p.includes('weights') && p.length > p.indexOf('weights') + 2));
    const pool = e.at % 3 === 0 ? all : structural;
    const p = pool[Math.floor(e.at / 3) % pool.length]!;
    const parent = parentOf(doc, p);
    if (!parent) continue;
    const k = p[p.length - 1]!;
    if (e.op === 'set') Object.defineProperty(parent, k, { value: e.value, enumerable: true, writable: true, configurable: true });
    else if (e.op === 'delete') {
      if (Array.isArray(parent)) parent.splice(k as number, 1);
      else delete parent[k];
    } else if (e.op === 'duplicate') {
      if (Array.isArray(parent)) parent.splice(k as number, 0, structuredClone(parent[k]));
    } else if (e.op === 'unknown') {
      const objs = [doc, ...all.map((q) => parentOf(doc, q)?.[q[q.length - 1]!])].filter(
        (o): o is Record<string, unknown> => typeof o === 'object' && o !== null && !Array.isArray(o));
      Object.defineProperty(objs[e.at % objs.length]!, e.key, { value: e.value, enumerable: true, writable: true, configurable: true });
    }
  }
  return doc;
}

const show = (doc: unknown) => (JSON.stringify(doc) ?? String(doc)).slice(0, 400);

describe('fuzzed network files', () => {
  it('parseNetwork: mutated documents are valid networks or FieldErrors; accepted ones run or are refused by name', () => {
    let accepted = 0, rejected = 0;
    const fields = new Set<string>();
    fc.assert(
      fc.property(fc.constantFrom(...Object.keys(BASES)), fc.array(edit, { minLength: 1, maxLength: 3 }), (name, edits) => {
        const doc = applyEdits(BASES[name]!, edits);
        const context = `${name} with ${show(edits)}`;
        const r = outcome(() => parseNetwork(doc));
        if (!r.ok) {
          rejected++;
          const e = expectFieldError(r.error, context);
          fields.add(e.field.replace(/\[\d+\]/g, '[]').replace(/ ".*"/, ' "…"'));
          return;
        }
        accepted++;
        const net = r.value as Network;
        const again = outcome(() => parseNetwork(JSON.parse(serializeNetwork(net))));
        if (!again.ok) throw new Error(`${context}: accepted network does not round-trip: ${describeThrown(again.error)}`);
        expect(again.value).toEqual(net);
        const input = name === 'tiny' ? tinyInput() : randomNetwork(Number(name.slice(6))).input;
        const run = outcome(() => runNetwork(net, input));
        if (!run.ok) expectFieldError(run.error, `${context}: runNetwork`);
      }),
      fcParams(61, 600),
    );
    for (const f of ['format', 'nodes[] "…": inputs', 'nodes[] "…": weights[][][]', 'nodes[] "…": layer.', 'outputs']) {
      expect([...fields].some((x) => x.startsWith(f)), `no error on ${f} among ${[...fields].sort().join(', ')}`).toBe(true);
    }
    expect(rejected).toBeGreaterThan(200);
    expect(accepted).toBeGreaterThan(10);
  });

  it('tensor and network-result documents: valid or a FieldError', () => {
    const tensor = JSON.parse(serializeTensor(tinyInput())) as Json;
    const result = JSON.parse(serializeNetworkResult(runNetwork(tinyUNet(), tinyInput(), { all: true }).result)) as Json;
    fc.assert(
      fc.property(fc.boolean(), fc.array(edit, { minLength: 1, maxLength: 3 }), (isTensor, edits) => {
        const doc = applyEdits(isTensor ? tensor : result, edits);
        const r = outcome(() => (isTensor ? parseTensor(doc) : parseNetworkResult(doc)));
        if (!r.ok) expectFieldError(r.error, `${isTensor ? 'tensor' : 'result'} with ${show(edits)}`);
      }),
      fcParams(62, 400),
    );
    expect(() => parseNetwork([])).toThrow(FieldError);
  });
});
