// Real tools for integration tests (skopeo, umoci, Chromium, clang, a registry...): a test calls
// `await ensureTool('skopeo')` in beforeAll and gets the binary's absolute path, installing the
// Debian package first when it is missing. A tool that cannot be had is an error, never a skip.

import { findTool, installTools, TEST_DEPS } from '../../scripts/test-deps.mjs';

/** Tools listed in scripts/test-deps.json; add a tool there (bin + Debian packages) to use it here. */
export type ToolName = 'skopeo' | 'umoci' | 'chromium' | 'clang' | 'docker-registry' | 'docker-compose' | 'htpasswd' | 'docker';

export interface EnsureToolOptions {
  /** Progress lines (what is being installed); stderr by default. */
  log?: (message: string) => void;
}

/** Absolute path of the tool's binary; installs it (apt-get, serialized across workers) if missing. */
export async function ensureTool(name: ToolName, options: EnsureToolOptions = {}): Promise<string> {
  const found = findTool(name);
  if (found) return found;
  const log = options.log ?? ((m: string) => process.stderr.write(`[ensureTool] ${m}\n`));
  let reason = '';
  try {
    await installTools([name], { log });
  } catch (e) {
    reason = `: ${e instanceof Error ? e.message : String(e)}`;
  }
  const after = findTool(name);
  if (after) return after;
  const spec = TEST_DEPS.tools[name]!;
  const hint =
    `install it with: sudo apt-get install -y --no-install-recommends ${spec.packages.join(' ')}` +
    (reason ? '' : process.getuid?.() === 0 ? ' (apt-get ran but did not provide it)' : ' (not root, no password-less sudo)');
  const where = process.env.CI === 'true' ? 'in CI a missing tool is a failure' : 'the test needs it and will not be skipped';
  throw new Error(`test tool "${name}" (${spec.bin}) is not available; ${hint}; ${where}${reason}`);
}

/** The tool's path if installed, without installing anything. */
export function toolPath(name: ToolName): string | undefined {
  return findTool(name);
}
