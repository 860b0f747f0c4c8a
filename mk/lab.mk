# mk/lab.mk -- the SVM lab (see vmm/lab.h, scripts/build-lab.sh).
# Included by the top-level Makefile, which defines BUILD, LAB_DIR, CC and
# HOST_CFLAGS before including this file.
#
#   $(BUILD)/lab/init        static /init of the lab (vmm/lab_init.c)
#   $(LAB_DIR)/.stamp        the built lab: vmlinux, base.cpio (scripts/build-lab.sh)
#   lab                      phony: build the lab (needs apt-get download, ~10 s once)
#   $(BUILD)/tests/test_lab  Check suite for vmm/lab.c (boots the lab)
#   test-lab                 phony: run it (needs the lab)
#
# vmm/lab.c is meant to be linked into ntvisor: LAB_SRCS lists it.

LAB_SRCS        := vmm/lab.c
LAB_HDRS        := vmm/lab.h
LAB_CHECK_FLAGS := $(shell pkg-config --cflags --libs check 2>/dev/null || echo -lcheck)

$(BUILD)/lab/init: vmm/lab_init.c $(LAB_HDRS) mk/lab.mk
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -Ivmm -static -s -o $@ vmm/lab_init.c

$(LAB_DIR)/.stamp: $(BUILD)/lab/init scripts/build-lab.sh
	bash scripts/build-lab.sh $(LAB_DIR) $(BUILD)/lab/init

.PHONY: lab test-lab
lab: $(LAB_DIR)/.stamp

$(BUILD)/tests/test_lab: tests/test_lab.c $(LAB_SRCS) $(LAB_HDRS)
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -Ivmm -o $@ tests/test_lab.c $(LAB_SRCS) $(LAB_CHECK_FLAGS)

test-lab: $(BUILD)/tests/test_lab $(LAB_DIR)/.stamp
	NTVISOR_LAB_DIR=$(LAB_DIR) $(BUILD)/tests/test_lab
