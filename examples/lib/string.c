/*
 * examples/lib, ours: the C string and memory routines GCC may call even
 * with -fno-builtin (structure copies and initialisers). Built with
 * -fno-tree-loop-distribute-patterns so that GCC does not turn these loops
 * back into calls to themselves.
 */
#include <stddef.h>

void *memcpy(void *Destination, const void *Source, size_t Length);
void *memmove(void *Destination, const void *Source, size_t Length);
void *memset(void *Destination, int Fill, size_t Length);
int memcmp(const void *A, const void *B, size_t Length);
size_t strlen(const char *String);
int strcmp(const char *A, const char *B);
int strncmp(const char *A, const char *B, size_t Length);

void *memcpy(void *Destination, const void *Source, size_t Length)
{
    unsigned char *d = Destination;
    const unsigned char *s = Source;
    while (Length--)
        *d++ = *s++;
    return Destination;
}

void *memmove(void *Destination, const void *Source, size_t Length)
{
    unsigned char *d = Destination;
    const unsigned char *s = Source;
    if (d < s)
        return memcpy(Destination, Source, Length);
    while (Length--)
        d[Length] = s[Length];
    return Destination;
}

void *memset(void *Destination, int Fill, size_t Length)
{
    unsigned char *d = Destination;
    while (Length--)
        *d++ = (unsigned char)Fill;
    return Destination;
}

int memcmp(const void *A, const void *B, size_t Length)
{
    const unsigned char *a = A, *b = B;
    for (; Length; Length--, a++, b++)
        if (*a != *b)
            return *a - *b;
    return 0;
}

size_t strlen(const char *String)
{
    size_t n = 0;
    while (String[n])
        n++;
    return n;
}

int strncmp(const char *A, const char *B, size_t Length)
{
    for (; Length; Length--, A++, B++) {
        if (*A != *B)
            return (unsigned char)*A - (unsigned char)*B;
        if (!*A)
            break;
    }
    return 0;
}

int strcmp(const char *A, const char *B)
{
    return strncmp(A, B, (size_t)-1);
}
