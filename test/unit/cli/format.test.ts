// The Go-template subset, Go's tabwriter layout and docker's table/json directives.
import { describe, expect, it } from 'vitest';
import { ExitError } from '../../../src/cli/context.js';
import { asStruct, formatRows, renderTemplate, tabwrite } from '../../../src/cli/format.js';

const image = {
  Id: 'sha256:abc',
  RepoTags: ['a:1', 'b:2'],
  Config: { Labels: { 'org.x': 'y' }, Cmd: ['/a.wasm', '-v'], Env: [] as string[] },
  State: { Status: 'running', Running: true },
  Size: 42,
};

describe('renderTemplate', () => {
  it.each([
    ['{{.Id}}', 'sha256:abc'],
    ['{{.State.Status}}', 'running'],
    ['{{ .Size }} bytes', '42 bytes'],
    ['{{index .Config.Labels "org.x"}}', 'y'],
    ['{{index .Config.Labels "missing"}}', '<no value>'],
    ['{{.Config.Nope}}', '<no value>'],
    ['{{json .Config.Cmd}}', '["/a.wasm","-v"]'],
    ['{{json .RepoTags}}', '["a:1","b:2"]'],
    ['{{.RepoTags}}', '[a:1 b:2]'],
    ['{{.Config.Labels}}', 'map[org.x:y]'],
    ['{{join .RepoTags ", "}}', 'a:1, b:2'],
    ['{{range .RepoTags}}<{{.}}>{{end}}', '<a:1><b:2>'],
    ['{{range .Config.Env}}x{{else}}empty{{end}}', 'empty'],
    ['{{if .State.Running}}up{{else}}down{{end}}', 'up'],
    ['{{if eq .State.Status "exited"}}x{{else if eq .State.Status "running"}}r{{end}}', 'r'],
    ['{{with .State}}{{.Status}}{{end}}', 'running'],
    ['{{.State.Status | upper}}', 'RUNNING'],
    ['{{upper .State.Status}}-{{len .RepoTags}}', 'RUNNING-2'],
    ['{{printf "%s=%d" .Id .Size}}', 'sha256:abc=42'],
    ['a  {{- .Size -}}  b', 'a42b'],
    ['{{/* comment */}}x', 'x'],
    ['{{(index .RepoTags 1)}}', 'b:2'],
  ])('%s → %s', (tpl, out) => expect(renderTemplate(tpl, image)).toBe(out));

  it('fails like Go on an unknown struct field, a bad function or an unclosed action', () => {
    expect(() => renderTemplate('{{.Nope}}', asStruct({ ID: 'x' }))).toThrow(/can't evaluate field Nope/);
    expect(() => renderTemplate('{{nope .ID}}', {})).toThrow(/function "nope" not defined/);
    expect(() => renderTemplate('{{.ID', {})).toThrow(ExitError);
    expect(() => renderTemplate('{{if .A}}x', {})).toThrow(/unexpected EOF/);
  });
});

describe('tabwrite (Go tabwriter: minwidth 10, padding 3)', () => {
  it('pads each tab-terminated cell to the widest cell + 3, at least 10, leaving the last cell alone', () => {
    const out = tabwrite('REPOSITORY\tTAG\tIMAGE ID\nhello-world\tlatest\td2c94e258dcb\n');
    expect(out).toBe('REPOSITORY    TAG       IMAGE ID\nhello-world   latest    d2c94e258dcb\n');
  });

  it('aligns only consecutive lines that have the column', () => {
    expect(tabwrite('a\tb\nno tabs here\nlonger-cell\tc\n')).toBe('a         b\nno tabs here\nlonger-cell   c\n');
  });
});

describe('formatRows', () => {
  const rows = [{ id: 'abc', name: 'x' }];
  const base = {
    defaultTable: '{{.ID}}\t{{.Name}}',
    headers: { ID: 'IMAGE ID', Name: 'NAME' },
    context: (r: { id: string; name: string }) => asStruct({ ID: r.id, Name: r.name }),
  };

  it('prints the default table with headers', () => {
    expect(formatRows(rows, { ...base, format: undefined })).toBe('IMAGE ID   NAME\nabc        x\n');
    expect(formatRows([], { ...base, format: 'table' })).toBe('IMAGE ID   NAME\n');
  });

  it('supports "table TEMPLATE" with a literal \\t, raw templates, and json', () => {
    expect(formatRows(rows, { ...base, format: 'table {{.Name}}\\t{{.ID}}' })).toBe('NAME      IMAGE ID\nx         abc\n');
    expect(formatRows(rows, { ...base, format: '{{.Name}}:{{.ID}}' })).toBe('x:abc\n');
    expect(formatRows(rows, { ...base, format: 'json' })).toBe('{"ID":"abc","Name":"x"}\n');
    expect(formatRows(rows, { ...base, format: '{{json .}}' })).toBe('{"ID":"abc","Name":"x"}\n');
  });
});
