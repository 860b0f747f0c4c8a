# mk/pe.mk -- the examples, their drivers and the guest test programs as PE
# images, built with mingw-w64 against its own NT and DDK headers (issue 10).
# Included by the top-level Makefile after `all`, which defines BUILD and the
# Q_ variables.
#
#   $(BUILD)/examples/libexamples.a   examples/lib: NtProcessStartup -> main, printf, NTSTATUS names
#   $(BUILD)/examples/<name>.exe      examples/<name>/<name>.c
#   $(BUILD)/examples/<name>.sys      examples/<name>/driver.c (driver-<v>.c: <name>-<v>.sys)
#   $(BUILD)/examples/ntvlog-user.sys examples/ntvlog/driver.c with USER_HANDLE
#   $(BUILD)/tests/guest/<name>.exe   tests/guest/<name>.c

MINGW       ?= i686-w64-mingw32-
MINGW_CC    := $(MINGW)gcc
MINGW_AR    := $(MINGW)ar
MINGW_DDK   ?= /usr/share/mingw-w64/include/ddk
PE_CFLAGS   := -O2 -Wall -Wextra -Werror -ffreestanding -fno-builtin
# no loop of the runtime turned into a call to memset/memcpy behind its back
PE_LIB_CFLAGS := $(PE_CFLAGS) -fno-tree-loop-distribute-patterns
PE_PROGRAM_LDFLAGS := -nostdlib -nostartfiles -Wl,--subsystem,native -Wl,-e,_NtProcessStartup@4
PE_DRIVER_LDFLAGS  := -nostdlib -nostartfiles -Wl,--subsystem,native -shared -Wl,-e,_DriverEntry@8
PE_CHECK    := OBJDUMP=$(MINGW)objdump NM=$(MINGW)nm examples/lib/pe-check.sh
PE          := $(BUILD)
ifeq ($(V),1)
Q_CC_USER   :=
else
Q_CC_USER    = @printf '  CC    %s -DUSER_HANDLE\n' $<;
endif

PE_LIB_SRCS := $(wildcard examples/lib/*.c examples/lib/*.S)
PE_LIB_OBJS := $(patsubst %,$(PE)/obj/%.o,$(PE_LIB_SRCS))
PE_LIB      := $(PE)/examples/libexamples.a
PE_USER_HDRS := examples/lib/ntnative.h $(filter-out examples/lib/%,$(wildcard examples/*/*.h))
PE_KERNEL_HDRS := examples/lib/ntkernel.h $(filter-out examples/lib/%,$(wildcard examples/*/*.h))

PE_EXAMPLES := $(foreach d,$(sort $(patsubst examples/%/,%,$(dir $(wildcard examples/*/*.c)))),\
                 $(if $(wildcard examples/$(d)/$(d).c),$(d)))
PE_EXAMPLE_EXES := $(foreach e,$(PE_EXAMPLES),$(PE)/examples/$(e).exe)
PE_DRIVER_SRCS  := $(sort $(wildcard examples/*/driver.c examples/*/driver-*.c))
pe_driver_name   = $(subst /driver,,$(patsubst examples/%.c,%,$(1)))
PE_DRIVER_SYS   := $(foreach d,$(PE_DRIVER_SRCS),$(PE)/examples/$(call pe_driver_name,$(d)).sys) \
                   $(PE)/examples/ntvlog-user.sys
PE_TEST_EXES    := $(patsubst tests/guest/%.c,$(PE)/tests/guest/%.exe,$(wildcard tests/guest/*.c))
PE_OUTPUTS      := $(PE_LIB) $(PE_EXAMPLE_EXES) $(PE_DRIVER_SYS) $(PE_TEST_EXES)

.PHONY: pe
pe: $(PE_OUTPUTS)
all: $(PE_OUTPUTS)

$(PE)/obj/examples/lib/%.c.o: examples/lib/%.c examples/lib/ntnative.h include/nt/ntstatus.h mk/pe.mk
	@mkdir -p $(@D)
	$(Q_CC)$(MINGW_CC) $(PE_LIB_CFLAGS) -c -o $@ $<
$(PE)/obj/examples/lib/%.S.o: examples/lib/%.S mk/pe.mk
	@mkdir -p $(@D)
	$(Q_CC)$(MINGW_CC) $(PE_LIB_CFLAGS) -c -o $@ $<
$(PE_LIB): $(PE_LIB_OBJS)
	@mkdir -p $(@D)
	$(Q_AR)rm -f $@ && $(MINGW_AR) rcs $@ $^

# programs: NtProcessStartup(PPEB) in libexamples.a, imports from ntdll.dll through mingw-w64's
# libntdll.a and libntdllcrt.a (ntdll's C routines: memcpy, _vsnprintf, ...)
$(PE)/obj/examples/%.c.o: examples/%.c $(PE_USER_HDRS) mk/pe.mk
	@mkdir -p $(@D)
	$(Q_CC)$(MINGW_CC) $(PE_CFLAGS) -c -o $@ $<
$(PE)/obj/tests/guest/%.c.o: tests/guest/%.c examples/lib/ntnative.h $(wildcard tests/guest/*.h) mk/pe.mk
	@mkdir -p $(@D)
	$(Q_CC)$(MINGW_CC) $(PE_CFLAGS) -c -o $@ $<
PE_PROGRAM_LINK = $(MINGW_CC) $(PE_PROGRAM_LDFLAGS) -o $@ $< $(PE_LIB) $(PE_NTDLL_LIBDIR) -lntdll -lntdllcrt -lgcc && \
                  { $(PE_CHECK) program $@ || { rm -f $@; false; }; }
define PE_EXAMPLE_RULE
$(PE)/examples/$(1).exe: $(PE)/obj/examples/$(1)/$(1).c.o $(PE_LIB) examples/lib/pe-check.sh
	@mkdir -p $$(@D)
	$$(Q_LD)$$(PE_PROGRAM_LINK)
endef
$(foreach e,$(PE_EXAMPLES),$(eval $(call PE_EXAMPLE_RULE,$(e))))
# rtl tests ntdll's C routines, which only ntdll's own import library has (mingw-w64's lacks them)
$(PE)/tests/guest/rtl.exe: PE_NTDLL_LIBDIR := -L$(BUILD)/guest
$(PE)/tests/guest/rtl.exe: $(BUILD)/guest/libntdll.a
$(PE)/tests/guest/%.exe: $(PE)/obj/tests/guest/%.c.o $(PE_LIB) examples/lib/pe-check.sh
	@mkdir -p $(@D)
	$(Q_LD)$(PE_PROGRAM_LINK)

# drivers: DriverEntry(PDRIVER_OBJECT, PUNICODE_STRING), imports from ntoskrnl.exe and hal.dll
PE_DRIVER_CFLAGS = $(PE_CFLAGS) -I$(MINGW_DDK)
PE_DRIVER_LINK = $(MINGW_CC) $(PE_DRIVER_LDFLAGS) -o $@ $< -lntoskrnl -lhal -lgcc && \
                 { $(PE_CHECK) driver $@ || { rm -f $@; false; }; }
$(PE)/kobj/%.c.o: %.c $(PE_KERNEL_HDRS) mk/pe.mk
	@mkdir -p $(@D)
	$(Q_CC)$(MINGW_CC) $(PE_DRIVER_CFLAGS) -c -o $@ $<
$(PE)/kobj/%-user.c.o: %.c $(PE_KERNEL_HDRS) mk/pe.mk
	@mkdir -p $(@D)
	$(Q_CC_USER)$(MINGW_CC) $(PE_DRIVER_CFLAGS) -DUSER_HANDLE -c -o $@ $<
define PE_DRIVER_RULE
$(PE)/examples/$(2).sys: $(PE)/kobj/$(1).o examples/lib/pe-check.sh
	@mkdir -p $$(@D)
	$$(Q_LD)$$(PE_DRIVER_LINK)
endef
$(foreach d,$(PE_DRIVER_SRCS),$(eval $(call PE_DRIVER_RULE,$(d),$(call pe_driver_name,$(d)))))
$(eval $(call PE_DRIVER_RULE,examples/ntvlog/driver-user.c,ntvlog-user))
