# mk/ntdll.mk -- ntdll.dll as a PE DLL, built with mingw-w64 (i686-w64-mingw32),
# one per --build, beside the ELF ntdlls the kernel takes until its PE loader
# lands. Included by the top-level Makefile after the guest rules; `all` builds them.
#
#   $(BUILD)/guest/ntdll-<build>.dll   that build's numbering (gensvc ntdll-pe)
#   $(BUILD)/guest/ntdll.dll           the default build's ($(BUILD_NT))
#   $(BUILD)/guest/libntdll.a          an import library of every export, stdcall
#                                         names decorated as mingw's (dlltool -k from
#                                         ntdll.def and gensvc ntdll-def); it has the
#                                         C routines too, which mingw's lacks
#
# The stubs' object is linked first: slot 0 is the start of .text, 0x77F51000,
# the page after the headers. Rtl/Dbg/C routines: guest/ntdll/*.c (less the
# ELF programs' start-up and printf) and guest/rtl's string and format code.

MINGW      ?= i686-w64-mingw32-
PE_NTDLL_CC      := $(MINGW)gcc
PE_DLLTOOL := $(MINGW)dlltool
PE_NTDLL_CFLAGS  := -std=gnu11 -O2 -Wall -Wextra -Werror -ffreestanding -fno-builtin \
              -fno-tree-loop-distribute-patterns -fno-asynchronous-unwind-tables -fno-unwind-tables \
              -fno-stack-protector -mno-stack-arg-probe -mgeneral-regs-only -fno-ident \
              -Iinclude -Iguest/inc -Iguest/ntdll
PE_NTDLL_LDFLAGS := -nostdlib -shared -Wl,--image-base,0x77F50000 -Wl,--kill-at -Wl,-e,0 \
                    -Wl,--disable-dynamicbase -Wl,--no-seh
PE_NTDLL_SRCS := $(filter-out guest/ntdll/startup.c guest/ntdll/print.c,$(wildcard guest/ntdll/*.c)) \
                 guest/rtl/string.c guest/rtl/format.c guest/rtl/unicode.c guest/rtl/crt.c
PE_NTDLL_OBJS := $(patsubst %.c,$(BUILD)/pe/%.o,$(PE_NTDLL_SRCS))
PE_NTDLL_DEF  := guest/ntdll/ntdll.def

PE_NTDLLS := $(BUILD)/guest/ntdll.dll $(foreach b,$(NT_BUILDS),$(BUILD)/guest/ntdll-$(b).dll)

all: $(PE_NTDLLS) $(BUILD)/guest/libntdll.a

$(BUILD)/pe/%.o: %.c $(GUEST_HDRS) mk/ntdll.mk
	@mkdir -p $(@D)
	$(Q_CC)$(PE_NTDLL_CC) $(PE_NTDLL_CFLAGS) -c -o $@ $<

$(BUILD)/guest/gen/pe/ntdll-%.S: $(BUILD)/gensvc $(NT_TABLES)
	@mkdir -p $(@D)
	$(Q_GEN)$(BUILD)/gensvc ntdll-pe data/nt-syscalls/$*.i386.ssdt.tsv $(NT_TABLES) > $@.tmp && mv $@.tmp $@
$(BUILD)/guest/gen/pe/ntdll-%.S.o: $(BUILD)/guest/gen/pe/ntdll-%.S
	$(Q_CC)$(PE_NTDLL_CC) -c -o $@ $<

PE_NTDLL_LINK = $(PE_NTDLL_CC) $(PE_NTDLL_LDFLAGS) -o $@ $< $(PE_NTDLL_OBJS) $(PE_NTDLL_DEF) -lgcc
$(BUILD)/guest/ntdll-%.dll: $(BUILD)/guest/gen/pe/ntdll-%.S.o $(PE_NTDLL_OBJS) $(PE_NTDLL_DEF)
	@mkdir -p $(@D)
	$(Q_LD)$(PE_NTDLL_LINK)
$(BUILD)/guest/ntdll.dll: $(BUILD)/guest/gen/pe/ntdll-$(BUILD_NT).S.o $(PE_NTDLL_OBJS) $(PE_NTDLL_DEF)
	@mkdir -p $(@D)
	$(Q_LD)$(PE_NTDLL_LINK)

$(BUILD)/guest/gen/pe/ntdll-implib.def: $(BUILD)/gensvc $(NT_TABLES) $(PE_NTDLL_DEF)
	@mkdir -p $(@D)
	$(Q_GEN){ cat $(PE_NTDLL_DEF) && $(BUILD)/gensvc ntdll-def $(NT_TABLES); } > $@.tmp && mv $@.tmp $@
$(BUILD)/guest/libntdll.a: $(BUILD)/guest/gen/pe/ntdll-implib.def
	@mkdir -p $(@D)
	$(Q_AR)$(PE_DLLTOOL) -k -d $< -D ntdll.dll -l $@
# tests/test_ntdll_pe.c (a unit test of mk/unit.mk) reads the PE ntdlls and two
# programs linked against them, never run: one with mingw-w64's libntdll.a,
# one with the import library above (the C routines mingw's lacks).
PE_PROGRAM_FLAGS := -std=gnu11 -O1 -Wall -Wextra -Werror -ffreestanding -fno-builtin -nostdlib -nostartfiles \
                    -Wl,--subsystem,native -Wl,-e,_NtProcessStartup@4
PE_FIXTURES := $(BUILD)/tests/pe/ntdll_imports.exe $(BUILD)/tests/pe/ntdll_crt_imports.exe
$(BUILD)/tests/pe/ntdll_imports.exe: tests/pe/ntdll_imports.c mk/ntdll.mk
	@mkdir -p $(@D)
	$(Q_LD)$(PE_NTDLL_CC) $(PE_PROGRAM_FLAGS) -o $@ $< -lntdll -lgcc
$(BUILD)/tests/pe/ntdll_crt_imports.exe: tests/pe/ntdll_crt_imports.c $(BUILD)/guest/libntdll.a mk/ntdll.mk
	@mkdir -p $(@D)
	$(Q_LD)$(PE_NTDLL_CC) $(PE_PROGRAM_FLAGS) -o $@ $< -L$(BUILD)/guest -lntdll -lgcc

$(BUILD)/tests/test_ntdll_pe: $(PE_NTDLLS) $(PE_FIXTURES)
$(BUILD)/san/tests/test_ntdll_pe.o: UNIT_CFLAGS += -DNTDLL_PE_DIR='"$(BUILD)/guest"' \
                                                   -DNTDLL_PE_FIXTURES='"$(BUILD)/tests/pe"'
