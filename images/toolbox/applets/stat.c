/* stat: file status. Default output is GNU-like; -c FORMAT prints %n %N %s %a %A %F %f %i %h
 * %u %g %U %G %b %B %o %x %X %y %Y %z %Z %W %%. -L follows symlinks. Owners are numbers
 * and modes default as in tb_mode: WASI preview1 reports neither. */

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tb.h"

static void format_time(const struct timespec *ts, char *out, size_t size) {
  struct tm tm;
  time_t t = ts->tv_sec;
  gmtime_r(&t, &tm);
  char date[40];
  strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S", &tm);
  snprintf(out, size, "%s.%09ld +0000", date, (long)ts->tv_nsec);
}

static void quoted_name(const char *path, const struct stat *st, char *out, size_t size) {
  int n = snprintf(out, size, "'%s'", path);
  if (S_ISLNK(st->st_mode) && n > 0 && (size_t)n < size) {
    char target[4096];
    ssize_t len = readlink(path, target, sizeof target - 1);
    if (len >= 0) snprintf(out + n, size - (size_t)n, " -> '%.*s'", (int)len, target);
  }
}

static void format_stat(const char *fmt, const char *path, const struct stat *st) {
  mode_t mode = tb_mode(st);
  for (const char *p = fmt; *p; p++) {
    if (*p == '\\') {
      char tmp[3] = {'\\', p[1], '\0'}, out[4];
      bool stop;
      if (p[1] == '\0') {
        putchar('\\');
        continue;
      }
      fwrite(out, 1, tb_unescape(tmp, out, true, &stop), stdout);
      p++;
      continue;
    }
    if (*p != '%' || p[1] == '\0') {
      putchar(*p);
      continue;
    }
    /* Flags and width (%04a, %-10n) apply to the rendered value. */
    bool left = false, zero = false;
    int width = 0;
    p++;
    for (; *p == '-' || *p == '0'; p++) {
      if (*p == '-') left = true;
      else zero = true;
    }
    for (; *p >= '0' && *p <= '9'; p++) width = width * 10 + (*p - '0');
    if (*p == '\0') break;
    char v[4200];
    v[0] = '\0';
    bool numeric = true;
    switch (*p) {
      case '%': strcpy(v, "%"); numeric = false; break;
      case 'n': snprintf(v, sizeof v, "%s", path); numeric = false; break;
      case 'N': quoted_name(path, st, v, sizeof v); numeric = false; break;
      case 's': snprintf(v, sizeof v, "%lld", (long long)st->st_size); break;
      case 'a': snprintf(v, sizeof v, "%o", (unsigned)(mode & 07777)); break;
      case 'A': tb_mode_string(mode, v); numeric = false; break;
      case 'F': snprintf(v, sizeof v, "%s", tb_file_type(st)); numeric = false; break;
      case 'f': snprintf(v, sizeof v, "%x", (unsigned)mode); break;
      case 'i': snprintf(v, sizeof v, "%llu", (unsigned long long)st->st_ino); break;
      case 'h': snprintf(v, sizeof v, "%lu", (unsigned long)st->st_nlink); break;
      case 'u': case 'U': snprintf(v, sizeof v, "%u", (unsigned)st->st_uid); break;
      case 'g': case 'G': snprintf(v, sizeof v, "%u", (unsigned)st->st_gid); break;
      case 'b': snprintf(v, sizeof v, "%llu", ((unsigned long long)st->st_size + 511) / 512); break;
      case 'B': strcpy(v, "512"); break;
      case 'o': strcpy(v, "4096"); break;
      case 'd': snprintf(v, sizeof v, "%llu", (unsigned long long)st->st_dev); break;
      case 'x': format_time(&st->st_atim, v, sizeof v); numeric = false; break;
      case 'y': format_time(&st->st_mtim, v, sizeof v); numeric = false; break;
      case 'z': format_time(&st->st_ctim, v, sizeof v); numeric = false; break;
      case 'w': strcpy(v, "-"); numeric = false; break;
      case 'X': snprintf(v, sizeof v, "%lld", (long long)st->st_atim.tv_sec); break;
      case 'Y': snprintf(v, sizeof v, "%lld", (long long)st->st_mtim.tv_sec); break;
      case 'Z': snprintf(v, sizeof v, "%lld", (long long)st->st_ctim.tv_sec); break;
      case 'W': strcpy(v, "0"); break;
      default: snprintf(v, sizeof v, "?%c", *p); numeric = false; break;
    }
    int pad = width > (int)strlen(v) ? width - (int)strlen(v) : 0;
    if (left) {
      printf("%s%*s", v, pad, "");
    } else {
      for (int i = 0; i < pad; i++) putchar(zero && numeric ? '0' : ' ');
      fputs(v, stdout);
    }
  }
  putchar('\n');
}

static const char default_format[] =
    "  File: %N\\n  Size: %s\\tBlocks: %b\\tIO Block: %o\\t%F\\nDevice: %d\\tInode: %i\\tLinks: %h\\n"
    "Access: (%04a/%A)  Uid: %u  Gid: %g\\nAccess: %x\\nModify: %y\\nChange: %z\\n Birth: %w";

int applet_stat(int argc, char **argv) {
  tb_opts o;
  tb_opts_init(&o, argc, argv, false);
  const char *fmt = NULL;
  bool follow = false, terse = false;
  int c;
  while ((c = tb_getopt(&o, "c:Lt")) != -1) {
    if (c == 'c') fmt = o.arg;
    else if (c == 'L') follow = true;
    else if (c == 't') terse = true;
    else return tb_usage("[-L] [-c FORMAT] FILE...", 1);
  }
  if (o.noperands == 0) {
    tb_warn("missing operand");
    return tb_usage("[-L] [-c FORMAT] FILE...", 1);
  }
  if (fmt == NULL) fmt = terse ? "%n %s %b %f %u %g %d %i %h 0 0 %X %Y %Z %W %o" : default_format;
  int status = 0;
  for (int i = 0; i < o.noperands; i++) {
    struct stat st;
    if ((follow ? stat(o.operands[i], &st) : lstat(o.operands[i], &st)) != 0) {
      tb_perror_msg("cannot stat '%s'", o.operands[i]);
      status = 1;
      continue;
    }
    format_stat(fmt, o.operands[i], &st);
  }
  tb_opts_free(&o);
  return status;
}
