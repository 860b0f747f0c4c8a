# mk/unit.mk -- Check unit tests of the host code: one program per tests/test_*.c,
# built with ASan and UBSan against just the module(s) it tests.
# Included by the top-level Makefile, which defines BUILD, CC, CHECK_LIBS,
# CHECK_CFLAGS and SAN_FLAGS. This file defines no phony targets: run the
# programs listed in UNIT_TESTS (from the top of the tree: test_service_table
# reads data/nt-syscalls/, or set NTVISOR_NT_SYSCALLS).
#
#   UNIT_TESTS   += $(BUILD)/tests/test_<name>, one per test program
#   UNIT_CFLAGS     the flags they are compiled with

UNIT_CFLAGS = -std=gnu11 -O1 -g -Wall -Wextra -Werror -Iinclude -Ivmm -Itracer \
              $(SAN_FLAGS) $(CHECK_CFLAGS)

UNIT_TESTS += $(BUILD)/tests/test_x86_desc $(BUILD)/tests/test_service_table \
              $(BUILD)/tests/test_host $(BUILD)/tests/test_guest_mem \
              $(BUILD)/tests/test_devices $(BUILD)/tests/test_multiboot

# the recipe of every test program: its .c prerequisites are its sources
define unit_link
@mkdir -p $(@D)
$(CC) $(UNIT_CFLAGS) -o $@ $(filter %.c,$^) $(CHECK_LIBS)
endef

$(BUILD)/tests/test_x86_desc: tests/test_x86_desc.c vmm/x86_desc.c vmm/x86_desc.h mk/unit.mk
	$(unit_link)

$(BUILD)/tests/test_service_table: tests/test_service_table.c tracer/service_table.c \
                                   tracer/service_table.h mk/unit.mk
	$(unit_link)

$(BUILD)/tests/test_host: tests/test_host.c vmm/host.c vmm/host.h mk/unit.mk
	$(unit_link)

$(BUILD)/tests/test_guest_mem: tests/test_guest_mem.c vmm/guest_mem.c vmm/guest_mem.h mk/unit.mk
	$(unit_link)

$(BUILD)/tests/test_devices: tests/test_devices.c vmm/console.c vmm/console.h vmm/rtc.c vmm/rtc.h \
                             include/ntvisor/abi.h mk/unit.mk
	$(unit_link)

$(BUILD)/tests/test_multiboot: tests/test_multiboot.c vmm/multiboot.c vmm/multiboot.h mk/unit.mk
	$(unit_link)
