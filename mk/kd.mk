# mk/kd.mk -- kd, the WinDbg-style debugger (tracer/kd*.c, symbols, disasm; vmm/builtin-kd.c).
# Included by the top-level Makefile after mk/unit.mk, which defines UNIT_CFLAGS.
#
#   $(BUILD)/tests/test_kd            Check suite: decoders and commands on a fake target
#   $(BUILD)/tests/kd_layout_check.o  compiled with the guest's flags: fails when
#                                     tracer/kd_layout.h no longer mirrors guest/inc/*.h
# ntvisor itself picks up tracer/*.c and vmm/*.c by wildcard and links -lcapstone.

KD_SRCS := tracer/kd.c tracer/kd_mem.c tracer/kd_desc.c tracer/kd_nt.c tracer/symbols.c tracer/disasm.c \
           vmm/x86_desc.c
KD_HDRS := tracer/kd.h tracer/kd_layout.h tracer/symbols.h tracer/disasm.h vmm/x86_desc.h

UNIT_TESTS += $(BUILD)/tests/test_kd

$(BUILD)/tests/kd_layout_check.o: tests/kd_layout_check.c tracer/kd_layout.h $(GUEST_HDRS)
	@mkdir -p $(@D)
	$(CC) $(GUEST_CFLAGS) -c -o $@ $<

$(BUILD)/tests/test_kd: tests/test_kd.c $(KD_SRCS) $(KD_HDRS) $(BUILD)/tests/kd_layout_check.o mk/kd.mk
	@mkdir -p $(@D)
	$(CC) $(UNIT_CFLAGS) -o $@ tests/test_kd.c $(KD_SRCS) -lcapstone $(CHECK_LIBS)
