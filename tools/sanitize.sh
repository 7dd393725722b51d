#!/bin/sh
# Builds emix with AddressSanitizer and UndefinedBehaviorSanitizer into a
# private library and runs the whole test suite under them; fails on any
# sanitizer report or failed test. The flags come from tools/sanitize.mk
# through R_MAKEVARS_USER, so ~/.R/Makevars is neither read nor changed.
# R itself is not instrumented: the ASan runtime is preloaded, and leak
# detection is off because R does not free everything at exit, and a
# failed allocation returns NULL, so that R reports it as it does unsanitized
# (a fuzzed size can ask for tens of gigabytes).
# Usage: sh tools/sanitize.sh   (from the package root; a few minutes)
set -eu
cd "$(dirname "$0")/.."
root=$(pwd)
libasan=$(gcc -print-file-name=libasan.so)
if [ ! -f "$libasan" ]; then
  echo "sanitize: gcc has no libasan.so (gcc -print-file-name=libasan.so)" >&2
  exit 1
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/emix-sanitize.XXXXXX")
mkdir "$work/lib" "$work/pkg"
# build from a copy, so that no instrumented object file is left in src/
tar -C "$root" --exclude=.git --exclude='*.o' --exclude='*.so' --exclude=emix.Rcheck -cf - . |
  tar -C "$work/pkg" -xf -
echo "sanitize: building into $work/lib with $libasan"
# the load test would run without the preloaded runtime: the tests load it
R_MAKEVARS_USER="$root/tools/sanitize.mk" \
  R CMD INSTALL --no-test-load --no-multiarch --library="$work/lib" "$work/pkg" \
  >"$work/install.log" 2>&1 || {
  tail -30 "$work/install.log" >&2
  exit 1
}
status=0
R_LIBS="$work/lib" LD_PRELOAD="$libasan" \
  ASAN_OPTIONS="detect_leaks=0:allocator_may_return_null=1" \
  UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
  Rscript tools/run-tests.R >"$work/tests.log" 2>&1 || status=$?
tail -3 "$work/tests.log"
if grep -E "ERROR: AddressSanitizer|runtime error:|SUMMARY: (Address|UndefinedBehavior)Sanitizer" \
  "$work/tests.log" >/dev/null; then
  grep -E -A30 "ERROR: AddressSanitizer|runtime error:" "$work/tests.log" | head -60 >&2
  echo "sanitize: sanitizer report; the full log is $work/tests.log" >&2
  exit 1
fi
if [ "$status" -ne 0 ]; then
  echo "sanitize: the tests failed (status $status); the log is $work/tests.log" >&2
  exit 1
fi
rm -rf "$work"
echo "sanitize: no sanitizer report"
