/* sed: stream editor. Commands s (flags g p N I), p d q Q = a i c y n N h H g G x { } and #;
 * addresses N, $, /re/ (or \cREc), ranges A1,A2 and ! negation. -n, -e (repeatable), -f FILE,
 * -E/-r extended regex, -i in-place editing, -s separate files. Replacement knows & \1..\9 \n. */

#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tb.h"

typedef struct {
  char *s;
  size_t len, cap;
} buf;

static void buf_add(buf *b, const char *s, size_t n) {
  if (b->len + n + 1 > b->cap) {
    b->cap = (b->len + n + 1) * 2;
    b->s = realloc(b->s, b->cap);
  }
  memcpy(b->s + b->len, s, n);
  b->len += n;
  b->s[b->len] = '\0';
}
static void buf_set(buf *b, const char *s, size_t n) {
  b->len = 0;
  buf_add(b, s, n);
}

enum { ADDR_NONE, ADDR_LINE, ADDR_LAST, ADDR_RE };

typedef struct {
  int type;
  long line;
  regex_t *re;
} address;

typedef struct {
  address a1, a2;
  bool negate, active;
  char name;
  regex_t *re; /* s */
  char *text;  /* s replacement; a i c text */
  bool global, print;
  long nth;
  unsigned char ymap[256];
  int block_end; /* { */
  int exit_code; /* q Q */
} command;

typedef struct {
  command *cmds;
  int ncmds;
  regex_t *last_re;
  int cflags;
  bool quiet;
  /* input */
  char **files;
  int nfiles, file_index;
  FILE *in;
  buf next;
  bool has_next;
  bool separate;
  long lineno;
  /* output */
  FILE *out;
  buf append; /* a text queued for the end of the cycle */
  bool quit;
  int status;
} sed_state;

static const char *parse_error;

static char *read_delimited(const char **p, char delim, bool is_regex) {
  buf b = {0};
  buf_add(&b, "", 0);
  const char *s = *p;
  while (*s && *s != delim) {
    if (*s == '\\' && s[1]) {
      if (s[1] == delim) {
        buf_add(&b, &delim, 1);
      } else if (s[1] == 'n' && is_regex) {
        buf_add(&b, "\n", 1);
      } else {
        buf_add(&b, s, 2);
      }
      s += 2;
      continue;
    }
    if (*s == '\n' && is_regex) break;
    buf_add(&b, s, 1);
    s++;
  }
  if (*s != delim) {
    free(b.s);
    parse_error = "unterminated address regex or s command";
    return NULL;
  }
  *p = s + 1;
  return b.s;
}

static regex_t *compile(sed_state *st, const char *pattern, int extra) {
  if (pattern[0] == '\0') {
    if (st->last_re == NULL) parse_error = "no previous regular expression";
    return st->last_re;
  }
  regex_t *re = malloc(sizeof(regex_t));
  int r = regcomp(re, pattern, st->cflags | extra);
  if (r != 0) {
    static char msg[256];
    regerror(r, re, msg, sizeof msg);
    parse_error = msg;
    free(re);
    return NULL;
  }
  st->last_re = re;
  return re;
}

static bool parse_address(sed_state *st, const char **p, address *a) {
  const char *s = *p;
  if (*s >= '0' && *s <= '9') {
    a->type = ADDR_LINE;
    a->line = strtol(s, (char **)&s, 10);
  } else if (*s == '$') {
    a->type = ADDR_LAST;
    s++;
  } else if (*s == '/' || *s == '\\') {
    char delim = '/';
    if (*s == '\\') delim = *++s;
    s++;
    char *pattern = read_delimited(&s, delim, true);
    if (pattern == NULL) return false;
    int extra = 0;
    if (*s == 'I') extra = REG_ICASE, s++;
    a->type = ADDR_RE;
    a->re = compile(st, pattern, extra);
    free(pattern);
    if (a->re == NULL) return false;
  } else {
    a->type = ADDR_NONE;
  }
  *p = s;
  return true;
}

static char *read_text(const char **p) {
  /* GNU one-liner `a text` and POSIX `a\` newline `text`; text ends at an unescaped newline. */
  const char *s = *p;
  while (*s == ' ' || *s == '\t') s++;
  if (*s == '\\') {
    s++;
    if (*s == '\n') s++;
  }
  buf b = {0};
  buf_add(&b, "", 0);
  while (*s && *s != '\n') {
    if (*s == '\\' && s[1]) {
      s++;
      if (*s == 'n') buf_add(&b, "\n", 1);
      else if (*s == 't') buf_add(&b, "\t", 1);
      else buf_add(&b, s, 1);
      s++;
      continue;
    }
    buf_add(&b, s, 1);
    s++;
  }
  *p = s;
  return b.s;
}

static bool parse_script(sed_state *st, const char *script) {
  const char *p = script;
  int stack[64], depth = 0, cap = 16;
  st->cmds = calloc((size_t)cap, sizeof(command));
  for (;;) {
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == ';') p++;
    if (*p == '\0') break;
    if (*p == '#') {
      while (*p && *p != '\n') p++;
      continue;
    }
    if (st->ncmds == cap) {
      st->cmds = realloc(st->cmds, (size_t)(cap *= 2) * sizeof(command));
      memset(st->cmds + st->ncmds, 0, (size_t)(cap - st->ncmds) * sizeof(command));
    }
    command *c = &st->cmds[st->ncmds];
    if (!parse_address(st, &p, &c->a1)) return false;
    if (c->a1.type != ADDR_NONE && *p == ',') {
      p++;
      if (!parse_address(st, &p, &c->a2)) return false;
      if (c->a2.type == ADDR_NONE) {
        parse_error = "unexpected ','";
        return false;
      }
    }
    while (*p == ' ') p++;
    while (*p == '!') c->negate = true, p++;
    while (*p == ' ') p++;
    c->name = *p ? *p++ : '\0';
    switch (c->name) {
      case '{':
        if (depth == 64) {
          parse_error = "blocks nested too deeply";
          return false;
        }
        stack[depth++] = st->ncmds;
        break;
      case '}':
        if (depth == 0) {
          parse_error = "unexpected '}'";
          return false;
        }
        st->cmds[stack[--depth]].block_end = st->ncmds;
        break;
      case 's': {
        char delim = *p++;
        if (delim == '\0' || delim == '\n' || delim == '\\') {
          parse_error = "unterminated 's' command";
          return false;
        }
        char *pattern = read_delimited(&p, delim, true);
        if (pattern == NULL) return false;
        c->text = read_delimited(&p, delim, false);
        if (c->text == NULL) return false;
        int extra = 0;
        for (;;) {
          if (*p == 'g') c->global = true, p++;
          else if (*p == 'p') c->print = true, p++;
          else if (*p == 'i' || *p == 'I') extra |= REG_ICASE, p++;
          else if (*p >= '1' && *p <= '9') c->nth = strtol(p, (char **)&p, 10);
          else break;
        }
        c->re = compile(st, pattern, extra);
        free(pattern);
        if (c->re == NULL) return false;
        break;
      }
      case 'y': {
        char delim = *p++;
        char *from = read_delimited(&p, delim, false);
        char *to = from ? read_delimited(&p, delim, false) : NULL;
        if (to == NULL || strlen(from) != strlen(to)) {
          parse_error = "strings for 'y' command are different lengths";
          return false;
        }
        for (int i = 0; i < 256; i++) c->ymap[i] = (unsigned char)i;
        for (size_t i = 0; from[i]; i++) c->ymap[(unsigned char)from[i]] = (unsigned char)to[i];
        free(from);
        free(to);
        break;
      }
      case 'a': case 'i': case 'c':
        c->text = read_text(&p);
        break;
      case 'q': case 'Q':
        while (*p == ' ') p++;
        if (*p >= '0' && *p <= '9') c->exit_code = (int)strtol(p, (char **)&p, 10);
        break;
      case 'p': case 'd': case 'D': case '=': case 'n': case 'N': case 'h': case 'H': case 'g': case 'G': case 'x':
      case 'P': case 'l':
        break;
      case '\0':
        parse_error = "missing command";
        return false;
      default: {
        static char msg[64];
        snprintf(msg, sizeof msg, "unknown command: '%c'", c->name);
        parse_error = msg;
        return false;
      }
    }
    st->ncmds++;
    while (*p == ' ' || *p == '\t') p++;
    if (c->name != '{' && *p && *p != ';' && *p != '\n' && *p != '}' && *p != '#') {
      static char msg[64];
      snprintf(msg, sizeof msg, "extra characters after command '%c'", c->name);
      parse_error = msg;
      return false;
    }
  }
  if (depth != 0) {
    parse_error = "unmatched '{'";
    return false;
  }
  return true;
}

/* Input: lines with one line of lookahead, so `$` is known. */
static bool open_next_file(sed_state *st) {
  while (st->file_index < st->nfiles) {
    const char *path = st->files[st->file_index++];
    st->in = tb_open_input(path);
    if (st->in != NULL) return true;
    tb_perror_msg("can't read %s", path);
    st->status = 2;
  }
  return false;
}

static bool fetch(sed_state *st) {
  char *line = NULL;
  size_t cap = 0;
  for (;;) {
    if (st->in == NULL && (st->separate || !open_next_file(st))) {
      free(line);
      return false;
    }
    ssize_t len = getline(&line, &cap, st->in);
    if (len >= 0) {
      if (len > 0 && line[len - 1] == '\n') len--;
      buf_set(&st->next, line, (size_t)len);
      free(line);
      return true;
    }
    tb_close_input(st->in);
    st->in = NULL;
  }
}

static bool read_line(sed_state *st, buf *into) {
  if (!st->has_next) return false;
  buf_set(into, st->next.s, st->next.len);
  st->lineno++;
  st->has_next = fetch(st);
  return true;
}

static bool match_address(sed_state *st, const address *a, const buf *ps) {
  switch (a->type) {
    case ADDR_LINE: return st->lineno == a->line;
    case ADDR_LAST: return !st->has_next;
    case ADDR_RE: return regexec(a->re, ps->s, 0, NULL, 0) == 0;
    default: return true;
  }
}

static bool selected(sed_state *st, command *c, const buf *ps) {
  bool hit;
  if (c->a1.type == ADDR_NONE) {
    hit = true;
  } else if (c->a2.type == ADDR_NONE) {
    hit = match_address(st, &c->a1, ps);
  } else if (c->active) {
    hit = true;
    if (c->a2.type == ADDR_LINE ? st->lineno >= c->a2.line : match_address(st, &c->a2, ps)) c->active = false;
  } else {
    hit = match_address(st, &c->a1, ps);
    if (hit) {
      c->active = true;
      if (c->a2.type == ADDR_LINE && c->a2.line <= st->lineno) c->active = false;
      if (c->a2.type == ADDR_LAST && !st->has_next) c->active = false;
    }
  }
  return hit != c->negate;
}

static void emit(sed_state *st, const buf *b) {
  fwrite(b->s, 1, b->len, st->out);
  fputc('\n', st->out);
}

static bool substitute(command *c, buf *ps) {
  buf out = {0};
  buf_add(&out, "", 0);
  size_t off = 0;
  long count = 0;
  bool done = false;
  regmatch_t m[10];
  while (off <= ps->len && regexec(c->re, ps->s + off, 10, m, off > 0 ? REG_NOTBOL : 0) == 0) {
    size_t so = off + (size_t)m[0].rm_so, eo = off + (size_t)m[0].rm_eo;
    count++;
    bool replace = c->nth ? count == c->nth : true;
    buf_add(&out, ps->s + off, so - off);
    if (replace) {
      done = true;
      for (const char *r = c->text; *r; r++) {
        if (*r == '&') {
          buf_add(&out, ps->s + so, eo - so);
        } else if (*r == '\\' && r[1]) {
          r++;
          if (*r >= '0' && *r <= '9') {
            int g = *r - '0';
            if (m[g].rm_so >= 0) buf_add(&out, ps->s + off + m[g].rm_so, (size_t)(m[g].rm_eo - m[g].rm_so));
          } else if (*r == 'n') {
            buf_add(&out, "\n", 1);
          } else if (*r == 't') {
            buf_add(&out, "\t", 1);
          } else {
            buf_add(&out, r, 1);
          }
        } else {
          buf_add(&out, r, 1);
        }
      }
    } else {
      buf_add(&out, ps->s + so, eo - so);
    }
    if (eo == so) {
      /* Empty match: keep the next character and move past it. */
      if (eo < ps->len) buf_add(&out, ps->s + eo, 1);
      off = eo + 1;
    } else {
      off = eo;
    }
    if (replace && !c->global) break;
    if (c->nth && count >= c->nth && !c->global) break;
  }
  if (!done) {
    free(out.s);
    return false;
  }
  if (off < ps->len) buf_add(&out, ps->s + off, ps->len - off);
  free(ps->s);
  *ps = out;
  return true;
}

/* Runs the script over the input; returns when input ends or q ran. */
static void run(sed_state *st) {
  buf ps = {0}, hold = {0}, tmp = {0};
  buf_add(&hold, "", 0);
  buf_add(&ps, "", 0);
  st->has_next = fetch(st);
  while (!st->quit && read_line(st, &ps)) {
    bool autoprint = !st->quiet;
    bool restart = false;
    for (int pc = 0; pc < st->ncmds && !restart; pc++) {
      command *c = &st->cmds[pc];
      if (c->name == '}') continue;
      if (!selected(st, c, &ps)) {
        if (c->name == '{') pc = c->block_end;
        continue;
      }
      switch (c->name) {
        case '{': break;
        case 's':
          if (substitute(c, &ps) && c->print) emit(st, &ps);
          break;
        case 'y':
          for (size_t i = 0; i < ps.len; i++) ps.s[i] = (char)c->ymap[(unsigned char)ps.s[i]];
          break;
        case 'p': emit(st, &ps); break;
        case 'P': {
          char *nl = memchr(ps.s, '\n', ps.len);
          fwrite(ps.s, 1, nl ? (size_t)(nl - ps.s) : ps.len, st->out);
          fputc('\n', st->out);
          break;
        }
        case 'd': autoprint = false, restart = true; break;
        case 'D': {
          char *nl = memchr(ps.s, '\n', ps.len);
          if (nl == NULL) {
            autoprint = false;
            restart = true;
            break;
          }
          buf_set(&tmp, nl + 1, ps.len - (size_t)(nl + 1 - ps.s));
          buf_set(&ps, tmp.s, tmp.len);
          pc = -1;
          continue;
        }
        case '=': fprintf(st->out, "%ld\n", st->lineno); break;
        case 'a': buf_add(&st->append, c->text, strlen(c->text)), buf_add(&st->append, "\n", 1); break;
        case 'i': fprintf(st->out, "%s\n", c->text); break;
        case 'c':
          if (c->a2.type == ADDR_NONE || !c->active || c->negate) fprintf(st->out, "%s\n", c->text);
          autoprint = false;
          restart = true;
          break;
        case 'q': st->quit = true, st->status = c->exit_code, restart = true; break;
        case 'Q': st->quit = true, st->status = c->exit_code, autoprint = false, restart = true; break;
        case 'n':
          if (!st->has_next) {
            st->quit = true;
            restart = true;
            break;
          }
          if (!st->quiet) emit(st, &ps);
          read_line(st, &ps);
          break;
        case 'N':
          if (!st->has_next) {
            st->quit = true;
            restart = true;
            break;
          }
          read_line(st, &tmp);
          buf_add(&ps, "\n", 1);
          buf_add(&ps, tmp.s, tmp.len);
          break;
        case 'h': buf_set(&hold, ps.s, ps.len); break;
        case 'H': buf_add(&hold, "\n", 1), buf_add(&hold, ps.s, ps.len); break;
        case 'g': buf_set(&ps, hold.s, hold.len); break;
        case 'G': buf_add(&ps, "\n", 1), buf_add(&ps, hold.s, hold.len); break;
        case 'x': {
          buf t = ps;
          ps = hold;
          hold = t;
          break;
        }
        case 'l': {
          for (size_t i = 0; i < ps.len; i++) {
            unsigned char ch = (unsigned char)ps.s[i];
            if (ch == '\\') fputs("\\\\", st->out);
            else if (ch == '\t') fputs("\\t", st->out);
            else if (ch == '\n') fputs("\\n", st->out);
            else if (ch < 32 || ch >= 127) fprintf(st->out, "\\%03o", ch);
            else fputc(ch, st->out);
          }
          fputs("$\n", st->out);
          break;
        }
      }
    }
    if (autoprint) emit(st, &ps);
    if (st->append.len) {
      fwrite(st->append.s, 1, st->append.len, st->out);
      st->append.len = 0;
    }
  }
  free(ps.s);
  free(hold.s);
  free(tmp.s);
}

static int edit_in_place(sed_state *st, const char *path) {
  st->in = fopen(path, "r");
  if (st->in == NULL) {
    tb_perror_msg("can't read %s", path);
    return 2;
  }
  size_t len = strlen(path);
  char *tmp = malloc(len + 16);
  snprintf(tmp, len + 16, "%s.sedtmp", path);
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_EXCL, 0644);
  if (fd < 0) {
    tb_perror_msg("couldn't open temporary file %s", tmp);
    fclose(st->in);
    st->in = NULL;
    free(tmp);
    return 4;
  }
  st->out = fdopen(fd, "w");
  st->separate = true;
  st->lineno = 0;
  for (int i = 0; i < st->ncmds; i++) st->cmds[i].active = false;
  run(st);
  if (st->in) tb_close_input(st->in);
  st->in = NULL;
  int status = 0;
  if (fclose(st->out) != 0) {
    tb_perror_msg("couldn't write %s", tmp);
    unlink(tmp);
    status = 4;
  } else if (rename(tmp, path) != 0) {
    tb_perror_msg("couldn't rename %s", tmp);
    unlink(tmp);
    status = 4;
  }
  st->out = stdout;
  free(tmp);
  return status;
}

int applet_sed(int argc, char **argv) {
  sed_state st;
  memset(&st, 0, sizeof st);
  st.out = stdout;
  parse_error = NULL;
  buf script = {0};
  buf_add(&script, "", 0);
  bool have_script = false, in_place = false;
  tb_opts o;
  tb_opts_init(&o, argc, argv, false);
  int c;
  while ((c = tb_getopt(&o, "ne:f:Erisu")) != -1) {
    switch (c) {
      case 'n': st.quiet = true; break;
      case 'E': case 'r': st.cflags |= REG_EXTENDED; break;
      case 'i': in_place = true; break;
      case 's': st.separate = true; break;
      case 'u': break;
      case 'e':
        if (script.len) buf_add(&script, "\n", 1);
        buf_add(&script, o.arg, strlen(o.arg));
        have_script = true;
        break;
      case 'f': {
        FILE *f = tb_open_input(o.arg);
        size_t len;
        char *text = f ? tb_read_all(f, &len) : NULL;
        if (text == NULL) {
          tb_perror_msg("couldn't open file %s", o.arg);
          return 1;
        }
        tb_close_input(f);
        if (script.len) buf_add(&script, "\n", 1);
        buf_add(&script, text, len);
        free(text);
        have_script = true;
        break;
      }
      default: return tb_usage("[-nEis] [-e SCRIPT]... [-f FILE] [SCRIPT] [FILE]...", 1);
    }
  }
  int first_file = 0;
  if (!have_script) {
    if (o.noperands == 0) return tb_usage("[-nEis] [-e SCRIPT]... [-f FILE] [SCRIPT] [FILE]...", 1);
    buf_add(&script, o.operands[0], strlen(o.operands[0]));
    first_file = 1;
  }
  if (!parse_script(&st, script.s)) {
    tb_warn("-e expression: %s", parse_error ? parse_error : "invalid script");
    return 1;
  }
  static char *dash[] = {"-"};
  st.files = o.operands + first_file;
  st.nfiles = o.noperands - first_file;
  if (st.nfiles == 0) {
    if (in_place) {
      tb_warn("no input files");
      return 1;
    }
    st.files = dash;
    st.nfiles = 1;
  }
  int status = 0;
  if (in_place) {
    for (int i = 0; i < st.nfiles && !st.quit; i++) {
      int s = edit_in_place(&st, st.files[i]);
      if (s > status) status = s;
    }
    if (st.quit && st.status) status = st.status;
  } else if (st.separate) {
    while (!st.quit && open_next_file(&st)) {
      st.lineno = 0;
      run(&st);
      if (st.in) tb_close_input(st.in);
      st.in = NULL;
    }
    status = st.status;
  } else {
    run(&st);
    if (st.in) tb_close_input(st.in);
    status = st.status;
  }
  free(script.s);
  free(st.next.s);
  free(st.append.s);
  tb_opts_free(&o);
  return status;
}
