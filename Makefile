# make demo  - install emix with what it needs, fit faithful, write out/loglik.png
# make test  - install what the tests need, run the whole suite ("N passed, N failed")
# make check - R CMD build and R CMD check --as-cran on the tarball
# make sanitize - the test suite on a build with AddressSanitizer and UBSan (private library)
PKG := emix
VERSION := $(shell sed -n 's/^Version: //p' DESCRIPTION)
TARBALL := $(PKG)_$(VERSION).tar.gz

.PHONY: deps install demo test document check sanitize clean

deps:
	bash tools/install-deps.sh

install: deps
	R CMD INSTALL --preclean --no-multiarch .

demo: install
	Rscript tools/demo.R

test: install
	Rscript tools/run-tests.R

# roxygen reads the installed package, so that it needs no compiler tooling
# of its own (pkgbuild)
document: install
	Rscript -e 'roxygen2::roxygenise(load_code = roxygen2::load_installed)'

check: deps
	rm -rf $(PKG).Rcheck $(TARBALL)
	R CMD build .
	_R_CHECK_CRAN_INCOMING_REMOTE_=false _R_CHECK_SYSTEM_CLOCK_=0 R CMD check --as-cran --no-manual $(TARBALL)

sanitize:
	sh tools/sanitize.sh

clean:
	rm -rf $(PKG).Rcheck $(TARBALL) out src/*.o src/*.so
