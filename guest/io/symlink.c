/*
 * Symbolic links in \??\ (the DOS devices directory): C: to the RAM volume,
 * and whatever drivers create with IoCreateSymbolicLink so that user mode
 * can open \??\Name (Win32's \\.\Name) instead of \Device\Name.
 */
#include "../inc/io.h"
#include "../inc/rtl.h"

#define IOP_MAX_LINKS     16
#define IOP_MAX_LINK_NAME 32

typedef struct _IOP_SYMBOLIC_LINK {
    WCHAR Link[IOP_MAX_LINK_NAME];     /* without \??\ */
    WCHAR Target[IOP_MAX_LINK_NAME];
} IOP_SYMBOLIC_LINK;

static IOP_SYMBOLIC_LINK IopLinks[IOP_MAX_LINKS] = {
    { L"C:", L"\\Device\\HarddiskVolume1" },
};

static WCHAR IopUpcase(WCHAR c)
{
    return c >= 'a' && c <= 'z' ? (WCHAR)(c - 'a' + 'A') : c;
}

/* "\??\X" -> X, copied into Out (NUL-terminated); FALSE if it is not such a name or does not fit. */
static BOOLEAN IopLinkName(PUNICODE_STRING Name, PWSTR Out)
{
    static const WCHAR prefix[] = L"\\??\\";
    ULONG length = Name ? Name->Length / sizeof(WCHAR) : 0;
    if (length <= 4 || length - 4 >= IOP_MAX_LINK_NAME)
        return FALSE;
    for (ULONG i = 0; i < 4; i++)
        if (Name->Buffer[i] != prefix[i])
            return FALSE;
    for (ULONG i = 4; i < length; i++) {
        if (Name->Buffer[i] == '\\' || Name->Buffer[i] == 0)
            return FALSE;
        Out[i - 4] = Name->Buffer[i];
    }
    Out[length - 4] = 0;
    return TRUE;
}

static IOP_SYMBOLIC_LINK *IopFindLink(PCWSTR Link)
{
    for (ULONG i = 0; i < IOP_MAX_LINKS; i++) {
        ULONG j = 0;
        if (!IopLinks[i].Link[0])
            continue;
        while (Link[j] && IopUpcase(Link[j]) == IopUpcase(IopLinks[i].Link[j]))
            j++;
        if (!Link[j] && !IopLinks[i].Link[j])
            return &IopLinks[i];
    }
    return NULL;
}

NTSTATUS NTAPI IoCreateSymbolicLink(PUNICODE_STRING SymbolicLinkName, PUNICODE_STRING DeviceName)
{
    WCHAR link[IOP_MAX_LINK_NAME];
    ULONG targetLength = DeviceName ? DeviceName->Length / sizeof(WCHAR) : 0;
    if (!IopLinkName(SymbolicLinkName, link) || targetLength == 0 || targetLength >= IOP_MAX_LINK_NAME)
        return STATUS_OBJECT_NAME_INVALID;
    if (IopFindLink(link))
        return STATUS_OBJECT_NAME_COLLISION;
    for (ULONG i = 0; i < IOP_MAX_LINKS; i++) {
        if (IopLinks[i].Link[0])
            continue;
        memcpy(IopLinks[i].Link, link, sizeof(link));
        memcpy(IopLinks[i].Target, DeviceName->Buffer, targetLength * sizeof(WCHAR));
        IopLinks[i].Target[targetLength] = 0;
        return STATUS_SUCCESS;
    }
    return STATUS_INSUFFICIENT_RESOURCES;
}

NTSTATUS NTAPI IoDeleteSymbolicLink(PUNICODE_STRING SymbolicLinkName)
{
    WCHAR link[IOP_MAX_LINK_NAME];
    IOP_SYMBOLIC_LINK *entry = IopLinkName(SymbolicLinkName, link) ? IopFindLink(link) : NULL;
    if (!entry)
        return STATUS_OBJECT_NAME_NOT_FOUND;
    memset(entry, 0, sizeof(*entry));
    return STATUS_SUCCESS;
}

PCWSTR IopLookupSymbolicLink(PCWSTR Name, ULONG Length, ULONG *LinkLength)
{
    for (ULONG i = 0; i < IOP_MAX_LINKS; i++) {
        PCWSTR link = IopLinks[i].Link;
        ULONG n = 0;
        if (!link[0])
            continue;
        while (link[n] && n < Length && IopUpcase(Name[n]) == IopUpcase(link[n]))
            n++;
        if (!link[n] && (n == Length || Name[n] == '\\')) {
            *LinkLength = n;
            return IopLinks[i].Target;
        }
    }
    return NULL;
}
