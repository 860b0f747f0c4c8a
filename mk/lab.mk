# mk/lab.mk -- the SVM lab (see vmm/lab/lab.h, scripts/build-lab.sh).
# Included by the top-level Makefile, which defines BUILD, LAB_DIR, CC and
# HOST_CFLAGS before including this file.
#
#   $(BUILD)/lab/init        static /init of the lab (vmm/lab/lab_init.c)
#   $(LAB_DIR)/.stamp        the built lab: vmlinux, base.cpio (scripts/build-lab.sh)
#   lab                      phony: build the lab (needs apt-get download, ~10 s once)
#   $(BUILD)/tests/test_lab  Check suite for the lab (boots it; linked against libvmm.a)
#   test-lab                 phony: run it (needs the lab)

LAB_CHECK_FLAGS := $(shell pkg-config --cflags --libs check 2>/dev/null || echo -lcheck)

$(BUILD)/lab/init: vmm/lab/lab_init.c vmm/lab/protocol.h mk/lab.mk
	@mkdir -p $(@D)
	$(Q_CC)$(CC) $(HOST_CFLAGS) -static -s -o $@ vmm/lab/lab_init.c

Q_LAB = $(if $(filter 1,$(V)),,@printf '  LAB   %s\n' $(LAB_DIR);)
$(LAB_DIR)/.stamp: $(BUILD)/lab/init scripts/build-lab.sh
	$(Q_LAB)bash scripts/build-lab.sh $(LAB_DIR) $(BUILD)/lab/init

.PHONY: lab test-lab
lab: $(LAB_DIR)/.stamp

$(BUILD)/tests/test_lab: $(BUILD)/obj/tests/test_lab.o $(BUILD)/obj/libvmm.a $(BUILD)/obj/libntdb.a $(BUILD)/obj/libbase.a
	@mkdir -p $(@D)
	$(Q_LD)$(CC) -o $@ $^ $(LAB_CHECK_FLAGS)

test-lab: $(BUILD)/tests/test_lab $(LAB_DIR)/.stamp
	NTVISOR_LAB_DIR=$(LAB_DIR) $(BUILD)/tests/test_lab
