// A compact, unambiguous rendering of the shell AST for the grammar table: `(…)` is a simple
// command, `${x}` a parameter part, `$[…]` a command substitution, `\*` an escaped character, `"…"` a double-quoted part, so an
// expectation reads like source but pins down every node type.

import type { Command, Pipeline, Redirection, Script, Statement, Word, WordPart } from '../../../src/runner/shell/index.js';

export function renderScript(s: Script): string {
  return renderList(s.body);
}

function renderList(list: Statement[]): string {
  return list.map(renderStatement).join('; ');
}

function renderStatement(s: Statement): string {
  let out = renderPipeline(s.first);
  for (const r of s.rest) out += ` ${r.op} ${renderPipeline(r.pipeline)}`;
  return s.background ? out + ' &' : out;
}

function renderPipeline(p: Pipeline): string {
  return (p.negated ? '! ' : '') + p.commands.map(renderCommand).join(' | ');
}

function redirs(rs: Redirection[]): string {
  return rs.map((r) => ' ' + renderRedirection(r)).join('');
}

function renderCommand(c: Command): string {
  switch (c.type) {
    case 'SimpleCommand':
      return `(${[
        ...c.assignments.map((a) => `${a.name}=${renderWord(a.value)}`),
        ...c.words.map(renderWord),
        ...c.redirections.map(renderRedirection),
      ].join(' ')})`;
    case 'Subshell':
      return `sub[${renderList(c.body)}]${redirs(c.redirections)}`;
    case 'BraceGroup':
      return `{${renderList(c.body)}}${redirs(c.redirections)}`;
    case 'If': {
      const parts = c.clauses.map((cl, i) => `${i === 0 ? 'if' : 'elif'}[${renderList(cl.condition)}]then[${renderList(cl.body)}]`);
      if (c.elseBody !== null) parts.push(`else[${renderList(c.elseBody)}]`);
      return parts.join('') + redirs(c.redirections);
    }
    case 'Loop':
      return `${c.kind}[${renderList(c.condition)}]do[${renderList(c.body)}]${redirs(c.redirections)}`;
    case 'For':
      return `for ${c.name}${c.words === null ? '' : ` in(${c.words.map(renderWord).join(' ')})`} do[${renderList(c.body)}]${redirs(c.redirections)}`;
    case 'Case':
      return `case ${renderWord(c.word)} ${c.items.map((it) => `${it.patterns.map(renderWord).join('|')}=>[${renderList(it.body)}]`).join(' ')}${redirs(c.redirections)}`;
    case 'FunctionDef':
      return `fn ${c.name} ${renderCommand(c.body)}`;
  }
}

function renderRedirection(r: Redirection): string {
  const fd = r.fd === null ? '' : String(r.fd);
  if (r.heredoc !== undefined) {
    const body = r.heredoc.body.parts.map(renderPart).join('');
    return `${fd}${r.operator}${renderWord(r.target)}${r.heredoc.quoted ? 'Q' : ''}{${body}}`;
  }
  return `${fd}${r.operator}${renderWord(r.target)}`;
}

export function renderWord(w: Word): string {
  return w.parts.map(renderPart).join('');
}

function renderPart(p: WordPart): string {
  switch (p.type) {
    case 'Literal':
      return p.value;
    case 'SingleQuoted':
      return `'${p.value}'`;
    case 'DoubleQuoted':
      return `"${p.parts.map(renderPart).join('')}"`;
    case 'Escaped':
      return `\\${p.value}`;
    case 'Tilde':
      return `~{${p.user}}`;
    case 'Parameter':
      if (p.length) return `\${#${p.name}}`;
      return `\${${p.name}${p.operator ?? ''}${p.word === undefined ? '' : renderWord(p.word)}}`;
    case 'CommandSubst':
      return p.backtick ? `\`${renderScript(p.script)}\`` : `$[${renderScript(p.script)}]`;
    case 'Arithmetic':
      return `$((${renderWord(p.expression)}))`;
  }
}
