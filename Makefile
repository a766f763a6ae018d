# rdma-fsdax: long-term pins of FS-DAX memory for RDMA, on Linux 6.12.
# See README.md.  T= selects tests for 'make check' (e.g. T=pin/layout_matrix),
# CONFIGS= the variants of 'make build-configs' (e.g. CONFIGS=modules).

.PHONY: all setup source kernel kernel-stock build-configs selftests check \
	demo bench tools install-tools clean distclean

all: kernel

setup:
	tools/setup.sh

source: setup
	tools/prepare-source.sh

kernel: setup
	tools/build-kernel.sh project

kernel-stock: setup
	tools/build-kernel.sh stock

# Compile-only builds in other configurations (tools/build-configs.sh)
build-configs: setup
	tools/build-configs.sh $(CONFIGS)

selftests: source
	test -d build/uapi || tools/build-kernel.sh project uapi
	$(MAKE) -s -C selftests

check: setup
	tools/check.sh $(T)

demo: setup
	tools/demo.sh

# Benchmarks (tools/bench/): both kernels, results in build/bench/
bench: setup
	tools/bench/run.sh

# The admin command: make tools; make install-tools [DESTDIR=] [PREFIX=]
PREFIX ?= /usr/local

tools: build/tools/lsfilepins

build/tools/lsfilepins: tools/lsfilepins.c
	@mkdir -p $(@D)
	gcc -O2 -Wall -o $@ $<

install-tools: tools
	install -D -m 0755 build/tools/lsfilepins $(DESTDIR)$(PREFIX)/sbin/lsfilepins

clean:
	rm -rf build/obj-* build/vm build/selftests build/tools build/bzImage*

distclean:
	rm -rf build
