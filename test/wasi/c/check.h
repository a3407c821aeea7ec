/* Shared by the WASI conformance programs: each check prints `ok <name>` or
 * `FAIL <name> (line, errno)`; the test runner counts them. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

static int failures = 0;

#define CHECK(cond, name)                                                                      \
  do {                                                                                         \
    int _ok = (cond);                                                                          \
    int _e = errno;                                                                            \
    if (_ok)                                                                                   \
      printf("ok %s\n", name);                                                                 \
    else {                                                                                     \
      printf("FAIL %s (line %d, errno %d: %s)\n", name, __LINE__, _e, strerror(_e));           \
      failures++;                                                                              \
    }                                                                                          \
  } while (0)

/* `expr` must fail with -1 (or NULL cast to long) and set errno to `err`. */
#define CHECK_ERR(expr, err, name)                                                             \
  do {                                                                                         \
    errno = 0;                                                                                 \
    long _r = (long)(expr);                                                                    \
    int _e = errno;                                                                            \
    if ((_r == -1 || _r == 0) && _e == (err))                                                  \
      printf("ok %s\n", name);                                                                 \
    else {                                                                                     \
      printf("FAIL %s (line %d, got %ld errno %d: %s, want errno %d)\n", name, __LINE__, _r,   \
             _e, strerror(_e), err);                                                           \
      failures++;                                                                              \
    }                                                                                          \
  } while (0)

#define DONE() return failures ? 1 : 0
