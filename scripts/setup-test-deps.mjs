#!/usr/bin/env node
// Run by `npm test` before vitest: installs the Debian packages the test suite needs (skopeo,
// umoci, Chromium, ... as listed in scripts/test-deps.json `setup`) when they are missing.
// Quick and silent when everything is present; fails loudly in CI when something cannot be installed.

import { TEST_DEPS, findTool, installTools, toolSpec } from './test-deps.mjs';

const ci = process.env.CI === 'true';
const wanted = TEST_DEPS.setup;
const missing = wanted.filter((name) => !findTool(name));

if (missing.length > 0) {
  const packages = [...new Set(missing.flatMap((n) => toolSpec(n).packages))];
  let stillMissing;
  try {
    stillMissing = await installTools(missing, { log: (m) => console.log(`setup-test-deps: ${m}`) });
  } catch (e) {
    console.error(`setup-test-deps: could not install ${packages.join(' ')}: ${e instanceof Error ? e.message : e}`);
    process.exit(1);
  }
  if (stillMissing.length > 0) {
    const pkgs = [...new Set(stillMissing.flatMap((n) => toolSpec(n).packages))];
    const how = process.getuid?.() === 0 ? 'apt-get install did not provide them' : 'not root and no password-less sudo';
    console.error(
      `setup-test-deps: ${ci ? 'error' : 'warning'}: missing test tools ${stillMissing.join(', ')} (${how}).\n` +
        `  Install them with: sudo apt-get install -y --no-install-recommends ${pkgs.join(' ')}\n` +
        `  Integration tests that need them will fail.`,
    );
    if (ci) process.exit(1);
  } else {
    console.log(`setup-test-deps: installed ${missing.join(', ')}`);
  }
}
