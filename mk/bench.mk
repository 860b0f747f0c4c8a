# mk/bench.mk -- make bench: system calls by each mechanism, untraced and traced,
# against the cost of a null VM exit (not a test). Included by the top-level
# Makefile after mk/pe.mk, which define BUILD, CC, GUEST_CFLAGS, GUEST_LDFLAGS,
# the PE program rules (PE_PROGRAM_LINK), GUEST_IMAGES, LAB_DIR and lab-if-needed.
#
#   make bench [N=calls]   N system calls per run (and N null exits); one guest boot per run
#
#   $(BUILD)/bench/syscalls.exe   the workload: N NtYieldExecution calls, timed by the guest
#   $(BUILD)/bench/nullexit.elf   a Multiboot kernel: N 1-byte OUTs to NTV_PORT_NULL, timed by RDTSC
#   bench/run.sh                  runs them through ntvisor, prints the table, writes $(BUILD)/bench/results.json
#
#   make bench [BENCH_LONG=calls] the long run's calls, for RSS (default 10 x N)
#
# The sink's micro-benchmark ($(BUILD)/bench/sink, host-only) is run where it exists;
# BENCH_SINK is the hook that makes bench build it first (set it to that path once
# its rule exists), else the results say null for the sink.

N ?= 20000
BENCH_LONG ?= $(shell echo $$(($(N) * 10)))
BENCH_SINK ?=

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

bench: $(BUILD)/ntvisor $(GUEST_IMAGES) $(BENCH_GUEST) $(BENCH_SINK) lab-if-needed
	@NTVISOR_LAB_DIR=$(LAB_DIR) BUILD=$(BUILD) BENCH_LONG=$(BENCH_LONG) bench/run.sh $(N)
