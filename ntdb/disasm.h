/*
 * 32-bit x86 disassembly for kd's `u`, on Capstone, with operands written the
 * way WinDbg writes them ("mov eax,0xb7", "lea edx,[esp+0x4]").
 */
#ifndef NTVISOR_DISASM_H
#define NTVISOR_DISASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DISASM_MAX_INSN 15   /* the longest x86 instruction */

struct disasm;

struct disasm_insn {
    uint32_t addr;
    unsigned size;
    uint8_t bytes[DISASM_MAX_INSN + 1];
    char mnemonic[32];
    char ops[160];
    bool has_target;      /* a call/jmp/jcc/loop to an immediate address */
    uint32_t target;
};

/* NULL if Capstone cannot be opened. */
struct disasm *disasm_open(void);
void disasm_close(struct disasm *d);

/* Decodes the instruction at code[0..len), which sits at addr; false if the
   bytes are not a valid instruction (or len is too short for it). */
bool disasm_one(struct disasm *d, const uint8_t *code, size_t len, uint32_t addr, struct disasm_insn *out);

/* Capstone's Intel operands in WinDbg's spelling: no space after commas or
   around + - *, immediates and displacements in hex with 0x (scales stay
   decimal). */
void disasm_windbg_ops(const char *in, char *out, size_t len);

#endif
