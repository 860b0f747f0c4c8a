# mk/guest64.mk -- the amd64 kernel, $(BUILD)/guest/amd64/ntoskrnl.exe: the generic guest sources
# and guest/*/amd64/, built for long mode with x64's one calling convention (-mabi=ms: drivers and
# ntdll are mingw-w64 PE32+), an ELF64 Multiboot image whose boot section runs at its physical
# address (guest/ke/amd64/ntoskrnl.ld). Included by the top-level Makefile after the i386 kernel's rules.

GUEST64_CFLAGS := -m64 -mabi=ms -D_M_AMD64 -std=gnu11 -O2 -g -Wall -Wextra -Werror -ffreestanding -fno-pic -fno-pie \
                  -fno-stack-protector -fno-builtin -fshort-wchar -mno-red-zone -mcmodel=large \
                  -mgeneral-regs-only -fno-asynchronous-unwind-tables -fno-tree-loop-distribute-patterns \
                  -Iinclude -Iguest/inc -Iguest/ntdll
GUEST64_LDFLAGS := -m64 -nostdlib -static -no-pie -Wl,--build-id=none -Wl,-z,max-page-size=0x1000 \
                   -Wl,-z,noexecstack -Wl,--no-warn-rwx-segments
KERNEL64_SRCS := $(KERNEL_GENERIC_SRCS) $(call KERNEL_ARCH_SRCS,amd64)
KERNEL64_OBJS := $(patsubst %,$(BUILD)/guest64/%.o,$(KERNEL64_SRCS)) \
                 $(BUILD)/guest64/gen/KiServiceTable.S.o $(BUILD)/guest64/gen/ZwStubs.S.o
BUILD_TABLE64 := data/nt-syscalls/$(BUILD_NT64).amd64.ssdt.tsv

all: $(BUILD)/guest/amd64/ntoskrnl.exe

$(BUILD)/guest64/gen/KiServiceTable.S: $(BUILD)/gensvc $(NT_TABLES64)
	@mkdir -p $(@D)
	$(Q_GEN)$(BUILD)/gensvc --arch=amd64 kernel-table $(BUILD_TABLE64) $(NT_TABLES64) > $@.tmp && mv $@.tmp $@
$(BUILD)/guest64/gen/ZwStubs.S: $(BUILD)/gensvc $(NT_TABLES64)
	@mkdir -p $(@D)
	$(Q_GEN)$(BUILD)/gensvc --arch=amd64 kernel-zw $(BUILD_TABLE64) $(NT_TABLES64) > $@.tmp && mv $@.tmp $@

$(BUILD)/guest64/%.o: % $(GUEST_HDRS) mk/guest64.mk
	@mkdir -p $(@D)
	$(Q_CC)$(CC) $(GUEST64_CFLAGS) -c -o $@ $<
$(BUILD)/guest64/gen/%.S.o: $(BUILD)/guest64/gen/%.S
	$(Q_CC)$(CC) $(GUEST64_CFLAGS) -c -o $@ $<

$(BUILD)/guest/amd64/ntoskrnl.exe: $(KERNEL64_OBJS) guest/ke/amd64/ntoskrnl.ld
	@mkdir -p $(@D)
	$(Q_LD)$(CC) $(GUEST64_LDFLAGS) -T guest/ke/amd64/ntoskrnl.ld -o $@ $(KERNEL64_OBJS)
