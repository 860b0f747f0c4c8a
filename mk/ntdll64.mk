# mk/ntdll64.mk -- the amd64 guest's ntdll.dll, a PE32+ DLL built with mingw-w64
# (x86_64-w64-mingw32), one per amd64 --build, from the same sources as the i386
# ones (mk/ntdll.mk). Included by the top-level Makefile after mk/ntdll.mk.
#
#   $(BUILD)/guest/amd64/ntdll-<build>.dll   that build's numbering (gensvc --arch=amd64 ntdll-pe)
#   $(BUILD)/guest/amd64/ntdll.dll           the default amd64 build's ($(BUILD_NT64))
#   $(BUILD)/guest/amd64/libntdll.a          an import library of every export
#
# Stubs in 32-byte slots from 0x77F51000, the page after the headers, as on i386.

MINGW64        ?= x86_64-w64-mingw32-
PE64_NTDLL_CC  := $(MINGW64)gcc
PE64_DLLTOOL   := $(MINGW64)dlltool
BUILD_NT64     ?= 6.1.7601-sp1-windows-7
NT_TABLES64    := $(sort $(wildcard data/nt-syscalls/*.amd64.ssdt.tsv))
NT_BUILDS64    := $(patsubst data/nt-syscalls/%.amd64.ssdt.tsv,%,$(NT_TABLES64))
PE64_NTDLL_OBJS := $(patsubst %.c,$(BUILD)/pe64/%.o,$(PE_NTDLL_SRCS))
PE64_NTDLL_DEF  := $(BUILD)/guest/gen/pe64/ntdll.def
PE64_NTDLLS     := $(BUILD)/guest/amd64/ntdll.dll $(foreach b,$(NT_BUILDS64),$(BUILD)/guest/amd64/ntdll-$(b).dll)

all: $(PE64_NTDLLS) $(BUILD)/guest/amd64/libntdll.a

$(BUILD)/pe64/%.o: %.c $(GUEST_HDRS) mk/ntdll64.mk
	@mkdir -p $(@D)
	$(Q_CC)$(PE64_NTDLL_CC) $(PE_NTDLL_CFLAGS) -c -o $@ $<

# x64 has one calling convention and no decoration: the i386 .def without its @N
$(PE64_NTDLL_DEF): $(PE_NTDLL_DEF)
	@mkdir -p $(@D)
	$(Q_GEN)sed 's/@[0-9]*$$//' $< > $@.tmp && mv $@.tmp $@

$(BUILD)/guest/gen/pe64/ntdll-%.S: $(BUILD)/gensvc $(NT_TABLES64)
	@mkdir -p $(@D)
	$(Q_GEN)$(BUILD)/gensvc --arch=amd64 ntdll-pe data/nt-syscalls/$*.amd64.ssdt.tsv $(NT_TABLES64) > $@.tmp && mv $@.tmp $@
$(BUILD)/guest/gen/pe64/ntdll-%.S.o: $(BUILD)/guest/gen/pe64/ntdll-%.S
	$(Q_CC)$(PE64_NTDLL_CC) -c -o $@ $<

PE64_NTDLL_LINK = $(PE64_NTDLL_CC) $(PE_NTDLL_LDFLAGS) -o $@ $< $(PE64_NTDLL_OBJS) $(PE64_NTDLL_DEF) -lgcc
$(BUILD)/guest/amd64/ntdll-%.dll: $(BUILD)/guest/gen/pe64/ntdll-%.S.o $(PE64_NTDLL_OBJS) $(PE64_NTDLL_DEF)
	@mkdir -p $(@D)
	$(Q_LD)$(PE64_NTDLL_LINK)
$(BUILD)/guest/amd64/ntdll.dll: $(BUILD)/guest/gen/pe64/ntdll-$(BUILD_NT64).S.o $(PE64_NTDLL_OBJS) $(PE64_NTDLL_DEF)
	@mkdir -p $(@D)
	$(Q_LD)$(PE64_NTDLL_LINK)

$(BUILD)/guest/gen/pe64/ntdll-implib.def: $(BUILD)/gensvc $(NT_TABLES64) $(PE64_NTDLL_DEF)
	@mkdir -p $(@D)
	$(Q_GEN){ cat $(PE64_NTDLL_DEF) && $(BUILD)/gensvc --arch=amd64 ntdll-def $(NT_TABLES64); } > $@.tmp && mv $@.tmp $@
$(BUILD)/guest/amd64/libntdll.a: $(BUILD)/guest/gen/pe64/ntdll-implib.def
	@mkdir -p $(@D)
	$(Q_AR)$(PE64_DLLTOOL) -d $< -D ntdll.dll -l $@

$(BUILD)/tests/test_ntdll_pe: $(PE64_NTDLLS)
$(BUILD)/san/tests/test_ntdll_pe.o: UNIT_CFLAGS += -DNTDLL_PE64_DIR='"$(BUILD)/guest/amd64"'
