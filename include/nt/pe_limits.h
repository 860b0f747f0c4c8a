/*
 * The structural limits a PE32 image must meet, shared by the guest kernel's
 * loader (guest/rtl/image.c) and the host's parser (ntdb/pe.c), so that the
 * monitor refuses before boot exactly what the kernel would refuse at load.
 * Numbers only (no u suffixes): assembly may include this file too.
 */
#ifndef NT_PE_LIMITS_H
#define NT_PE_LIMITS_H

#define PE_DOS_SIGNATURE          0x5A4D       /* "MZ" */
#define PE_NT_SIGNATURE           0x00004550   /* "PE\0\0" */
#define PE_MACHINE_I386           0x014C
#define PE_OPTIONAL_MAGIC_PE32    0x010B
#define PE_MACHINE_AMD64          0x8664
#define PE_OPTIONAL_MAGIC_PE32PLUS 0x020B      /* PE32+: the amd64 images */

#define PE_DOS_HEADER_SIZE        64           /* IMAGE_DOS_HEADER; e_lfanew at +0x3C */
#define PE_FILE_HEADER_SIZE       20           /* IMAGE_FILE_HEADER */
#define PE_OPTIONAL_HEADER_FIXED  96           /* IMAGE_OPTIONAL_HEADER32 up to DataDirectory */
#define PE_OPTIONAL_HEADER64_FIXED 112         /* IMAGE_OPTIONAL_HEADER64 up to DataDirectory */
#define PE_SECTION_HEADER_SIZE    40           /* IMAGE_SECTION_HEADER */
#define PE_EXPORT_DIRECTORY_SIZE  40           /* IMAGE_EXPORT_DIRECTORY */
#define PE_COFF_SYMBOL_SIZE       18           /* IMAGE_SYMBOL */

#define PE_MIN_SECTIONS           1
#define PE_MAX_SECTIONS           96           /* NT's loader refuses more */
#define PE_MAX_DIRECTORIES        16           /* IMAGE_NUMBEROF_DIRECTORY_ENTRIES */
#define PE_MAX_IMAGE_SIZE         0x04000000   /* SizeOfImage: 64 MiB, far above any guest image */
#define PE_MAX_EXPORTS            0x10000      /* NumberOfFunctions: ordinals are 16-bit */
#define PE_MAX_EXPORT_NAME        255          /* longest export or DLL name, without the NUL */
#define PE_MIN_FILE_ALIGNMENT     0x200
#define PE_MAX_FILE_ALIGNMENT     0x10000
#define PE_PAGE_SIZE              0x1000       /* ImageBase and SectionAlignment >= this are page aligned */

#endif
