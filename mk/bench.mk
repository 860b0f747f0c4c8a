# mk/bench.mk -- make bench: system calls by each mechanism, untraced and traced,
# against the cost of a null VM exit (not a test). Included by the top-level
# Makefile after mk/pe.mk, which define BUILD, CC, GUEST_CFLAGS, GUEST_LDFLAGS,
# the PE program rules (PE_PROGRAM_LINK), GUEST_IMAGES, LAB_DIR and lab-if-needed.
#
#   make bench [N=calls]   N system calls per run (and N null exits); one guest boot per run
#
#   $(BUILD)/bench/syscalls.exe   the workload: N NtYieldExecution calls, timed by the guest
#   $(BUILD)/bench/nullexit.elf   a Multiboot kernel: N 1-byte OUTs to NTV_PORT_NULL, timed by RDTSC
#   bench/run.sh                  runs them through ntvisor and prints the table

N ?= 20000

BENCH_GUEST := $(BUILD)/bench/syscalls.exe $(BUILD)/bench/nullexit.elf

# a native PE program like the examples (mk/pe.mk)
$(BUILD)/obj/bench/%.c.o: bench/%.c examples/lib/ntnative.h mk/bench.mk
	@mkdir -p $(@D)
	$(Q_CC)$(MINGW_CC) $(PE_CFLAGS) -c -o $@ $<
$(BUILD)/bench/%.exe: $(BUILD)/obj/bench/%.c.o $(PE_LIB) examples/lib/pe-check.sh
	@mkdir -p $(@D)
	$(Q_LD)$(PE_PROGRAM_LINK)

$(BUILD)/bench/%.elf: bench/%.S tests/kernels/multiboot.inc tests/kernels/kernel.ld include/ntvisor/abi.h
	@mkdir -p $(@D)
	$(Q_LD)$(CC) $(GUEST_CFLAGS) $(GUEST_LDFLAGS) -T tests/kernels/kernel.ld -o $@ $<

bench: $(BUILD)/ntvisor $(GUEST_IMAGES) $(BENCH_GUEST) lab-if-needed
	@NTVISOR_LAB_DIR=$(LAB_DIR) BUILD=$(BUILD) bench/run.sh $(N)
