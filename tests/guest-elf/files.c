/*
 * files: the I/O services from ring 3 on the RAM volume (\??\C:, seeded
 * with seed.txt by the test) and \Device\Console. One line per check:
 * "<check> <NTSTATUS hex> <NTSTATUS name>", plus facts the tests compare.
 */
#include <ntapi.h>

#define KERNEL_ADDRESS        ((PVOID)0x80100000)
#define UNMAPPED_USER_ADDRESS ((PVOID)0x10000000)
#define IOCTL_CONSOLE_QUERY_BYTES_WRITTEN 0x00506000   /* CTL_CODE(0x50, 0x800, BUFFERED, READ) */

static void Report(const char *Check, NTSTATUS Status)
{
    printf("%s 0x%08X %s\n", Check, (unsigned)Status, RtlNtStatusName(Status));
}

static NTSTATUS Create(PHANDLE Handle, PCWSTR Name, ACCESS_MASK Access, ULONG Disposition, ULONG Options,
                       PIO_STATUS_BLOCK Iosb)
{
    UNICODE_STRING name;
    OBJECT_ATTRIBUTES oa;
    RtlInitUnicodeString(&name, Name);
    InitializeObjectAttributes(&oa, &name, OBJ_CASE_INSENSITIVE, NULL, NULL);
    return NtCreateFile(Handle, Access, &oa, Iosb, NULL, FILE_ATTRIBUTE_NORMAL, 0, Disposition, Options, NULL, 0);
}

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    HANDLE h = 0, w = 0, c = 0, e = 0;
    IO_STATUS_BLOCK iosb;
    char buf[64];
    LARGE_INTEGER offset;
    FILE_STANDARD_INFORMATION standard;
    FILE_POSITION_INFORMATION position;

    Report("NtCreateFile(seed,open)", Create(&h, L"\\??\\C:\\SEED.TXT", GENERIC_READ, FILE_OPEN,
                                             FILE_SYNCHRONOUS_IO_NONALERT, &iosb));
    printf("iosb %x %u\n", (unsigned)iosb.Status, (unsigned)iosb.Information);
    Report("NtQueryInformationFile(standard)", NtQueryInformationFile(h, &iosb, &standard, sizeof(standard),
                                                                      FileStandardInformation));
    printf("size %u allocation %u directory %u\n", (unsigned)standard.EndOfFile.QuadPart,
           (unsigned)standard.AllocationSize.QuadPart, standard.Directory);
    memset(buf, 0, sizeof(buf));
    Report("NtReadFile(5)", NtReadFile(h, NULL, NULL, NULL, &iosb, buf, 5, NULL, NULL));
    printf("read %u '%s'\n", (unsigned)iosb.Information, buf);
    Report("NtQueryInformationFile(position)", NtQueryInformationFile(h, &iosb, &position, sizeof(position),
                                                                      FilePositionInformation));
    printf("position %u\n", (unsigned)position.CurrentByteOffset.QuadPart);
    memset(buf, 0, sizeof(buf));
    Report("NtReadFile(rest)", NtReadFile(h, NULL, NULL, NULL, &iosb, buf, sizeof(buf) - 1, NULL, NULL));
    printf("read %u '%s'\n", (unsigned)iosb.Information, buf);
    Report("NtReadFile(at-eof)", NtReadFile(h, NULL, NULL, NULL, &iosb, buf, 4, NULL, NULL));
    offset.QuadPart = 6;
    memset(buf, 0, sizeof(buf));
    Report("NtReadFile(offset-6)", NtReadFile(h, NULL, NULL, NULL, &iosb, buf, 4, &offset, NULL));
    printf("read %u '%s'\n", (unsigned)iosb.Information, buf);

    /* bad input from ring 3: NT's statuses, never a bugcheck */
    Report("NtReadFile(kernel-buffer)", NtReadFile(h, NULL, NULL, NULL, &iosb, KERNEL_ADDRESS, 4, &offset, NULL));
    Report("NtReadFile(unmapped-buffer)", NtReadFile(h, NULL, NULL, NULL, &iosb, UNMAPPED_USER_ADDRESS, 4,
                                                     &offset, NULL));
    Report("NtReadFile(huge-length)", NtReadFile(h, NULL, NULL, NULL, &iosb, buf, 0xFFFFFFF0, &offset, NULL));
    Report("NtReadFile(kernel-iosb)", NtReadFile(h, NULL, NULL, NULL, KERNEL_ADDRESS, buf, 4, &offset, NULL));
    Report("NtReadFile(kernel-offset)", NtReadFile(h, NULL, NULL, NULL, &iosb, buf, 4, KERNEL_ADDRESS, NULL));
    offset.QuadPart = -5;
    Report("NtReadFile(negative-offset)", NtReadFile(h, NULL, NULL, NULL, &iosb, buf, 4, &offset, NULL));
    Report("NtWriteFile(read-only-handle)", NtWriteFile(h, NULL, NULL, NULL, &iosb, buf, 4, NULL, NULL));
    Report("NtReadFile(NULL-handle)", NtReadFile(NULL, NULL, NULL, NULL, &iosb, buf, 4, NULL, NULL));
    Report("NtReadFile(kernel-handle-value)", NtReadFile((HANDLE)0x80000004, NULL, NULL, NULL, &iosb, buf, 4,
                                                         NULL, NULL));
    NtCreateEvent(&e, EVENT_ALL_ACCESS, NULL, NotificationEvent, FALSE);
    Report("NtReadFile(event-handle)", NtReadFile(e, NULL, NULL, NULL, &iosb, buf, 4, NULL, NULL));
    Report("NtQueryInformationFile(bad-class)", NtQueryInformationFile(h, &iosb, &standard, sizeof(standard),
                                                                       (FILE_INFORMATION_CLASS)99));
    Report("NtQueryInformationFile(short)", NtQueryInformationFile(h, &iosb, &standard, 4,
                                                                   FileStandardInformation));
    Report("NtQueryInformationFile(kernel-buffer)", NtQueryInformationFile(h, &iosb, KERNEL_ADDRESS, 24,
                                                                           FileStandardInformation));
    Report("NtDeviceIoControlFile(ramfs)", NtDeviceIoControlFile(h, NULL, NULL, NULL, &iosb, 0x22000, NULL, 0,
                                                                 NULL, 0));
    Report("NtClose(file)", NtClose(h));
    Report("NtReadFile(closed)", NtReadFile(h, NULL, NULL, NULL, &iosb, buf, 4, NULL, NULL));

    /* names */
    Report("NtCreateFile(missing)", Create(&h, L"\\??\\C:\\missing.txt", GENERIC_READ, FILE_OPEN, 0, &iosb));
    Report("NtCreateFile(subdirectory)", Create(&h, L"\\??\\C:\\dir\\x.txt", GENERIC_READ, FILE_OPEN, 0, &iosb));
    Report("NtCreateFile(no-such-drive)", Create(&h, L"\\??\\Q:\\x.txt", GENERIC_READ, FILE_OPEN, 0, &iosb));
    Report("NtCreateFile(no-such-device)", Create(&h, L"\\Device\\Nothing", GENERIC_READ, FILE_OPEN, 0, &iosb));
    Report("NtCreateFile(relative-name)", Create(&h, L"C:\\seed.txt", GENERIC_READ, FILE_OPEN, 0, &iosb));
    Report("NtCreateFile(wildcard)", Create(&h, L"\\??\\C:\\*.txt", GENERIC_READ, FILE_OPEN, 0, &iosb));
    Report("NtCreateFile(bad-disposition)", Create(&h, L"\\??\\C:\\seed.txt", GENERIC_READ, 9, 0, &iosb));
    Report("NtCreateFile(directory-as-file)", Create(&h, L"\\??\\C:\\", GENERIC_READ, FILE_OPEN,
                                                     FILE_NON_DIRECTORY_FILE, &iosb));
    Report("NtCreateFile(exists)", Create(&h, L"\\??\\C:\\seed.txt", GENERIC_WRITE, FILE_CREATE, 0, &iosb));
    Report("NtCreateFile(kernel-handle-pointer)", NtCreateFile(KERNEL_ADDRESS, GENERIC_READ, NULL, &iosb, NULL, 0,
                                                               0, FILE_OPEN, 0, NULL, 0));
    Report("NtCreateFile(kernel-attributes)", NtCreateFile(&h, GENERIC_READ, KERNEL_ADDRESS, &iosb, NULL, 0, 0,
                                                           FILE_OPEN, 0, NULL, 0));
    UNICODE_STRING bad = { 8, 8, KERNEL_ADDRESS };
    OBJECT_ATTRIBUTES oa;
    InitializeObjectAttributes(&oa, &bad, 0, NULL, NULL);
    Report("NtCreateFile(kernel-name-buffer)", NtCreateFile(&h, GENERIC_READ, &oa, &iosb, NULL, 0, 0, FILE_OPEN, 0,
                                                            NULL, 0));
    bad.Length = 7;
    bad.Buffer = L"\\??\\C:\\x";
    Report("NtCreateFile(odd-name-length)", NtCreateFile(&h, GENERIC_READ, &oa, &iosb, NULL, 0, 0, FILE_OPEN, 0,
                                                         NULL, 0));

    /* a new file, written and read back; \Device\HarddiskVolume1 is C: */
    Report("NtCreateFile(new)", Create(&w, L"\\??\\C:\\new.txt", GENERIC_READ | GENERIC_WRITE, FILE_CREATE,
                                       FILE_SYNCHRONOUS_IO_NONALERT, &iosb));
    printf("iosb %x %u\n", (unsigned)iosb.Status, (unsigned)iosb.Information);
    Report("NtWriteFile(hello)", NtWriteFile(w, NULL, NULL, NULL, &iosb, "hello, ", 7, NULL, NULL));
    Report("NtWriteFile(world)", NtWriteFile(w, NULL, NULL, NULL, &iosb, "world", 5, NULL, NULL));
    offset.HighPart = -1;
    offset.LowPart = FILE_WRITE_TO_END_OF_FILE;
    Report("NtWriteFile(append)", NtWriteFile(w, e, NULL, NULL, &iosb, "!", 1, &offset, NULL));
    LARGE_INTEGER zero = { .QuadPart = 0 };
    Report("NtWaitForSingleObject(io-event)", NtWaitForSingleObject(e, FALSE, &zero));
    Report("NtWriteFile(kernel-buffer)", NtWriteFile(w, NULL, NULL, NULL, &iosb, KERNEL_ADDRESS, 4, NULL, NULL));
    offset.QuadPart = 8192;
    Report("NtWriteFile(sparse)", NtWriteFile(w, NULL, NULL, NULL, &iosb, "end", 3, &offset, NULL));
    NtClose(w);
    Report("NtOpenFile(new)", ({
        UNICODE_STRING n;
        RtlInitUnicodeString(&n, L"\\Device\\HarddiskVolume1\\NEW.TXT");
        InitializeObjectAttributes(&oa, &n, 0, NULL, NULL);
        NtOpenFile(&w, GENERIC_READ, &oa, &iosb, FILE_SHARE_READ, FILE_SYNCHRONOUS_IO_NONALERT);
    }));
    memset(buf, 0, sizeof(buf));
    Report("NtReadFile(new)", NtReadFile(w, NULL, NULL, NULL, &iosb, buf, 13, NULL, NULL));
    printf("read %u '%s'\n", (unsigned)iosb.Information, buf);
    NtQueryInformationFile(w, &iosb, &standard, sizeof(standard), FileStandardInformation);
    printf("size %u\n", (unsigned)standard.EndOfFile.QuadPart);
    NtClose(w);
    Report("NtCreateFile(overwrite)", Create(&w, L"\\??\\C:\\new.txt", GENERIC_WRITE, FILE_OVERWRITE_IF, 0, &iosb));
    printf("iosb %x %u\n", (unsigned)iosb.Status, (unsigned)iosb.Information);
    Report("NtWriteFile(no-offset-async)", NtWriteFile(w, NULL, NULL, NULL, &iosb, "x", 1, NULL, NULL));
    NtQueryInformationFile(w, &iosb, &standard, sizeof(standard), FileStandardInformation);
    printf("size %u\n", (unsigned)standard.EndOfFile.QuadPart);
    NtClose(w);

    /* the console device */
    Report("NtCreateFile(console)", Create(&c, L"\\Device\\Console", GENERIC_READ | GENERIC_WRITE, FILE_OPEN,
                                           FILE_SYNCHRONOUS_IO_NONALERT, &iosb));
    Report("NtWriteFile(console)", NtWriteFile(c, NULL, NULL, NULL, &iosb, "to the console\n", 15, NULL, NULL));
    /* the end of SharedUserData's page, then an unmapped one: refused before a byte is shown */
    Report("NtWriteFile(console-unreadable-tail)",
           NtWriteFile(c, NULL, NULL, NULL, &iosb, (PUCHAR)0x7FFE0000 + 0x1000 - 64, 128, NULL, NULL));
    Report("NtReadFile(console)", NtReadFile(c, NULL, NULL, NULL, &iosb, buf, 4, NULL, NULL));
    ULONG written = 0;
    Report("NtDeviceIoControlFile(console)", NtDeviceIoControlFile(c, NULL, NULL, NULL, &iosb,
                                                                   IOCTL_CONSOLE_QUERY_BYTES_WRITTEN, NULL, 0,
                                                                   &written, sizeof(written)));
    printf("console-bytes %u iosb %u\n", (unsigned)written, (unsigned)iosb.Information);
    Report("NtDeviceIoControlFile(unknown)", NtDeviceIoControlFile(c, NULL, NULL, NULL, &iosb, 0x00506004, NULL, 0,
                                                                   NULL, 0));
    Report("NtDeviceIoControlFile(kernel-out)", NtDeviceIoControlFile(c, NULL, NULL, NULL, &iosb,
                                                                      IOCTL_CONSOLE_QUERY_BYTES_WRITTEN, NULL, 0,
                                                                      KERNEL_ADDRESS, 4));
    Report("NtClose(console)", NtClose(c));
    return 0;
}
