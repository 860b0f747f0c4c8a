# mk/guest64-check.mk -- `make guest64-check`: every generic guest file (the kernel's guest/*/*.c,
# not its guest/*/i386/ or amd64/ subfolders, and ntdll's C) compiled for x86_64 with the amd64
# kernel's flags, so that what the two kernels share keeps building for both. Objects only, into
# $(BUILD)/guest64-check/; nothing links them. Included by the top-level Makefile, which defines
# BUILD, CC, KERNEL_GENERIC_SRCS, GUEST_HDRS and Q_CC first. It needs guest/inc/amd64.h (the amd64
# kernel's); GUEST64_CHECK_INCLUDES may put other -I directories first (a stand-in amd64.h, say).

GUEST64_CHECK_CFLAGS := -m64 -std=gnu11 -O2 -Wall -Wextra -Werror -ffreestanding -fno-pic -fno-stack-protector \
                        -fno-builtin -fshort-wchar -mno-red-zone -mcmodel=large -mgeneral-regs-only \
                        -fno-asynchronous-unwind-tables -fno-tree-loop-distribute-patterns \
                        $(GUEST64_CHECK_INCLUDES) -Iinclude -Iguest/inc -Iguest/ntdll
GUEST64_CHECK_SRCS := $(filter %.c,$(KERNEL_GENERIC_SRCS)) $(wildcard guest/ntdll/*.c)
GUEST64_CHECK_OBJS := $(patsubst guest/%.c,$(BUILD)/guest64-check/%.o,$(GUEST64_CHECK_SRCS))

.PHONY: guest64-check
guest64-check: $(GUEST64_CHECK_OBJS)

$(BUILD)/guest64-check/%.o: guest/%.c $(GUEST_HDRS) mk/guest64-check.mk
	@mkdir -p $(@D)
	$(Q_CC)$(CC) $(GUEST64_CHECK_CFLAGS) -c -o $@ $<
