/* Clocks, sleeping, poll with several subscriptions, randomness, sched_yield, isatty. Expects
 * stdin to hold data (ready to read) and stdout/stderr not to be terminals. */
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "check.h"

static int64_t ms_since(struct timespec a) {
  struct timespec b;
  clock_gettime(CLOCK_MONOTONIC, &b);
  return (int64_t)(b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
}

int main(void) {
  struct timespec t0, t1, res;
  CHECK(clock_gettime(CLOCK_MONOTONIC, &t0) == 0, "clock_gettime MONOTONIC");
  clock_gettime(CLOCK_MONOTONIC, &t1);
  CHECK(t1.tv_sec > t0.tv_sec || (t1.tv_sec == t0.tv_sec && t1.tv_nsec >= t0.tv_nsec), "monotonic does not go back");
  CHECK(clock_getres(CLOCK_MONOTONIC, &res) == 0 && res.tv_sec == 0 && res.tv_nsec > 0, "clock_getres");
  struct timespec rt;
  CHECK(clock_gettime(CLOCK_REALTIME, &rt) == 0 && rt.tv_sec > 1600000000, "realtime is after 2020");
  CHECK(labs((long)(rt.tv_sec - time(NULL))) <= 1, "time() agrees with CLOCK_REALTIME");
  struct timespec cpu;
  CHECK(clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu) == 0, "process cputime clock");

  clock_gettime(CLOCK_MONOTONIC, &t0);
  struct timespec ns = {0, 30 * 1000000};
  CHECK(nanosleep(&ns, NULL) == 0, "nanosleep");
  int64_t slept = ms_since(t0);
  CHECK(slept >= 29 && slept < 1000, "nanosleep sleeps about 30ms");

  clock_gettime(CLOCK_MONOTONIC, &t0);
  CHECK(usleep(20000) == 0 && ms_since(t0) >= 19, "usleep 20ms");

  clock_gettime(CLOCK_MONOTONIC, &t0);
  CHECK(poll(NULL, 0, 25) == 0 && ms_since(t0) >= 24, "poll with only a timeout");

  /* absolute realtime deadline */
  struct timespec until;
  clock_gettime(CLOCK_REALTIME, &until);
  until.tv_nsec += 20 * 1000000;
  if (until.tv_nsec >= 1000000000) { until.tv_sec++; until.tv_nsec -= 1000000000; }
  clock_gettime(CLOCK_MONOTONIC, &t0);
  CHECK(clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &until, NULL) == 0 && ms_since(t0) >= 15, "clock_nanosleep absolute");

  mkdir("/p", 0755);
  int f = open("/p/file", O_CREAT | O_RDWR, 0644);
  write(f, "abc", 3);
  lseek(f, 0, SEEK_SET);
  struct pollfd fds[4] = {
      {.fd = 0, .events = POLLIN},
      {.fd = 1, .events = POLLOUT},
      {.fd = f, .events = POLLIN | POLLOUT},
      {.fd = 2, .events = POLLOUT},
  };
  int r = poll(fds, 4, 1000);
  CHECK(r == 4, "poll: 4 of 4 fds ready");
  CHECK(fds[0].revents & POLLIN, "stdin with data is readable");
  CHECK(fds[1].revents & POLLOUT, "stdout is writable");
  CHECK((fds[2].revents & (POLLIN | POLLOUT)) == (POLLIN | POLLOUT), "a file is readable and writable");
  CHECK(fds[3].revents & POLLOUT, "stderr is writable");
  char line[16] = {0};
  CHECK(read(0, line, sizeof line - 1) > 0 && strncmp(line, "input", 5) == 0, "read stdin after poll");
  close(f);

  unsigned char buf[64];
  memset(buf, 0, sizeof buf);
  CHECK(getentropy(buf, sizeof buf) == 0, "getentropy");
  int nonzero = 0;
  for (size_t i = 0; i < sizeof buf; i++) nonzero += buf[i] != 0;
  CHECK(nonzero > 8, "entropy is not all zeros");
  unsigned char big[300];
  CHECK_ERR(getentropy(big, sizeof big), EIO, "getentropy over 256 bytes -> EIO");
  CHECK(sched_yield() == 0, "sched_yield");
  CHECK(!isatty(1) && errno == ENOTTY, "stdout is not a tty");
  DONE();
}
