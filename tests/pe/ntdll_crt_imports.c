/*
 * A native program linked with the import library built beside the PE
 * ntdll ($(BUILD)/guest/pe/libntdll.a), never run: it reaches the C
 * routines NT's ntdll exports, which mingw-w64's libntdll.a does not list.
 * tests/test_ntdll_pe.c checks that each PE ntdll exports what it imports.
 */
#include <stdarg.h>
#include <stddef.h>

void *memcpy(void *d, const void *s, size_t n);
void *memmove(void *d, const void *s, size_t n);
void *memset(void *d, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
size_t wcslen(const unsigned short *s);
int _vsnprintf(char *b, size_t n, const char *f, va_list ap);
int _snprintf(char *b, size_t n, const char *f, ...);
int sprintf(char *b, const char *f, ...);
unsigned long __cdecl DbgPrint(const char *f, ...);
long __stdcall NtTerminateProcess(void *Process, long Status);

static volatile int Never;

static int Format(char *b, const char *f, ...)
{
    va_list ap;
    va_start(ap, f);
    int n = _vsnprintf(b, 8, f, ap);
    va_end(ap);
    return n;
}

void __stdcall NtProcessStartup(void *Peb)
{
    char a[16] = "", b[16] = "";
    if (Never) {
        memcpy(a, b, 4);
        memmove(a, a + 1, 4);
        memset(a, 0, sizeof(a));
        Never = memcmp(a, b, 4) + (int)strlen(a) + strcmp(a, b) + strncmp(a, b, 2) + (int)wcslen(Peb);
        Never += Format(a, "%d", 1) + _snprintf(a, 4, "x") + sprintf(b, "y");
        DbgPrint("%p\n", Peb);
    }
    NtTerminateProcess((void *)-1, 0);
}
