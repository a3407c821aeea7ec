import { defineConfig } from 'vitest/config';

// Three projects: `unit` (fast, pure; part of `npm run check`), `suites` (one shared suite per
// interface, run against every backend) and `integration` (real processes and real tools:
// skopeo, umoci, Chromium, the docker CLI, a registry).
export default defineConfig({
  test: {
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      { extends: true, test: { name: 'suites', include: ['test/suites/**/*.test.ts'] } },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
