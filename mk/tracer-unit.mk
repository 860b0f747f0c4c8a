# mk/tracer-unit.mk -- Check unit tests of the tracer's decoders and output.
# Included by the top-level Makefile after mk/unit.mk, which defines UNIT_CFLAGS
# (ASan + UBSan) and unit_link. Run from the top of the tree: test_decode reads
# data/nt-syscalls/ to check the prototypes against the build's table.
#
#   $(BUILD)/tests/test_decode   tracer/decode.c, trace_output.c and ntstatus_names.c
#                                over a fake guest memory, with hostile input

TRACER_UNIT_SRCS := tracer/decode.c tracer/trace_output.c tracer/ntstatus_names.c tracer/service_table.c \
                    vmm/guest_mem.c
TRACER_UNIT_HDRS := tracer/decode.h tracer/trace_output.h tracer/ntstatus_names.h tracer/service_table.h \
                    tracer/tracer.h vmm/guest_mem.h include/nt/ntstatus.h

UNIT_TESTS += $(BUILD)/tests/test_decode

$(BUILD)/tests/test_decode: tests/test_decode.c $(TRACER_UNIT_SRCS) $(TRACER_UNIT_HDRS) mk/tracer-unit.mk mk/unit.mk
	$(unit_link)
