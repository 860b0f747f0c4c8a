# mk/guest-unit.mk -- host builds of guest code that is plain C, and their Check tests.
# Included by the top-level Makefile, which defines BUILD, CC, SAN_FLAGS,
# CHECK_CFLAGS and CHECK_LIBS first.
#
#   $(BUILD)/tests/test_ob         the object manager and handle tables (guest/ob/object.c, handle.c)
#   $(BUILD)/tests/test_pe_loader  the PE loader (guest/rtl/image.c) and the driver export tables
#                                  (guest/mm/sysexports.c, names only), against images made in the
#                                  test and mingw-w64's own (tests/pe/, built below)

GUEST_UNIT_CFLAGS := -std=gnu11 -O1 -g -Wall -Wextra -Werror -Iinclude -Iguest/inc
OB_HOST_SRCS      := guest/ob/object.c guest/ob/handle.c
OB_HOST_HDRS      := guest/inc/ob.h guest/inc/ex.h guest/inc/ntdef.h guest/inc/rtl.h include/nt/ntstatus.h

UNIT_TESTS += $(BUILD)/tests/test_ob

$(BUILD)/tests/test_ob: tests/test_ob.c $(OB_HOST_SRCS) $(OB_HOST_HDRS) mk/guest-unit.mk
	@mkdir -p $(@D)
	$(Q_LD)$(CC) $(GUEST_UNIT_CFLAGS) $(SAN_FLAGS) $(CHECK_CFLAGS) -o $@ tests/test_ob.c $(OB_HOST_SRCS) $(CHECK_LIBS)

# ---- PE images built by mingw-w64 from tests/pe/ (never kept in git)
MINGW_CC      ?= i686-w64-mingw32-gcc
MINGW_DLLTOOL ?= i686-w64-mingw32-dlltool
PE_TEST_DIR   := $(BUILD)/tests/pe
PE_FIXTURE_CFLAGS     := -O2 -Wall -Wextra -Werror -ffreestanding -nostdlib -Wl,--subsystem,native
PE_FIXTURE_DRIVER     := -I/usr/share/mingw-w64/include/ddk -shared -Wl,-e,_DriverEntry@8
PE_TEST_DRIVERS := $(PE_TEST_DIR)/ntvpe.sys $(PE_TEST_DIR)/ntvpe-badimport.sys
PE_TEST_IMAGES  := $(PE_TEST_DRIVERS) $(PE_TEST_DIR)/ntdll.dll $(PE_TEST_DIR)/prog.exe $(PE_TEST_DIR)/prog-stack.exe

$(PE_TEST_DIR)/ntvpe.sys: tests/pe/ntvpe.c
	@mkdir -p $(@D)
	$(Q_LD)$(MINGW_CC) $(PE_FIXTURE_CFLAGS) $(PE_FIXTURE_DRIVER) -o $@ $< -lntoskrnl -lhal -lgcc
$(PE_TEST_DIR)/libbadimport.a: tests/pe/badimport.def
	@mkdir -p $(@D)
	$(Q_AR)$(MINGW_DLLTOOL) -k -d $< -l $@
$(PE_TEST_DIR)/ntvpe-badimport.sys: tests/pe/ntvpe-badimport.c $(PE_TEST_DIR)/libbadimport.a
	$(Q_LD)$(MINGW_CC) $(PE_FIXTURE_CFLAGS) $(PE_FIXTURE_DRIVER) -o $@ $< -L$(PE_TEST_DIR) -lbadimport -lntoskrnl -lhal -lgcc
$(PE_TEST_DIR)/ntdll.dll: tests/pe/ntdll.c tests/pe/ntdll.def
	@mkdir -p $(@D)
	$(Q_LD)$(MINGW_CC) $(PE_FIXTURE_CFLAGS) -shared -Wl,--image-base,0x77F50000 -Wl,-e,0 -o $@ $^
$(PE_TEST_DIR)/prog.exe: tests/pe/prog.c
	@mkdir -p $(@D)
	$(Q_LD)$(MINGW_CC) $(PE_FIXTURE_CFLAGS) -nostartfiles -Wl,-e,_NtProcessStartup@4 -o $@ $< -lntdll -lgcc
# the same program linked over the first thread's stack (MM_USER_STACK_TOP): the kernel must relocate it
$(PE_TEST_DIR)/prog-stack.exe: tests/pe/prog.c
	@mkdir -p $(@D)
	$(Q_LD)$(MINGW_CC) $(PE_FIXTURE_CFLAGS) -nostartfiles -Wl,-e,_NtProcessStartup@4 -Wl,--image-base,0x00120000 \
	    -o $@ $< -lntdll -lgcc

PE_HOST_SRCS := guest/rtl/image.c guest/mm/sysexports.c
PE_HOST_HDRS := guest/inc/image.h guest/inc/ntimage.h guest/inc/ntdef.h guest/inc/rtl.h include/nt/ntstatus.h

UNIT_TESTS += $(BUILD)/tests/test_pe_loader

$(BUILD)/tests/test_pe_loader: tests/test_pe_loader.c $(PE_HOST_SRCS) $(PE_HOST_HDRS) $(PE_TEST_IMAGES) mk/guest-unit.mk
	@mkdir -p $(@D)
	$(Q_LD)$(CC) $(GUEST_UNIT_CFLAGS) $(SAN_FLAGS) $(CHECK_CFLAGS) -DMI_SYSTEM_EXPORTS_NAMES_ONLY \
	    -DPE_FIXTURE_DIR='"$(PE_TEST_DIR)"' -o $@ tests/test_pe_loader.c $(PE_HOST_SRCS) $(CHECK_LIBS)
