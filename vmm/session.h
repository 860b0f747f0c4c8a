/*
 * A session: one boot of the guest with a program, shared by the subcommands
 * that boot it (run, trace and kd). Options common to them, image loading and
 * validation, the VM, and exit codes. The lab hand-off is session_lab.h.
 */
#ifndef NTVISOR_SESSION_H
#define NTVISOR_SESSION_H

#include <getopt.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include "host.h"
#include "kvm.h"
#include "vm_run.h"

#define SESSION_DEFAULT_MEMORY_MIB  64
#define SESSION_MIN_MEMORY_MIB      16
#define SESSION_MAX_MEMORY_MIB      512     /* KSEG0 maps the first 512 MiB */
#define SESSION_MAX_TIMEOUT_S       86400
#define SESSION_MAX_CMDLINE         1024
#define SESSION_MAX_FILES           16      /* --file=HOSTPATH[:NAME] */
#define SESSION_MAX_FILE_NAME       63
#define SESSION_MAX_IMAGE           (32u << 20)   /* any input file: images, --file, --driver */
#define SESSION_MAX_DRIVERS         8       /* --driver=FILE */

/* The one build whose numbering the amd64 kernel has so far (its default, data/nt-syscalls/). */
#define SESSION_AMD64_BUILD "6.1.7601-sp1-windows-7"

/* The guest's architecture: by default the program's PE machine says (--arch= forces one). */
enum session_arch { SESSION_ARCH_AUTO, SESSION_ARCH_I386, SESSION_ARCH_AMD64 };

struct session_options {
    enum session_arch arch;
    const char *build;          /* Windows build whose service numbering the guest uses; NULL: the default */
    unsigned memory_mib;
    unsigned timeout_s;
    const char *syscall;        /* auto, int2e, sysenter */
    const char *kernel, *ntdll; /* NULL: guest/ beside ntvisor */
    const char *image_name;     /* argv[0] the guest sees; default: the program path */
    int no_lab;
    const char *files[SESSION_MAX_FILES];   /* --file specs, as given */
    int n_files;
    const char *drivers[SESSION_MAX_DRIVERS];  /* --driver files, as given */
    int n_drivers;
    const char *program;
    char **args;
    int n_args;
};

/* Long options every booting subcommand accepts; codes SESSION_OPT_FIRST.. */
enum { SESSION_OPT_FIRST = 0x1000, SESSION_OPT_SYSCALL = SESSION_OPT_FIRST, SESSION_OPT_MEMORY,
       SESSION_OPT_TIMEOUT, SESSION_OPT_KERNEL, SESSION_OPT_NTDLL, SESSION_OPT_IMAGE_NAME,
       SESSION_OPT_NO_LAB, SESSION_OPT_FILE, SESSION_OPT_DRIVER, SESSION_OPT_BUILD, SESSION_OPT_ARCH, SESSION_OPT_LAST };
#define SESSION_LONG_OPTIONS \
    { "syscall", required_argument, 0, SESSION_OPT_SYSCALL }, \
    { "memory", required_argument, 0, SESSION_OPT_MEMORY }, \
    { "timeout", required_argument, 0, SESSION_OPT_TIMEOUT }, \
    { "kernel", required_argument, 0, SESSION_OPT_KERNEL }, \
    { "ntdll", required_argument, 0, SESSION_OPT_NTDLL }, \
    { "image-name", required_argument, 0, SESSION_OPT_IMAGE_NAME }, \
    { "no-lab", no_argument, 0, SESSION_OPT_NO_LAB }, \
    { "file", required_argument, 0, SESSION_OPT_FILE }, \
    { "driver", required_argument, 0, SESSION_OPT_DRIVER }, \
    { "build", required_argument, 0, SESSION_OPT_BUILD }, \
    { "arch", required_argument, 0, SESSION_OPT_ARCH }

void session_defaults(struct session_options *o);
/* Handles one of SESSION_LONG_OPTIONS; -1 (message printed) when its value is bad. */
int session_option(struct session_options *o, int code, const char *arg);
/* Takes <program> [args...] from argv[optind..]; -1 (message printed) if missing. */
int session_program(struct session_options *o, int argc, char **argv, int optind, const char *command);
void session_options_help(FILE *out);
/* The exit-status paragraph of --help. */
void session_exit_help(FILE *out);

/* The guest images a session boots: --kernel/--ntdll, else beside ntvisor (ntdll per --build). */
/* The architecture the guest is booted for: --arch=, else the program's PE machine (i386 when it
   cannot be read: the input checks then say why). */
enum session_arch session_arch(const struct session_options *o);
/* Refuses, with a message, what the amd64 guest does not have yet (tracing, kd, drivers, --build):
   0, or -1 with the message printed; command names the subcommand. */
int session_check_arch_support(const struct session_options *o, const char *command);
const char *session_kernel_path(const struct session_options *o, char *buf, size_t len);
const char *session_ntdll_path(const struct session_options *o, char *buf, size_t len);

/* Where the guest must run: 0 natively, 1 in the SVM lab, -1 nowhere (--no-lab where /dev/kvm
   cannot run it: the reason is printed, and the exit status is NTV_EXIT_NO_KVM). */
int session_wants_lab(const struct session_options *o, struct host_info *host);

/* --file=HOSTPATH[:NAME]: the host path and the guest's NAME (given, or the path's
 * last component); -1 when the spec is bad. */
int session_file_spec(const char *spec, char *path, size_t pathlen, char *name, size_t namelen);
/* --driver=FILE: the driver's name in the guest (FILE's last component), NULL when unusable. */
const char *session_driver_name(const char *path);
/* The program's command line as the guest gets it; -1 (message printed) when it cannot carry it. */
int session_cmdline(const struct session_options *o, char *out, size_t outlen);

/* What an image is for: the checks differ (a native program, ntdll at its base, a relocatable driver). */
enum session_image_role { SESSION_IMAGE_PROGRAM, SESSION_IMAGE_NTDLL, SESSION_IMAGE_DRIVER };
/* Reads and checks every input image as session_boot would (the kernel and the modules laid out by the
   boot's loader on scratch memory), without booting: 0, or -1 (message printed,
   naming the user's paths), so that a run in the SVM lab refuses bad input exactly as a native one does. */
int session_check_inputs(const struct session_options *o);
/* The monitor's pre-boot checks of a PE image (ntdb/pe.h's structure, then the role's
   rules); *entry (unless NULL) gets ImageBase + AddressOfEntryPoint. 0, or -1 with err. */
int session_check_pe(const uint8_t *data, size_t size, const char *path, enum session_image_role role,
                     uint32_t *entry, char *err, size_t errlen);

struct session {
    struct kvm_vm vm;
    int booted;
    uint32_t program_entry;     /* the program's first instruction (ImageBase+AddressOfEntryPoint, or the ELF entry) */
    char kernel_path[PATH_MAX]; /* the kernel image, for the symbols of the abnormal-end dump */
};

/* Loads and checks the images, creates the VM and loads the guest; 0, or an NTV_EXIT_* code. */
int session_boot(struct session *s, const struct session_options *o);
void session_end(struct session *s);
/* The exit status for an outcome; prints the reason (and the vCPU state) for abnormal ends. */
int session_finish(struct session *s, const struct vm_outcome *out);

#endif
