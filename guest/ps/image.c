/*
 * The user-image loader: ELF32 i386 executables (programs and ntdll),
 * mapped page by page into the current address space. A module is untrusted
 * input: every header field is checked before it is used.
 */
#include "../inc/ps.h"
#include "../inc/mm.h"
#include "../inc/rtl.h"

#define EI_NIDENT 16
typedef struct {
    UCHAR e_ident[EI_NIDENT];
    USHORT e_type, e_machine;
    ULONG e_version, e_entry, e_phoff, e_shoff, e_flags;
    USHORT e_ehsize, e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx;
} ELF32_EHDR;
typedef struct {
    ULONG p_type, p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_flags, p_align;
} ELF32_PHDR;

#define PT_LOAD 1
#define PF_W    2
#define ET_EXEC 2
#define EM_386  3
#define PI_MAX_SEGMENTS 16

static NTSTATUS PspMapSegmentPage(ULONG Va, BOOLEAN Writable, PUCHAR *Kseg)
{
    ULONG phys = MmQueryPhysical(Va);
    if (!phys) {
        phys = MmAllocatePhysicalPage();
        if (!phys)
            return STATUS_NO_MEMORY;
    }
    NTSTATUS status = MmMapPage(Va, phys, MM_USER | (Writable ? MM_WRITABLE : 0));
    *Kseg = MmPhysicalToVirtual(phys);
    return status;
}

static NTSTATUS PspCheckHeaders(const PS_IMAGE_SOURCE *Image, const ELF32_EHDR **Ehdr)
{
    const ELF32_EHDR *eh = (const ELF32_EHDR *)Image->Data;
    if (Image->Size < sizeof(*eh) || memcmp(eh->e_ident, "\177ELF", 4) != 0)
        return STATUS_INVALID_PARAMETER;
    if (eh->e_ident[4] != 1 || eh->e_ident[5] != 1 || eh->e_type != ET_EXEC || eh->e_machine != EM_386)
        return STATUS_INVALID_PARAMETER;
    if (eh->e_phentsize != sizeof(ELF32_PHDR) || eh->e_phnum == 0 || eh->e_phnum > PI_MAX_SEGMENTS)
        return STATUS_INVALID_PARAMETER;
    if (eh->e_phoff > Image->Size || eh->e_phnum * sizeof(ELF32_PHDR) > Image->Size - eh->e_phoff)
        return STATUS_INVALID_PARAMETER;
    *Ehdr = eh;
    return STATUS_SUCCESS;
}

NTSTATUS PspLoadUserImage(const PS_IMAGE_SOURCE *Image, ULONG LowestAddress, ULONG HighestAddress,
                          ULONG *EntryPoint, ULONG *ImageStart, ULONG *ImageEnd)
{
    ULONG low = HighestAddress, high = LowestAddress;
    const ELF32_EHDR *eh;
    NTSTATUS status = PspCheckHeaders(Image, &eh);
    if (!NT_SUCCESS(status))
        return status;

    const ELF32_PHDR *ph = (const ELF32_PHDR *)(Image->Data + eh->e_phoff);
    BOOLEAN entryMapped = FALSE;
    for (ULONG i = 0; i < eh->e_phnum; i++) {
        const ELF32_PHDR *p = &ph[i];
        if (p->p_type != PT_LOAD || p->p_memsz == 0)
            continue;
        ULONG end = p->p_vaddr + p->p_memsz;
        if (p->p_filesz > p->p_memsz || end < p->p_vaddr || p->p_vaddr < LowestAddress || end > HighestAddress)
            return STATUS_INVALID_PARAMETER;
        if (p->p_offset > Image->Size || p->p_filesz > Image->Size - p->p_offset)
            return STATUS_INVALID_PARAMETER;
        if (eh->e_entry >= p->p_vaddr && eh->e_entry < end)
            entryMapped = TRUE;
        if (p->p_vaddr < low)
            low = p->p_vaddr;
        if (end > high)
            high = end;

        for (ULONG va = p->p_vaddr & ~(PAGE_SIZE - 1); va < end; va += PAGE_SIZE) {
            PUCHAR kseg;
            status = PspMapSegmentPage(va, (p->p_flags & PF_W) != 0, &kseg);
            if (!NT_SUCCESS(status))
                return status;
            /* copy the part of this page that the file supplies; the rest stays zero */
            ULONG from = va < p->p_vaddr ? p->p_vaddr : va;
            ULONG fileEnd = p->p_vaddr + p->p_filesz;
            ULONG to = va + PAGE_SIZE < fileEnd ? va + PAGE_SIZE : fileEnd;
            if (from < to)
                memcpy(kseg + (from - va), Image->Data + p->p_offset + (from - p->p_vaddr), to - from);
        }
    }
    if (!entryMapped)
        return STATUS_INVALID_PARAMETER;
    *EntryPoint = eh->e_entry;
    *ImageStart = low & ~(PAGE_SIZE - 1);
    *ImageEnd = (high + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
    return STATUS_SUCCESS;
}
