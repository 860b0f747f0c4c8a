/* kd: guest memory as code (u) and as bytes, words and dwords (db, dw, dd). */
#include <ctype.h>
#include <string.h>
#include "ntdb/disasm.h"
#include "kd.h"

#define KD_U_DEFAULT   8
#define KD_U_MAX       0x400      /* instructions per u */
#define KD_D_MAX_BYTES 0x10000    /* bytes per db/dw/dd */

/* Splits args into an optional address expression and an optional L<count>. */
static int parse_range(struct kd *kd, const char *args, bool *have_addr, uint32_t *addr, bool *have_count,
                       uint32_t *count, uint32_t max_count)
{
    char buf[512];
    snprintf(buf, sizeof(buf), "%s", args);
    *have_addr = *have_count = false;
    for (char *save, *w = strtok_r(buf, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
        if ((w[0] == 'L' || w[0] == 'l') && w[1] && (isxdigit((unsigned char)w[1]) || w[1] == '0') &&
            !*have_count && (*have_addr || !strchr(w, '!'))) {
            /* "L8" is a count; a symbol never starts with L followed only by hex here */
            bool all_hex = true;
            for (const char *p = w + 1; *p; p++)
                if (!isxdigit((unsigned char)*p) && !(p == w + 2 && (*p == 'n' || *p == 'N')))
                    all_hex = false;
            if (all_hex) {
                if (kd_parse_count(kd, w, max_count, count) < 0)
                    return -1;
                *have_count = true;
                continue;
            }
        }
        if (*have_addr) {
            kd_error(kd, "Extra argument '%s'", w);
            return -1;
        }
        if (kd_eval(kd, w, addr) < 0)
            return -1;
        *have_addr = true;
    }
    return 0;
}

void kd_cmd_unassemble(struct kd *kd, const char *args)
{
    bool have_addr, have_count;
    uint32_t addr = 0, count = KD_U_DEFAULT;
    if (parse_range(kd, args, &have_addr, &addr, &have_count, &count, KD_U_MAX) < 0)
        return;
    if (!have_addr) {
        if (!kd->have_next_u) {
            kd_error(kd, "Usage: u <address|symbol> [L<count>]");
            return;
        }
        addr = kd->next_u;
    }
    for (uint32_t i = 0; i < count; i++) {
        /* a label where a symbol starts (and on the first line) */
        const struct sym_module *m;
        const struct sym *before, *after;
        char name[300];
        if (symtab_nearest(kd->syms, addr, &m, &before, &after) && before &&
            (before->addr == addr || i == 0)) {
            symtab_format(kd->syms, addr, name, sizeof(name));
            fprintf(kd->out, "%s:\n", name);
        }
        uint8_t code[DISASM_MAX_INSN];
        size_t got = kd->target->read_virt(kd->target->ctx, addr, code, sizeof(code));
        if (got == 0) {
            fprintf(kd->out, "%08x ??               ???\n", addr);
            kd_error(kd, "Memory access error at %08x", addr);
            kd->have_next_u = false;
            return;
        }
        struct disasm_insn insn;
        char bytes[2 * DISASM_MAX_INSN + 1];
        if (!disasm_one(kd->dis, code, got, addr, &insn)) {
            fprintf(kd->out, "%08x %02x               ???\n", addr, code[0]);
            insn.size = 1;
        } else {
            for (unsigned b = 0; b < insn.size; b++)
                snprintf(bytes + 2 * b, 3, "%02x", insn.bytes[b]);
            char ops[400];
            if (insn.has_target) {
                char sym[300];
                if (symtab_format(kd->syms, insn.target, sym, sizeof(sym)))
                    snprintf(ops, sizeof(ops), "%s (%08x)", sym, insn.target);
                else
                    snprintf(ops, sizeof(ops), "%08x", insn.target);
            } else {
                snprintf(ops, sizeof(ops), "%s", insn.ops);
            }
            if (ops[0])
                fprintf(kd->out, "%08x %-16s %-7s %s\n", addr, bytes, insn.mnemonic, ops);
            else
                fprintf(kd->out, "%08x %-16s %s\n", addr, bytes, insn.mnemonic);
        }
        if ((uint64_t)addr + insn.size > 0xFFFFFFFFull) {
            kd->have_next_u = false;
            return;
        }
        addr += insn.size;
    }
    kd->next_u = addr;
    kd->have_next_u = true;
}

/* Reads [va, va+len) as far as each page allows; valid[i] says whether byte i was readable. */
static void read_partial(struct kd *kd, uint32_t va, uint8_t *buf, bool *valid, size_t len)
{
    memset(valid, 0, len);
    size_t off = 0;
    while (off < len) {
        size_t n = kd->target->read_virt(kd->target->ctx, va + (uint32_t)off, buf + off, len - off);
        if (n > len - off)
            n = len - off;   /* a target that claims more than asked is not believed */
        memset(valid + off, 1, n);
        off += n;
        if (off >= len)
            break;
        /* skip the rest of the unreadable page */
        uint32_t a = va + (uint32_t)off;
        size_t skip = 0x1000 - (a & 0xFFF);
        off += skip;
    }
}

void kd_cmd_dump(struct kd *kd, char unit_char, const char *args)
{
    unsigned unit = unit_char == 'b' ? 1 : unit_char == 'w' ? 2 : 4;
    bool have_addr, have_count;
    uint32_t addr = 0, count = 0x80 / unit;
    if (parse_range(kd, args, &have_addr, &addr, &have_count, &count, KD_D_MAX_BYTES / unit) < 0)
        return;
    if (!have_addr) {
        if (!kd->have_next_d) {
            kd_error(kd, "Usage: d%c <address> [L<count>]", unit_char);
            return;
        }
        addr = kd->next_d;
    }
    uint64_t total = (uint64_t)count * unit;
    if ((uint64_t)addr + total > 0x100000000ull) {
        kd_error(kd, "Range error: %08x L%x runs past 4 GiB", addr, count);
        return;
    }
    for (uint64_t off = 0; off < total; off += 16) {
        size_t len = total - off < 16 ? (size_t)(total - off) : 16;
        uint8_t b[16];
        bool ok[16];
        uint32_t line = addr + (uint32_t)off;
        read_partial(kd, line, b, ok, len);
        fprintf(kd->out, "%08x ", line);
        for (size_t i = 0; i < len; i += unit) {
            bool all = true;
            uint32_t v = 0;
            for (unsigned k = 0; k < unit; k++) {
                all = all && ok[i + k];
                v |= (uint32_t)b[i + k] << (8 * k);
            }
            char sep = (unit == 1 && i == 8) ? '-' : ' ';
            if (all)
                fprintf(kd->out, "%c%0*x", sep, (int)unit * 2, v);
            else
                fprintf(kd->out, "%c%.*s", sep, (int)unit * 2, "????????");
        }
        if (unit == 1) {
            fprintf(kd->out, "%*s", (int)(16 - len) * 3 + 2, "");
            for (size_t i = 0; i < len; i++)
                fputc(ok[i] ? (isprint(b[i]) ? b[i] : '.') : '?', kd->out);
        }
        fputc('\n', kd->out);
    }
    kd->next_d = (uint32_t)(addr + total);
    kd->have_next_d = addr + total < 0x100000000ull;
}
