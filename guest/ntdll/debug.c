/*
 * DbgPrint: formats, then hands the text to the kernel the way NT's ntdll
 * does, INT 2Dh with EAX = BREAKPOINT_PRINT, ECX = the text, EDX = its
 * length. The kernel (KiDebugService) writes it to the console.
 */
#include "ntrtl.h"

#define BREAKPOINT_PRINT   1
#define RTLP_DEBUG_BUFFER  512   /* NT truncates a DbgPrint to 512 bytes too */

static VOID RtlpDebugPrint(const char *Text, ULONG Length)
{
    __asm__ volatile("int $0x2d" :: "a"(BREAKPOINT_PRINT), "c"(Text), "d"(Length) : "memory");
}

ULONG DbgPrint(PCSTR Format, ...)
{
    char text[RTLP_DEBUG_BUFFER];
    va_list ap;
    va_start(ap, Format);
    int n = RtlFormatV(text, sizeof(text), Format, ap);
    va_end(ap);
    RtlpDebugPrint(text, (ULONG)n < sizeof(text) ? (ULONG)n : sizeof(text) - 1);
    return STATUS_SUCCESS;
}
