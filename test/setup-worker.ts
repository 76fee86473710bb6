// Two test files run at once (vitest.config.ts): each worker gets its own co-simulation run folder,
// because files name their runs alike (`accel-sf_tiny` in several accelerator tests).
import { join } from 'node:path';
import { PROJECT_ROOT } from '../generator/emit/render.ts';

process.env.SPARSEFORGE_RUNS_DIR ??= join(PROJECT_ROOT, '.cache', 'sim-runs', `worker-${process.env.VITEST_POOL_ID ?? '0'}`);
