/* false: do nothing, unsuccessfully (status 1). */

#include "tb.h"

int applet_false(int argc, char **argv) { return 1; }
