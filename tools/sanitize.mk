# Compiler flags for `make sanitize` (tools/sanitize.sh), read through
# R_MAKEVARS_USER in place of ~/.R/Makevars: AddressSanitizer and
# UndefinedBehaviorSanitizer, stopping at the first report.
CFLAGS = -g -O1 -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
LDFLAGS = -fsanitize=address,undefined
