/* The working directory: started in /app (PWD, see wasmbox-cwd.h), getcwd, relative opens,
 * chdir to relative and absolute paths, and its errors. */
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>
#include "check.h"
#include "wasmbox-cwd.h"

static int reads(const char *path, const char *want) {
  char buf[64] = {0};
  int fd = open(path, O_RDONLY);
  if (fd < 0) return 0;
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  return n == (ssize_t)strlen(want) && memcmp(buf, want, n) == 0;
}

int main(void) {
  char buf[PATH_MAX];
  CHECK(getcwd(buf, sizeof buf) && strcmp(buf, "/app") == 0, "starts in /app");
  CHECK(reads("x", "in app"), "open(\"x\") opens /app/x");
  CHECK(reads("./x", "in app"), "open(\"./x\") opens /app/x");
  CHECK(reads("/x", "in root"), "open(\"/x\") opens /x");
  CHECK(reads("../x", "in root"), "open(\"../x\") opens /x");
  int fd = open("made", O_CREAT | O_WRONLY, 0644);
  close(fd);
  struct stat st;
  CHECK(stat("/app/made", &st) == 0, "a relative create lands in /app");
  CHECK(mkdir("sub", 0755) == 0 && chdir("sub") == 0, "chdir to a relative dir");
  CHECK(getcwd(buf, sizeof buf) && strcmp(buf, "/app/sub") == 0, "getcwd after chdir");
  CHECK(reads("../x", "in app"), "relative `..` from the new cwd");
  CHECK(chdir("/") == 0 && getcwd(buf, sizeof buf) && strcmp(buf, "/") == 0, "chdir to /");
  CHECK(reads("app/x", "in app"), "relative from /");
  CHECK_ERR(chdir("/nope"), ENOENT, "chdir missing -> ENOENT");
  CHECK_ERR(chdir("/app/x"), ENOTDIR, "chdir to a file -> ENOTDIR");
  CHECK_ERR(getcwd(buf, 1), ERANGE, "getcwd with a small buffer -> ERANGE");
  DONE();
}
