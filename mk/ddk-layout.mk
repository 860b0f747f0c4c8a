# mk/ddk-layout.mk -- the build-time check that a driver built against mingw-w64's DDK headers
# (<ddk/ntddk.h>, <ddk/wdm.h>) finds the guest kernel's structures and exports where the DDK
# says they are. Part of `make` (all) and `make test`. Included by the top-level Makefile, which
# defines BUILD, CC, GUEST_CFLAGS, GUEST_LDFLAGS, GUEST_HDRS, KERNEL_OBJS, LIBGCC32 and Q_*.
#
#   $(BUILD)/gen/guest-offsets.h     sizes and offsets of tests/ddk/layout.def in the guest's own
#                                    headers (tests/ddk/offsets.c compiled to assembly, asm-offsets style)
#   $(BUILD)/tests/ddk/layout.o      tests/ddk/layout.c: i686-w64-mingw32-gcc static asserts of every
#                                    one against the DDK's offsetof/sizeof
#   $(BUILD)/tests/ddk/exports.elf   guest/mm/sysexports.inc's table linked with the kernel's
#                                    objects: every routine and datum it names exists
#   $(BUILD)/tests/ddk/exports.ok    tests/ddk/check-exports.sh: the names, modules and conventions
#                                    (decorations) equal those a mingw-w64 driver imports (imports.c)
#   $(BUILD)/tests/ddk/layout64.o    the same asserts for x86_64 (x86_64-w64-mingw32-gcc, or clang targeting
#                                    it), the numbers from offsets.c with the amd64 flags: make guest64-check
#   $(BUILD)/tests/test_irp          unit tests (make unit/test) of guest code on the host, built -m32
#   $(BUILD)/tests/test_rtl          (the guest's layouts and conventions) with ASan/UBSan: the IRP
#                                    machinery (guest/io/irp.c); the CRT and Rtl string exports

MINGW_CC      ?= i686-w64-mingw32-gcc
MINGW_NM      ?= i686-w64-mingw32-nm
MINGW_OBJDUMP ?= i686-w64-mingw32-objdump
DDK_INCLUDE   ?= /usr/share/mingw-w64/include/ddk
DDK_CFLAGS    := -std=gnu11 -O2 -Wall -Wextra -Werror -ffreestanding -D__USE_MINGW_ANSI_STDIO=0 -I$(DDK_INCLUDE)
# the kernel's declarations as mingw-w64 sees them: its decorations are the check
DDK_KERNEL_CFLAGS := -std=gnu11 -O2 -Wall -Wextra -Werror -ffreestanding -fno-builtin -fshort-wchar \
                     -Iinclude -Iguest/inc
DDK_DRIVER_LDFLAGS := -nostdlib -Wl,--subsystem,native -shared -Wl,-e,_DriverEntry@8
DDK_DIR := $(BUILD)/tests/ddk
DDK_EXPORTS_INC := guest/mm/sysexports.inc
Q_CHECK = $(if $(filter 1,$(V)),,@printf '  CHECK %s\n' $@;)

DDK_LAYOUT_CHECKS := $(DDK_DIR)/layout.o $(DDK_DIR)/exports.elf $(DDK_DIR)/exports.ok
all test unit: $(DDK_LAYOUT_CHECKS)

$(BUILD)/gen/guest-offsets.h: tests/ddk/offsets.c tests/ddk/layout.def $(GUEST_HDRS) mk/ddk-layout.mk
	@mkdir -p $(@D)
	$(Q_GEN)$(CC) $(GUEST_CFLAGS) -S -o $@.s $< && \
	    sed -n 's/^->\([A-Za-z0-9_]*\) \([0-9][0-9]*\).*/#define \1 \2/p' $@.s > $@.tmp && \
	    rm -f $@.s && mv $@.tmp $@

$(DDK_DIR)/layout.o: tests/ddk/layout.c tests/ddk/layout.def $(BUILD)/gen/guest-offsets.h
	@mkdir -p $(@D)
	$(Q_CC)$(MINGW_CC) $(DDK_CFLAGS) -I$(BUILD)/gen -c -o $@ $<

$(DDK_DIR)/exports-guest.o: tests/ddk/exports.c $(DDK_EXPORTS_INC) $(GUEST_HDRS)
	@mkdir -p $(@D)
	$(Q_CC)$(CC) $(GUEST_CFLAGS) -c -o $@ $<
$(DDK_DIR)/exports.elf: $(DDK_DIR)/exports-guest.o $(KERNEL_OBJS) guest/ntoskrnl.ld
	$(Q_LD)$(CC) $(GUEST_LDFLAGS) -T guest/ntoskrnl.ld -o $@ $(KERNEL_OBJS) $< $(LIBGCC32)

$(DDK_DIR)/exports-mingw.o: tests/ddk/exports.c $(DDK_EXPORTS_INC) $(GUEST_HDRS)
	@mkdir -p $(@D)
	$(Q_CC)$(MINGW_CC) $(DDK_KERNEL_CFLAGS) -c -o $@ $<
$(DDK_DIR)/exports.list: tests/ddk/exports.c $(DDK_EXPORTS_INC) $(GUEST_HDRS)
	@mkdir -p $(@D)
	$(Q_GEN)$(CC) $(GUEST_CFLAGS) -E -P -DDDK_EXPORT_LIST -o $@ $<
$(DDK_DIR)/imports.o: tests/ddk/imports.c
	@mkdir -p $(@D)
	$(Q_CC)$(MINGW_CC) $(DDK_CFLAGS) -c -o $@ $<
$(DDK_DIR)/imports.sys: $(DDK_DIR)/imports.o
	$(Q_LD)$(MINGW_CC) $(DDK_DRIVER_LDFLAGS) -o $@ $< -lntoskrnl -lhal -lgcc
$(DDK_DIR)/exports.ok: tests/ddk/check-exports.sh $(DDK_DIR)/exports.list $(DDK_DIR)/exports-mingw.o \
                       $(DDK_DIR)/imports.o $(DDK_DIR)/imports.sys
	$(Q_CHECK)NM=$(MINGW_NM) OBJDUMP=$(MINGW_OBJDUMP) sh tests/ddk/check-exports.sh \
	    $(DDK_DIR)/exports.list $(DDK_DIR)/exports-mingw.o $(DDK_DIR)/imports.o $(DDK_DIR)/imports.sys && touch $@

# -m32: the guest's structure layouts, stdcall and fastcall, on the host
UNIT_TESTS += $(BUILD)/tests/test_irp
IRP_HOST_SRCS := tests/ddk/test_irp.c guest/io/irp.c guest/ke/event.c
$(BUILD)/tests/test_irp: $(IRP_HOST_SRCS) $(GUEST_HDRS) mk/ddk-layout.mk
	@mkdir -p $(@D)
	$(Q_LD)$(CC) -m32 -std=gnu11 -O1 -g -Wall -Wextra -Werror -fshort-wchar -Iinclude -Iguest/inc $(SAN_FLAGS) \
	    -o $@ $(IRP_HOST_SRCS)

UNIT_TESTS += $(BUILD)/tests/test_rtl
RTL_HOST_SRCS := tests/ddk/test_rtl.c guest/rtl/crt.c guest/rtl/unicode.c guest/rtl/format.c guest/rtl/string.c
$(BUILD)/tests/test_rtl: $(RTL_HOST_SRCS) $(GUEST_HDRS) mk/ddk-layout.mk
	@mkdir -p $(@D)
	$(Q_LD)$(CC) -m32 -std=gnu11 -O1 -g -Wall -Wextra -Werror -fshort-wchar -fno-builtin -Iinclude -Iguest/inc \
	    $(SAN_FLAGS) -o $@ $(RTL_HOST_SRCS)

# ---- the same check for the amd64 kernel: the generic headers compiled for x86_64
# (mk/guest64-check.mk's flags) against x86_64-w64-mingw32-gcc's DDK. Part of `make guest64-check`.
# without the x86_64 cross compiler, clang targeting it reads the same mingw-w64 headers
MINGW64_CC ?= $(if $(shell command -v x86_64-w64-mingw32-gcc 2>/dev/null),x86_64-w64-mingw32-gcc,\
                clang --target=x86_64-w64-mingw32 -isystem /usr/share/mingw-w64/include -Wno-pragma-pack)
$(BUILD)/gen/guest64/guest-offsets.h: tests/ddk/offsets.c tests/ddk/layout.def $(GUEST_HDRS) mk/ddk-layout.mk
	@mkdir -p $(@D)
	$(Q_GEN)$(CC) $(GUEST64_CHECK_CFLAGS) -S -o $@.s $< && \
	    sed -n 's/^->\([A-Za-z0-9_]*\) \$$*\([0-9][0-9]*\).*/#define \1 \2/p' $@.s > $@.tmp && \
	    rm -f $@.s && mv $@.tmp $@
$(DDK_DIR)/layout64.o: tests/ddk/layout.c tests/ddk/layout.def $(BUILD)/gen/guest64/guest-offsets.h
	@mkdir -p $(@D)
	$(Q_CC)$(MINGW64_CC) $(DDK_CFLAGS) -I$(BUILD)/gen/guest64 -c -o $@ $<
guest64-check: $(DDK_DIR)/layout64.o
