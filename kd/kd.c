/*
 * kd's command loop: the dispatcher, address expressions, and the small
 * commands (ln, x, lm, rdmsr, r, g, q, help). The other command families are
 * in kd_mem.c (u, db/dw/dd), kd_desc.c (!descriptor) and kd_nt.c (dt, !sst,
 * !thread, !handle).
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "ntdb/disasm.h"
#include "kd.h"

#define KD_MAX_LINE 1024

int kd_init(struct kd *kd, const struct kd_target *target, const struct symtab *syms, FILE *out)
{
    memset(kd, 0, sizeof(*kd));
    kd->target = target;
    kd->syms = syms;
    kd->out = out;
    kd->dis = disasm_open();
    return kd->dis ? 0 : -1;
}

void kd_free(struct kd *kd)
{
    disasm_close(kd->dis);
    kd->dis = NULL;
}

void kd_error(struct kd *kd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("^ ", kd->out);
    vfprintf(kd->out, fmt, ap);
    fputc('\n', kd->out);
    va_end(ap);
}

bool kd_read(struct kd *kd, uint32_t va, void *buf, size_t len)
{
    if (!len)
        return true;
    return kd->target->read_virt(kd->target->ctx, va, buf, len) == len;
}

bool kd_read_u32(struct kd *kd, uint32_t va, uint32_t *v)
{
    uint8_t b[4];
    if (!kd_read(kd, va, b, 4))
        return false;
    *v = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
    return true;
}

const char *kd_symbolize(struct kd *kd, uint32_t addr, char *buf, size_t len)
{
    if (!symtab_format(kd->syms, addr, buf, len))
        snprintf(buf, len, "%08x", addr);
    return buf;
}

/* ---------------------------------------------------------------- expressions */

static bool parse_hex(const char *s, size_t len, uint32_t *v)
{
    if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        s += 2;
        len -= 2;
    }
    uint64_t x = 0;
    size_t digits = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '`')
            continue;               /* WinDbg's 00000000`8053a270 */
        if (!isxdigit((unsigned char)s[i]))
            return false;
        x = x * 16 + (uint64_t)(isdigit((unsigned char)s[i]) ? s[i] - '0' : (tolower((unsigned char)s[i]) - 'a' + 10));
        if (x > 0xFFFFFFFFull)
            return false;
        digits++;
    }
    if (!digits)
        return false;
    *v = (uint32_t)x;
    return true;
}

static bool parse_dec(const char *s, size_t len, uint32_t *v)
{
    uint64_t x = 0;
    if (!len)
        return false;
    for (size_t i = 0; i < len; i++) {
        if (!isdigit((unsigned char)s[i]))
            return false;
        x = x * 10 + (uint64_t)(s[i] - '0');
        if (x > 0xFFFFFFFFull)
            return false;
    }
    *v = (uint32_t)x;
    return true;
}

static int eval_term(struct kd *kd, const char *s, size_t len, uint32_t *v)
{
    char term[300];
    if (len == 0 || len >= sizeof(term)) {
        kd_error(kd, "Syntax error in expression");
        return -1;
    }
    memcpy(term, s, len);
    term[len] = '\0';
    if (term[0] == '@' || term[0] == '$') {
        struct kd_regs r;
        if (kd->target->get_regs(kd->target->ctx, &r) < 0) {
            kd_error(kd, "Cannot read the registers");
            return -1;
        }
        if (!kd_reg_value(&r, term + 1, v)) {
            kd_error(kd, "Bad register '%s'", term + 1);
            return -1;
        }
        return 0;
    }
    if (len > 2 && term[0] == '0' && (term[1] == 'n' || term[1] == 'N')) {
        if (parse_dec(term + 2, len - 2, v))
            return 0;
        kd_error(kd, "Bad decimal number '%s'", term);
        return -1;
    }
    if (parse_hex(term, len, v) || symtab_lookup(kd->syms, term, v))
        return 0;
    kd_error(kd, "Couldn't resolve '%s'", term);
    return -1;
}

int kd_eval(struct kd *kd, const char *expr, uint32_t *value)
{
    uint32_t acc = 0;
    int sign = 1;
    const char *p = expr;
    if (*p == '-') {
        sign = -1;
        p++;
    } else if (*p == '+') {
        p++;
    }
    for (;;) {
        size_t len = strcspn(p, "+-");
        uint32_t v;
        if (eval_term(kd, p, len, &v) < 0)
            return -1;
        acc = sign > 0 ? acc + v : acc - v;
        p += len;
        if (!*p)
            break;
        sign = *p == '+' ? 1 : -1;
        p++;
    }
    *value = acc;
    return 0;
}

int kd_parse_count(struct kd *kd, const char *word, uint32_t max, uint32_t *n)
{
    uint32_t v;
    if ((word[0] != 'L' && word[0] != 'l') || !word[1]) {
        kd_error(kd, "Expected L<count>, not '%s'", word);
        return -1;
    }
    bool ok = (word[1] == '0' && (word[2] == 'n' || word[2] == 'N')) ? parse_dec(word + 3, strlen(word + 3), &v)
                                                                     : parse_hex(word + 1, strlen(word + 1), &v);
    if (!ok || v == 0 || v > max) {
        kd_error(kd, "Range error: count '%s' must be 1..0x%x", word + 1, max);
        return -1;
    }
    *n = v;
    return 0;
}

/* ---------------------------------------------------------------- r */

bool kd_reg_value(const struct kd_regs *r, const char *name, uint32_t *value)
{
    const struct { const char *name; uint32_t v; } regs[] = {
        { "eax", r->eax }, { "ebx", r->ebx }, { "ecx", r->ecx }, { "edx", r->edx },
        { "esi", r->esi }, { "edi", r->edi }, { "ebp", r->ebp }, { "esp", r->esp },
        { "eip", r->eip }, { "efl", r->efl }, { "cs", r->cs }, { "ss", r->ss },
        { "ds", r->ds }, { "es", r->es }, { "fs", r->fs }, { "gs", r->gs },
        { "cr0", r->cr0 }, { "cr2", r->cr2 }, { "cr3", r->cr3 }, { "cr4", r->cr4 },
        { "gdtr", r->gdtr_base }, { "gdtl", r->gdtr_limit }, { "idtr", r->idtr_base },
        { "idtl", r->idtr_limit }, { "tr", r->tr }, { "ldtr", r->ldtr },
        { "ip", r->eip }, { "sp", r->esp }, { "pc", r->eip },
    };
    for (size_t i = 0; i < sizeof(regs) / sizeof(regs[0]); i++) {
        if (!strcasecmp(name, regs[i].name)) {
            *value = regs[i].v;
            return true;
        }
    }
    return false;
}

static void print_flags(FILE *out, uint32_t f)
{
    fprintf(out, "iopl=%u         %s %s %s %s %s %s %s %s\n", (f >> 12) & 3, f & 0x800 ? "ov" : "nv",
            f & 0x400 ? "dn" : "up", f & 0x200 ? "ei" : "di", f & 0x80 ? "ng" : "pl", f & 0x40 ? "zr" : "nz",
            f & 0x10 ? "ac" : "na", f & 0x4 ? "pe" : "po", f & 0x1 ? "cy" : "nc");
}

void kd_cmd_regs(struct kd *kd, const char *args)
{
    struct kd_regs r;
    if (kd->target->get_regs(kd->target->ctx, &r) < 0) {
        kd_error(kd, "Cannot read the registers");
        return;
    }
    if (*args) {
        if (strchr(args, '=')) {
            kd_error(kd, "kd does not change the guest's registers");
            return;
        }
        char buf[KD_MAX_LINE];
        snprintf(buf, sizeof(buf), "%s", args);
        for (char *save, *name = strtok_r(buf, " ,\t", &save); name; name = strtok_r(NULL, " ,\t", &save)) {
            uint32_t v;
            if (!kd_reg_value(&r, name, &v)) {
                kd_error(kd, "Bad register error in 'r %s'", name);
                return;
            }
            static const char *const narrow[] = { "cs", "ss", "ds", "es", "fs", "gs", "tr", "ldtr", "gdtl", "idtl" };
            int width = 8;
            for (size_t i = 0; i < sizeof(narrow) / sizeof(narrow[0]); i++)
                if (!strcasecmp(name, narrow[i]))
                    width = 4;
            fprintf(kd->out, "%s=%0*x\n", name, width, v);
        }
        return;
    }
    fprintf(kd->out, "eax=%08x ebx=%08x ecx=%08x edx=%08x esi=%08x edi=%08x\n", r.eax, r.ebx, r.ecx, r.edx,
            r.esi, r.edi);
    fprintf(kd->out, "eip=%08x esp=%08x ebp=%08x ", r.eip, r.esp, r.ebp);
    print_flags(kd->out, r.efl);
    fprintf(kd->out, "cs=%04x  ss=%04x  ds=%04x  es=%04x  fs=%04x  gs=%04x             efl=%08x\n", r.cs, r.ss,
            r.ds, r.es, r.fs, r.gs, r.efl);
    char cmd[32];
    snprintf(cmd, sizeof(cmd), "%x L1", r.eip);
    kd_cmd_unassemble(kd, cmd);
}

/* ---------------------------------------------------------------- ln, x, lm */

void kd_cmd_ln(struct kd *kd, const char *args)
{
    uint32_t addr;
    if (!*args) {
        kd_error(kd, "Usage: ln <address>");
        return;
    }
    if (kd_eval(kd, args, &addr) < 0)
        return;
    const struct sym_module *m;
    const struct sym *before, *after;
    char name[300];
    if (!symtab_nearest(kd->syms, addr, &m, &before, &after) || (!before && !after)) {
        kd_error(kd, "No symbols near %08x", addr);
        return;
    }
    if (before) {
        symtab_format(kd->syms, addr, name, sizeof(name));
        fprintf(kd->out, "(%08x)   %s", before->addr, name);
    }
    if (after)
        fprintf(kd->out, "%s(%08x)   %s!%s", before ? "   |  " : "", after->addr, m->name, after->name);
    fputc('\n', kd->out);
    const struct sym *first;
    size_t n = sym_module_at(m, addr, &first);
    if (n) {
        fprintf(kd->out, "Exact matches:\n");
        for (size_t i = 0; i < n; i++)
            fprintf(kd->out, "    %s!%s\n", m->name, first[i].name);
    }
}

static void print_x(void *ctx, const struct sym_module *m, const struct sym *s)
{
    struct kd *kd = ctx;
    fprintf(kd->out, "%08x          %s!%s\n", s->addr, m->name, s->name);
}

void kd_cmd_x(struct kd *kd, const char *args)
{
    const char *bang = strchr(args, '!');
    if (!*args || strchr(args, ' ')) {
        kd_error(kd, "Usage: x <module>!<pattern>");
        return;
    }
    char mod[64];
    const char *pattern = args;
    snprintf(mod, sizeof(mod), "*");
    if (bang) {
        size_t len = (size_t)(bang - args);
        if (len == 0 || len >= sizeof(mod)) {
            kd_error(kd, "Bad module name in '%s'", args);
            return;
        }
        memcpy(mod, args, len);
        mod[len] = '\0';
        pattern = bang + 1;
    }
    if (!*pattern) {
        kd_error(kd, "Usage: x <module>!<pattern>");
        return;
    }
    if (!strpbrk(mod, "*?[")) {
        if (!symtab_module(kd->syms, mod)) {
            kd_error(kd, "No module '%s' (see lm)", mod);
            return;
        }
    }
    if (!symtab_match(kd->syms, mod, pattern, print_x, kd))
        fprintf(kd->out, "No symbols match '%s'\n", args);
}

void kd_cmd_lm(struct kd *kd, const char *args)
{
    (void)args;
    fprintf(kd->out, "start    end        module name\n");
    /* in address order, as the debugger lists them */
    const struct sym_module *order[SYM_MAX_MODULES];
    size_t n = kd->syms->n;
    for (size_t i = 0; i < n; i++)
        order[i] = &kd->syms->mods[i];
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && order[j - 1]->base > order[j]->base; j--) {
            const struct sym_module *t = order[j];
            order[j] = order[j - 1];
            order[j - 1] = t;
        }
    for (size_t i = 0; i < n; i++) {
        const struct sym_module *m = order[i];
        fprintf(kd->out, "%08x %08x   %-14s %-18s %s\n", m->base, m->end, m->name,
                !m->image[0] ? "(synthetic)" : m->n ? "(symbols)" : "(no symbols)", m->image);
    }
}

/* ---------------------------------------------------------------- rdmsr */

void kd_cmd_rdmsr(struct kd *kd, const char *args)
{
    uint32_t index;
    if (!*args) {
        kd_error(kd, "Usage: rdmsr <index>");
        return;
    }
    if (kd_eval(kd, args, &index) < 0)
        return;
    uint64_t v;
    if (kd->target->read_msr(kd->target->ctx, index, &v) < 0) {
        kd_error(kd, "no msr %x (the vCPU does not have it)", index);
        return;
    }
    fprintf(kd->out, "msr[%x] = %08x:%08x\n", index, (uint32_t)(v >> 32), (uint32_t)v);
}

/* ---------------------------------------------------------------- dispatch */

static void help(struct kd *kd)
{
    fprintf(kd->out,
        "u [addr|sym] [L<n>]        disassemble (default: 8 instructions, or go on)\n"
        "ln <addr>                  nearest symbols, with exact matches\n"
        "x <module>!<pattern>       symbols matching a wildcard pattern\n"
        "lm                         loaded modules\n"
        "r [reg ...]                registers\n"
        "db|dw|dd [addr] [L<n>]     memory as bytes, words, dwords\n"
        "rdmsr <index>              a model-specific register (index in hex)\n"
        "dt <type> [addr]           KTHREAD, EPROCESS, KTRAP_FRAME, KSERVICE_TABLE_DESCRIPTOR\n"
        "!sst [table]               the system service table (KeServiceDescriptorTable[table])\n"
        "!descriptor IDT|GDT|LDT <index>  a descriptor, decoded; a gate's target segment too\n"
        "!thread                    the current thread\n"
        "!handle [process|kernel]   handle tables\n"
        "g                          continue to the next stop\n"
        "q                          quit (ends the guest)\n"
        "Numbers are hex (0n for decimal); symbols are module!name[+offset].\n");
}

enum kd_action kd_exec(struct kd *kd, const char *line)
{
    char buf[KD_MAX_LINE];
    while (isspace((unsigned char)*line))
        line++;
    size_t len = strlen(line);
    while (len && isspace((unsigned char)line[len - 1]))
        len--;
    if (len >= sizeof(buf)) {
        kd_error(kd, "Command longer than %d characters", KD_MAX_LINE - 1);
        return KD_STAY;
    }
    memcpy(buf, line, len);
    buf[len] = '\0';
    if (!len)
        return KD_STAY;
    for (size_t i = 0; i < len; i++) {
        if ((unsigned char)buf[i] < 0x20 && buf[i] != '\t') {
            kd_error(kd, "Control characters in the command");
            return KD_STAY;
        }
    }

    char *args = buf + strcspn(buf, " \t");
    if (*args)
        *args++ = '\0';
    while (isspace((unsigned char)*args))
        args++;
    const char *cmd = buf;

    if (!strcmp(cmd, "g")) {
        if (*args)
            kd_error(kd, "g takes no address here (kd stops only where --stop says); continuing");
        return KD_GO;
    }
    if (!strcmp(cmd, "q") || !strcmp(cmd, "qq"))
        return KD_QUIT;
    if (!strcmp(cmd, "u"))
        kd_cmd_unassemble(kd, args);
    else if (!strcmp(cmd, "db") || !strcmp(cmd, "dw") || !strcmp(cmd, "dd"))
        kd_cmd_dump(kd, cmd[1], args);
    else if (!strcmp(cmd, "r"))
        kd_cmd_regs(kd, args);
    else if (!strcmp(cmd, "ln"))
        kd_cmd_ln(kd, args);
    else if (!strcmp(cmd, "x"))
        kd_cmd_x(kd, args);
    else if (!strcmp(cmd, "lm"))
        kd_cmd_lm(kd, args);
    else if (!strcmp(cmd, "rdmsr"))
        kd_cmd_rdmsr(kd, args);
    else if (!strcmp(cmd, "dt"))
        kd_cmd_dt(kd, args);
    else if (!strcasecmp(cmd, "!sst") || !strcasecmp(cmd, "!osrexts.sst"))
        kd_cmd_sst(kd, args);
    else if (!strcasecmp(cmd, "!descriptor"))
        kd_cmd_descriptor(kd, args);
    else if (!strcasecmp(cmd, "!thread"))
        kd_cmd_thread(kd, args);
    else if (!strcasecmp(cmd, "!handle"))
        kd_cmd_handle(kd, args);
    else if (!strcmp(cmd, "help") || !strcmp(cmd, "?") || !strcmp(cmd, ".help"))
        help(kd);
    else
        kd_error(kd, "Syntax error: unknown command '%s' (try 'help')", cmd);
    return KD_STAY;
}

int kd_split_commands(const char *script, int (*fn)(void *ctx, const char *cmd), void *ctx)
{
    const char *p = script;
    while (*p) {
        size_t len = strcspn(p, ";");
        char cmd[KD_MAX_LINE];
        size_t n = len < sizeof(cmd) - 1 ? len : sizeof(cmd) - 1;
        memcpy(cmd, p, n);
        cmd[n] = '\0';
        const char *c = cmd;
        while (isspace((unsigned char)*c))
            c++;
        if (*c) {
            int r = fn(ctx, len < sizeof(cmd) - 1 ? c : "\x01too long");
            if (r)
                return r;
        }
        p += len;
        if (*p == ';')
            p++;
    }
    return 0;
}
