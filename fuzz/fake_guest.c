/* The fuzzers' guest memory: default page tables, then whatever the input maps. */
#include <stdlib.h>
#include "fake_guest.h"

#define PD        0x1000u
#define PT_LOW    0x2000u
#define PT_POOL   0x3000u
#define PT_END    0x8000u
#define P  0x001u
#define W  0x002u
#define U  0x004u
#define PS 0x080u
#define CR0_PE  0x00000001u
#define CR0_PG  0x80000000u
#define CR4_PSE 0x00000010u
#define CR4_PAE 0x00000020u

static uint8_t *mem;
static uint32_t next_pt;

static void put32(uint32_t gpa, uint32_t v)
{
    memcpy(mem + gpa, &v, 4);
}

static uint32_t get32(uint32_t gpa)
{
    uint32_t v;
    memcpy(&v, mem + gpa, 4);
    return v;
}

static void defaults(void)
{
    memset(mem, 0, FG_MEM_SIZE);
    put32(PD, PT_LOW | P | W | U);
    put32(PD + (FG_KSEG0 >> 22) * 4, 0 | P | W | PS);
    for (uint32_t va = 0x1000; va < FG_MEM_SIZE; va += 0x1000)
        put32(PT_LOW + (va >> 12) * 4, va | P | W | U);
    next_pt = PT_POOL;
}

/* A PTE for va: in the page table its PDE names, or a new one from the pool. */
static void map_pte(uint32_t va, uint32_t pte)
{
    uint32_t pde_at = PD + (va >> 22) * 4, pde = get32(pde_at);
    uint32_t pt = pde & ~0xFFFu;
    if (!(pde & P) || (pde & PS) || pt < PT_LOW || pt >= PT_END) {
        if (next_pt == PT_END)
            return;
        pt = next_pt;
        next_pt += 0x1000;
        put32(pde_at, pt | P | W | U);
    }
    put32(pt + ((va >> 12) & 0x3FF) * 4, pte);
}

struct guest_view fg_build(struct fz *f)
{
    if (!mem && !(mem = malloc(FG_MEM_SIZE)))
        abort();
    defaults();
    uint8_t mode = fz_u8(f);
    uint32_t cr0 = CR0_PE | CR0_PG, cr4 = CR4_PSE;
    if ((mode & 7) == 6)
        cr0 = CR0_PE;       /* paging off: linear is physical */
    else if ((mode & 7) == 7)
        cr4 = (mode & 8) ? CR4_PAE : 0;   /* large pages ignored, or PAE (every walk fails) */
    for (unsigned n = (mode >> 4) & 15; n; n--) {
        uint32_t va = fz_u32(f), entry = fz_u32(f);
        if (va & 1)
            put32(PD + (va >> 22) * 4, entry);   /* a raw PDE: large, absent or pointing anywhere */
        else
            map_pte(va, entry);
    }
    return gmem_view((struct guest_mem){ .mem = mem, .size = FG_MEM_SIZE }, cr0, PD, cr4);
}

void fg_fill(struct fz *f)
{
    fz_bytes(f, mem + FG_DATA, f->n < FG_MEM_SIZE - FG_DATA ? f->n : FG_MEM_SIZE - FG_DATA);
}

uint8_t *fg_mem(void)
{
    return mem;
}

size_t fg_read_virt(void *ctx, uint32_t va, void *buf, size_t len)
{
    return gview_read_some(ctx, va, buf, len);
}
