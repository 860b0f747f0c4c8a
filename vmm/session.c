/* One boot of the guest: options, images, VM, outcome (the lab hand-off: session_lab.c). */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <nt/layout.h>
#include "base/errbuf.h"
#include "multiboot.h"
#include "ntvisor.h"
#include "paths.h"
#include "session.h"
#include "ntdb/pe.h"
#include "ntdb/service_table.h"
#include "vcpu.h"

#define SESSION_NTDLL_HIGHEST   (MM_NTDLL_BASE + 0x01000000u)

void session_defaults(struct session_options *o)
{
    *o = (struct session_options){ .memory_mib = SESSION_DEFAULT_MEMORY_MIB, .syscall = "auto" };
}

static int parse_uint(const char *s, unsigned lo, unsigned hi, unsigned *out)
{
    char *end;
    if (!*s || *s == '-' || *s == '+')
        return -1;
    unsigned long v = strtoul(s, &end, 10);
    if (*end || v < lo || v > hi)
        return -1;
    *out = (unsigned)v;
    return 0;
}

/*
 * --file=HOSTPATH[:NAME]: the guest sees the file as \??\C:\NAME (default:
 * the path's last component). NAME is what follows the last ':' unless that
 * contains a '/'. The name travels on a module command line ("file NAME").
 */
int session_file_spec(const char *spec, char *path, size_t pathlen, char *name, size_t namelen)
{
    const char *colon = strrchr(spec, ':');
    const char *given = colon && !strchr(colon, '/') ? colon + 1 : NULL;
    size_t plen = given ? (size_t)(colon - spec) : strlen(spec);
    if (plen == 0 || plen >= pathlen)
        return -1;
    memcpy(path, spec, plen);
    path[plen] = '\0';
    if (!given) {
        given = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    }
    size_t nlen = strlen(given);
    if (nlen == 0 || nlen > SESSION_MAX_FILE_NAME || nlen >= namelen)
        return -1;
    for (const char *p = given; *p; p++)
        if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7F || strchr(",\\/:*?\"<>|", *p))
            return -1;
    memcpy(name, given, nlen + 1);
    return 0;
}

/* Whether an earlier --file already puts NAME on the RAM volume, whose names ignore case. */
static bool session_file_name_taken(const struct session_options *o, const char *name)
{
    for (int i = 0; i < o->n_files; i++) {
        char path[PATH_MAX], other[SESSION_MAX_FILE_NAME + 1];
        if (session_file_spec(o->files[i], path, sizeof(path), other, sizeof(other)) == 0 && !strcasecmp(other, name))
            return true;
    }
    return false;
}

/*
 * --driver=FILE: a boot driver, named in the guest by the file's last path
 * component ("driver NAME" on its module command line, \Driver\NAME).
 */
const char *session_driver_name(const char *path)
{
    const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    size_t n = strlen(name);
    if (n == 0 || n > SESSION_MAX_FILE_NAME)
        return NULL;
    for (const char *p = name; *p; p++)
        if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7F || strchr(",\\:*?\"<>|", *p))
            return NULL;
    return name;
}

int session_option(struct session_options *o, int code, const char *arg)
{
    switch (code) {
    case SESSION_OPT_SYSCALL:
        if (strcmp(arg, "auto") && strcmp(arg, "int2e") && strcmp(arg, "sysenter") && strcmp(arg, "syscall")) {
            fprintf(stderr, "ntvisor: --syscall must be auto, int2e, sysenter or syscall, not '%s'\n", arg);
            return -1;
        }
        o->syscall = arg;
        return 0;
    case SESSION_OPT_MEMORY:
        if (parse_uint(arg, SESSION_MIN_MEMORY_MIB, SESSION_MAX_MEMORY_MIB, &o->memory_mib) < 0) {
            fprintf(stderr, "ntvisor: --memory must be %d..%d (MiB), not '%s'\n",
                    SESSION_MIN_MEMORY_MIB, SESSION_MAX_MEMORY_MIB, arg);
            return -1;
        }
        return 0;
    case SESSION_OPT_TIMEOUT:
        if (parse_uint(arg, 1, SESSION_MAX_TIMEOUT_S, &o->timeout_s) < 0) {
            fprintf(stderr, "ntvisor: --timeout must be 1..%d (seconds), not '%s'\n", SESSION_MAX_TIMEOUT_S, arg);
            return -1;
        }
        return 0;
    case SESSION_OPT_KERNEL: o->kernel = arg; return 0;
    case SESSION_OPT_NTDLL: o->ntdll = arg; return 0;
    case SESSION_OPT_IMAGE_NAME: o->image_name = arg; return 0;
    case SESSION_OPT_NO_LAB: o->no_lab = 1; return 0;
    case SESSION_OPT_ARCH:
        if (!strcmp(arg, "i386") || !strcmp(arg, "x86"))
            o->arch = SESSION_ARCH_I386;
        else if (!strcmp(arg, "amd64") || !strcmp(arg, "x64"))
            o->arch = SESSION_ARCH_AMD64;
        else {
            fprintf(stderr, "ntvisor: --arch=%s: the guest is i386 or amd64\n", arg);
            return -1;
        }
        return 0;
    case SESSION_OPT_BUILD: {
        struct svc_table t;
        char err[160];
        if (svc_table_builtin(arg, &t, err, sizeof(err)) < 0) {
            fprintf(stderr, "ntvisor: --build: %s; the builds are:\n", err);
            svc_builtin_list(stderr);
            return -1;
        }
        svc_table_free(&t);
        o->build = arg;
        return 0;
    }
    case SESSION_OPT_FILE: {
        char path[PATH_MAX], name[SESSION_MAX_FILE_NAME + 1];
        if (session_file_spec(arg, path, sizeof(path), name, sizeof(name)) < 0) {
            fprintf(stderr, "ntvisor: --file=HOSTPATH[:NAME]: bad '%s' (NAME: 1..%d printable characters, "
                            "no spaces or any of ,\\/:*?\"<>|)\n", arg, SESSION_MAX_FILE_NAME);
            return -1;
        }
        if (o->n_files == SESSION_MAX_FILES) {
            fprintf(stderr, "ntvisor: at most %d --file options\n", SESSION_MAX_FILES);
            return -1;
        }
        if (session_file_name_taken(o, name)) {   /* the volume would keep only the last one */
            fprintf(stderr, "ntvisor: --file=%s: another --file already names \\??\\C:\\%s (names ignore case)\n",
                    arg, name);
            return -1;
        }
        o->files[o->n_files++] = arg;
        return 0;
    }
    case SESSION_OPT_DRIVER: {
        const char *name = session_driver_name(arg);
        if (!name) {
            fprintf(stderr, "ntvisor: --driver=FILE: bad '%s' (its name: 1..%d printable characters, "
                            "no spaces or any of ,\\:*?\"<>|)\n", arg, SESSION_MAX_FILE_NAME);
            return -1;
        }
        for (int i = 0; i < o->n_drivers; i++) {
            if (!strcmp(session_driver_name(o->drivers[i]), name)) {
                fprintf(stderr, "ntvisor: --driver=%s: a driver named '%s' is already loaded\n", arg, name);
                return -1;
            }
        }
        if (o->n_drivers == SESSION_MAX_DRIVERS) {
            fprintf(stderr, "ntvisor: at most %d --driver options\n", SESSION_MAX_DRIVERS);
            return -1;
        }
        o->drivers[o->n_drivers++] = arg;
        return 0;
    }
    }
    return -1;
}

int session_program(struct session_options *o, int argc, char **argv, int first, const char *command)
{
    if (first >= argc) {
        fprintf(stderr, "ntvisor: %s: no program given (see ntvisor %s --help)\n", command, command);
        return -1;
    }
    o->program = argv[first];
    o->args = argv + first + 1;
    o->n_args = argc - first - 1;
    return session_check_arch_support(o, command);
}

void session_options_help(FILE *out)
{
    fprintf(out,
        "  --syscall=auto|int2e|sysenter|syscall  SharedUserData!SystemCallStub: INT 2Eh,\n"
        "                     SYSENTER (Intel, and AMD since K7) or SYSCALL (AMD only outside\n"
        "                     64-bit mode); auto: SYSENTER when the CPU has SEP, else INT 2Eh\n"
        "  --memory=MIB       guest memory, %d..%d MiB (default %d)\n"
        "  --timeout=SECONDS  end the guest after this long (default: no limit)\n"
        "  --arch=i386|amd64  the guest's architecture (default: the program's PE machine);\n"
        "                     amd64 boots the long-mode kernel (SYSCALL, KiSystemCall64),\n"
        "                     for now under `ntvisor run` only, numbered as " SESSION_AMD64_BUILD "\n"
        "  --kernel=FILE      guest kernel (default: guest/ntoskrnl.exe, guest/amd64/ for amd64,\n"
        "                     beside ntvisor, else under its prefix: `ntvisor info` shows which)\n"
        "  --ntdll=FILE       ntdll image (default: guest/ntdll.dll, found the same way)\n"
        "  --no-lab           never use the SVM lab, even where /dev/kvm cannot run the guest\n"
        "  --file=HOSTPATH[:NAME]  a file of the guest's RAM volume, \\??\\C:\\NAME (repeatable)\n"
        "  --driver=FILE      a kernel driver, a PE DLL importing from ntoskrnl.exe and\n"
        "                     hal.dll, relocated into 0x%08X..0x%08X; its DriverEntry\n"
        "                     is called before the program starts (repeatable)\n"
        "  --build=NAME       the Windows build whose service numbers the kernel and\n"
        "                     ntdll use (default " SVC_DEFAULT_BUILD "; ntdll is then\n"
        "                     guest/ntdll-NAME.dll unless --ntdll says otherwise)\n",
        SESSION_MIN_MEMORY_MIB, SESSION_MAX_MEMORY_MIB, SESSION_DEFAULT_MEMORY_MIB,
        MM_SYSTEM_DRIVER_START, MM_SYSTEM_DRIVER_END);
}

void session_exit_help(FILE *out)
{
    fprintf(out,
        "exit status: the program's status byte; otherwise 2 bad usage or input file,\n"
        "123 the guest failed (bugcheck, triple fault, unexpected exit), 124 timeout,\n"
        "125 KVM or monitor failure, 126 this host cannot run the guest, 130 interrupted.\n"
        "Each failure also prints one line starting with 'ntvisor:' on stderr.\n");
}

/* The guest command line: "<image name> args..." (what QEMU and GRUB pass for a module). */
int session_cmdline(const struct session_options *o, char *out, size_t outlen)
{
    const char *name = o->image_name ? o->image_name : o->program;
    size_t len = 0;
    for (int i = -1; i < o->n_args; i++) {
        const char *word = i < 0 ? name : o->args[i];
        if (!*word || strpbrk(word, " \t\r\n,")) {
            fprintf(stderr, "ntvisor: argument '%s': the guest command line cannot carry empty words, "
                            "whitespace or commas\n", word);
            return -1;
        }
        for (const char *p = word; *p; p++) {
            if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7F) {
                fprintf(stderr, "ntvisor: argument %d: only printable ASCII reaches the guest\n", i + 1);
                return -1;
            }
        }
        int n = snprintf(out + len, outlen - len, "%s%s", i < 0 ? "" : " ", word);
        if (n < 0 || (size_t)n >= outlen - len) {
            fprintf(stderr, "ntvisor: the guest command line is longer than %zu bytes\n", outlen - 1);
            return -1;
        }
        len += (size_t)n;
    }
    return 0;
}

/* The machine in a PE file's header, or 0 when it is not one (or not a regular file: never blocks). */
static unsigned pe_machine_of(const char *path)
{
    struct stat st;
    uint8_t head[4096];
    if (!path || stat(path, &st) < 0 || !S_ISREG(st.st_mode))
        return 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    size_t n = fread(head, 1, sizeof(head), f);
    fclose(f);
    if (n < 0x40 || head[0] != 'M' || head[1] != 'Z')
        return 0;
    uint32_t lfanew = (uint32_t)head[0x3C] | (uint32_t)head[0x3D] << 8 | (uint32_t)head[0x3E] << 16 |
                      (uint32_t)head[0x3F] << 24;
    if (lfanew > n - 6 || memcmp(head + lfanew, "PE\0\0", 4))
        return 0;
    return (unsigned)head[lfanew + 4] | (unsigned)head[lfanew + 5] << 8;
}

enum session_arch session_arch(const struct session_options *o)
{
    if (o->arch != SESSION_ARCH_AUTO)
        return o->arch;
    return pe_machine_of(o->program) == PE_MACHINE_AMD64 ? SESSION_ARCH_AMD64 : SESSION_ARCH_I386;
}

int session_check_arch_support(const struct session_options *o, const char *command)
{
    if (session_arch(o) != SESSION_ARCH_AMD64)
        return 0;
    const char *missing = command && strcmp(command, "run") ? command
                          : o->n_drivers ? "--driver" : o->build ? "--build" : NULL;
    if (!missing)
        return 0;
    fprintf(stderr, "ntvisor: %s: not available for an amd64 guest yet (the amd64 kernel runs programs "
                    "under `ntvisor run`, numbered as " SESSION_AMD64_BUILD ")\n", missing);
    return -1;
}

/* guest/ (i386) or guest/amd64/ beside ntvisor: where the architecture's default images are. */
static const char *image_path(const struct session_options *o, const char *given, const char *name, char *buf,
                              size_t len)
{
    if (given)
        return given;
    char rel[256];
    snprintf(rel, sizeof(rel), "guest/%s%s", session_arch(o) == SESSION_ARCH_AMD64 ? "amd64/" : "", name);
    paths_find(rel, buf, len);   /* too long: cut, and refused as missing */
    return buf;
}

const char *session_kernel_path(const struct session_options *o, char *buf, size_t len)
{
    return image_path(o, o->kernel, "ntoskrnl.exe", buf, len);
}

/* The ntdll that numbers services as the chosen build does. */
const char *session_ntdll_path(const struct session_options *o, char *buf, size_t len)
{
    char name[160];
    if (o->ntdll || !o->build || !strcmp(o->build, SVC_DEFAULT_BUILD))
        snprintf(name, sizeof(name), "ntdll.dll");
    else
        snprintf(name, sizeof(name), "ntdll-%s.dll", o->build);
    return image_path(o, o->ntdll, name, buf, len);
}

int session_wants_lab(const struct session_options *o, struct host_info *host)
{
    host_probe(host);
    if (host->can_run_guest || getenv(NTV_IN_LAB_ENV))
        return 0;
    if (!o->no_lab)
        return 1;
    /* --no-lab on a host that cannot run the guest: say so, rather than boot into a triple fault */
    fprintf(stderr, "ntvisor: this host cannot run the guest (%s), and --no-lab keeps it out of the SVM lab\n",
            host->reason);
    return -1;
}

struct image { uint8_t *data; size_t size; };

static int load_image(const char *path, struct image *img)
{
    char err[PATH_MAX + 128];
    if (read_file(path, SESSION_MAX_IMAGE, &img->data, &img->size, err, sizeof(err)) < 0) {
        fprintf(stderr, "ntvisor: %s\n", err);
        return -1;
    }
    return 0;
}

/* A mechanism the guest's CPU lacks is a usage error here, never a guest that dies of #UD. */
static int check_cpu_mechanism(const struct session_options *o)
{
    char vendor[13];
    if (strcmp(o->syscall, "syscall") || host_has_legacy_syscall(vendor))
        return 0;
    fprintf(stderr, "ntvisor: --syscall=syscall needs a CPU with SYSCALL outside 64-bit mode (AMD); "
                    "this one is %s\n", vendor[0] ? vendor : "unknown");
    return -1;
}

/* Everything a boot reads from files, with the command lines of the modules they become. */
struct boot_inputs {
    const char *kernel_path, *ntdll_path;
    struct image kernel, ntdll, program, files[SESSION_MAX_FILES], drivers[SESSION_MAX_DRIVERS];
    char cmdline[SESSION_MAX_CMDLINE], kernel_cmdline[64];
    char file_cmdline[SESSION_MAX_FILES][SESSION_MAX_FILE_NAME + 8];
    char driver_cmdline[SESSION_MAX_DRIVERS][SESSION_MAX_FILE_NAME + 8];
    uint32_t program_entry;
};

static void free_inputs(const struct session_options *o, struct boot_inputs *in)
{
    free(in->kernel.data);
    free(in->ntdll.data);
    free(in->program.data);
    for (int i = 0; i < o->n_files; i++)
        free(in->files[i].data);
    for (int i = 0; i < o->n_drivers; i++)
        free(in->drivers[i].data);
}

static const char *subsystem_name(unsigned subsystem)
{
    switch (subsystem) {
    case PE_SUBSYSTEM_WINDOWS_GUI: return " (Windows GUI)";
    case PE_SUBSYSTEM_WINDOWS_CUI: return " (Windows console)";
    default: return "";
    }
}

/* What a program must be beyond a sound PE: a native executable entered in its code. */
static int check_pe_program(const struct pe_image *pe, const char *path, char *err, size_t errlen)
{
    if (pe->characteristics & PE_FILE_DLL)
        return errbuf_fail(err, errlen, "%s: a DLL, not a program", path);
    if (pe->subsystem != PE_SUBSYSTEM_NATIVE)
        return errbuf_fail(err, errlen, "%s: subsystem %u%s: only native programs run here (no Win32 subsystem "
                           "in the guest; link with -Wl,--subsystem,native)", path, pe->subsystem,
                           subsystem_name(pe->subsystem));
    return 0;
}

/* A driver is relocated by the kernel into a free slot: it needs relocations unless linked for one. */
static int check_pe_driver(const struct pe_image *pe, const char *path, char *err, size_t errlen)
{
    if (!(pe->characteristics & PE_FILE_DLL))
        return errbuf_fail(err, errlen, "%s: a driver is a PE DLL (link it with -shared)", path);
    bool relocs = !(pe->characteristics & PE_FILE_RELOCS_STRIPPED) && pe->n_dirs > PE_DIR_BASERELOC &&
                  pe->dirs[PE_DIR_BASERELOC].size;
    if (!relocs && (pe->image_base < MM_SYSTEM_DRIVER_START ||
                    (uint64_t)pe->image_base + pe->size_of_image > MM_SYSTEM_DRIVER_END))
        return errbuf_fail(err, errlen, "%s: no relocations, and not linked for 0x%08X..0x%08X (keep .reloc)",
                           path, MM_SYSTEM_DRIVER_START, MM_SYSTEM_DRIVER_END);
    return 0;
}

/* ntdll sits at its preferred base: the kernel does not relocate it. */
static int check_pe_ntdll(const struct pe_image *pe, const char *path, char *err, size_t errlen)
{
    if (!(pe->characteristics & PE_FILE_DLL))
        return errbuf_fail(err, errlen, "%s: ntdll must be a PE DLL", path);
    if (pe->image_base < MM_NTDLL_BASE || (uint64_t)pe->image_base + pe->size_of_image > SESSION_NTDLL_HIGHEST)
        return errbuf_fail(err, errlen, "%s: [0x%08llX, +0x%X) is not inside ntdll's range 0x%08X..0x%08X", path,
                           (unsigned long long)pe->image_base, pe->size_of_image, MM_NTDLL_BASE,
                           SESSION_NTDLL_HIGHEST);
    return 0;
}

/* A parsed image against its role's rules. 0, or -1 with err. */
static int check_pe_role(const struct pe_image *pe, const char *path, enum session_image_role role, char *err,
                         size_t errlen)
{
    if (!(pe->characteristics & PE_FILE_EXECUTABLE_IMAGE))
        return errbuf_fail(err, errlen, "%s: not marked executable (an object file?)", path);
    int rc = role == SESSION_IMAGE_PROGRAM ? check_pe_program(pe, path, err, errlen)
           : role == SESSION_IMAGE_DRIVER ? check_pe_driver(pe, path, err, errlen)
           : check_pe_ntdll(pe, path, err, errlen);
    if (rc || role == SESSION_IMAGE_NTDLL)
        return rc;
    /* a wrong -e decoration makes ld put the entry at the start of the image, or nowhere */
    const struct pe_section *code = pe_section_at(pe, pe->entry_rva);
    if (!pe->entry_rva || !code || !(code->characteristics & PE_SCN_MEM_EXECUTE))
        return errbuf_fail(err, errlen, "%s: entry point RVA 0x%x is not in an executable section (check the "
                           "entry symbol's decoration, e.g. -Wl,-e,_NtProcessStartup@4)", path, pe->entry_rva);
    return 0;
}

int session_check_pe(const uint8_t *data, size_t size, const char *path, enum session_image_role role,
                     uint32_t *entry, char *err, size_t errlen)
{
    struct pe_image *pe = malloc(sizeof(*pe));   /* 4 KiB of section headers: not on the stack */
    if (!pe)
        return errbuf_fail(err, errlen, "%s: out of memory", path);
    int rc = pe_parse(pe, data, size, path, err, errlen);
    if (!rc)
        rc = check_pe_role(pe, path, role, err, errlen);
    if (!rc && entry)
        *entry = (uint32_t)(pe->image_base + pe->entry_rva);   /* for the i386 tracer: amd64 is not traced */
    free(pe);
    return rc;
}

static const char *const session_role_names[] = { "a program", "ntdll", "a driver" };

static const char *machine_name(unsigned machine)
{
    return machine == PE_MACHINE_AMD64 ? "amd64" : machine == PE_MACHINE_I386 ? "i386" : "unknown";
}

/* The image's machine must be the guest's: an amd64 program on the i386 kernel is a usage error. */
static int check_machine(const struct image *img, const char *path, enum session_arch arch)
{
    struct pe_image *pe = malloc(sizeof(*pe));
    char err[256];
    if (!pe || pe_parse(pe, img->data, img->size, path, err, sizeof(err)) < 0) {
        free(pe);
        return 0;   /* not ours to judge: session_check_pe says what is wrong */
    }
    unsigned want = arch == SESSION_ARCH_AMD64 ? PE_MACHINE_AMD64 : PE_MACHINE_I386, got = pe->machine;
    free(pe);
    if (got == want)
        return 0;
    fprintf(stderr, "ntvisor: %s: an %s image, but the guest is %s (the program's machine chooses it; "
                    "--arch= forces one)\n", path, machine_name(got), machine_name(want));
    return -1;
}

/* Checks one image of a role, a PE image; *entry gets its entry. 0, or -1 (message printed). */
static int check_image(const struct image *img, const char *path, enum session_image_role role, uint32_t *entry)
{
    char err[512];
    if (!pe_looks_like(img->data, img->size)) {
        fprintf(stderr, "ntvisor: %s: not a PE image (%s must be one: build it with mingw-w64, see README)\n",
                path, session_role_names[role]);
        return -1;
    }
    if (session_check_pe(img->data, img->size, path, role, entry, err, sizeof(err)) < 0) {
        fprintf(stderr, "ntvisor: %s\n", err);
        return -1;
    }
    return 0;
}

/* Reads and checks every input file; -1 (message printed) at the first bad one. */
static int load_inputs(const struct session_options *o, struct boot_inputs *in)
{
    uint32_t unused;
    if (load_image(in->kernel_path, &in->kernel) < 0 || load_image(in->ntdll_path, &in->ntdll) < 0 ||
        load_image(o->program, &in->program) < 0)
        return -1;
    for (int i = 0; i < o->n_files; i++) {
        char path[PATH_MAX], name[SESSION_MAX_FILE_NAME + 1];
        if (session_file_spec(o->files[i], path, sizeof(path), name, sizeof(name)) < 0 ||
            load_image(path, &in->files[i]) < 0)
            return -1;
        if (in->files[i].size > (size_t)RAMFS_MAX_FILE_PAGES * PAGE_SIZE) {
            fprintf(stderr, "ntvisor: %s: %zu bytes, more than the guest's RAM volume holds in one file (%u)\n", path,
                    in->files[i].size, RAMFS_MAX_FILE_PAGES * PAGE_SIZE);
            return -1;
        }
        snprintf(in->file_cmdline[i], sizeof(in->file_cmdline[i]), "file %s", name);
    }
    for (int i = 0; i < o->n_drivers; i++) {
        if (load_image(o->drivers[i], &in->drivers[i]) < 0 ||
            check_image(&in->drivers[i], o->drivers[i], SESSION_IMAGE_DRIVER, &unused) < 0)
            return -1;
        snprintf(in->driver_cmdline[i], sizeof(in->driver_cmdline[i]), "driver %.63s",
                 session_driver_name(o->drivers[i]));
    }
    enum session_arch arch = session_arch(o);
    if (check_image(&in->program, o->program, SESSION_IMAGE_PROGRAM, &in->program_entry) < 0 ||
        check_image(&in->ntdll, in->ntdll_path, SESSION_IMAGE_NTDLL, &unused) < 0 ||
        check_machine(&in->program, o->program, arch) < 0 || check_machine(&in->ntdll, in->ntdll_path, arch) < 0)
        return -1;
    for (int i = 0; i < o->n_drivers; i++)
        if (check_machine(&in->drivers[i], o->drivers[i], arch) < 0)
            return -1;
    return 0;
}

/* The Multiboot modules in the kernel's order: ntdll, the program, files, drivers, the services numbering. */
static size_t module_list(const struct session_options *o, const struct boot_inputs *in,
                          const struct image *services, const char *services_cmdline, struct mb_module *modules)
{
    size_t n = 0;
    modules[n++] = (struct mb_module){ { in->ntdll.data, in->ntdll.size, in->ntdll_path }, in->ntdll_path };
    modules[n++] = (struct mb_module){ { in->program.data, in->program.size, o->program }, in->cmdline };
    for (int i = 0; i < o->n_files; i++)
        modules[n++] = (struct mb_module){ { in->files[i].data, in->files[i].size, o->files[i] },
                                           in->file_cmdline[i] };
    for (int i = 0; i < o->n_drivers; i++)
        modules[n++] = (struct mb_module){ { in->drivers[i].data, in->drivers[i].size, o->drivers[i] },
                                           in->driver_cmdline[i] };
    if (services->data)   /* the amd64 kernel numbers as its one build does: no module */
        modules[n++] = (struct mb_module){ { services->data, services->size, "services" }, services_cmdline };
    return n;
}

/* Lays the kernel and its modules into mem as the boot does; 0 or an NTV_EXIT_* code (message printed). */
static int lay_out_guest(uint8_t *mem, size_t mem_size, const struct session_options *o,
                         const struct boot_inputs *in, struct mb_boot *boot)
{
    char err[512], services_cmdline[200];
    struct image services = { 0 };
    /* the build's numbering, so that the kernel agrees with ntdll */
    if (session_arch(o) == SESSION_ARCH_I386 &&
        svc_services_module(o->build, &services.data, &services.size, err, sizeof(err)) < 0) {
        fprintf(stderr, "ntvisor: %s\n", err);
        return NTV_EXIT_MONITOR;
    }
    snprintf(services_cmdline, sizeof(services_cmdline), "services %s", o->build ? o->build : SVC_DEFAULT_BUILD);
    struct mb_module modules[3 + SESSION_MAX_FILES + SESSION_MAX_DRIVERS];
    size_t n_modules = module_list(o, in, &services, services_cmdline, modules);
    struct mb_image kernel_img = { in->kernel.data, in->kernel.size, in->kernel_path };
    int loaded = mb_load(mem, mem_size, &kernel_img, in->kernel_cmdline, modules, n_modules, boot, err, sizeof(err));
    free(services.data);
    if (loaded != MB_OK) {
        fprintf(stderr, "ntvisor: %s\n", err);
        return NTV_EXIT_USAGE;
    }
    return 0;
}

/* The boot's own loader on a scratch memory of the guest's size: the kernel image (and all the modules
   beside it) refused here as the boot would refuse them, naming the same paths. */
static int check_layout(const struct session_options *o, struct boot_inputs *in)
{
    if (session_cmdline(o, in->cmdline, sizeof(in->cmdline)) < 0)
        return -1;
    snprintf(in->kernel_cmdline, sizeof(in->kernel_cmdline), "syscall=%s", o->syscall);
    size_t size = (size_t)o->memory_mib << 20;
    uint8_t *mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (mem == MAP_FAILED) {
        perror("ntvisor: mmap");
        return -1;
    }
    struct mb_boot boot;
    int rc = lay_out_guest(mem, size, o, in, &boot) == 0 ? 0 : -1;
    munmap(mem, size);
    return rc;
}

int session_check_inputs(const struct session_options *o)
{
    char kbuf[PATH_MAX], nbuf[PATH_MAX];
    struct boot_inputs in;
    memset(&in, 0, sizeof(in));
    in.kernel_path = session_kernel_path(o, kbuf, sizeof(kbuf));
    in.ntdll_path = session_ntdll_path(o, nbuf, sizeof(nbuf));
    int rc = load_inputs(o, &in) < 0 || check_layout(o, &in) < 0 ? -1 : 0;
    free_inputs(o, &in);
    return rc;
}

/* Lays the kernel and its modules into the VM's memory and points the vCPU at the kernel; 0 or an NTV_EXIT_* code. */
static int load_guest(struct session *s, const struct session_options *o, const struct boot_inputs *in)
{
    char err[512];
    struct mb_boot boot;
    int rc = lay_out_guest(s->vm.mem, s->vm.mem_size, o, in, &boot);
    if (rc != 0)
        return rc;
    if (vcpu_setup_multiboot(&s->vm, boot.entry, boot.info_addr, err, sizeof(err)) < 0) {
        fprintf(stderr, "ntvisor: %s\n", err);
        return NTV_EXIT_MONITOR;
    }
    return 0;
}

int session_boot(struct session *s, const struct session_options *o)
{
    char kbuf[PATH_MAX], nbuf[PATH_MAX], err[512];
    struct boot_inputs in;
    memset(&in, 0, sizeof(in));
    in.kernel_path = session_kernel_path(o, kbuf, sizeof(kbuf));
    in.ntdll_path = session_ntdll_path(o, nbuf, sizeof(nbuf));
    memset(s, 0, sizeof(*s));
    snprintf(s->kernel_path, sizeof(s->kernel_path), "%s", in.kernel_path);
    if (session_cmdline(o, in.cmdline, sizeof(in.cmdline)) < 0 || check_cpu_mechanism(o) < 0)
        return NTV_EXIT_USAGE;
    snprintf(in.kernel_cmdline, sizeof(in.kernel_cmdline), "syscall=%s", o->syscall);

    int rc = NTV_EXIT_USAGE;
    enum kvm_error why;
    if (load_inputs(o, &in) < 0)
        goto out;
    if (kvm_vm_create(&s->vm, "/dev/kvm", (size_t)o->memory_mib << 20, &why, err, sizeof(err)) < 0) {
        fprintf(stderr, "ntvisor: %s\n", err);
        rc = why == KVM_ERR_SYSTEM ? NTV_EXIT_MONITOR : NTV_EXIT_NO_KVM;
        goto out;
    }
    if ((rc = load_guest(s, o, &in)) != 0) {
        kvm_vm_destroy(&s->vm);
        goto out;
    }
    s->booted = 1;
    s->program_entry = in.program_entry;
out:
    free_inputs(o, &in);
    return rc;
}

void session_end(struct session *s)
{
    if (s->booted)
        kvm_vm_destroy(&s->vm);
    s->booted = 0;
}

int session_finish(struct session *s, const struct vm_outcome *out)
{
    if (out->stop != VM_STOP_PROCESS_EXIT) {
        fprintf(stderr, "ntvisor: %s\n", out->reason);
        if (out->stop != VM_STOP_BUGCHECK && out->stop != VM_STOP_INTERRUPTED)
            vcpu_dump(&s->vm, s->kernel_path, stderr);
    }
    switch (out->stop) {
    case VM_STOP_PROCESS_EXIT: return (int)(out->detail & 0xFF);
    case VM_STOP_TIMEOUT:      return NTV_EXIT_TIMEOUT;
    case VM_STOP_INTERRUPTED:  return NTV_EXIT_INTERRUPTED;
    case VM_STOP_KVM_FAILURE:  return NTV_EXIT_MONITOR;
    default:                   return NTV_EXIT_GUEST_FAILED;
    }
}
