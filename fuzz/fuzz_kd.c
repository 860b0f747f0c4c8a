/*
 * kd's command parser and commands (kd/kd.c and the kd_*.c families) over a
 * fuzzed guest: the page tables, memory, registers and MSRs come from the
 * input (fuzz/fake_guest.h), then a script of commands ("cmd; cmd"), NUL-
 * terminated, run as `ntvisor kd -c` would. The kernel's symbols are fixed
 * and point into the fuzzed memory (KSEG0), so !sst, !thread, !handle, lm
 * and dt find the structures the input lays there.
 */
#include <stdio.h>
#include <stdlib.h>
#include "fake_guest.h"
#include "kd/kd.h"

#define MAX_COMMANDS 8

static struct guest_view view;
static struct kd_regs regs;
static uint64_t msr_value;
static bool regs_fail;

static int get_regs(void *ctx, struct kd_regs *r)
{
    (void)ctx;
    *r = regs;
    return regs_fail ? -1 : 0;
}

static int read_msr(void *ctx, uint32_t index, uint64_t *value)
{
    (void)ctx;
    *value = msr_value ^ index;
    return (index & 0xFF) == 0xFF ? -1 : 0;
}

static const struct kd_target target = { &view, fg_read_virt, get_regs, read_msr };

static const struct symtab *symbols(void)
{
    static struct symtab s;
    static bool made;
    static const struct { const char *name; uint32_t off; } nt[] = {
        { "KeServiceDescriptorTable", 0x8000 }, { "KiServiceTable", 0x8100 }, { "KiArgumentTable", 0x8900 },
        { "KiCurrentThread", 0x9000 }, { "ObpKernelHandleTable", 0x9010 }, { "PsLoadedModuleList", 0x9020 },
        { "KiFastCallEntry", 0xA000 }, { "KiSystemService", 0xA100 }, { "NtReadFile", 0xB000 },
        { "KiExitToUserMode", 0xA200 },
    };
    if (made)
        return &s;
    symtab_init(&s);
    struct sym_module *m = symtab_add_module(&s, "nt", FG_KSEG0, FG_KSEG0 + FG_MEM_SIZE);
    if (!m)
        abort();
    for (size_t i = 0; i < sizeof(nt) / sizeof(nt[0]); i++)
        sym_module_add(m, nt[i].name, FG_KSEG0 + nt[i].off, 0);
    sym_module_finish(m);
    symtab_add_shared_user_data(&s);
    made = true;
    return &s;
}

static void read_regs(struct fz *f)
{
    uint32_t *words[] = { &regs.eax, &regs.ebx, &regs.ecx, &regs.edx, &regs.esi, &regs.edi, &regs.ebp,
                          &regs.esp, &regs.eip, &regs.efl, &regs.cr2, &regs.gdtr_base, &regs.idtr_base,
                          &regs.ldtr_base, &regs.ldtr_limit, &regs.tr_base };
    uint16_t *halves[] = { &regs.cs, &regs.ss, &regs.ds, &regs.es, &regs.fs, &regs.gs, &regs.gdtr_limit,
                           &regs.idtr_limit, &regs.ldtr, &regs.tr };
    memset(&regs, 0, sizeof(regs));
    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
        *words[i] = fz_u32(f);
    for (size_t i = 0; i < sizeof(halves) / sizeof(halves[0]); i++)
        *halves[i] = fz_u16(f);
    uint8_t flags = fz_u8(f);
    regs.ldtr_usable = flags & 1;
    regs_fail = (flags & 6) == 6;
    regs.cr0 = view.cr0;
    regs.cr3 = view.cr3;
    regs.cr4 = view.cr4;
    msr_value = (uint64_t)fz_u32(f) << 32 | fz_u32(f);
}

struct run { struct kd *kd; int left; };

static int run_one(void *ctx, const char *cmd)
{
    struct run *r = ctx;
    kd_exec(r->kd, cmd);
    return --r->left <= 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static FILE *out;
    if (!out && !(out = fopen("/dev/null", "w")))
        abort();
    struct fz f = { data, size };
    view = fg_build(&f);
    read_regs(&f);
    char script[1024];
    fz_str(&f, script, sizeof(script) - 1);
    fg_fill(&f);

    struct kd kd;
    if (kd_init(&kd, &target, symbols(), out) < 0)
        abort();
    struct run r = { &kd, MAX_COMMANDS };
    kd_split_commands(script, run_one, &r);
    kd_free(&kd);
    return 0;
}
