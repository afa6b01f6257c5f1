import { defineConfig } from 'vitest/config';

// Browser tests: the app with its sandbox, driven through Debian's Chromium by playwright-core.
// They need the built UI: `npm run build:ui && npm run test:browser`.
export default defineConfig({
  test: {
    include: ['test/browser/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 90_000,
  },
});
