/* Open files until EMFILE, then check that closing one makes room again (run with a small
 * maxOpenFiles). */
#include <fcntl.h>
#include <unistd.h>
#include "check.h"

int main(void) {
  int fds[4096];
  int n = 0;
  close(open("/f", O_CREAT | O_WRONLY, 0644));
  errno = 0;
  while (n < 4096) {
    int fd = open("/f", O_RDONLY);
    if (fd < 0) break;
    fds[n++] = fd;
  }
  CHECK(n > 0 && n < 4096 && errno == EMFILE, "open fails with EMFILE at the limit");
  printf("opened %d\n", n);
  close(fds[10]);
  int fd = open("/f", O_RDONLY);
  CHECK(fd == fds[10], "closing one fd makes room for exactly that one");
  for (int i = 0; i < n; i++) close(fds[i]);
  CHECK(open("/f", O_RDONLY) == 4, "after closing all the lowest fd is 4 again");
  DONE();
}
