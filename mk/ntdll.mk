# mk/ntdll.mk -- ntdll.dll as a PE DLL, built with mingw-w64 (i686-w64-mingw32),
# one per --build, beside the ELF ntdlls the kernel takes until its PE loader
# lands. Included by the top-level Makefile after the guest rules; `all` builds them.
#
#   $(BUILD)/guest/pe/ntdll-<build>.dll   that build's numbering (gensvc ntdll-pe)
#   $(BUILD)/guest/pe/ntdll.dll           the default build's ($(BUILD_NT))
#   $(BUILD)/guest/pe/libntdll.a          an import library of every export (the
#                                         C routines too, which mingw's lacks)
#
# The stubs' object is linked first: slot 0 is the start of .text, 0x77F51000,
# the page after the headers. Rtl/Dbg/C routines: guest/ntdll/*.c (less the
# ELF programs' start-up and printf) and guest/rtl's string and format code.

MINGW      ?= i686-w64-mingw32-
PE_CC      := $(MINGW)gcc
PE_CFLAGS  := -std=gnu11 -O2 -Wall -Wextra -Werror -ffreestanding -fno-builtin \
              -fno-tree-loop-distribute-patterns -fno-asynchronous-unwind-tables -fno-unwind-tables \
              -fno-stack-protector -mno-stack-arg-probe -mgeneral-regs-only \
              -Iinclude -Iguest/inc -Iguest/ntdll
PE_NTDLL_LDFLAGS := -nostdlib -shared -Wl,--image-base,0x77F50000 -Wl,--kill-at -Wl,-e,0 \
                    -Wl,--disable-dynamicbase -Wl,--no-seh
PE_NTDLL_SRCS := $(filter-out guest/ntdll/startup.c guest/ntdll/print.c,$(wildcard guest/ntdll/*.c)) \
                 guest/rtl/string.c guest/rtl/format.c
PE_NTDLL_OBJS := $(patsubst %.c,$(BUILD)/pe/%.o,$(PE_NTDLL_SRCS))
PE_NTDLL_DEF  := guest/ntdll/ntdll.def

PE_NTDLLS := $(BUILD)/guest/pe/ntdll.dll $(foreach b,$(NT_BUILDS),$(BUILD)/guest/pe/ntdll-$(b).dll)

all: $(PE_NTDLLS)

$(BUILD)/pe/%.o: %.c $(GUEST_HDRS) mk/ntdll.mk
	@mkdir -p $(@D)
	$(Q_CC)$(PE_CC) $(PE_CFLAGS) -c -o $@ $<

$(BUILD)/guest/gen/pe/ntdll-%.S: $(BUILD)/gensvc $(NT_TABLES)
	@mkdir -p $(@D)
	$(Q_GEN)$(BUILD)/gensvc ntdll-pe data/nt-syscalls/$*.i386.ssdt.tsv $(NT_TABLES) > $@.tmp && mv $@.tmp $@
$(BUILD)/guest/gen/pe/ntdll-%.S.o: $(BUILD)/guest/gen/pe/ntdll-%.S
	$(Q_CC)$(PE_CC) -c -o $@ $<

PE_NTDLL_LINK = $(PE_CC) $(PE_NTDLL_LDFLAGS) -o $@ $< $(PE_NTDLL_OBJS) $(PE_NTDLL_DEF) -lgcc
$(BUILD)/guest/pe/ntdll-%.dll: $(BUILD)/guest/gen/pe/ntdll-%.S.o $(PE_NTDLL_OBJS) $(PE_NTDLL_DEF)
	@mkdir -p $(@D)
	$(Q_LD)$(PE_NTDLL_LINK)
$(BUILD)/guest/pe/ntdll.dll: $(BUILD)/guest/gen/pe/ntdll-$(BUILD_NT).S.o $(PE_NTDLL_OBJS) $(PE_NTDLL_DEF)
	@mkdir -p $(@D)
	$(Q_LD)$(PE_NTDLL_LINK) -Wl,--out-implib,$(BUILD)/guest/pe/libntdll.a
$(BUILD)/guest/pe/libntdll.a: $(BUILD)/guest/pe/ntdll.dll
