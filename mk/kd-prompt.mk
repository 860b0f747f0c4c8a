# mk/kd-prompt.mk -- kd's prompt driven under tmux as a person would (tests/test_kd_tmux.c).
# Included by the top-level Makefile after mk/unit.mk.
#
#   $(BUILD)/tests/kd_prompt   the prompt and kd's commands over the real images' symbols,
#                              without a guest (tests/kd_prompt.c), for hosts whose guest
#                              runs in the SVM lab, which the terminal cannot reach
# test_kd_tmux drives it, and on a host where KVM runs the guest, `ntvisor kd` itself.

$(BUILD)/tests/kd_prompt: $(BUILD)/san/tests/kd_prompt.o $(SAN_LIBS)
	@mkdir -p $(@D)
	$(Q_LD)$(CC) $(SAN_FLAGS) -o $@ $< $(SAN_LIBS) $(HOST_LDLIBS)

$(BUILD)/san/tests/test_kd_tmux.o: UNIT_CFLAGS += -DKD_PROMPT='"$(BUILD)/tests/kd_prompt"' \
    -DNTVISOR_BIN='"$(BUILD)/ntvisor"' -DGUEST_DIR='"$(BUILD)/guest"' -DHELLO_EXE='"$(BUILD)/examples/hello.exe"'
$(BUILD)/tests/test_kd_tmux: $(BUILD)/tests/kd_prompt $(BUILD)/ntvisor $(GUEST_IMAGES) $(BUILD)/examples/hello.exe
