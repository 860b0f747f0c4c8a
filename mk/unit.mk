# mk/unit.mk -- Check unit tests of the host code: one program per tests/test_*.c,
# compiled with ASan and UBSan and linked against the rooms' sanitized archives
# (mk/host.mk), so a test uses exactly the code ntvisor runs. Included by the
# top-level Makefile after mk/host.mk. Run the programs from the top of the
# tree: test_service_table, test_service_slots and test_decode read
# data/nt-syscalls/, test_layout reads the sources.
#
#   UNIT_TESTS   += $(BUILD)/tests/test_<name>, one per test program
#   UNIT_CFLAGS     the flags their objects are compiled with

UNIT_CFLAGS = -std=gnu11 -O1 -g -Wall -Wextra -Werror -Iinclude -I. $(SAN_FLAGS) $(CHECK_CFLAGS)

# test_ob tests guest code (mk/guest-unit.mk); test_lab boots the lab (mk/lab.mk)
HOST_UNIT_NAMES := $(filter-out test_ob test_lab,$(patsubst tests/%.c,%,$(wildcard tests/test_*.c)))
UNIT_TESTS += $(addprefix $(BUILD)/tests/,$(HOST_UNIT_NAMES))

$(BUILD)/tests/test_%: $(BUILD)/san/tests/test_%.o $(SAN_LIBS)
	@mkdir -p $(@D)
	$(Q_LD)$(CC) $(SAN_FLAGS) -o $@ $< $(SAN_LIBS) $(HOST_LDLIBS) $(CHECK_LIBS)

# the tests' objects depend on the headers they include (as the rooms' do, mk/host.mk)
-include $(patsubst tests/%.c,$(BUILD)/san/tests/%.d,$(wildcard tests/*.c))

# test_exec_log tests the differential test's log reader (tests/e2e/exec_log.c)
$(BUILD)/tests/test_exec_log: $(BUILD)/san/tests/e2e/exec_log.o
$(BUILD)/tests/test_exec_log: HOST_LDLIBS += $(BUILD)/san/tests/e2e/exec_log.o
