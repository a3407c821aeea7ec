// Types for scripts/test-deps.mjs (plain JS so `npm test` can run it before anything is compiled).

export interface ToolSpec {
  /** A command looked up on PATH, or an absolute path. */
  bin: string;
  /** Debian packages that provide the tool. */
  packages: string[];
  /** Files that must also exist for the tool to count as installed. */
  files?: string[];
}

export const TEST_DEPS: { setup: string[]; tools: Record<string, ToolSpec> };

export function which(command: string): string | undefined;
export function toolSpec(name: string): ToolSpec;
export function findTool(name: string): string | undefined;
export function installTools(names: string[], options?: { log?: (message: string) => void }): Promise<string[]>;
