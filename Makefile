# rdma-fsdax: long-term pins of FS-DAX memory for RDMA, on Linux 6.12.
# See README.md.  T= selects tests for 'make check' (e.g. T=pin/layout_matrix).

.PHONY: all setup source kernel kernel-stock selftests check demo bench \
	install-tools clean distclean

all: kernel

setup:
	tools/setup.sh

source: setup
	tools/prepare-source.sh

kernel: setup
	tools/build-kernel.sh project

kernel-stock: setup
	tools/build-kernel.sh stock

selftests: source
	$(MAKE) -s -C selftests

check: setup
	tools/check.sh $(T)

demo: setup
	tools/demo.sh

clean:
	rm -rf build/obj-* build/vm build/selftests build/bzImage*

distclean:
	rm -rf build
