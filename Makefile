# ntvisor: one entry point.
#   make          build the monitor, the guest kernel, ntdll and the examples (make -j2 works)
#   make run      the tour: trace examples/tour (README)
#   make test     the whole test suite (Check), the fuzzers' regression runs among it
#   make fuzz     each libFuzzer harness for FUZZ_SECONDS (mk/fuzz.mk)
#   make bench    benchmarks (not tests)
#   make lab      build the SVM lab (only needed where /dev/kvm cannot run the guest)
#   make pe       only the PE examples, drivers and guest test programs (mingw-w64, mk/pe.mk)
#   make guest64-check  the generic guest code compiled for x86_64, and its DDK layouts (mk/guest64-check.mk)
#   make install  ntvisor, its guest images, the examples and ntvisor.1 under PREFIX (DESTDIR; mk/install.mk)
#   make uninstall
#   make V=1      show each command in full

BUILD    ?= build
LAB_DIR  ?= $(HOME)/.cache/ntvisor/lab
BUILD_NT ?= 5.1.2600-sp1-windows-xp
CC       ?= gcc
ifeq ($(origin CC),default)
CC       := gcc
endif

# what the goals need, checked once before any rule runs (scripts/check-deps.sh)
include mk/deps.mk

NT_TABLES   := $(sort $(wildcard data/nt-syscalls/*.i386.ssdt.tsv))
BUILD_TABLE := data/nt-syscalls/$(BUILD_NT).i386.ssdt.tsv

# ---------------------------------------------------------------- host code
HOST_CFLAGS  := -std=gnu11 -O2 -g -Wall -Wextra -Werror -Iinclude
SAN_FLAGS    := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
CHECK_LIBS   := $(shell pkg-config --libs check 2>/dev/null || echo -lcheck)
CHECK_CFLAGS := $(shell pkg-config --cflags check 2>/dev/null)


# quiet by default: one short line per step
ifeq ($(V),1)
Q_CC :=
Q_LD :=
Q_AR :=
Q_GEN :=
else
Q_CC  = @printf '  CC    %s\n' $<;
Q_LD  = @printf '  LD    %s\n' $@;
Q_AR  = @printf '  AR    %s\n' $@;
Q_GEN = @printf '  GEN   %s\n' $@;
endif

# ---------------------------------------------------------------- guest code
GUEST_CFLAGS := -m32 -march=i686 -std=gnu11 -O2 -g -Wall -Wextra -Werror -ffreestanding \
                -fno-pic -fno-pie -fno-stack-protector -fno-builtin -fshort-wchar \
                -fno-asynchronous-unwind-tables -fno-tree-loop-distribute-patterns \
                -mgeneral-regs-only -Iinclude -Iguest/inc -Iguest/ntdll
GUEST_LDFLAGS := -m32 -nostdlib -static -no-pie -Wl,--build-id=none -Wl,-z,max-page-size=0x1000 \
                 -Wl,-z,noexecstack -Wl,--no-warn-rwx-segments
LIBGCC32 = $(shell $(CC) -m32 -print-libgcc-file-name)

# every kernel component directory under guest/ (not the user-mode side or host tools): its generic
# files, and those of its architecture's subfolder (guest/*/i386/; the amd64 kernel's are guest/*/amd64/)
KERNEL_DIRS := $(filter-out guest/ntdll/ guest/tools/ guest/inc/,$(sort $(dir $(wildcard guest/*/))))
KERNEL_ARCH_SRCS = $(wildcard $(addsuffix $(1)/*.c,$(KERNEL_DIRS)) $(addsuffix $(1)/*.S,$(KERNEL_DIRS)))
KERNEL_GENERIC_SRCS := $(wildcard $(addsuffix *.c,$(KERNEL_DIRS)) $(addsuffix *.S,$(KERNEL_DIRS)))
KERNEL_SRCS := $(KERNEL_GENERIC_SRCS) $(call KERNEL_ARCH_SRCS,i386)
KERNEL_OBJS := $(patsubst %,$(BUILD)/%.o,$(KERNEL_SRCS)) \
               $(BUILD)/guest/gen/KiServiceTable.S.o $(BUILD)/guest/gen/ZwStubs.S.o
GUEST_HDRS  := $(wildcard guest/inc/*.h guest/ntdll/*.h include/*/*.h)

# one ntdll per Windows build (mk/ntdll.mk): the same stub addresses, that build's numbers
NT_BUILDS    := $(patsubst data/nt-syscalls/%.i386.ssdt.tsv,%,$(NT_TABLES))
NTDLL_BUILDS := $(foreach b,$(NT_BUILDS),$(BUILD)/guest/ntdll-$(b).dll)
GUEST_IMAGES := $(BUILD)/guest/ntoskrnl.exe $(BUILD)/guest/ntdll.dll $(NTDLL_BUILDS)

.PHONY: all run test bench lab clean distclean unit e2e differential
# keep the objects of chained rules (user programs): no rebuild on every make
.SECONDARY:
# mk/ntdll.mk and mk/pe.mk add ntdll, the examples, their drivers and the guest test programs
all: $(BUILD)/ntvisor $(GUEST_IMAGES)

# the guest's generator uses the shared NT knowledge (ntdb/, with base/), not the tracer
GENSVC_OBJS := $(BUILD)/obj/guest/tools/gensvc.o $(BUILD)/obj/ntdb/service_table.o $(BUILD)/obj/ntdb/service_slots.o \
               $(BUILD)/obj/base/errbuf.o
$(BUILD)/gensvc: $(GENSVC_OBJS)
	$(Q_LD)$(CC) -o $@ $(GENSVC_OBJS)

$(BUILD)/guest/gen/KiServiceTable.S: $(BUILD)/gensvc $(NT_TABLES)
	@mkdir -p $(@D)
	$(Q_GEN)$(BUILD)/gensvc kernel-table $(BUILD_TABLE) $(NT_TABLES) > $@.tmp && mv $@.tmp $@
$(BUILD)/guest/gen/ZwStubs.S: $(BUILD)/gensvc $(NT_TABLES)
	@mkdir -p $(@D)
	$(Q_GEN)$(BUILD)/gensvc kernel-zw $(BUILD_TABLE) $(NT_TABLES) > $@.tmp && mv $@.tmp $@

$(BUILD)/guest/%.c.o: guest/%.c $(GUEST_HDRS)
	@mkdir -p $(@D)
	$(Q_CC)$(CC) $(GUEST_CFLAGS) -c -o $@ $<
$(BUILD)/guest/%.S.o: guest/%.S $(GUEST_HDRS)
	@mkdir -p $(@D)
	$(Q_CC)$(CC) $(GUEST_CFLAGS) -c -o $@ $<
$(BUILD)/guest/gen/%.S.o: $(BUILD)/guest/gen/%.S
	$(Q_CC)$(CC) $(GUEST_CFLAGS) -c -o $@ $<

$(BUILD)/guest/ntoskrnl.exe: $(KERNEL_OBJS) guest/ntoskrnl.ld
	$(Q_LD)$(CC) $(GUEST_LDFLAGS) -T guest/ntoskrnl.ld -o $@ $(KERNEL_OBJS) $(LIBGCC32)

# ntdll.dll, a PE DLL per build built with mingw-w64
include mk/ntdll.mk
include mk/ntdll64.mk
include mk/guest64.mk
# the generic guest files compiled for x86_64 (the amd64 kernel shares them)
include mk/guest64-check.mk

clean:
	rm -rf $(BUILD)
distclean: clean
	rm -rf $(LAB_DIR)

# ---------------------------------------------------------------- the monitor
include mk/lab.mk

# every i386 service table, built into the monitor (ntdb)
$(BUILD)/gen/svc_builtin_tables.c: $(BUILD)/gensvc $(NT_TABLES)
	@mkdir -p $(@D)
	$(Q_GEN)$(BUILD)/gensvc embed $(NT_TABLES) > $@.tmp && mv $@.tmp $@

include mk/host.mk

# tiny kernels for the monitor's failure paths
TEST_KERNELS := $(patsubst tests/kernels/%.S,$(BUILD)/tests/kernels/%.elf,$(wildcard tests/kernels/*.S))
$(BUILD)/tests/kernels/%.elf: tests/kernels/%.S tests/kernels/multiboot.inc tests/kernels/kernel.ld
	@mkdir -p $(@D)
	$(Q_LD)$(CC) $(GUEST_CFLAGS) $(GUEST_LDFLAGS) -T tests/kernels/kernel.ld -o $@ $<

# ---------------------------------------------------------------- tests
UNIT_TESTS :=
include mk/unit.mk
include mk/kd.mk
include mk/kd-prompt.mk
include mk/guest-unit.mk
include mk/pe-host.mk
include mk/fuzz.mk
include mk/pe.mk
include mk/pe64.mk
include mk/bench.mk
include mk/ddk-layout.mk
include mk/nt-flags.mk
# make install, make uninstall (PREFIX, DESTDIR) and the man page
include mk/install.mk

E2E_GUEST  := $(BUILD)/ntvisor $(GUEST_IMAGES) $(BUILD)/guest/amd64/ntoskrnl.exe $(BUILD)/guest/amd64/ntdll.dll \
              $(PE64_EXES) $(PE_EXAMPLE_EXES) $(PE_DRIVER_SYS) $(PE_TEST_EXES) $(TEST_KERNELS) \
              $(PE_TEST_IMAGES) $(BUILD)/bench/syscalls.exe
E2E_INPUTS := $(E2E_GUEST) $(BUILD)/tests/e2e

# Static: on hosts whose /dev/kvm cannot run the guest it runs inside the SVM lab.
E2E_SRCS := $(filter-out tests/e2e/test_differential.c tests/e2e/exec_log.c,$(wildcard tests/e2e/*.c))
$(BUILD)/tests/e2e: $(E2E_SRCS) $(wildcard tests/e2e/*.h)
	@mkdir -p $(@D)
	$(Q_LD)$(CC) $(HOST_CFLAGS) $(CHECK_CFLAGS) -static -o $@ $(E2E_SRCS) \
	    $(shell pkg-config --libs --static check 2>/dev/null || echo -lcheck)
DIFF_SRCS := tests/e2e/test_differential.c tests/e2e/spawn.c tests/e2e/exec_log.c
$(BUILD)/tests/differential: $(DIFF_SRCS) tests/e2e/spawn.h tests/e2e/exec_log.h
	@mkdir -p $(@D)
	$(Q_LD)$(CC) $(HOST_CFLAGS) $(CHECK_CFLAGS) -o $@ $(DIFF_SRCS) $(CHECK_LIBS)

# The lab is built only where the host needs it.
NEED_LAB = ! $(BUILD)/ntvisor info --native
lab-if-needed: $(BUILD)/ntvisor
	@if $(NEED_LAB); then $(MAKE) --no-print-directory lab; fi
.PHONY: lab-if-needed

# One command line per test program; the e2e suite runs in one lab boot where needed.
# The emulated machine has been seen to stop making progress (QEMU idle, nothing
# sent: an interrupt lost under TCG); --stall ends such a run after 90 s of it
# (no e2e test idles that long) with exit 124, and the suite is run again, at
# most twice more, saying so each time.
E2E_LAB = NTVISOR_LAB_DIR=$(LAB_DIR) $(BUILD)/ntvisor lab --timeout=1200 --stall=90 \
	    $(addprefix --input=,$(E2E_INPUTS)) -- /ntv/work/$(BUILD)/tests/e2e
E2E_RETRY = { rc=\$$?; [ \$$rc -eq 124 ] && echo '== the SVM lab stalled: running the e2e suite again' && $(E2E_LAB); }
E2E_CMD = if $(NEED_LAB); then $(E2E_LAB) || $(E2E_RETRY) || $(E2E_RETRY); else $(BUILD)/tests/e2e; fi

unit: $(UNIT_TESTS)
	@scripts/run-tests.sh $(UNIT_TESTS)
e2e: $(E2E_INPUTS) lab-if-needed
	@scripts/run-tests.sh "$(E2E_CMD)"
differential: $(E2E_GUEST) $(BUILD)/tests/differential lab-if-needed
	@NTVISOR_LAB_DIR=$(LAB_DIR) scripts/run-tests.sh $(BUILD)/tests/differential
test: $(UNIT_TESTS) fuzz-build $(E2E_INPUTS) $(BUILD)/tests/differential $(BUILD)/tests/test_lab lab-if-needed
	@NTVISOR_LAB_DIR=$(LAB_DIR) scripts/run-tests.sh $(UNIT_TESTS) $(FUZZ_REGRESS) "$(E2E_CMD)" \
	    $(BUILD)/tests/differential \
	    "if $(NEED_LAB); then $(BUILD)/tests/test_lab; else LAB_TEST_NO_BOOT=1 $(BUILD)/tests/test_lab; fi"

# The tour: the guest's console on stdout, the trace ntvisor records on stderr.
run: all lab-if-needed
	NTVISOR_LAB_DIR=$(LAB_DIR) $(BUILD)/ntvisor trace --deep=NtCreateFile,NtReadFile \
	    --driver=$(BUILD)/examples/ntzw.sys $(BUILD)/examples/tour.exe
