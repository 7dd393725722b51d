#!/usr/bin/env bash
# Installs what building, testing and checking emix need on a fresh machine:
# R packages from Debian's r-cran-* builds (fast, no compiling) with CRAN as
# the fallback, and the programs R CMD check --as-cran uses.
set -eu
r_packages="knitr rmarkdown testthat roxygen2 mclust mixtools mvtnorm Matrix"
programs="pandoc qpdf tidy"

missing_r() {
  Rscript -e "p <- strsplit('$r_packages', ' ')[[1]]; cat(p[!vapply(p, requireNamespace, logical(1), quietly = TRUE)])"
}
missing_programs() {
  for p in $programs; do command -v "$p" >/dev/null 2>&1 || printf '%s ' "$p"; done
}

r_missing=$(missing_r)
prog_missing=$(missing_programs)
if [ -n "$r_missing$prog_missing" ] && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  debs=""
  for p in $r_missing; do debs="$debs r-cran-$(echo "$p" | tr '[:upper:]' '[:lower:]')"; done
  debs="$debs $prog_missing"
  echo "installing from Debian:$debs"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $debs >/dev/null
fi
r_missing=$(missing_r)
if [ -n "$r_missing" ]; then
  echo "installing from CRAN: $r_missing"
  Rscript -e "install.packages(strsplit('$r_missing', ' ')[[1]])"
fi
r_missing=$(missing_r)
prog_missing=$(missing_programs)
if [ -n "$r_missing$prog_missing" ]; then
  echo "still missing: $r_missing $prog_missing" >&2
  exit 1
fi
