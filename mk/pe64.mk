# mk/pe64.mk -- the programs that run on the amd64 guest: the same sources as mk/pe.mk's, built as
# PE32+ with x86_64-w64-mingw32 against mingw-w64's own headers and libntdll.a. Included by the
# top-level Makefile after mk/pe.mk and mk/ntdll64.mk.
#
#   $(BUILD)/examples/amd64/<name>.exe       PE64_EXAMPLES
#   $(BUILD)/tests/guest/amd64/<name>.exe    PE64_TEST_PROGRAMS

PE64_CC       := $(MINGW64)gcc
PE64_EXAMPLES := hello
PE64_TEST_PROGRAMS := bigbss faults
PE64_LIB_SRCS := examples/lib/startup.c examples/lib/print.c examples/lib/statusname.c
PE64_LIB      := $(BUILD)/pe64/examples/libexamples.a
PE64_PROGRAM_LDFLAGS := -nostdlib -nostartfiles -Wl,--subsystem,native -Wl,-e,NtProcessStartup
PE64_EXES := $(addprefix $(BUILD)/examples/amd64/,$(addsuffix .exe,$(PE64_EXAMPLES))) \
             $(addprefix $(BUILD)/tests/guest/amd64/,$(addsuffix .exe,$(PE64_TEST_PROGRAMS)))

all: $(PE64_EXES)

$(BUILD)/pe64/obj/%.c.o: %.c examples/lib/ntnative.h include/nt/ntstatus.h mk/pe64.mk
	@mkdir -p $(@D)
	$(Q_CC)$(PE64_CC) $(PE_LIB_CFLAGS) -Iexamples/lib -c -o $@ $<
$(PE64_LIB): $(patsubst %.c,$(BUILD)/pe64/obj/%.c.o,$(PE64_LIB_SRCS))
	@mkdir -p $(@D)
	$(Q_AR)rm -f $@ && $(MINGW64)ar rcs $@ $^

PE64_PROGRAM_LINK = $(PE64_CC) $(PE64_PROGRAM_LDFLAGS) -o $@ $< $(PE64_LIB) -lntdll -lntdllcrt -lgcc
define PE64_EXAMPLE_RULE
$(BUILD)/examples/amd64/$(1).exe: $(BUILD)/pe64/obj/examples/$(1)/$(1).c.o $(PE64_LIB)
	@mkdir -p $$(@D)
	$$(Q_LD)$$(PE64_PROGRAM_LINK)
endef
$(foreach e,$(PE64_EXAMPLES),$(eval $(call PE64_EXAMPLE_RULE,$(e))))
$(BUILD)/tests/guest/amd64/%.exe: $(BUILD)/pe64/obj/tests/guest/%.c.o $(PE64_LIB)
	@mkdir -p $(@D)
	$(Q_LD)$(PE64_PROGRAM_LINK)
