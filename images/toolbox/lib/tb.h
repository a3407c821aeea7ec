/* Shared helpers of the toolbox applets: error messages in the `cmd: path: reason` form, an
 * option parser that can be re-entered (xargs and env run applets in the same process), file
 * and mode helpers that paper over what WASI preview1 lacks (permission bits, owners). */

#ifndef TB_H
#define TB_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>

/* Name of the running applet, used as the prefix of every message. */
extern const char *tb_name;

/* `name: message` on stderr. */
void tb_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* `name: path: strerror(errno)` on stderr. */
void tb_perror(const char *path);
/* `name: message: strerror(errno)` on stderr. */
void tb_perror_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints `Usage: usage` on stderr and returns status. */
int tb_usage(const char *usage, int status);

/* Re-entrant option parser in the style of getopt(3). Options may follow operands (like GNU)
 * unless `posix` is set or `--` ends them; operands are collected in order. */
typedef struct {
  int argc;
  char **argv;
  int index;        /* next argv element */
  int pos;          /* position inside a bundle like -la */
  bool posix;       /* stop at the first operand */
  bool done;
  const char *arg;  /* argument of the option just returned */
  int opt;          /* the option just returned, for error messages */
  char **operands;  /* collected operands */
  int noperands;
} tb_opts;

void tb_opts_init(tb_opts *o, int argc, char **argv, bool posix);
/* Returns the next option character, -1 when done (then operands are complete) or '?' after
 * printing `name: invalid option -- 'x'` / `option requires an argument`. `spec` is getopt-like
 * ("n:c:v"). */
int tb_getopt(tb_opts *o, const char *spec);
void tb_opts_free(tb_opts *o);

/* Numbers. Print `name: invalid number 'text'` and return false on error. */
bool tb_parse_long(const char *text, long long *out);
bool tb_parse_ulong(const char *text, unsigned long long *out);

/* Files. "-" means stdin. */
FILE *tb_open_input(const char *path);
void tb_close_input(FILE *f);
/* Reads the whole stream; the buffer is NUL-terminated; NULL on error (errno set). */
char *tb_read_all(FILE *f, size_t *len);
/* Writes all bytes to a file descriptor; false on error. */
bool tb_write_all(int fd, const void *buf, size_t len);

/* Paths. Results are malloc'd. */
char *tb_join(const char *dir, const char *name);
/* Last component without trailing slashes, pointer into a static-free malloc'd copy. */
char *tb_basename(const char *path);
bool tb_is_dir(const char *path);
bool tb_is_dot_or_dotdot(const char *name);

/* Sorted names of a directory's entries (without . and ..); NULL on error. */
char **tb_list_dir(const char *path, size_t *count);
void tb_free_list(char **names, size_t count);

/* WASI preview1 carries only a file type, no permission bits and no owner: these give the
 * usual defaults (dirs 0755, symlinks 0777, files 0644) when the bits are absent. */
mode_t tb_mode(const struct stat *st);
void tb_mode_string(mode_t mode, char out[11]);
const char *tb_file_type(const struct stat *st);
/* chmod-style mode: octal or symbolic (u+x,go-w,a=r). False if the text is invalid. */
bool tb_parse_mode(const char *text, mode_t old, bool is_dir, mode_t *out);

/* Backslash escapes as echo -e and printf interpret them. Writes into out (at least strlen(in)+1
 * bytes); returns the length; sets *stop when \c was found. */
size_t tb_unescape(const char *in, char *out, bool printf_style, bool *stop);

/* Copying (cp, mv across devices). */
typedef struct {
  bool recursive;
  bool preserve;  /* timestamps */
  bool force;     /* remove a destination that cannot be opened */
  bool deref;     /* follow symlinks of the source */
} tb_copy_options;
/* Copies src to dst (dst is the final name). Returns 0 or 1 after printing an error. */
int tb_copy(const char *src, const char *dst, const tb_copy_options *opts);
/* Removes a tree (rm -r). Returns 0 or 1 after printing errors; `force` ignores missing files. */
int tb_remove(const char *path, bool recursive, bool force);

/* Dates as touch -d and date -d take them: @EPOCH[.frac], YYYY-MM-DD[ HH:MM[:SS]] (UTC). */
bool tb_parse_date(const char *text, struct timespec *out);

/* Human-readable sizes like du -h: 512, 1.5K, 12K, 3.4M. */
void tb_human_size(unsigned long long bytes, char out[16]);

/* Applets are functions; xargs and env call them in-process because WASI cannot exec. */
typedef int (*tb_applet_fn)(int argc, char **argv);
typedef struct {
  const char *name;
  tb_applet_fn fn;
} tb_applet;
/* Looks an applet up by name or path (/bin/ls); NULL if the toolbox has none of that name. */
const tb_applet *tb_find_applet(const char *name);
/* Runs an applet in this process (messages carry its name) and flushes stdout. */
int tb_run_applet(const tb_applet *applet, int argc, char **argv);

#endif
