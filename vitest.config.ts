import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 600_000,
    // Verilator builds are CPU-bound; the build cache serialises per configuration.
    pool: 'forks',
  },
});
