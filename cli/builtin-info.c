/* ntvisor info: what this host's KVM is and whether it runs the guest natively. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "vmm/host.h"
#include "vmm/lab/lab.h"
#include "builtin.h"
#include "vmm/ntvisor.h"
#include "vmm/kvm.h"
#include "vmm/paths.h"
#include "vmm/session.h"
#include <unistd.h>

/* Where the default guest images come from: the folders searched, and the kernel found. */
static void print_image_lookup(void)
{
    const char *dirs[PATHS_MAX_DIRS];
    static char bufs[PATHS_MAX_DIRS][4096];
    int n = paths_dirs(self_dir(), paths_libdir(), dirs, bufs);
    printf("images from:      ");
    for (int i = 0; i < n; i++)
        printf("%s%s", i ? ", then " : "", dirs[i]);
    struct session_options o;
    session_defaults(&o);
    char kernel[4096];
    session_kernel_path(&o, kernel, sizeof(kernel));
    printf("\nguest kernel:     %s%s\n", kernel, access(kernel, F_OK) == 0 ? "" : " (missing)");
}

int cmd_info(int argc, char **argv)
{
    if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        printf("usage: ntvisor info [--native]\n\nReports the KVM API version, the host's virtualization (VMX, SVM,\n"
               "kvm_pvm or none), whether /dev/kvm runs the guest natively, where the guest\n"
               "images are looked for (beside ntvisor, then under its prefix), and the SVM lab.\n"
               "With --native, prints nothing and exits 0 if /dev/kvm runs the guest\n"
               "natively, 1 if not.\n");
        return 0;
    }
    if (argc == 2 && !strcmp(argv[1], "--native")) {
        struct host_info host;
        host_probe(&host);
        return host.can_run_guest ? 0 : 1;
    }
    if (argc > 1) {
        fprintf(stderr, "ntvisor: info takes no arguments (see ntvisor info --help)\n");
        return NTV_EXIT_USAGE;
    }
    struct host_info host;
    host_probe(&host);
    char err[256];
    int version = kvm_api_version("/dev/kvm", err, sizeof(err));

    if (version >= 0)
        printf("kvm api version:  %d%s\n", version, version == KVM_REQUIRED_API_VERSION ? "" : " (unsupported)");
    else
        printf("kvm api version:  unavailable (%s)\n", err);
    printf("virtualization:   %s\n", host_virt_name(host.virt));
    printf("runs the guest:   %s%s%s\n", host.can_run_guest ? "natively" : "no",
           host.can_run_guest ? "" : ": ", host.can_run_guest ? "" : host.reason);
    print_image_lookup();
    const char *dir = lab_dir();
    printf("svm lab:          %s (%s)\n", lab_is_built(dir) ? "built" : "not built (make lab)", dir);
    if (getenv(NTV_IN_LAB_ENV))
        printf("inside the lab:   yes\n");
    return 0;
}
