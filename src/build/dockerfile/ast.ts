// The typed syntax tree of a Dockerfile: one node per instruction, as written (variables not
// yet substituted, quotes of substituted instructions kept), with its line numbers, so the
// builder substitutes at the right moment (per stage, with that stage's ARG and ENV).

/** A here-document: `<<EOF` (expanded), `<<'EOF'` (literal), `<<-EOF` (leading tabs stripped). */
export interface Heredoc {
  /** The delimiter word, quotes removed. */
  name: string;
  /** The body, each line ending in '\n' (tabs already stripped for `<<-`). */
  content: string;
  /** False when the delimiter was quoted: no variable substitution in the body. */
  expand: boolean;
  /** `<<-`: leading tabs were stripped. */
  chomp: boolean;
  /** The file descriptor written before `<<` (`3<<EOF`), 0 when none. */
  fd: number;
}

/** RUN, CMD, ENTRYPOINT: exec form (a JSON array) or shell form (a string for the shell). */
export type CommandForm = { form: 'exec'; argv: string[] } | { form: 'shell'; script: string };

/** One `--name=value` (or bare `--name`, value `true`) flag, in order. */
export interface Flag {
  name: string;
  value: string;
}

interface Base {
  /** First line of the instruction (1-based). */
  line: number;
  /** Last line, heredoc bodies and continuations included. */
  endLine: number;
  /** The instruction as written, continuation lines joined (heredoc bodies not included). */
  original: string;
  /** Flags as written (values unsubstituted). */
  flags: Flag[];
}

export interface FromInstruction extends Base {
  kind: 'FROM';
  image: string;
  /** `AS name`, lowercased as Docker does. */
  stageName?: string;
  platform?: string;
}

export interface RunInstruction extends Base {
  kind: 'RUN';
  command: CommandForm;
  heredocs: Heredoc[];
  /** `--mount=` values, unparsed (cache mounts are a later feature). */
  mounts: string[];
  network?: string;
  security?: string;
}

export interface CmdInstruction extends Base {
  kind: 'CMD' | 'ENTRYPOINT';
  command: CommandForm;
}

export interface CopyInstruction extends Base {
  kind: 'COPY' | 'ADD';
  /** Source words, unsubstituted; heredoc sources are `<<NAME` words, matched to `heredocs` by name. */
  sources: string[];
  dest: string;
  /** Written as a JSON array. */
  json: boolean;
  heredocs: Heredoc[];
  from?: string;
  chown?: string;
  chmod?: string;
  link: boolean;
  checksum?: string;
  exclude: string[];
}

export interface KeyValue {
  key: string;
  value: string;
}

export interface EnvInstruction extends Base {
  kind: 'ENV' | 'LABEL';
  pairs: KeyValue[];
}

export interface ArgDefinition {
  name: string;
  /** Default value (unsubstituted), absent for `ARG NAME`. */
  value?: string;
}

export interface ArgInstruction extends Base {
  kind: 'ARG';
  args: ArgDefinition[];
}

export interface StringInstruction extends Base {
  kind: 'WORKDIR' | 'USER' | 'STOPSIGNAL' | 'MAINTAINER';
  value: string;
}

export interface ListInstruction extends Base {
  kind: 'EXPOSE' | 'VOLUME';
  values: string[];
}

export interface ShellInstruction extends Base {
  kind: 'SHELL';
  shell: string[];
}

export interface HealthcheckInstruction extends Base {
  kind: 'HEALTHCHECK';
  /** `HEALTHCHECK NONE` disables the base image's check. */
  none: boolean;
  command?: CommandForm;
  /** Durations in nanoseconds, as the image config stores them. */
  interval?: number;
  timeout?: number;
  startPeriod?: number;
  startInterval?: number;
  retries?: number;
}

export interface OnbuildInstruction extends Base {
  kind: 'ONBUILD';
  /** The trigger text as it goes into config.OnBuild (`RUN echo hi`). */
  expression: string;
  trigger: Instruction;
}

export type Instruction =
  | FromInstruction
  | RunInstruction
  | CmdInstruction
  | CopyInstruction
  | EnvInstruction
  | ArgInstruction
  | StringInstruction
  | ListInstruction
  | ShellInstruction
  | HealthcheckInstruction
  | OnbuildInstruction;

export type InstructionKind = Instruction['kind'];

export interface Dockerfile {
  /** Parser directives from the top of the file (`syntax`, `escape`, `check`), lowercased names. */
  directives: Record<string, string>;
  /** The escape character in effect: '\\' or '`'. */
  escape: string;
  instructions: Instruction[];
  /** Non-fatal findings, e.g. empty continuation lines. */
  warnings: string[];
  /** The file name used in messages. */
  file: string;
}

/** A build stage: its FROM and the instructions up to the next FROM. */
export interface Stage {
  index: number;
  from: FromInstruction;
  /** Lowercased `AS` name, if any. */
  name?: string;
  instructions: Instruction[];
}
