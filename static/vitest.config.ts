// Unit tests for the UI's pure logic: `npx vitest run --root static` (from the repository root).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'sandbox/src/**/*.test.ts'],
    environment: 'node',
  },
});
