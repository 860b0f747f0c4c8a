# mk/kd.mk -- the build-time check that kd's view of the guest's structures is true.
# Included by the top-level Makefile after mk/unit.mk.
#
#   $(BUILD)/tests/kd_layout_check.o  compiled with the guest's flags: fails when
#                                     kd/kd_layout.h no longer mirrors guest/inc/*.h
# test_kd itself is an ordinary unit test (mk/unit.mk); it is not linked until this compiles.

$(BUILD)/tests/kd_layout_check.o: tests/kd_layout_check.c kd/kd_layout.h $(GUEST_HDRS)
	@mkdir -p $(@D)
	$(Q_CC)$(CC) $(GUEST_CFLAGS) -c -o $@ $<
$(BUILD)/tests/test_kd: $(BUILD)/tests/kd_layout_check.o
