/* The door to guest memory: the 32-bit (non-PAE) page walk, bounded copies, the one patch. */
#include <string.h>
#include "kvm.h"
#include "guest_mem.h"

#define CR0_PG    0x80000000u
#define CR4_PSE   0x00000010u
#define CR4_PAE   0x00000020u
#define PTE_P     0x001u
#define PTE_W     0x002u
#define PTE_U     0x004u
#define PDE_PS    0x080u

struct guest_mem gmem_of(const struct kvm_vm *vm)
{
    return (struct guest_mem){ .mem = vm->mem, .size = vm->mem_size };
}

struct guest_view gmem_view(struct guest_mem mem, uint32_t cr0, uint32_t cr3, uint32_t cr4)
{
    return (struct guest_view){ .mem = mem, .cr0 = cr0, .cr3 = cr3, .cr4 = cr4, .user = false };
}

struct guest_view gview_at_cpl(const struct guest_view *v, unsigned cpl)
{
    struct guest_view at = *v;
    at.user = cpl == 3;
    return at;
}

const uint8_t *gmem_phys(const struct guest_mem *g, uint64_t gpa, size_t len)
{
    if (gpa > g->size || len > g->size - gpa)
        return NULL;
    return g->mem + gpa;
}

static bool read_u32(const struct guest_mem *g, uint64_t gpa, uint32_t *out)
{
    const uint8_t *p = gmem_phys(g, gpa, 4);
    if (!p)
        return false;
    memcpy(out, p, 4);
    return true;
}

bool gmem_translate(const struct guest_mem *g, uint32_t cr0, uint32_t cr3, uint32_t cr4,
                    uint32_t va, uint64_t *gpa, bool *user, bool *writable)
{
    bool u = true, w = true;
    if (!(cr0 & CR0_PG)) {
        *gpa = va;
    } else {
        if (cr4 & CR4_PAE)
            return false;   /* the guest uses 32-bit paging only */
        uint32_t pde, pte;
        if (!read_u32(g, (uint64_t)(cr3 & ~0xFFFu) + (va >> 22) * 4, &pde) || !(pde & PTE_P))
            return false;
        u = pde & PTE_U;
        w = pde & PTE_W;
        if ((pde & PDE_PS) && (cr4 & CR4_PSE)) {
            if (pde & 0x003FE000u)
                return false;   /* PSE-36 address bits above 4 GiB, or reserved bit 21 */
            *gpa = (uint64_t)(pde & 0xFFC00000u) | (va & 0x003FFFFFu);
        } else {
            if (!read_u32(g, (uint64_t)(pde & ~0xFFFu) + ((va >> 12) & 0x3FF) * 4, &pte) || !(pte & PTE_P))
                return false;
            u = u && (pte & PTE_U);
            w = w && (pte & PTE_W);
            *gpa = (uint64_t)(pte & ~0xFFFu) | (va & 0xFFFu);
        }
    }
    if (*gpa >= g->size)
        return false;
    if (user)
        *user = u;
    if (writable)
        *writable = w;
    return true;
}

/* The guest-physical address of va, for a reader that may only touch user pages (user_only) or any. */
static bool translate_for(const struct guest_mem *g, uint32_t cr0, uint32_t cr3, uint32_t cr4, bool user_only,
                          uint32_t va, uint64_t *gpa)
{
    bool user;
    return gmem_translate(g, cr0, cr3, cr4, va, gpa, &user, NULL) && (user || !user_only);
}

static size_t read_virt(const struct guest_mem *g, uint32_t cr0, uint32_t cr3, uint32_t cr4, bool user_only,
                        uint32_t va, void *out, size_t len)
{
    size_t done = 0;
    while (done < len) {
        uint32_t addr = va + (uint32_t)done;
        if (done && addr == 0)
            break;   /* wrapped past 4 GiB */
        uint64_t gpa;
        if (!translate_for(g, cr0, cr3, cr4, user_only, addr, &gpa))
            break;
        size_t chunk = 0x1000 - (addr & 0xFFF);
        if (chunk > len - done)
            chunk = len - done;
        if (chunk > g->size - gpa)
            chunk = g->size - gpa;   /* the last page of a memory that ends mid-page */
        const uint8_t *p = gmem_phys(g, gpa, chunk);
        if (!p)
            break;
        memcpy((uint8_t *)out + done, p, chunk);
        done += chunk;
    }
    return done;
}

size_t gmem_read_virt(const struct guest_mem *g, uint32_t cr0, uint32_t cr3, uint32_t cr4,
                      uint32_t va, void *out, size_t len)
{
    return read_virt(g, cr0, cr3, cr4, false, va, out, len);
}

bool gmem_read_phys(const struct guest_mem *g, uint64_t gpa, void *out, size_t len)
{
    const uint8_t *p = gmem_phys(g, gpa, len);
    if (!p)
        return false;
    memcpy(out, p, len);
    return true;
}

bool gview_translate(const struct guest_view *v, uint32_t va, uint64_t *gpa)
{
    return translate_for(&v->mem, v->cr0, v->cr3, v->cr4, v->user, va, gpa);
}

/* Whether every page of [va, va+len) resolves to memory, without going past 4 GiB. */
static bool all_mapped(const struct guest_view *v, uint32_t va, size_t len)
{
    if (len == 0)
        return true;
    if (len > 0x100000000ull - va)
        return false;
    uint64_t end = (uint64_t)va + len;
    for (uint64_t page = va & ~0xFFFull; page < end; page += 0x1000) {
        uint32_t first = page < va ? va : (uint32_t)page;
        uint64_t last = page + 0x1000 < end ? page + 0x1000 : end;   /* one past the page's last byte read */
        uint64_t gpa;
        if (!gview_translate(v, first, &gpa) || !gmem_phys(&v->mem, gpa, (size_t)(last - first)))
            return false;
    }
    return true;
}

bool gview_read(const struct guest_view *v, uint32_t va, void *out, size_t len)
{
    return all_mapped(v, va, len) && gview_read_some(v, va, out, len) == len;
}

size_t gview_read_some(const struct guest_view *v, uint32_t va, void *out, size_t len)
{
    return read_virt(&v->mem, v->cr0, v->cr3, v->cr4, v->user, va, out, len);
}

bool gview_read_u32(const struct guest_view *v, uint32_t va, uint32_t *out)
{
    uint8_t b[4];
    if (!gview_read(v, va, b, 4))
        return false;
    *out = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
    return true;
}

bool gmem_patch(const struct guest_mem *g, uint64_t gpa, const void *bytes, void *old, size_t len)
{
    if (!gmem_phys(g, gpa, len))
        return false;
    if (old)
        memcpy(old, g->mem + gpa, len);
    memcpy(g->mem + gpa, bytes, len);
    return true;
}
