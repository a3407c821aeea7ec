/* touch: set file times to now (or -d @EPOCH / -d "YYYY-MM-DD[ HH:MM[:SS]]", -r FILE), creating
 * missing files unless -c. -a and -m pick which time changes. Times are UTC (WASI has no zone). */

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tb.h"

int applet_touch(int argc, char **argv) {
  tb_opts o;
  tb_opts_init(&o, argc, argv, false);
  bool no_create = false, only_atime = false, only_mtime = false, have_time = false;
  struct timespec when = {0, 0};
  int c;
  while ((c = tb_getopt(&o, "cd:r:amh")) != -1) {
    switch (c) {
      case 'c': no_create = true; break;
      case 'a': only_atime = true; break;
      case 'm': only_mtime = true; break;
      case 'h': break;
      case 'd':
        if (!tb_parse_date(o.arg, &when)) {
          tb_warn("invalid date format '%s'", o.arg);
          return 1;
        }
        have_time = true;
        break;
      case 'r': {
        struct stat st;
        if (stat(o.arg, &st) != 0) {
          tb_perror_msg("failed to get attributes of '%s'", o.arg);
          return 1;
        }
        when = st.st_mtim;
        have_time = true;
        break;
      }
      default: return tb_usage("[-cam] [-d @EPOCH|DATE] [-r FILE] FILE...", 1);
    }
  }
  if (o.noperands == 0) {
    tb_warn("missing file operand");
    return tb_usage("[-cam] [-d @EPOCH|DATE] [-r FILE] FILE...", 1);
  }
  struct timespec times[2];
  /* An explicit "now" rather than UTIME_NOW: node:wasi rejects the *_NOW flags with EINVAL. */
  if (!have_time) clock_gettime(CLOCK_REALTIME, &when);
  times[0] = times[1] = when;
  if (only_atime && !only_mtime) times[1].tv_nsec = UTIME_OMIT;
  if (only_mtime && !only_atime) times[0].tv_nsec = UTIME_OMIT;
  int status = 0;
  for (int i = 0; i < o.noperands; i++) {
    const char *path = o.operands[i];
    /* Create first, then set times: some hosts answer EINVAL, not ENOENT, for a missing file. */
    struct stat st;
    bool created = false;
    if (stat(path, &st) != 0) {
      if (errno != ENOENT) {
        tb_perror_msg("cannot touch '%s'", path);
        status = 1;
        continue;
      }
      if (no_create) continue;
      int fd = open(path, O_WRONLY | O_CREAT, 0644);
      if (fd < 0) {
        tb_perror_msg("cannot touch '%s'", path);
        status = 1;
        continue;
      }
      close(fd);
      created = true;
    }
    if ((!created || have_time || only_atime || only_mtime) && utimensat(AT_FDCWD, path, times, 0) != 0) {
      tb_perror_msg("setting times of '%s'", path);
      status = 1;
    }
  }
  tb_opts_free(&o);
  return status;
}
