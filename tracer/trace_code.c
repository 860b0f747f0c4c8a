/*
 * Reading the guest's code the way the guest sees it. Everything that decodes
 * kernel instructions goes through here, so that a patched breakpoint the
 * tracer already placed is never mistaken for the guest's own bytes.
 */
#include <capstone/capstone.h>
#include "trace_internal.h"

size_t trace_read_code(const struct tracer *t, const struct guest_view *v, uint32_t va, uint8_t *code, size_t len)
{
    size_t n = gview_read_some(v, va, code, len);
    bp_guest_bytes(&t->bp, va, code, n);
    return n;
}

bool trace_patch_fits(const struct tracer *t, const struct guest_view *v, uint32_t va)
{
    uint8_t code[16];
    size_t n = trace_read_code(t, v, va, code, sizeof(code));
    csh cs;
    bool fits = false;
    if (n == 0 || cs_open(CS_ARCH_X86, CS_MODE_32, &cs) != CS_ERR_OK)
        return false;
    cs_insn *insn;
    if (cs_disasm(cs, code, n, va, 1, &insn) == 1) {
        fits = insn->size >= 2;
        cs_free(insn, 1);
    }
    cs_close(&cs);
    return fits;
}
