/* Shared helpers of the toolbox applets: messages, the re-entrant option parser, numbers,
 * whole-file reads, path joins, sorted directory listings, modes and backslash escapes. */

#include "tb.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

const char *tb_name = "toolbox";

void tb_warn(const char *fmt, ...) {
  va_list ap;
  fflush(stdout);
  fprintf(stderr, "%s: ", tb_name);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
}

void tb_perror(const char *path) {
  int e = errno;
  fflush(stdout);
  fprintf(stderr, "%s: %s: %s\n", tb_name, path, strerror(e));
}

void tb_perror_msg(const char *fmt, ...) {
  int e = errno;
  va_list ap;
  fflush(stdout);
  fprintf(stderr, "%s: ", tb_name);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fprintf(stderr, ": %s\n", strerror(e));
}

int tb_usage(const char *usage, int status) {
  fprintf(stderr, "Usage: %s %s\n", tb_name, usage);
  return status;
}

void tb_opts_init(tb_opts *o, int argc, char **argv, bool posix) {
  memset(o, 0, sizeof *o);
  o->argc = argc;
  o->argv = argv;
  o->index = 1;
  o->posix = posix;
  o->operands = calloc((size_t)argc + 1, sizeof(char *));
}

void tb_opts_free(tb_opts *o) {
  free(o->operands);
  o->operands = NULL;
}

static bool looks_negative_number(const char *a) {
  return a[0] == '-' && (isdigit((unsigned char)a[1]) || (a[1] == '.' && isdigit((unsigned char)a[2])));
}

int tb_getopt(tb_opts *o, const char *spec) {
  o->arg = NULL;
  for (;;) {
    if (o->pos == 0) {
      if (o->index >= o->argc) return -1;
      char *a = o->argv[o->index];
      bool numbers_ok = spec[0] == '#';
      if (o->done || a[0] != '-' || a[1] == '\0' || (numbers_ok && looks_negative_number(a))) {
        if (o->posix) o->done = true;
        o->operands[o->noperands++] = a;
        o->index++;
        continue;
      }
      if (strcmp(a, "--") == 0) {
        o->done = true;
        o->index++;
        continue;
      }
      if (a[1] == '-') {
        o->opt = '-';
        o->index++;
        tb_warn("unrecognized option '%s'", a);
        return '?';
      }
      o->pos = 1;
    }
    char *a = o->argv[o->index];
    int c = (unsigned char)a[o->pos++];
    o->opt = c;
    const char *p = c == ':' || c == '#' ? NULL : strchr(spec, c);
    if (p == NULL) {
      if (a[o->pos] == '\0') {
        o->index++;
        o->pos = 0;
      }
      tb_warn("invalid option -- '%c'", c);
      return '?';
    }
    if (p[1] == ':') {
      if (a[o->pos] != '\0') {
        o->arg = a + o->pos;
      } else if (o->index + 1 < o->argc) {
        o->arg = o->argv[++o->index];
      } else {
        o->index++;
        o->pos = 0;
        tb_warn("option requires an argument -- '%c'", c);
        return '?';
      }
      o->index++;
      o->pos = 0;
      return c;
    }
    if (a[o->pos] == '\0') {
      o->index++;
      o->pos = 0;
    }
    return c;
  }
}

bool tb_parse_long(const char *text, long long *out) {
  char *end;
  errno = 0;
  long long v = strtoll(text, &end, 10);
  if (*text == '\0' || *end != '\0' || errno != 0) {
    tb_warn("invalid number '%s'", text);
    return false;
  }
  *out = v;
  return true;
}

bool tb_parse_ulong(const char *text, unsigned long long *out) {
  long long v;
  if (!tb_parse_long(text, &v)) return false;
  if (v < 0) {
    tb_warn("invalid number '%s'", text);
    return false;
  }
  *out = (unsigned long long)v;
  return true;
}

FILE *tb_open_input(const char *path) {
  if (strcmp(path, "-") == 0) return stdin;
  FILE *f = fopen(path, "r");
  if (f != NULL) {
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
      fclose(f);
      errno = EISDIR;
      return NULL;
    }
  }
  return f;
}

void tb_close_input(FILE *f) {
  if (f != NULL && f != stdin) fclose(f);
}

char *tb_read_all(FILE *f, size_t *len) {
  size_t cap = 4096, n = 0;
  char *buf = malloc(cap);
  if (buf == NULL) return NULL;
  for (;;) {
    if (cap - n < 2048) {
      cap *= 2;
      char *grown = realloc(buf, cap);
      if (grown == NULL) {
        free(buf);
        errno = ENOMEM;
        return NULL;
      }
      buf = grown;
    }
    size_t r = fread(buf + n, 1, cap - n - 1, f);
    n += r;
    if (r == 0) break;
  }
  if (ferror(f)) {
    free(buf);
    return NULL;
  }
  buf[n] = '\0';
  *len = n;
  return buf;
}

bool tb_write_all(int fd, const void *buf, size_t len) {
  const char *p = buf;
  while (len > 0) {
    ssize_t w = write(fd, p, len);
    if (w < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    p += w;
    len -= (size_t)w;
  }
  return true;
}

char *tb_join(const char *dir, const char *name) {
  size_t dl = strlen(dir), nl = strlen(name);
  bool slash = dl > 0 && dir[dl - 1] == '/';
  char *out = malloc(dl + nl + 2);
  if (out == NULL) abort();
  memcpy(out, dir, dl);
  if (!slash && dl > 0) out[dl++] = '/';
  memcpy(out + dl, name, nl + 1);
  return out;
}

char *tb_basename(const char *path) {
  size_t len = strlen(path);
  while (len > 1 && path[len - 1] == '/') len--;
  size_t start = len;
  while (start > 0 && path[start - 1] != '/') start--;
  if (len == 1 && path[0] == '/') start = 0;
  char *out = malloc(len - start + 1);
  if (out == NULL) abort();
  memcpy(out, path + start, len - start);
  out[len - start] = '\0';
  return out;
}

bool tb_is_dir(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

bool tb_is_dot_or_dotdot(const char *name) {
  return name[0] == '.' && (name[1] == '\0' || (name[1] == '.' && name[2] == '\0'));
}

static int compare_names(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

char **tb_list_dir(const char *path, size_t *count) {
  DIR *d = opendir(path);
  if (d == NULL) return NULL;
  size_t cap = 16, n = 0;
  char **names = malloc(cap * sizeof(char *));
  struct dirent *e;
  errno = 0;
  while ((e = readdir(d)) != NULL) {
    if (tb_is_dot_or_dotdot(e->d_name)) continue;
    if (n == cap) {
      cap *= 2;
      names = realloc(names, cap * sizeof(char *));
    }
    names[n++] = strdup(e->d_name);
  }
  int saved = errno;
  closedir(d);
  if (saved != 0) {
    tb_free_list(names, n);
    errno = saved;
    return NULL;
  }
  qsort(names, n, sizeof(char *), compare_names);
  *count = n;
  return names;
}

void tb_free_list(char **names, size_t count) {
  for (size_t i = 0; i < count; i++) free(names[i]);
  free(names);
}

mode_t tb_mode(const struct stat *st) {
  mode_t perm = st->st_mode & 07777;
  if (perm == 0) {
    if (S_ISDIR(st->st_mode)) perm = 0755;
    else if (S_ISLNK(st->st_mode)) perm = 0777;
    else perm = 0644;
  }
  return (st->st_mode & S_IFMT) | perm;
}

void tb_mode_string(mode_t mode, char out[11]) {
  char t = '-';
  if (S_ISDIR(mode)) t = 'd';
  else if (S_ISLNK(mode)) t = 'l';
  else if (S_ISCHR(mode)) t = 'c';
  else if (S_ISBLK(mode)) t = 'b';
  else if (S_ISFIFO(mode)) t = 'p';
  else if (S_ISSOCK(mode)) t = 's';
  out[0] = t;
  const char *rwx = "rwxrwxrwx";
  for (int i = 0; i < 9; i++) out[1 + i] = (mode & (0400 >> i)) ? rwx[i] : '-';
  if (mode & S_ISUID) out[3] = (mode & 0100) ? 's' : 'S';
  if (mode & S_ISGID) out[6] = (mode & 0010) ? 's' : 'S';
  if (mode & S_ISVTX) out[9] = (mode & 0001) ? 't' : 'T';
  out[10] = '\0';
}

const char *tb_file_type(const struct stat *st) {
  if (S_ISREG(st->st_mode)) return st->st_size == 0 ? "regular empty file" : "regular file";
  if (S_ISDIR(st->st_mode)) return "directory";
  if (S_ISLNK(st->st_mode)) return "symbolic link";
  if (S_ISCHR(st->st_mode)) return "character special file";
  if (S_ISBLK(st->st_mode)) return "block special file";
  if (S_ISFIFO(st->st_mode)) return "fifo";
  if (S_ISSOCK(st->st_mode)) return "socket";
  return "weird file";
}

bool tb_parse_mode(const char *text, mode_t old, bool is_dir, mode_t *out) {
  if (*text >= '0' && *text <= '7') {
    char *end;
    unsigned long v = strtoul(text, &end, 8);
    if (*end != '\0' || v > 07777) return false;
    *out = (mode_t)v;
    return true;
  }
  mode_t mode = old & 07777;
  const char *p = text;
  for (;;) {
    mode_t who = 0;
    bool who_given = false;
    for (; strchr("ugoa", *p) && *p; p++) {
      who_given = true;
      if (*p == 'u') who |= 04700;
      if (*p == 'g') who |= 02070;
      if (*p == 'o') who |= 01007;
      if (*p == 'a') who |= 07777;
    }
    if (!who_given) who = 07777;
    if (*p != '+' && *p != '-' && *p != '=') return false;
    while (*p == '+' || *p == '-' || *p == '=') {
      char op = *p++;
      mode_t bits = 0;
      for (; *p && strchr("rwxXstugo", *p); p++) {
        switch (*p) {
          case 'r': bits |= 0444; break;
          case 'w': bits |= 0222; break;
          case 'x': bits |= 0111; break;
          case 'X': if (is_dir || (mode & 0111)) bits |= 0111; break;
          case 's': bits |= 06000; break;
          case 't': bits |= 01000; break;
          case 'u': bits |= ((mode >> 6) & 7) * 0111; break;
          case 'g': bits |= ((mode >> 3) & 7) * 0111; break;
          case 'o': bits |= (mode & 7) * 0111; break;
        }
      }
      /* Without a who, + and = honour the usual umask 022 (as chmod does). */
      mode_t mask = who_given ? who : (who & ~(mode_t)022);
      if (op == '+') mode |= bits & mask;
      else if (op == '-') mode &= ~(bits & (who_given ? who : 07777));
      else mode = (mode & ~(who & 07777 & ~(mode_t)(is_dir ? 06000 : 0))) | (bits & mask);
    }
    if (*p == '\0') break;
    if (*p != ',') return false;
    p++;
  }
  *out = mode;
  return true;
}

static int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

size_t tb_unescape(const char *in, char *out, bool printf_style, bool *stop) {
  size_t n = 0;
  *stop = false;
  for (const char *p = in; *p; p++) {
    if (*p != '\\' || p[1] == '\0') {
      out[n++] = *p;
      continue;
    }
    p++;
    switch (*p) {
      case '\\': out[n++] = '\\'; break;
      case 'a': out[n++] = '\a'; break;
      case 'b': out[n++] = '\b'; break;
      case 'e': out[n++] = 27; break;
      case 'f': out[n++] = '\f'; break;
      case 'n': out[n++] = '\n'; break;
      case 'r': out[n++] = '\r'; break;
      case 't': out[n++] = '\t'; break;
      case 'v': out[n++] = '\v'; break;
      case '"': out[n++] = '"'; break;
      case 'c': *stop = true; return n;
      case 'x': {
        int v = 0, digits = 0;
        while (digits < 2 && hex_value(p[1]) >= 0) v = v * 16 + hex_value(*++p), digits++;
        if (digits == 0) {
          out[n++] = '\\';
          out[n++] = 'x';
        } else {
          out[n++] = (char)v;
        }
        break;
      }
      default:
        if (*p >= '0' && *p <= '7') {
          /* echo: \0NNN; printf: \NNN. */
          int v = 0, digits = 0, max = 3;
          if (!printf_style) {
            if (*p != '0') {
              out[n++] = '\\';
              out[n++] = *p;
              break;
            }
          } else {
            v = *p - '0';
            digits = 1;
          }
          while (digits < max && p[1] >= '0' && p[1] <= '7') v = v * 8 + (*++p - '0'), digits++;
          out[n++] = (char)v;
        } else {
          out[n++] = '\\';
          out[n++] = *p;
        }
    }
  }
  return n;
}

void tb_human_size(unsigned long long bytes, char out[16]) {
  static const char units[] = "KMGTPE";
  if (bytes < 1024) {
    snprintf(out, 16, "%llu", bytes);
    return;
  }
  double v = (double)bytes;
  int u = -1;
  while (v >= 1024 && u < 5) v /= 1024, u++;
  if (v < 10) {
    double tenths = (double)(unsigned long long)(v * 10);
    if (tenths < v * 10) tenths += 1;
    if (tenths >= 100) snprintf(out, 16, "%d%c", 10, units[u]);
    else snprintf(out, 16, "%.1f%c", tenths / 10, units[u]);
  } else {
    unsigned long long whole = (unsigned long long)v;
    if ((double)whole < v) whole++;
    snprintf(out, 16, "%llu%c", whole, units[u]);
  }
}

bool tb_parse_date(const char *text, struct timespec *out) {
  if (text[0] == '@') {
    char *end;
    double v = strtod(text + 1, &end);
    if (end == text + 1 || *end != '\0') return false;
    out->tv_sec = (time_t)v;
    out->tv_nsec = (long)((v - (double)out->tv_sec) * 1e9);
    if (out->tv_nsec < 0) out->tv_sec--, out->tv_nsec += 1000000000L;
    return true;
  }
  static const char *formats[] = {"%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"};
  for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++) {
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    const char *end = strptime(text, formats[i], &tm);
    if (end != NULL && (*end == '\0' || strcmp(end, "Z") == 0 || strcmp(end, " UTC") == 0)) {
      out->tv_sec = timegm(&tm);
      out->tv_nsec = 0;
      return true;
    }
  }
  return false;
}
