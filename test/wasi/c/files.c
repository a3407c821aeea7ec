/* Regular files: open flags, read/write/seek, pread/pwrite, append, truncate, links, rename,
 * fd reuse and the errno values of the usual mistakes. Works on any preopened "/" (also
 * node:wasi over a temp dir). */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>
#include "check.h"

static off_t size_of(const char *p) {
  struct stat st;
  return stat(p, &st) == 0 ? st.st_size : -1;
}

int main(void) {
  char buf[64];
  CHECK(mkdir("/t", 0755) == 0, "mkdir /t");
  CHECK_ERR(mkdir("/t", 0755), EEXIST, "mkdir existing -> EEXIST");

  int fd = open("/t/a", O_CREAT | O_WRONLY | O_TRUNC, 0644);
  CHECK(fd >= 3, "create /t/a");
  CHECK(write(fd, "hello", 5) == 5, "write hello");
  CHECK_ERR(read(fd, buf, 1), EBADF, "read on O_WRONLY -> EBADF");
  CHECK(close(fd) == 0, "close");
  CHECK_ERR(close(fd), EBADF, "close twice -> EBADF");

  fd = open("/t/a", O_RDONLY);
  memset(buf, 0, sizeof buf);
  CHECK(read(fd, buf, sizeof buf) == 5 && memcmp(buf, "hello", 5) == 0, "read back");
  CHECK(read(fd, buf, sizeof buf) == 0, "read at EOF returns 0");
  CHECK_ERR(write(fd, "x", 1), EBADF, "write on O_RDONLY -> EBADF");
  CHECK(lseek(fd, 1, SEEK_SET) == 1, "lseek SEEK_SET");
  CHECK(read(fd, buf, 2) == 2 && memcmp(buf, "el", 2) == 0, "read after seek");
  CHECK(lseek(fd, 0, SEEK_CUR) == 3, "lseek SEEK_CUR is position");
  CHECK(lseek(fd, -1, SEEK_END) == 4, "lseek SEEK_END");
  CHECK(read(fd, buf, 5) == 1 && buf[0] == 'o', "read last byte");
  CHECK_ERR(lseek(fd, -10, SEEK_SET), EINVAL, "lseek negative -> EINVAL");
  close(fd);

  fd = open("/t/a", O_RDWR);
  CHECK(pwrite(fd, "WORLD", 5, 10) == 5, "pwrite past end");
  CHECK(size_of("/t/a") == 15, "pwrite extends the file");
  CHECK(lseek(fd, 0, SEEK_CUR) == 0, "pwrite keeps the offset");
  memset(buf, 'z', sizeof buf);
  CHECK(pread(fd, buf, 15, 0) == 15 && memcmp(buf, "hello\0\0\0\0\0WORLD", 15) == 0, "pread sees a zero-filled hole");
  CHECK(pread(fd, buf, 10, 100) == 0, "pread past end returns 0");
  CHECK(ftruncate(fd, 3) == 0 && size_of("/t/a") == 3, "ftruncate shrink");
  CHECK(ftruncate(fd, 8) == 0 && size_of("/t/a") == 8, "ftruncate grow");
  CHECK(pread(fd, buf, 8, 0) == 8 && memcmp(buf, "hel\0\0\0\0\0", 8) == 0, "ftruncate grow zero-fills");
  CHECK(posix_fallocate(fd, 0, 20) == 0 && size_of("/t/a") == 20, "posix_fallocate grows");
  CHECK(fsync(fd) == 0 && fdatasync(fd) == 0, "fsync and fdatasync");
  struct iovec iov[3] = {{"ab", 2}, {"", 0}, {"cd", 2}};
  lseek(fd, 0, SEEK_SET);
  CHECK(writev(fd, iov, 3) == 4, "writev of 3 iovecs");
  char x1[3] = {0}, x2[3] = {0};
  struct iovec riov[2] = {{x1, 2}, {x2, 2}};
  lseek(fd, 0, SEEK_SET);
  CHECK(readv(fd, riov, 2) == 4 && memcmp(x1, "ab", 2) == 0 && memcmp(x2, "cd", 2) == 0, "readv into 2 iovecs");
  close(fd);

  fd = open("/t/a", O_WRONLY | O_TRUNC);
  CHECK(fd >= 0 && size_of("/t/a") == 0, "O_TRUNC empties the file");
  write(fd, "12345", 5);
  close(fd);
  fd = open("/t/a", O_WRONLY | O_APPEND);
  CHECK((fcntl(fd, F_GETFL) & O_APPEND) != 0, "F_GETFL shows O_APPEND");
  lseek(fd, 0, SEEK_SET);
  CHECK(write(fd, "67", 2) == 2, "append write");
  CHECK(size_of("/t/a") == 7, "append went to the end");
  CHECK(lseek(fd, 0, SEEK_CUR) == 7, "offset is at the end after an append");
  CHECK(fcntl(fd, F_SETFL, 0) == 0 && (fcntl(fd, F_GETFL) & O_APPEND) == 0, "F_SETFL clears O_APPEND");
  lseek(fd, 0, SEEK_SET);
  write(fd, "X", 1);
  close(fd);
  fd = open("/t/a", O_RDONLY);
  CHECK(read(fd, buf, 7) == 7 && memcmp(buf, "X234567", 7) == 0, "write after clearing O_APPEND is positional");
  close(fd);

  CHECK_ERR(open("/t/a", O_CREAT | O_EXCL | O_WRONLY, 0644), EEXIST, "O_CREAT|O_EXCL on existing -> EEXIST");
  CHECK_ERR(open("/t/a", O_RDONLY | O_DIRECTORY), ENOTDIR, "O_DIRECTORY on a file -> ENOTDIR");
  CHECK_ERR(open("/t/missing", O_RDONLY), ENOENT, "open missing -> ENOENT");
  CHECK_ERR(open("/t/missing/x", O_RDONLY), ENOENT, "open under missing dir -> ENOENT");
  CHECK_ERR(open("/t/a/x", O_RDONLY), ENOTDIR, "open under a file -> ENOTDIR");
  CHECK_ERR(open("/t", O_WRONLY), EISDIR, "open a dir for writing -> EISDIR");
  fd = open("/t", O_RDONLY);
  CHECK(fd >= 0, "open a dir read-only works");
  struct stat st;
  CHECK(fstat(fd, &st) == 0 && S_ISDIR(st.st_mode), "fstat of a dir fd");
  CHECK_ERR(read(fd, buf, 1), EISDIR, "read on a dir -> EISDIR");
  close(fd);

  /* fd numbers are reused lowest-first */
  int a = open("/t/a", O_RDONLY), b = open("/t/a", O_RDONLY), c = open("/t/a", O_RDONLY);
  CHECK(b == a + 1 && c == b + 1, "fds are allocated in order");
  close(a);
  int d = open("/t/a", O_RDONLY);
  CHECK(d == a, "lowest free fd is reused");
  close(b);
  close(c);
  close(d);
  int dup = open("/t/a", O_RDONLY);
  CHECK(dup == a, "fd reused after closing all");
  close(dup);

  /* hard links */
  CHECK(link("/t/a", "/t/b") == 0, "link");
  CHECK(stat("/t/a", &st) == 0 && st.st_nlink == 2, "nlink is 2 after link");
  struct stat st2;
  CHECK(stat("/t/b", &st2) == 0 && st2.st_ino == st.st_ino, "a link shares the inode");
  fd = open("/t/b", O_WRONLY | O_APPEND);
  write(fd, "!", 1);
  close(fd);
  CHECK(size_of("/t/a") == 8, "a write through the link shows in the other name");
  CHECK_ERR(link("/t/a", "/t/b"), EEXIST, "link onto existing -> EEXIST");
  CHECK_ERR(link("/t/nope", "/t/c"), ENOENT, "link from missing -> ENOENT");
  CHECK(unlink("/t/b") == 0 && stat("/t/a", &st) == 0 && st.st_nlink == 1, "unlink drops nlink");

  /* rename */
  fd = open("/t/c", O_CREAT | O_WRONLY, 0644);
  write(fd, "new", 3);
  close(fd);
  CHECK(rename("/t/c", "/t/a") == 0, "rename over an existing file");
  CHECK(size_of("/t/a") == 3, "the target has the new content");
  CHECK_ERR(open("/t/c", O_RDONLY), ENOENT, "the source name is gone");
  CHECK_ERR(rename("/t/c", "/t/d"), ENOENT, "rename missing -> ENOENT");
  CHECK(mkdir("/t/dir", 0755) == 0, "mkdir /t/dir");
  CHECK_ERR(rename("/t/a", "/t/dir"), EISDIR, "rename file over dir -> EISDIR");
  CHECK(rename("/t/dir", "/t/dir2") == 0, "rename a dir");

  /* directories */
  fd = open("/t/dir2/f", O_CREAT | O_WRONLY, 0644);
  close(fd);
  CHECK_ERR(rmdir("/t/dir2"), ENOTEMPTY, "rmdir non-empty -> ENOTEMPTY");
  CHECK_ERR(rmdir("/t/a"), ENOTDIR, "rmdir a file -> ENOTDIR");
  CHECK_ERR(unlink("/t/dir2"), EISDIR, "unlink a dir -> EISDIR");
  CHECK(unlink("/t/dir2/f") == 0 && rmdir("/t/dir2") == 0, "rmdir after emptying");
  CHECK_ERR(rmdir("/t/dir2"), ENOENT, "rmdir missing -> ENOENT");

  /* stdio cannot seek */
  CHECK_ERR(lseek(0, 0, SEEK_CUR), ESPIPE, "lseek stdin -> ESPIPE");
  CHECK_ERR(lseek(1, 0, SEEK_SET), ESPIPE, "lseek stdout -> ESPIPE");
  DONE();
}
