# Copyright (c) 2026 The libboc authors.
# SPDX-License-Identifier: MIT
#
# python/: the bocpy-cffi package (pyproject.toml, bocpy/, tools/gen_cdef.py)
# and examples/python/.  Nothing here is built: the package is pure Python
# and loads libboc with dlopen (cffi ABI mode).  `pip install ./python`
# installs it; the tests run it from the source tree (tests/python/local.mk).
#
#   make update-cdef   regenerate python/bocpy/_cdef.py from include/boc/*.h
#                      (tests/python/test_cdef.py fails while it is stale)
# Included by the top-level Makefile.am; only appends with +=.

# Shipped whole (directories in EXTRA_DIST; the top-level dist-hook drops
# caches and build leftovers from the copy).
EXTRA_DIST += \
	python \
	examples/python

update-cdef:
	$(PYTHON3) $(srcdir)/python/tools/gen_cdef.py \
	  --include-dir $(srcdir)/include --output $(srcdir)/python/bocpy/_cdef.py

.PHONY: update-cdef
