# mk/pe-host.mk -- the PE images tests/test_pe.c reads, built from tests/pe/host_*.c
# with mingw-w64 the way the README tells users to build theirs (no binaries in git),
# for tests/test_pe.c and tests/test_kd_modules.c.
# Included by the top-level Makefile after mk/unit.mk.
#
#   $(BUILD)/tests/pe/host_prog.exe      a native program (-g: long section names, COFF symbols)
#   $(BUILD)/tests/pe/host_drv.sys       a driver-shaped DLL with exports
#   $(BUILD)/tests/pe/host_drv-s.sys     the same, stripped (exports only)

MINGW_CC      ?= i686-w64-mingw32-gcc
PE_HOST_DIR   := $(BUILD)/tests/pe
PE_HOST_CFLAGS := -O1 -g -Wall -Wextra -Werror -ffreestanding -nostdlib -nostartfiles -Wl,--subsystem,native
PE_HOST_FIXTURES := $(PE_HOST_DIR)/host_prog.exe $(PE_HOST_DIR)/host_drv.sys $(PE_HOST_DIR)/host_drv-s.sys

$(PE_HOST_DIR)/host_prog.exe: tests/pe/host_prog.c mk/pe-host.mk
	@mkdir -p $(@D)
	$(Q_LD)$(MINGW_CC) $(PE_HOST_CFLAGS) -Wl,-e,_NtProcessStartup@4 -o $@ $< -lntdll -lgcc
$(PE_HOST_DIR)/host_drv.sys: tests/pe/host_drv.c mk/pe-host.mk
	@mkdir -p $(@D)
	$(Q_LD)$(MINGW_CC) $(PE_HOST_CFLAGS) -shared -Wl,-e,_DriverEntry@8 -o $@ $< -lgcc
$(PE_HOST_DIR)/host_drv-s.sys: tests/pe/host_drv.c mk/pe-host.mk
	@mkdir -p $(@D)
	$(Q_LD)$(MINGW_CC) $(PE_HOST_CFLAGS) -s -shared -Wl,-e,_DriverEntry@8 -o $@ $< -lgcc

# the tests find them where this build put them
$(BUILD)/san/tests/test_pe.o $(BUILD)/san/tests/test_kd_modules.o: UNIT_CFLAGS += -DPE_FIXTURES='"$(PE_HOST_DIR)"'
$(BUILD)/tests/test_pe $(BUILD)/tests/test_kd_modules: $(PE_HOST_FIXTURES)
