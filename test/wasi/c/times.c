/* Timestamps: utimensat / futimens with explicit times and UTIME_OMIT, on files, directories
 * and symlinks (AT_SYMLINK_NOFOLLOW), and mtime updates by writes. Not UTIME_NOW or a NULL
 * times array: Debian's wasi-libc (2022-05) mistranslates both (its headers define UTIME_NOW
 * twice with different values, and NULL arrives as "set both to 0"); the *_NOW flags are
 * tested on the host calls directly in test/unit/runner. */
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "check.h"

static int near_now(struct timespec t) {
  time_t now = time(NULL);
  return t.tv_sec >= now - 5 && t.tv_sec <= now + 5;
}

int main(void) {
  struct stat st;
  mkdir("/tm", 0755);
  int fd = open("/tm/f", O_CREAT | O_WRONLY, 0644);
  close(fd);
  CHECK(stat("/tm/f", &st) == 0 && near_now(st.st_mtim) && near_now(st.st_atim) && near_now(st.st_ctim), "new file times are now");

  struct timespec ts[2] = {{1000, 500000000}, {2000, 250000000}};
  CHECK(utimensat(AT_FDCWD, "/tm/f", ts, 0) == 0, "utimensat");
  CHECK(stat("/tm/f", &st) == 0 && st.st_atim.tv_sec == 1000 && st.st_atim.tv_nsec == 500000000, "atime set with ns");
  CHECK(st.st_mtim.tv_sec == 2000 && st.st_mtim.tv_nsec == 250000000, "mtime set with ns");
  CHECK(near_now(st.st_ctim), "ctime moved to now");

  struct timespec omit[2] = {{0, UTIME_OMIT}, {3000, 0}};
  CHECK(utimensat(AT_FDCWD, "/tm/f", omit, 0) == 0, "utimensat with UTIME_OMIT");
  CHECK(stat("/tm/f", &st) == 0 && st.st_atim.tv_sec == 1000 && st.st_mtim.tv_sec == 3000, "UTIME_OMIT keeps atime");


  fd = open("/tm/f", O_RDONLY);
  struct timespec t4[2] = {{4000, 0}, {4001, 0}};
  CHECK(futimens(fd, t4) == 0, "futimens on a read-only fd");
  CHECK(fstat(fd, &st) == 0 && st.st_atim.tv_sec == 4000 && st.st_mtim.tv_sec == 4001, "fstat sees futimens");
  close(fd);
  fd = open("/tm/f", O_WRONLY);
  struct timespec t5[2] = {{5000, 0}, {5001, 0}};
  CHECK(futimens(fd, t5) == 0 && fstat(fd, &st) == 0 && st.st_mtim.tv_sec == 5001, "futimens on a writable fd");
  CHECK(write(fd, "x", 1) == 1 && fstat(fd, &st) == 0 && near_now(st.st_mtim), "write moves mtime to now");
  close(fd);

  CHECK(utimensat(AT_FDCWD, "/tm", t4, 0) == 0 && stat("/tm", &st) == 0 && st.st_mtim.tv_sec == 4001, "utimensat on a dir");
  fd = open("/tm", O_RDONLY | O_DIRECTORY);
  CHECK(futimens(fd, t5) == 0 && fstat(fd, &st) == 0 && st.st_mtim.tv_sec == 5001, "futimens on a dir fd");
  close(fd);

  symlink("f", "/tm/link");
  struct timespec t6[2] = {{6000, 0}, {6001, 0}};
  CHECK(utimensat(AT_FDCWD, "/tm/link", t6, AT_SYMLINK_NOFOLLOW) == 0, "utimensat AT_SYMLINK_NOFOLLOW");
  CHECK(lstat("/tm/link", &st) == 0 && st.st_mtim.tv_sec == 6001, "the link's own mtime changed");
  CHECK(stat("/tm/f", &st) == 0 && st.st_mtim.tv_sec != 6001, "the target's mtime did not");
  CHECK(utimensat(AT_FDCWD, "/tm/link", t4, 0) == 0 && stat("/tm/f", &st) == 0 && st.st_mtim.tv_sec == 4001, "utimensat follows by default");

  struct timespec bad[2] = {{0, 1000000000}, {0, 0}};
  CHECK_ERR(utimensat(AT_FDCWD, "/tm/f", bad, 0), EINVAL, "tv_nsec out of range -> EINVAL");
  CHECK_ERR(utimensat(AT_FDCWD, "/tm/missing", t4, 0), ENOENT, "utimensat missing -> ENOENT");

  /* creating an entry moves the directory's mtime */
  struct timespec old[2] = {{100, 0}, {100, 0}};
  utimensat(AT_FDCWD, "/tm", old, 0);
  close(open("/tm/g", O_CREAT | O_WRONLY, 0644));
  CHECK(stat("/tm", &st) == 0 && near_now(st.st_mtim), "creating a file updates the dir mtime");
  DONE();
}
