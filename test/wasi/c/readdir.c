/* Directory listing: 10,000 entries (count and every name once), `.` and `..`, d_type,
 * rewinddir, telldir/seekdir, long names that fill the readdir buffer, ENOTDIR. */
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include "check.h"

#define N 10000

int main(void) {
  char name[300];
  static unsigned char seen[N];
  mkdir("/big", 0755);
  int created = 0;
  for (int i = 0; i < N; i++) {
    snprintf(name, sizeof name, "/big/f%05d", i);
    int fd = open(name, O_CREAT | O_WRONLY, 0644);
    if (fd >= 0) created++;
    close(fd);
  }
  CHECK(created == N, "created 10000 files");
  DIR *d = opendir("/big");
  CHECK(d != NULL, "opendir");
  int count = 0, dots = 0, bad = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) {
      dots++;
      if (e->d_type != DT_DIR) bad++;
      continue;
    }
    int i = atoi(e->d_name + 1);
    if (e->d_name[0] != 'f' || i < 0 || i >= N || seen[i]) bad++;
    else seen[i] = 1;
    if (e->d_type != DT_REG) bad++;
    count++;
  }
  CHECK(count == N, "readdir returns 10000 entries");
  CHECK(dots == 2, "readdir returns . and ..");
  CHECK(bad == 0, "every name once, with the right d_type");
  rewinddir(d);
  int again = 0;
  while ((e = readdir(d)) != NULL) again++;
  CHECK(again == N + 2, "rewinddir lists everything again");
  rewinddir(d);
  for (int i = 0; i < 5; i++) readdir(d);
  long pos = telldir(d);
  e = readdir(d);
  char want[300];
  strcpy(want, e->d_name);
  for (int i = 0; i < 100; i++) readdir(d);
  seekdir(d, pos);
  e = readdir(d);
  CHECK(e != NULL && strcmp(e->d_name, want) == 0, "seekdir returns to a telldir position");
  closedir(d);

  mkdir("/mixed", 0755);
  close(open("/mixed/file", O_CREAT | O_WRONLY, 0644));
  mkdir("/mixed/sub", 0755);
  symlink("file", "/mixed/link");
  d = opendir("/mixed");
  int types = 0;
  struct stat st;
  stat("/mixed", &st);
  ino_t self = st.st_ino;
  int self_ok = 0;
  while ((e = readdir(d)) != NULL) {
    if (strcmp(e->d_name, "file") == 0 && e->d_type == DT_REG) types++;
    if (strcmp(e->d_name, "sub") == 0 && e->d_type == DT_DIR) types++;
    if (strcmp(e->d_name, "link") == 0 && e->d_type == DT_LNK) types++;
    if (strcmp(e->d_name, ".") == 0 && e->d_ino == self) self_ok = 1;
  }
  closedir(d);
  CHECK(types == 3, "d_type of file, dir and symlink");
  CHECK(self_ok, "d_ino of . is the directory's inode");

  /* Names long enough that entries straddle the libc's readdir buffer. */
  mkdir("/long", 0755);
  memset(name, 0, sizeof name);
  for (int i = 0; i < 100; i++) {
    char base[201];
    memset(base, 'a' + i % 26, 200);
    base[200] = 0;
    snprintf(name, sizeof name, "/long/%03d%s", i, base);
    close(open(name, O_CREAT | O_WRONLY, 0644));
  }
  d = opendir("/long");
  count = 0;
  bad = 0;
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] == '.') continue;
    if (strlen(e->d_name) != 203) bad++;
    count++;
  }
  closedir(d);
  CHECK(count == 100 && bad == 0, "100 entries with 203-byte names");

  CHECK_ERR(opendir("/big/f00001"), ENOTDIR, "opendir of a file -> ENOTDIR");
  CHECK_ERR(opendir("/nope"), ENOENT, "opendir missing -> ENOENT");

  /* Entries removed while listing do not break iteration. */
  d = opendir("/big");
  count = 0;
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] == 'f') {
      snprintf(name, sizeof name, "/big/%s", e->d_name);
      if (unlink(name) == 0) count++;
    }
  }
  closedir(d);
  CHECK(count == N, "unlink every entry while listing");
  CHECK(rmdir("/big") == 0, "the directory is empty afterwards");
  DONE();
}
