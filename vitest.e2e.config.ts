import { defineConfig } from 'vitest/config';

// End-to-end tests drive Debian Chromium against the built app (dist/) and the local sandboxes.
export default defineConfig({
  test: {
    include: ['tests/e2e/**/*.e2e.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
