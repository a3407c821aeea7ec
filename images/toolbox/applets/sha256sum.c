/* sha256sum: print or check SHA-256 checksums ("HASH  NAME" lines, "-" is stdin). -c checks
 * a list (--check), -q omits OK lines (--quiet), -s prints nothing (--status), -w warns about
 * malformed lines. Status 1 if a file is missing or does not match. */

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sha256.h"
#include "tb.h"

static bool hash_file(const char *path, char hex[65]) {
  FILE *f = tb_open_input(path);
  if (f == NULL) return false;
  tb_sha256 h;
  tb_sha256_init(&h);
  static unsigned char buf[65536];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, f)) > 0) tb_sha256_update(&h, buf, n);
  bool ok = !ferror(f);
  tb_close_input(f);
  if (f == stdin) clearerr(stdin);
  uint8_t d[32];
  tb_sha256_final(&h, d);
  for (int i = 0; i < 32; i++) sprintf(hex + i * 2, "%02x", d[i]);
  return ok;
}

static int check(const char *list_path, bool quiet, bool status_only, bool warn) {
  FILE *f = tb_open_input(list_path);
  if (f == NULL) {
    tb_perror(list_path);
    return 1;
  }
  char *line = NULL;
  size_t cap = 0;
  ssize_t len;
  unsigned long bad_format = 0, failed = 0, unreadable = 0, lineno = 0, good_lines = 0;
  while ((len = getline(&line, &cap, f)) >= 0) {
    lineno++;
    if (len > 0 && line[len - 1] == '\n') line[--len] = '\0';
    if (len > 0 && line[len - 1] == '\r') line[--len] = '\0';
    bool well_formed = len > 66 && line[64] == ' ' && (line[65] == ' ' || line[65] == '*');
    for (int i = 0; well_formed && i < 64; i++) well_formed = isxdigit((unsigned char)line[i]);
    if (!well_formed) {
      bad_format++;
      if (warn) tb_warn("%s: %lu: improperly formatted SHA256 checksum line", list_path, lineno);
      continue;
    }
    good_lines++;
    const char *name = line + 66;
    char hex[65];
    if (!hash_file(name, hex)) {
      unreadable++;
      if (!status_only) {
        tb_perror(name);
        printf("%s: FAILED open or read\n", name);
      }
      continue;
    }
    bool match = strncasecmp(hex, line, 64) == 0;
    if (!match) failed++;
    if (!status_only && (!match || !quiet)) printf("%s: %s\n", name, match ? "OK" : "FAILED");
  }
  free(line);
  tb_close_input(f);
  fflush(stdout);
  if (good_lines == 0) {
    tb_warn("%s: no properly formatted SHA256 checksum lines found", list_path);
    return 1;
  }
  if (!status_only) {
    if (bad_format) tb_warn("WARNING: %lu line%s improperly formatted", bad_format, bad_format == 1 ? " is" : "s are");
    if (unreadable) tb_warn("WARNING: %lu listed file%s could not be read", unreadable, unreadable == 1 ? "" : "s");
    if (failed) tb_warn("WARNING: %lu computed checksum%s did NOT match", failed, failed == 1 ? "" : "s");
  }
  return failed || unreadable ? 1 : 0;
}

int applet_sha256sum(int argc, char **argv) {
  /* Map the common long options onto short ones. */
  char **args = malloc(sizeof(char *) * (size_t)(argc + 1));
  for (int i = 0; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "--check") == 0) a = "-c";
    else if (strcmp(a, "--quiet") == 0) a = "-q";
    else if (strcmp(a, "--status") == 0) a = "-s";
    else if (strcmp(a, "--warn") == 0) a = "-w";
    else if (strcmp(a, "--binary") == 0) a = "-b";
    else if (strcmp(a, "--text") == 0) a = "-t";
    args[i] = (char *)a;
  }
  args[argc] = NULL;
  tb_opts o;
  tb_opts_init(&o, argc, args, false);
  bool check_mode = false, quiet = false, status_only = false, warn = false, binary = false;
  int c;
  while ((c = tb_getopt(&o, "cqswbt")) != -1) {
    if (c == 'c') check_mode = true;
    else if (c == 'q') quiet = true;
    else if (c == 's') status_only = true;
    else if (c == 'w') warn = true;
    else if (c == 'b') binary = true;
    else if (c == 't') binary = false;
    else return tb_usage("[-c [-q|-s|-w]] [FILE]...", 1);
  }
  static char *dash[] = {"-"};
  char **files = o.noperands ? o.operands : dash;
  int nfiles = o.noperands ? o.noperands : 1;
  int status = 0;
  for (int i = 0; i < nfiles; i++) {
    if (check_mode) {
      status |= check(files[i], quiet, status_only, warn);
      continue;
    }
    char hex[65];
    if (!hash_file(files[i], hex)) {
      tb_perror(files[i]);
      status = 1;
      continue;
    }
    printf("%s %c%s\n", hex, binary ? '*' : ' ', files[i]);
  }
  free(args);
  tb_opts_free(&o);
  return status;
}
