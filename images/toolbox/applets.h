/* The toolbox's applets, one function per command (applets/<name>.c). Adding an applet means a
 * new file and one entry here; main.c builds the lookup table from this list (kept sorted). */

#ifndef TB_APPLETS_H
#define TB_APPLETS_H

#define TB_APPLETS(X) \
  X(basename)         \
  X(cat)              \
  X(chmod)            \
  X(cp)               \
  X(cut)              \
  X(date)             \
  X(dirname)          \
  X(du)               \
  X(echo)             \
  X(env)              \
  X(false)            \
  X(find)             \
  X(grep)             \
  X(head)             \
  X(ln)               \
  X(ls)               \
  X(mkdir)            \
  X(mv)               \
  X(printenv)         \
  X(printf)           \
  X(pwd)              \
  X(rm)               \
  X(rmdir)            \
  X(sed)              \
  X(seq)              \
  X(sha256sum)        \
  X(sleep)            \
  X(sort)             \
  X(stat)             \
  X(tail)             \
  X(tee)              \
  X(touch)            \
  X(tr)               \
  X(true)             \
  X(uniq)             \
  X(wc)               \
  X(xargs)            \
  X(yes)

#define TB_DECLARE(n) int applet_##n(int argc, char **argv);
TB_APPLETS(TB_DECLARE)
#undef TB_DECLARE

#endif
