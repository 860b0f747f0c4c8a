/* The disassembler: Capstone in 32-bit x86 mode, Intel syntax. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <capstone/capstone.h>
#include "disasm.h"

struct disasm {
    csh handle;
    cs_insn *insn;
};

struct disasm *disasm_open(void)
{
    struct disasm *d = calloc(1, sizeof(*d));
    if (!d)
        return NULL;
    if (cs_open(CS_ARCH_X86, CS_MODE_32, &d->handle) != CS_ERR_OK) {
        free(d);
        return NULL;
    }
    cs_option(d->handle, CS_OPT_DETAIL, CS_OPT_ON);
    d->insn = cs_malloc(d->handle);
    if (!d->insn) {
        cs_close(&d->handle);
        free(d);
        return NULL;
    }
    return d;
}

void disasm_close(struct disasm *d)
{
    if (!d)
        return;
    cs_free(d->insn, 1);
    cs_close(&d->handle);
    free(d);
}

static bool is_branch(csh h, const cs_insn *i)
{
    return cs_insn_group(h, i, CS_GRP_CALL) || cs_insn_group(h, i, CS_GRP_JUMP);
}

bool disasm_one(struct disasm *d, const uint8_t *code, size_t len, uint32_t addr, struct disasm_insn *out)
{
    memset(out, 0, sizeof(*out));
    if (!len)
        return false;
    const uint8_t *p = code;
    size_t n = len > DISASM_MAX_INSN ? DISASM_MAX_INSN : len;
    uint64_t a = addr;
    if (!cs_disasm_iter(d->handle, &p, &n, &a, d->insn))
        return false;
    const cs_insn *i = d->insn;
    if (i->size == 0 || i->size > DISASM_MAX_INSN)
        return false;
    out->addr = addr;
    out->size = i->size;
    memcpy(out->bytes, i->bytes, i->size);
    snprintf(out->mnemonic, sizeof(out->mnemonic), "%s", i->mnemonic);
    disasm_windbg_ops(i->op_str, out->ops, sizeof(out->ops));
    if (is_branch(d->handle, i) && i->detail && i->detail->x86.op_count == 1 &&
        i->detail->x86.operands[0].type == X86_OP_IMM) {
        out->has_target = true;
        out->target = (uint32_t)i->detail->x86.operands[0].imm;
    }
    return true;
}

static void put(char *out, size_t len, size_t *pos, char c)
{
    if (*pos + 1 < len)
        out[(*pos)++] = c;
}

void disasm_windbg_ops(const char *in, char *out, size_t len)
{
    size_t pos = 0;
    if (!len)
        return;
    for (size_t i = 0; in[i]; i++) {
        char c = in[i];
        if (c == ' ' && pos > 0 && strchr(",+-*", out[pos - 1]))
            continue;                       /* "eax, 4" "esp + 4": drop the space after */
        if (c == ' ' && in[i + 1] && strchr("+-*", in[i + 1]) && in[i + 2] == ' ')
            continue;                       /* and the one before */
        if (isdigit((unsigned char)c) && (i == 0 || (!isalnum((unsigned char)in[i - 1]) &&
                                                     in[i - 1] != '*' && in[i - 1] != '(' &&
                                                     in[i - 1] != '_'))) {
            if (c == '0' && (in[i + 1] == 'x' || in[i + 1] == 'X')) {
                put(out, len, &pos, c);     /* already hex */
                continue;
            }
            /* a decimal number: rewrite it in hex */
            unsigned long long v = 0;
            size_t j = i;
            while (isdigit((unsigned char)in[j]) && v < (1ull << 60))
                v = v * 10 + (unsigned)(in[j++] - '0');
            if (isalnum((unsigned char)in[j])) {
                put(out, len, &pos, c);     /* part of a longer token: leave it */
                continue;
            }
            char hex[24];
            snprintf(hex, sizeof(hex), "0x%llx", v);
            for (const char *h = hex; *h; h++)
                put(out, len, &pos, *h);
            i = j - 1;
            continue;
        }
        put(out, len, &pos, c);
    }
    out[pos] = '\0';
}
