// Usage errors worded like the docker CLI's ("'wasmbox tag' requires 2 arguments", "unknown
// flag: --bogus"), with the command's usage line and a pointer to its --help.

import type { Command } from 'commander';
import { ExitError } from './context.js';

/** `wasmbox image ls`: the command's full name as typed. */
export function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

function usageBlock(cmd: Command, see: 'Run' | 'See'): string {
  const path = commandPath(cmd);
  return `\nUsage:  ${path} ${cmd.usage()}\n\n${see} '${path} --help' for more information\n`;
}

export type ArgsRule = { exactly: number } | { min: number } | { max: number } | { none: true };

function plural(n: number): string {
  return `${n} argument${n === 1 ? '' : 's'}`;
}

/** Checks the number of positional arguments; exit 1 with docker's message if it is wrong. */
export function checkArgs(cmd: Command, args: readonly string[], rule: ArgsRule): void {
  const path = commandPath(cmd);
  let why: string | undefined;
  let see: 'Run' | 'See' = 'Run';
  if ('exactly' in rule && args.length !== rule.exactly) why = `requires ${plural(rule.exactly)}`;
  if ('min' in rule && args.length < rule.min) {
    why = `requires at least ${plural(rule.min)}`;
    see = 'See';
  }
  if ('max' in rule && args.length > rule.max) why = `requires at most ${plural(rule.max)}`;
  if ('none' in rule && args.length > 0) why = 'accepts no arguments';
  if (why !== undefined) throw new ExitError(1, `${path.split(' ')[0]}: '${path}' ${why}\n${usageBlock(cmd, see)}`);
}

/** Rewrites one of commander's error messages (`error: unknown option '--x'`) in docker's words. */
export function dockerUsageError(message: string, cmd: Command): string {
  const text = message.replace(/^error: /, '').trimEnd();
  let m = /^unknown option '(--[^']+)'(.*)$/s.exec(text);
  if (m) return `unknown flag: ${m[1]}${m[2]}\n${usageBlock(cmd, 'Run')}`;
  m = /^unknown option '-([^-'])([^']*)'(.*)$/s.exec(text);
  if (m) return `unknown shorthand flag: '${m[1]}' in -${m[1]}${m[2]}${m[3]}\n${usageBlock(cmd, 'Run')}`;
  m = /^option '(?:-(\w), )?(--[\w-]+)[^']*' argument missing$/.exec(text);
  if (m) return `flag needs an argument: ${m[1] ? `'${m[1]}' in -${m[1]}` : m[2]}\n${usageBlock(cmd, 'Run')}`;
  return `${text}\n${usageBlock(cmd, 'Run')}`;
}

/** Every command under (and including) `cmd`. */
export function allCommands(cmd: Command): Command[] {
  return [cmd, ...cmd.commands.flatMap((c) => allCommands(c))];
}
