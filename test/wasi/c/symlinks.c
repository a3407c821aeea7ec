/* Symbolic links: create, readlink (with truncation), lstat vs stat, O_NOFOLLOW, dangling
 * links, links to directories, linkat with AT_SYMLINK_FOLLOW, and confinement: `..` and
 * absolute targets resolve inside the container root. */
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include "check.h"

int main(void) {
  char buf[256];
  struct stat st;
  mkdir("/s", 0755);
  int fd = open("/s/target", O_CREAT | O_WRONLY, 0644);
  write(fd, "target!", 7);
  close(fd);

  CHECK(symlink("target", "/s/rel") == 0, "symlink relative");
  CHECK(symlink("/s/target", "/s/abs") == 0, "symlink absolute");
  CHECK_ERR(symlink("x", "/s/rel"), EEXIST, "symlink over existing -> EEXIST");
  ssize_t n = readlink("/s/rel", buf, sizeof buf);
  CHECK(n == 6 && memcmp(buf, "target", 6) == 0, "readlink");
  n = readlink("/s/abs", buf, 4);
  CHECK(n == 4 && memcmp(buf, "/s/t", 4) == 0, "readlink truncates to the buffer");
  CHECK_ERR(readlink("/s/target", buf, sizeof buf), EINVAL, "readlink of a file -> EINVAL");
  CHECK_ERR(readlink("/s/none", buf, sizeof buf), ENOENT, "readlink missing -> ENOENT");

  CHECK(lstat("/s/rel", &st) == 0 && S_ISLNK(st.st_mode) && st.st_size == 6, "lstat sees the link");
  CHECK(stat("/s/rel", &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 7, "stat follows the link");
  CHECK(stat("/s/abs", &st) == 0 && st.st_size == 7, "absolute link resolves in the root");
  fd = open("/s/rel", O_RDONLY);
  CHECK(fd >= 0 && read(fd, buf, 7) == 7 && memcmp(buf, "target!", 7) == 0, "open through a link");
  close(fd);
  CHECK_ERR(open("/s/rel", O_RDONLY | O_NOFOLLOW), ELOOP, "O_NOFOLLOW on a link -> ELOOP");

  CHECK(symlink("nowhere", "/s/dangling") == 0, "dangling symlink");
  CHECK_ERR(stat("/s/dangling", &st), ENOENT, "stat dangling -> ENOENT");
  CHECK(lstat("/s/dangling", &st) == 0 && S_ISLNK(st.st_mode), "lstat dangling works");
  CHECK_ERR(open("/s/dangling", O_CREAT | O_EXCL | O_WRONLY, 0644), EEXIST, "O_CREAT|O_EXCL on dangling -> EEXIST");
  fd = open("/s/dangling", O_CREAT | O_WRONLY, 0644);
  CHECK(fd >= 0, "O_CREAT through a dangling link creates the target");
  close(fd);
  CHECK(stat("/s/nowhere", &st) == 0, "the target now exists");

  mkdir("/s/d", 0755);
  close(open("/s/d/inner", O_CREAT | O_WRONLY, 0644));
  CHECK(symlink("d", "/s/dl") == 0, "symlink to a dir");
  CHECK(stat("/s/dl/inner", &st) == 0, "path through a dir link");
  DIR *dir = opendir("/s/dl");
  int count = 0;
  struct dirent *e;
  while (dir && (e = readdir(dir)) != NULL) if (strcmp(e->d_name, "inner") == 0) count++;
  CHECK(dir != NULL && count == 1, "opendir through a link");
  if (dir) closedir(dir);
  CHECK_ERR(rmdir("/s/dl"), ENOTDIR, "rmdir of a link to a dir -> ENOTDIR");
  CHECK(unlink("/s/dl") == 0 && stat("/s/d", &st) == 0, "unlink removes the link, not the dir");

  /* Confinement: nothing resolves above the container root. */
  CHECK(symlink("../../../../../../..", "/s/up") == 0, "symlink climbing far up");
  CHECK(stat("/s/up/s/target", &st) == 0 && st.st_size == 7, "`..` past the root stays at the root");
  CHECK(stat("/../../s/target", &st) == 0, "absolute `..` stays at the root");
  CHECK(symlink("/../../../s/target", "/s/absup") == 0 && stat("/s/absup", &st) == 0, "absolute link with `..` stays inside");

  /* Hard link to what a symlink points at. */
  CHECK(linkat(AT_FDCWD, "/s/rel", AT_FDCWD, "/s/hard", AT_SYMLINK_FOLLOW) == 0, "linkat AT_SYMLINK_FOLLOW");
  CHECK(lstat("/s/hard", &st) == 0 && S_ISREG(st.st_mode) && st.st_nlink == 2, "it links the target file");
  CHECK(linkat(AT_FDCWD, "/s/rel", AT_FDCWD, "/s/hardlink2", 0) == 0, "linkat without follow");
  CHECK(lstat("/s/hardlink2", &st) == 0 && S_ISLNK(st.st_mode), "it links the symlink itself");

  /* Loops */
  symlink("loop2", "/s/loop1");
  symlink("loop1", "/s/loop2");
  CHECK_ERR(stat("/s/loop1", &st), ELOOP, "symlink loop -> ELOOP");
  DONE();
}
