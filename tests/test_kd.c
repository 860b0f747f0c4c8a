/*
 * kd's decoders and commands against a fake target (kd/kd.h): fixed
 * guest bytes at fixed addresses, fixed registers and MSRs, symbol tables
 * built in the test or from hand-made (and hostile) ELF images.
 */
#include <check.h>
#include "check_run.h"
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ntdb/disasm.h"
#include "kd/kd.h"
#include "kd/kd_layout.h"
#include "ntdb/symbols.h"

/* ---------------------------------------------------------------- the fake target */

#define MAX_REGIONS 16
struct region { uint32_t va; uint8_t *bytes; size_t len; };
struct fake {
    struct region r[MAX_REGIONS];
    size_t n;
    struct kd_regs regs;
    bool regs_fail;
};

static struct fake F;
static struct symtab S;
static struct kd K;
static char *OUT;
static size_t OUT_LEN;
static FILE *OUTF;

static size_t fake_read(void *ctx, uint32_t va, void *buf, size_t len)
{
    struct fake *f = ctx;
    size_t done = 0;
    while (done < len) {
        uint64_t a = (uint64_t)va + done;
        bool found = false;
        for (size_t i = 0; i < f->n && !found; i++) {
            if (a >= f->r[i].va && a < (uint64_t)f->r[i].va + f->r[i].len) {
                ((uint8_t *)buf)[done++] = f->r[i].bytes[a - f->r[i].va];
                found = true;
            }
        }
        if (!found)
            break;
    }
    return done;
}

static int fake_regs(void *ctx, struct kd_regs *r)
{
    struct fake *f = ctx;
    if (f->regs_fail)
        return -1;
    *r = f->regs;
    return 0;
}

static int fake_msr(void *ctx, uint32_t index, uint64_t *v)
{
    (void)ctx;
    if (index == 0x176) {
        *v = 0x8053a270;
        return 0;
    }
    if (index == 0x174) {
        *v = 8;
        return 0;
    }
    return -1;
}

static const struct kd_target TARGET = { &F, fake_read, fake_regs, fake_msr };

static void map(uint32_t va, const void *bytes, size_t len)
{
    ck_assert_uint_lt(F.n, MAX_REGIONS);
    uint8_t *copy = malloc(len);
    memcpy(copy, bytes, len);
    F.r[F.n++] = (struct region){ va, copy, len };
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

/* Symbols laid out like the articles' XP SP1 transcripts. */
static void setup(void)
{
    memset(&F, 0, sizeof(F));
    symtab_init(&S);
    struct sym_module *nt = symtab_add_module(&S, "nt", 0x80400000, 0x80700000);
    ck_assert_ptr_nonnull(nt);
    sym_module_add(nt, "ZwReadFile", 0x80504d4c, 0);
    sym_module_add(nt, "KiFastCallEntry", 0x8053a270, 0);
    sym_module_add(nt, "KiSystemService", 0x8053a2fb, 0);
    sym_module_add(nt, "NtReadFile", 0x8056b2ec, 0);
    sym_module_add(nt, "NtNothing", 0x8056b000, 0);
    sym_module_add(nt, "KeServiceDescriptorTable", 0x80600000, 0);
    sym_module_add(nt, "KiServiceTable", 0x80610000, 0);
    sym_module_add(nt, "KiArgumentTable", 0x80620000, 0);
    sym_module_add(nt, "KiCurrentThread", 0x80630000, 0);
    sym_module_add(nt, "ObpKernelHandleTable", 0x80630100, 0);
    sym_module_finish(nt);
    struct sym_module *ntdll = symtab_add_module(&S, "ntdll", 0x77f50000, 0x77ff0000);
    sym_module_add(ntdll, "ZwReadFile", 0x77f761e8, 0);
    sym_module_add(ntdll, "NtReadFile", 0x77f761e8, 0);
    sym_module_add(ntdll, "NtReadFileScatter", 0x77f761f8, 0);
    sym_module_finish(ntdll);
    ck_assert_int_eq(symtab_add_shared_user_data(&S), 0);

    F.regs = (struct kd_regs){ .eax = 0xb7, .edx = 0x0012ff78, .eip = 0x77f761e8, .esp = 0x0012ff70,
                               .efl = 0x246, .cs = 0x1b, .ss = 0x23, .ds = 0x23, .es = 0x23, .fs = 0x3b,
                               .cr0 = 0x80010031, .cr3 = 0x39000, .gdtr_base = 0x80036000, .gdtr_limit = 0x3ff,
                               .idtr_base = 0x80036400, .idtr_limit = 0x7ff, .tr = 0x28 };
    OUTF = open_memstream(&OUT, &OUT_LEN);
    ck_assert_int_eq(kd_init(&K, &TARGET, &S, OUTF), 0);
}

static void teardown(void)
{
    kd_free(&K);
    fclose(OUTF);
    free(OUT);
    OUT = NULL;
    symtab_free(&S);
    for (size_t i = 0; i < F.n; i++)
        free(F.r[i].bytes);
}

/* Runs one command; returns what it printed (valid until the next run). */
static const char *run(const char *cmd, enum kd_action expect)
{
    fclose(OUTF);
    free(OUT);
    OUT = NULL;
    OUTF = open_memstream(&OUT, &OUT_LEN);
    K.out = OUTF;
    ck_assert_int_eq(kd_exec(&K, cmd), expect);
    fflush(OUTF);
    return OUT;
}

#define HAS(text, needle) ck_assert_msg(strstr((text), (needle)) != NULL, "expected \"%s\" in:\n%s", (needle), (text))
#define LACKS(text, needle) ck_assert_msg(strstr((text), (needle)) == NULL, "did not expect \"%s\" in:\n%s", (needle), (text))
#define IS_ERROR(text) ck_assert_msg((text)[0] == '^' || strstr((text), "\n^ ") != NULL, "expected an error in:\n%s", (text))

/* ---------------------------------------------------------------- !descriptor */

static const uint8_t GATE_2E[8] = { 0xc0, 0x62, 0x08, 0x00, 0x00, 0xee, 0x46, 0x80 };
static const uint8_t FLAT_CODE[8] = { 0xff, 0xff, 0x00, 0x00, 0x00, 0x9b, 0xcf, 0x00 };

START_TEST(descriptor_idt_2e_as_in_the_article)
{
    map(0x80036570, GATE_2E, 8);
    map(0x80036008, FLAT_CODE, 8);
    struct sym_module *nt = (struct sym_module *)symtab_module(&S, "nt");
    sym_module_add(nt, "KiSystemServiceOld", 0x804662c0, 0);
    sym_module_finish(nt);
    const char *o = run("!descriptor IDT 2e", KD_STAY);
    HAS(o, "IDT base 80036400, limit 07ff; index 0x2e at 80036570\n");
    HAS(o, "80036570  c0 62 08 00 00 ee 46 80\n");
    HAS(o, "32-bit interrupt gate: present, DPL 3, system descriptor (S=0)\n");
    HAS(o, "target code segment selector 0008: GDT index 1, RPL 0\n");
    HAS(o, "target offset 804662c0 (nt!KiSystemServiceOld)\n");
    HAS(o, "--- the target code segment: GDT index 1 ---\n");
    HAS(o, "GDT base 80036000, limit 03ff; index 0x1 at 80036008\n");
    HAS(o, "80036008  ff ff 00 00 00 9b cf 00\n");
    HAS(o, "code segment: present, DPL 0, code/data descriptor (S=1)\n");
    HAS(o, "base 00000000, limit fffff in 4 KiB pages (last offset ffffffff, 4294967296 bytes)\n");
    HAS(o, "32-bit default operand size\n");
    HAS(o, "non-conforming, readable, accessed\n");
}
END_TEST

START_TEST(descriptor_gdt_segment_alone)
{
    map(0x80036008, FLAT_CODE, 8);
    const char *o = run("!descriptor gdt 1", KD_STAY);
    HAS(o, "80036008  ff ff 00 00 00 9b cf 00\n");
    HAS(o, "code segment: present, DPL 0");
    LACKS(o, "target code segment");
    /* a byte-granular 16-bit data segment, not present, expand-down, read-only */
    static const uint8_t data16[8] = { 0x34, 0x12, 0x00, 0x10, 0x20, 0x14, 0x00, 0x30 };
    map(0x80036010, data16, 8);
    o = run("!descriptor GDT 2", KD_STAY);
    HAS(o, "data segment: NOT present, DPL 0");
    HAS(o, "base 30201000, limit 01234 in bytes (last offset 00001234, 4661 bytes)");
    HAS(o, "expand-down, read-only, not accessed");
}
END_TEST

START_TEST(descriptor_errors_keep_the_session)
{
    IS_ERROR(run("!descriptor IDT 100", KD_STAY));          /* beyond the IDT limit (0x7ff: 256 entries) */
    IS_ERROR(run("!descriptor IDT 2e", KD_STAY));           /* the IDT is not readable here */
    IS_ERROR(run("!descriptor LDT 1", KD_STAY));            /* no LDT loaded */
    IS_ERROR(run("!descriptor TSS 1", KD_STAY));
    IS_ERROR(run("!descriptor IDT", KD_STAY));
    IS_ERROR(run("!descriptor IDT nosuchsymbol", KD_STAY));
    IS_ERROR(run("!descriptor IDT 2000", KD_STAY));
    /* a gate whose selector is null */
    static const uint8_t nullsel[8] = { 0xc0, 0x62, 0x00, 0x00, 0x00, 0xee, 0x46, 0x80 };
    map(0x80036570, nullsel, 8);
    const char *o = run("!descriptor IDT 2e", KD_STAY);
    HAS(o, "selector is null");
    F.regs_fail = true;
    IS_ERROR(run("!descriptor IDT 2e", KD_STAY));
}
END_TEST

/* ---------------------------------------------------------------- u */

START_TEST(u_ntdll_stub_like_the_article)
{
    static const uint8_t stub[] = { 0xb8, 0xb7, 0, 0, 0, 0xba, 0x00, 0x03, 0xfe, 0x7f, 0xff, 0xd2, 0xc2, 0x24, 0x00 };
    map(0x77f761e8, stub, sizeof(stub));
    const char *o = run("u ntdll!NtReadFile L4", KD_STAY);
    ck_assert_str_eq(o, "ntdll!NtReadFile:\n"
                        "77f761e8 b8b7000000       mov     eax,0xb7\n"
                        "77f761ed ba0003fe7f       mov     edx,0x7ffe0300\n"
                        "77f761f2 ffd2             call    edx\n"
                        "77f761f4 c22400           ret     0x24\n");
    /* Zw is the same address: shown under its Nt name */
    o = run("u ntdll!ZwReadFile L1", KD_STAY);
    HAS(o, "ntdll!NtReadFile:\n77f761e8 b8b7000000       mov     eax,0xb7\n");
    /* a bare u goes on; then runs off the mapped bytes into an error */
    o = run("u", KD_STAY);
    IS_ERROR(o);
    HAS(o, "77f761ed ba0003fe7f       mov     edx,0x7ffe0300\n");
}
END_TEST

START_TEST(u_nt_zw_stub_calls_ki_system_service)
{
    uint8_t zw[] = { 0xb8, 0xb7, 0, 0, 0, 0x8d, 0x54, 0x24, 0x04, 0x9c, 0x6a, 0x08, 0xe8, 0, 0, 0, 0, 0xc2, 0x24, 0x00 };
    put32(zw + 13, 0x8053a2fb - (0x80504d4c + 17));
    map(0x80504d4c, zw, sizeof(zw));
    const char *o = run("u nt!ZwReadFile L6", KD_STAY);
    ck_assert_str_eq(o, "nt!ZwReadFile:\n"
                        "80504d4c b8b7000000       mov     eax,0xb7\n"
                        "80504d51 8d542404         lea     edx,[esp+0x4]\n"
                        "80504d55 9c               pushfd\n"
                        "80504d56 6a08             push    0x8\n"
                        "80504d58 e89e550300       call    nt!KiSystemService (8053a2fb)\n"
                        "80504d5d c22400           ret     0x24\n");
}
END_TEST

START_TEST(u_bad_input)
{
    IS_ERROR(run("u", KD_STAY));                     /* nothing to go on from */
    IS_ERROR(run("u 0", KD_STAY));                   /* unmapped */
    IS_ERROR(run("u nt!NoSuchThing", KD_STAY));
    IS_ERROR(run("u 77f761e8 L0", KD_STAY));
    IS_ERROR(run("u 77f761e8 L100000", KD_STAY));
    IS_ERROR(run("u 77f761e8 77f761e9", KD_STAY));
    /* an instruction cut by unmapped memory is shown as ??? and u goes on a byte later */
    static const uint8_t cut[] = { 0xb8, 0x01 };
    map(0x00401000, cut, sizeof(cut));
    const char *o = run("u 401000 L2", KD_STAY);
    HAS(o, "00401000 b8               ???\n");
    HAS(o, "00401001 01");
    /* the last bytes of the address space */
    static const uint8_t top[] = { 0x90, 0x90 };
    map(0xfffffffe, top, 2);
    o = run("u fffffffe L4", KD_STAY);
    HAS(o, "fffffffe 90               nop\nffffffff 90               nop\n");
}
END_TEST

/* ---------------------------------------------------------------- ln, x, lm, rdmsr */

START_TEST(ln_exact_and_nearest)
{
    const char *o = run("ln 0x7ffe0300", KD_STAY);
    ck_assert_str_eq(o, "(7ffe0300)   SharedUserData!SystemCallStub\nExact matches:\n    SharedUserData!SystemCallStub\n");
    o = run("ln 8053a270", KD_STAY);
    ck_assert_str_eq(o, "(8053a270)   nt!KiFastCallEntry   |  (8053a2fb)   nt!KiSystemService\n"
                        "Exact matches:\n    nt!KiFastCallEntry\n");
    o = run("ln nt!KiSystemService+0x5c", KD_STAY);
    HAS(o, "(8053a2fb)   nt!KiSystemService+0x5c   |  (8056b000)   nt!NtNothing\n");
    LACKS(o, "Exact");
    o = run("ln 77f761e8", KD_STAY);
    HAS(o, "Exact matches:\n    ntdll!NtReadFile\n    ntdll!ZwReadFile\n");
    IS_ERROR(run("ln 1234", KD_STAY));
    IS_ERROR(run("ln", KD_STAY));
}
END_TEST

START_TEST(rdmsr_176_is_ki_fast_call_entry)
{
    ck_assert_str_eq(run("rdmsr 176", KD_STAY), "msr[176] = 00000000:8053a270\n");
    ck_assert_str_eq(run("rdmsr 0x174", KD_STAY), "msr[174] = 00000000:00000008\n");
    IS_ERROR(run("rdmsr c0000080", KD_STAY));
    IS_ERROR(run("rdmsr", KD_STAY));
}
END_TEST

START_TEST(x_and_lm)
{
    const char *o = run("x nt!Ki*", KD_STAY);
    ck_assert_str_eq(o, "8053a270          nt!KiFastCallEntry\n"
                        "8053a2fb          nt!KiSystemService\n"
                        "80610000          nt!KiServiceTable\n"
                        "80620000          nt!KiArgumentTable\n"
                        "80630000          nt!KiCurrentThread\n");
    o = run("x *!*ReadFile", KD_STAY);
    HAS(o, "nt!ZwReadFile");
    HAS(o, "ntdll!NtReadFile");
    HAS(o, "nt!NtReadFile");
    LACKS(o, "Scatter");
    HAS(run("x nt!Nope*", KD_STAY), "No symbols match");
    IS_ERROR(run("x nosuch!*", KD_STAY));
    IS_ERROR(run("x", KD_STAY));
    o = run("lm", KD_STAY);
    HAS(o, "start    end        module name\n77f50000 77ff0000   ntdll ");
    HAS(o, "7ffe0000 7ffe1000   SharedUserData (synthetic)");
    HAS(o, "80400000 80700000   nt ");
}
END_TEST

/* ---------------------------------------------------------------- r, d* */

START_TEST(registers)
{
    static const uint8_t stub[] = { 0xb8, 0xb7, 0, 0, 0 };
    map(0x77f761e8, stub, sizeof(stub));
    const char *o = run("r", KD_STAY);
    HAS(o, "eax=000000b7 ebx=00000000 ecx=00000000 edx=0012ff78 esi=00000000 edi=00000000\n");
    HAS(o, "eip=77f761e8 esp=0012ff70 ebp=00000000 iopl=0         nv up ei pl zr na pe nc\n");
    HAS(o, "cs=001b  ss=0023  ds=0023  es=0023  fs=003b  gs=0000             efl=00000246\n");
    HAS(o, "ntdll!NtReadFile:\n77f761e8 b8b7000000       mov     eax,0xb7\n");
    ck_assert_str_eq(run("r eax", KD_STAY), "eax=000000b7\n");
    ck_assert_str_eq(run("r cs cr0 idtr", KD_STAY), "cs=001b\ncr0=80010031\nidtr=80036400\n");
    IS_ERROR(run("r xyz", KD_STAY));
    IS_ERROR(run("r eax=1", KD_STAY));
    F.regs_fail = true;
    IS_ERROR(run("r", KD_STAY));
}
END_TEST

START_TEST(dump_memory_with_holes)
{
    static const uint8_t stub[] = { 0x8b, 0xd4, 0x0f, 0x34, 0xc3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
    map(0x7ffe0300, stub, sizeof(stub));
    ck_assert_str_eq(run("db 7ffe0300 L10", KD_STAY),
                     "7ffe0300  8b d4 0f 34 c3 00 00 00-00 00 00 00 00 00 00 00  ...4............\n");
    ck_assert_str_eq(run("dd SharedUserData!SystemCallStub L4", KD_STAY),
                     "7ffe0300  340fd48b 000000c3 00000000 00000000\n");
    ck_assert_str_eq(run("dw 7ffe0300 L3", KD_STAY), "7ffe0300  d48b 340f 00c3\n");
    /* the last dword runs off the mapping */
    ck_assert_str_eq(run("dd 7ffe0308 L3", KD_STAY), "7ffe0308  00000000 00000000 ????????\n");
    ck_assert_str_eq(run("db 7ffe030e L4", KD_STAY),
                     "7ffe030e  00 00 ?? ??                                      ..??\n");
    /* a bare dd goes on where the last one stopped */
    ck_assert_str_eq(run("dd", KD_STAY), "7ffe0312  ???????? ???????? ???????? ????????\n"
                                         "7ffe0322  ???????? ???????? ???????? ????????\n"
                                         "7ffe0332  ???????? ???????? ???????? ????????\n"
                                         "7ffe0342  ???????? ???????? ???????? ????????\n"
                                         "7ffe0352  ???????? ???????? ???????? ????????\n"
                                         "7ffe0362  ???????? ???????? ???????? ????????\n"
                                         "7ffe0372  ???????? ???????? ???????? ????????\n"
                                         "7ffe0382  ???????? ???????? ???????? ????????\n");
    IS_ERROR(run("db fffffff8 L10", KD_STAY));      /* past 4 GiB */
    IS_ERROR(run("dd 0 L0", KD_STAY));
    IS_ERROR(run("dd 0 L5000", KD_STAY));          /* more than 64 KiB */
}
END_TEST

/* ---------------------------------------------------------------- expressions, dispatch */

START_TEST(expressions_and_dispatch)
{
    uint32_t v;
    ck_assert_int_eq(kd_eval(&K, "nt!KiSystemService+0x5c", &v), 0);
    ck_assert_uint_eq(v, 0x8053a357);
    ck_assert_int_eq(kd_eval(&K, "0n10+10", &v), 0);
    ck_assert_uint_eq(v, 26);
    ck_assert_int_eq(kd_eval(&K, "@edx-8", &v), 0);
    ck_assert_uint_eq(v, 0x0012ff70);
    ck_assert_int_eq(kd_eval(&K, "00000000`8053a270", &v), 0);
    ck_assert_uint_eq(v, 0x8053a270);
    ck_assert_int_eq(kd_eval(&K, "KiFastCallEntry", &v), 0);   /* a bare name: every module */
    ck_assert_uint_eq(v, 0x8053a270);
    ck_assert_int_eq(kd_eval(&K, "ntdll", &v), 0);             /* a module: its base */
    ck_assert_uint_eq(v, 0x77f50000);
    ck_assert_int_eq(kd_eval(&K, "NTDLL!ntreadfile", &v), 0);  /* any case */
    ck_assert_uint_eq(v, 0x77f761e8);
    ck_assert_int_eq(kd_eval(&K, "100000000", &v), -1);        /* more than 32 bits */
    ck_assert_int_eq(kd_eval(&K, "nt!", &v), -1);
    ck_assert_int_eq(kd_eval(&K, "+", &v), -1);
    ck_assert_int_eq(kd_eval(&K, "@nosuchreg", &v), -1);
    ck_assert_int_eq(kd_eval(&K, "0nabc", &v), -1);
    char longexpr[2000];
    memset(longexpr, 'a', sizeof(longexpr) - 1);
    longexpr[sizeof(longexpr) - 1] = '\0';
    ck_assert_int_eq(kd_eval(&K, longexpr, &v), -1);
    IS_ERROR(run(longexpr, KD_STAY));
    IS_ERROR(run("bogus", KD_STAY));
    IS_ERROR(run("u\x01", KD_STAY));
    ck_assert_str_eq(run("   ", KD_STAY), "");
    run("g", KD_GO);
    run("q", KD_QUIT);
    HAS(run("help", KD_STAY), "!descriptor");
}
END_TEST

static int collect(void *ctx, const char *cmd)
{
    char *acc = ctx;
    strcat(acc, "[");
    strcat(acc, cmd);
    strcat(acc, "]");
    return !strcmp(cmd, "stop") ? 7 : 0;
}

START_TEST(split_commands)
{
    char acc[256] = "";
    ck_assert_int_eq(kd_split_commands("u ntdll!NtReadFile; ;  rdmsr 176;ln 8053a270  ", collect, acc), 0);
    ck_assert_str_eq(acc, "[u ntdll!NtReadFile][rdmsr 176][ln 8053a270  ]");
    acc[0] = '\0';
    ck_assert_int_eq(kd_split_commands("a;stop;b", collect, acc), 7);
    ck_assert_str_eq(acc, "[a][stop]");
}
END_TEST

/* ---------------------------------------------------------------- !sst, dt, !thread, !handle */

static void map_service_table(uint32_t limit, uint32_t hook_index)
{
    uint8_t sdt[KD_KSERVICE_TABLE_SIZE * 4] = { 0 };
    put32(sdt + KD_KSERVICE_TABLE_BASE, 0x80610000);
    put32(sdt + KD_KSERVICE_TABLE_LIMIT, limit);
    put32(sdt + KD_KSERVICE_TABLE_NUMBER, 0x80620000);
    map(0x80600000, sdt, sizeof(sdt));
    uint8_t table[0xb8 * 4], args[0xb8];
    for (unsigned i = 0; i < 0xb8; i++) {
        put32(table + 4 * i, i == 0xb7 ? 0x8056b2ec : i == hook_index ? 0x00401000 : 0x8056b000);
        args[i] = i == 0xb7 ? 0x24 : 4;
    }
    map(0x80610000, table, sizeof(table));
    map(0x80620000, args, sizeof(args));
}

START_TEST(sst_lists_services_and_flags_hooks)
{
    map_service_table(0xb8, 5);
    const char *o = run("!sst", KD_STAY);
    HAS(o, "KeServiceDescriptorTable[0] at 80600000: Base 80610000 (nt!KiServiceTable), Limit 0xb8, "
           "Number 80620000 (nt!KiArgumentTable)\n");
    HAS(o, "\nb7: 0x8056b2ec  (nt!NtReadFile)  args 0x24 (9)\n");
    HAS(o, "\n0: 0x8056b000  (nt!NtNothing)  args 0x04 (1)\n");
    HAS(o, "\n5: 0x00401000  (00401000)  args 0x04 (1)  *** HOOK: outside nt\n");
    HAS(o, "184 services, 1 outside nt (hooked)\n");
    HAS(run("!sst 1", KD_STAY), "table 1 is empty");
    IS_ERROR(run("!sst 4", KD_STAY));
    HAS(run("!osrexts.sst", KD_STAY), "b7: 0x8056b2ec");
}
END_TEST

START_TEST(sst_with_hostile_limit)
{
    map_service_table(0xFFFFFFFF, 1000);
    const char *o = run("!sst", KD_STAY);
    HAS(o, "^ Limit 0xffffffff is more than 0x1000");
    HAS(o, "^ Memory access error at 806102e0 (entry 0xb8): stopping");
    HAS(o, "184 services, 0 outside nt\n");
}
END_TEST

START_TEST(sst_without_symbols_or_memory)
{
    IS_ERROR(run("!sst", KD_STAY));   /* KeServiceDescriptorTable unreadable */
    symtab_free(&S);
    symtab_init(&S);
    IS_ERROR(run("!sst", KD_STAY));   /* no symbol */
    IS_ERROR(run("!thread", KD_STAY));
    HAS(run("!handle", KD_STAY), "no object manager");
}
END_TEST

static void map_thread(void)
{
    uint8_t cur[4];
    put32(cur, 0x80640000);
    map(0x80630000, cur, 4);
    uint8_t kt[KD_KTHREAD_SIZE] = { 0 };
    kt[KD_KTHREAD_PREVIOUS_MODE] = 1;
    put32(kt + KD_KTHREAD_PROCESS, 0x80650000);
    put32(kt + KD_KTHREAD_THREAD_ID, 0x14);
    put32(kt + KD_KTHREAD_TRAP_FRAME, 0x80660000);
    map(0x80640000, kt, sizeof(kt));
    uint8_t ep[KD_EPROCESS_SIZE] = { 0 };
    put32(ep + KD_EPROCESS_UNIQUE_PROCESS_ID, 0x10);
    put32(ep + KD_EPROCESS_DIRECTORY_TABLE_BASE, 0x39000);
    memcpy(ep + KD_EPROCESS_IMAGE_FILE_NAME, "hello.exe\x01", 10);
    put32(ep + KD_EPROCESS_OBJECT_TABLE + KD_HANDLE_TABLE_TABLE, 0x80670000);
    put32(ep + KD_EPROCESS_OBJECT_TABLE + KD_HANDLE_TABLE_CAPACITY, 4);
    put32(ep + KD_EPROCESS_OBJECT_TABLE + KD_HANDLE_TABLE_HANDLE_COUNT, 1);
    map(0x80650000, ep, sizeof(ep));
    /* entry 2: an object whose header names the type "File" */
    uint8_t entries[4 * KD_HANDLE_ENTRY_SIZE] = { 0 };
    put32(entries + 2 * KD_HANDLE_ENTRY_SIZE + KD_HANDLE_ENTRY_OBJECT, 0x80680000);
    put32(entries + 2 * KD_HANDLE_ENTRY_SIZE + KD_HANDLE_ENTRY_ACCESS, 0x001f01ff);
    map(0x80670000, entries, sizeof(entries));
    uint8_t oh[KD_OBJECT_HEADER_SIZE] = { 0 };
    put32(oh + KD_OBJECT_HEADER_POINTER_COUNT, 2);
    put32(oh + KD_OBJECT_HEADER_HANDLE_COUNT, 1);
    put32(oh + KD_OBJECT_HEADER_TYPE, 0x80690000);
    map(0x80680000, oh, sizeof(oh));
    uint8_t type[4];
    put32(type, 0x80690100);
    map(0x80690000, type, 4);
    map(0x80690100, "File", 5);
    /* the kernel table: capacity beyond reason, entries unreadable */
    uint8_t kt_table[KD_HANDLE_TABLE_SIZE] = { 0 };
    put32(kt_table + KD_HANDLE_TABLE_TABLE, 0x806a0000);
    put32(kt_table + KD_HANDLE_TABLE_CAPACITY, 0x7fffffff);
    kt_table[KD_HANDLE_TABLE_KERNEL_TABLE] = 1;
    map(0x80630100, kt_table, sizeof(kt_table));
}

START_TEST(thread_handles_and_dt)
{
    map_thread();
    const char *o = run("!thread", KD_STAY);
    HAS(o, "THREAD 80640000  Cid 0010.0014  RUNNING on processor 0\n");
    HAS(o, "PreviousMode       UserMode (1)\n");
    HAS(o, "Owning Process     80650000  Cid 0010  Image: hello.exe.  DirBase: 00039000\n");
    HAS(o, "CPL 3 (user mode), eip 77f761e8 (ntdll!NtReadFile)");
    o = run("!handle", KD_STAY);
    HAS(o, "PROCESS 80650000  Cid 0010  Image: hello.exe.\n");
    HAS(o, "process handle table at 80650020: 1 handle in use, capacity 4, entries at 80670000\n");
    HAS(o, "0008: Object: 80680010  GrantedAccess: 001f01ff  Type: File  (PointerCount 2, HandleCount 1)\n");
    HAS(o, "1 handle listed\n");
    o = run("!handle kernel", KD_STAY);
    HAS(o, "Capacity 2147483647 is implausible");
    HAS(o, "Memory access error at 806a0008");
    IS_ERROR(run("!handle everything", KD_STAY));

    o = run("dt nt!_KTHREAD 80640000", KD_STAY);
    HAS(o, "nt!_KTHREAD at 80640000\n");
    HAS(o, "   +0x000 PreviousMode         : 1 (UserMode)\n");
    HAS(o, "   +0x004 Process              : 0x80650000");
    HAS(o, "   +0x008 ThreadId             : 0x14\n");
    o = run("dt EPROCESS 80650000", KD_STAY);
    HAS(o, "   +0x010 ImageFileName        : \"hello.exe.\"\n");
    HAS(o, "   +0x020 ObjectTable          : _HANDLE_TABLE\n      +0x000 Table                : 0x80670000");
    o = run("dt _KSERVICE_TABLE_DESCRIPTOR", KD_STAY);
    HAS(o, "nt!_KSERVICE_TABLE_DESCRIPTOR (0x10 bytes)\n   +0x000 Base                 : Ptr32 Uint4B\n");
    HAS(run("dt ktrap_frame", KD_STAY), "+0x034 Eip                  : Ptr32 Void\n");
    IS_ERROR(run("dt KTHREAD 0", KD_STAY));
    IS_ERROR(run("dt _FOO", KD_STAY));
    IS_ERROR(run("dt", KD_STAY));
    IS_ERROR(run("dt ntdll!_KTHREAD", KD_STAY));
}
END_TEST

/* ---------------------------------------------------------------- disassembler */

START_TEST(windbg_operands)
{
    char out[128];
    disasm_windbg_ops("eax, 0xb7", out, sizeof(out));
    ck_assert_str_eq(out, "eax,0xb7");
    disasm_windbg_ops("edx, [esp + 4]", out, sizeof(out));
    ck_assert_str_eq(out, "edx,[esp+0x4]");
    disasm_windbg_ops("eax, dword ptr [edi + ebx*4 - 8]", out, sizeof(out));
    ck_assert_str_eq(out, "eax,dword ptr [edi+ebx*4-0x8]");
    disasm_windbg_ops("st(1)", out, sizeof(out));
    ck_assert_str_eq(out, "st(1)");
    disasm_windbg_ops("xmm1, xmm2", out, sizeof(out));
    ck_assert_str_eq(out, "xmm1,xmm2");
    disasm_windbg_ops("8", out, 3);   /* cut, always terminated */
    ck_assert_str_eq(out, "0x");
}
END_TEST

/* ---------------------------------------------------------------- ELF symbol files */

/* A minimal ELF32 i386 executable: one PT_LOAD at 0x77f50000, a symtab and strtab. */
struct tiny_elf { uint8_t b[1024]; size_t size; };

static void make_elf(struct tiny_elf *e)
{
    memset(e, 0, sizeof(*e));
    Elf32_Ehdr eh = { 0 };
    memcpy(eh.e_ident, ELFMAG, SELFMAG);
    eh.e_ident[EI_CLASS] = ELFCLASS32;
    eh.e_ident[EI_DATA] = ELFDATA2LSB;
    eh.e_ident[EI_VERSION] = EV_CURRENT;
    eh.e_type = ET_EXEC;
    eh.e_machine = EM_386;
    eh.e_version = EV_CURRENT;
    eh.e_entry = 0x77f50000;
    eh.e_phoff = 52;
    eh.e_phentsize = sizeof(Elf32_Phdr);
    eh.e_phnum = 1;
    eh.e_shoff = 128;
    eh.e_shentsize = sizeof(Elf32_Shdr);
    eh.e_shnum = 3;
    eh.e_ehsize = sizeof(eh);
    memcpy(e->b, &eh, sizeof(eh));
    Elf32_Phdr ph = { .p_type = PT_LOAD, .p_vaddr = 0x77f50000, .p_memsz = 0x2000, .p_filesz = 0 };
    memcpy(e->b + 52, &ph, sizeof(ph));
    /* strtab at 400, symtab at 500 */
    static const char strtab[] = "\0NtReadFile\0ZwReadFile\0Bad!Name\0NtClose\0";
    memcpy(e->b + 400, strtab, sizeof(strtab));
    Elf32_Shdr sh[3] = { { 0 } };
    sh[1] = (Elf32_Shdr){ .sh_type = SHT_SYMTAB, .sh_offset = 500, .sh_size = 6 * sizeof(Elf32_Sym),
                          .sh_link = 2, .sh_entsize = sizeof(Elf32_Sym) };
    sh[2] = (Elf32_Shdr){ .sh_type = SHT_STRTAB, .sh_offset = 400, .sh_size = sizeof(strtab) };
    memcpy(e->b + 128, sh, sizeof(sh));
    Elf32_Sym syms[6] = { { 0 } };
    syms[1] = (Elf32_Sym){ .st_name = 12, .st_value = 0x77f50010, .st_info = ELF32_ST_INFO(STB_GLOBAL, STT_FUNC), .st_shndx = 1 };
    syms[2] = (Elf32_Sym){ .st_name = 1, .st_value = 0x77f50010, .st_info = ELF32_ST_INFO(STB_GLOBAL, STT_FUNC), .st_shndx = 1 };
    syms[3] = (Elf32_Sym){ .st_name = 23, .st_value = 0x77f50020, .st_info = ELF32_ST_INFO(STB_GLOBAL, STT_FUNC), .st_shndx = 1 };
    syms[4] = (Elf32_Sym){ .st_name = 32, .st_value = 0x12345678, .st_info = ELF32_ST_INFO(STB_GLOBAL, STT_FUNC), .st_shndx = 1 };
    syms[5] = (Elf32_Sym){ .st_name = 32, .st_value = 0x77f50030, .st_info = ELF32_ST_INFO(STB_GLOBAL, STT_FUNC), .st_shndx = SHN_ABS };
    memcpy(e->b + 500, syms, sizeof(syms));
    e->size = 500 + sizeof(syms);
}

static int load(struct tiny_elf *e, char *err)
{
    struct symtab t;
    symtab_init(&t);
    int rc = symtab_load_elf(&t, "ntdll", "ntdll.dll", e->b, e->size, err, 256);
    symtab_free(&t);
    return rc;
}

START_TEST(elf_symbols_load)
{
    struct tiny_elf e;
    char err[256];
    make_elf(&e);
    struct symtab t;
    symtab_init(&t);
    ck_assert_int_eq(symtab_load_elf(&t, "ntdll", "ntdll.dll", e.b, e.size, err, sizeof(err)), 0);
    const struct sym_module *m = symtab_module(&t, "ntdll");
    ck_assert_ptr_nonnull(m);
    ck_assert_uint_eq(m->base, 0x77f50000);
    ck_assert_uint_eq(m->end, 0x77f52000);
    ck_assert_uint_eq(m->n, 2);   /* Bad!Name, the one outside the image and the absolute one are skipped */
    char name[64];
    ck_assert(symtab_format(&t, 0x77f50010, name, sizeof(name)));
    ck_assert_str_eq(name, "ntdll!NtReadFile");   /* Nt before Zw at one address */
    ck_assert(symtab_format(&t, 0x77f50015, name, sizeof(name)));
    ck_assert_str_eq(name, "ntdll!NtReadFile+0x5");   /* offsets from the preferred name */
    symtab_free(&t);
}
END_TEST

START_TEST(elf_hostile_files)
{
    struct tiny_elf e;
    char err[256];
    make_elf(&e);
    e.size = 30;
    ck_assert_int_eq(load(&e, err), -1);                       /* truncated header */
    make_elf(&e);
    e.b[0] = 'X';
    ck_assert_int_eq(load(&e, err), -1);
    HAS(err, "not an ELF");
    make_elf(&e);
    e.b[EI_CLASS] = ELFCLASS64;
    ck_assert_int_eq(load(&e, err), -1);
    make_elf(&e);
    put32(e.b + 28, 0xFFFFFFF0);                               /* e_phoff */
    ck_assert_int_eq(load(&e, err), -1);
    HAS(err, "program header");
    make_elf(&e);
    put32(e.b + 32, 1020);                                     /* e_shoff: the table runs off the file */
    ck_assert_int_eq(load(&e, err), -1);
    HAS(err, "section header");
    make_elf(&e);
    put32(e.b + 128 + 40 + 16, 0x7FFFFFFF);                    /* symtab sh_offset */
    ck_assert_int_eq(load(&e, err), -1);
    HAS(err, "symbol table");
    make_elf(&e);
    put32(e.b + 128 + 40 + 20, 0xFFFFFFF0);                    /* symtab sh_size */
    ck_assert_int_eq(load(&e, err), -1);
    make_elf(&e);
    put32(e.b + 128 + 40 + 36, 8);                             /* symtab sh_entsize */
    ck_assert_int_eq(load(&e, err), -1);
    make_elf(&e);
    put32(e.b + 128 + 40 + 24, 9);                             /* sh_link out of range */
    ck_assert_int_eq(load(&e, err), -1);
    make_elf(&e);
    e.b[400 + 40] = 'x';                                       /* strtab not NUL-terminated */
    ck_assert_int_eq(load(&e, err), -1);
    HAS(err, "string table");
    make_elf(&e);
    put32(e.b + 52 + 20, 0xFFFFFFFF);                          /* p_memsz past 4 GiB */
    ck_assert_int_eq(load(&e, err), -1);
    make_elf(&e);
    put32(e.b + 128 + 40 + 4, SHT_PROGBITS);                   /* stripped */
    ck_assert_int_eq(load(&e, err), -1);
    HAS(err, "no symbol table");
    /* a symbol whose name offset points past the string table is skipped, not read */
    make_elf(&e);
    put32(e.b + 500 + 16, 0x7FFFFFFF);
    ck_assert_int_eq(load(&e, err), 0);
    /* file that does not exist */
    struct symtab t;
    symtab_init(&t);
    ck_assert_int_eq(symtab_load_elf_file(&t, "nt", "/nonexistent/ntoskrnl.exe", err, sizeof(err)), -1);
    symtab_free(&t);
}
END_TEST

START_TEST(symtab_limits)
{
    struct symtab t;
    symtab_init(&t);
    ck_assert_ptr_null(symtab_add_module(&t, "bad!name", 0, 10));
    ck_assert_ptr_null(symtab_add_module(&t, "empty", 10, 10));
    ck_assert_ptr_nonnull(symtab_add_module(&t, "a", 0, 10));
    ck_assert_ptr_null(symtab_add_module(&t, "A", 20, 30));   /* taken, any case */
    char name[16];
    for (int i = 1; i < SYM_MAX_MODULES; i++) {
        snprintf(name, sizeof(name), "m%d", i);
        ck_assert_ptr_nonnull(symtab_add_module(&t, name, 100u * (unsigned)i, 100u * (unsigned)i + 10));
    }
    ck_assert_ptr_null(symtab_add_module(&t, "full", 1u << 30, (1u << 30) + 1));
    struct sym_module *m = &t.mods[0];
    ck_assert_int_eq(sym_module_add(m, "", 1, 0), -1);
    ck_assert_int_eq(sym_module_add(m, "has space", 1, 0), -1);
    char big[SYM_MAX_NAME + 2];
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    ck_assert_int_eq(sym_module_add(m, big, 1, 0), -1);
    uint32_t v;
    ck_assert(!symtab_lookup(&t, "a!", &v));
    ck_assert(!symtab_lookup(&t, "!x", &v));
    ck_assert(!symtab_lookup(&t, "nosuchmodule!x", &v));
    symtab_free(&t);
}
END_TEST

static Suite *kd_suite(void)
{
    Suite *s = suite_create("kd");
    TCase *tc = tcase_create("commands");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, descriptor_idt_2e_as_in_the_article);
    tcase_add_test(tc, descriptor_gdt_segment_alone);
    tcase_add_test(tc, descriptor_errors_keep_the_session);
    tcase_add_test(tc, u_ntdll_stub_like_the_article);
    tcase_add_test(tc, u_nt_zw_stub_calls_ki_system_service);
    tcase_add_test(tc, u_bad_input);
    tcase_add_test(tc, ln_exact_and_nearest);
    tcase_add_test(tc, rdmsr_176_is_ki_fast_call_entry);
    tcase_add_test(tc, x_and_lm);
    tcase_add_test(tc, registers);
    tcase_add_test(tc, dump_memory_with_holes);
    tcase_add_test(tc, expressions_and_dispatch);
    tcase_add_test(tc, split_commands);
    tcase_add_test(tc, sst_lists_services_and_flags_hooks);
    tcase_add_test(tc, sst_with_hostile_limit);
    tcase_add_test(tc, sst_without_symbols_or_memory);
    tcase_add_test(tc, thread_handles_and_dt);
    tcase_add_test(tc, windbg_operands);
    suite_add_tcase(s, tc);
    TCase *elf = tcase_create("symbols");
    tcase_add_test(elf, elf_symbols_load);
    tcase_add_test(elf, elf_hostile_files);
    tcase_add_test(elf, symtab_limits);
    suite_add_tcase(s, elf);
    return s;
}

int main(void)
{
    return check_run(kd_suite());
}
