/* Check suite for vmm/host.c: host_classify over /proc/cpuinfo-like text.
 * A flag counts only as a whole word on a "flags" line. */
#include <check.h>
#include "check_run.h"
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/host.h"

/* Two processors, as /proc/cpuinfo prints them (abridged). */
#define CPU(flags)                                                                          \
    "processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Test CPU\n"                   \
    "flags\t\t: " flags "\nbugs\t\t: spectre_v1 spectre_v2\nbogomips\t: 4800.00\n\n"        \
    "processor\t: 1\nvendor_id\t: GenuineIntel\n"                                           \
    "flags\t\t: " flags "\nbugs\t\t: spectre_v1 spectre_v2\n"

static struct host_info classify(const char *cpuinfo, bool pvm, bool kvm)
{
    struct host_info info;
    memset(&info, 0xA5, sizeof(info));
    /* a copy of exactly its size, so ASan sees any read past the NUL */
    size_t n = strlen(cpuinfo) + 1;
    char *copy = malloc(n);
    ck_assert_ptr_nonnull(copy);
    memcpy(copy, cpuinfo, n);
    host_classify(copy, pvm, kvm, &info);
    free(copy);
    ck_assert(info.virt == HOST_VIRT_VMX || info.virt == HOST_VIRT_SVM ||
              info.virt == HOST_VIRT_PVM || info.virt == HOST_VIRT_NONE);
    ck_assert(memchr(info.reason, '\0', sizeof(info.reason)) != NULL);
    /* can run exactly when there is no reason why not */
    ck_assert_int_eq(info.can_run_guest, info.reason[0] == '\0');
    return info;
}

START_TEST(vmx_host)
{
    struct host_info i = classify(CPU("fpu vme de pse tsc msr pae vmx smx est tm2 ssse3"), false, true);
    ck_assert_int_eq(i.virt, HOST_VIRT_VMX);
    ck_assert(i.can_run_guest);
    ck_assert_str_eq(i.reason, "");
}
END_TEST

START_TEST(svm_host)
{
    struct host_info i = classify(CPU("fpu vme de pse tsc msr pae svm extapic cr8_legacy"), false, true);
    ck_assert_int_eq(i.virt, HOST_VIRT_SVM);
    ck_assert(i.can_run_guest);
}
END_TEST

START_TEST(flag_first_and_last_word)
{
    ck_assert_int_eq(classify("flags\t\t: vmx fpu\n", false, true).virt, HOST_VIRT_VMX);
    ck_assert_int_eq(classify("flags\t\t: fpu svm\n", false, true).virt, HOST_VIRT_SVM);
    ck_assert_int_eq(classify("flags\t\t: fpu svm", false, true).virt, HOST_VIRT_SVM);   /* no newline */
    ck_assert_int_eq(classify("flags\t\t:vmx\n", false, true).virt, HOST_VIRT_VMX);
    ck_assert_int_eq(classify("flags\t\t: fpu\tsvm\n", false, true).virt, HOST_VIRT_SVM);
    ck_assert_int_eq(classify("flags : svm", false, true).virt, HOST_VIRT_SVM);
}
END_TEST

START_TEST(partial_words_do_not_count)
{
    struct host_info i;
    /* "svm" inside longer flags, "vmx" as a prefix or suffix */
    i = classify(CPU("fpu svmx xsvm svm_lock vmxe avmx vmx_ept npt"), false, true);
    ck_assert_int_eq(i.virt, HOST_VIRT_NONE);
    ck_assert(!i.can_run_guest);
    ck_assert_ptr_nonnull(strstr(i.reason, "neither VMX nor SVM"));
    ck_assert_int_eq(classify("flags\t\t: svmx\n", false, true).virt, HOST_VIRT_NONE);
    ck_assert_int_eq(classify("flags\t\t: xsvm\n", false, true).virt, HOST_VIRT_NONE);
    ck_assert_int_eq(classify("flags\t\t: sv\n", false, true).virt, HOST_VIRT_NONE);
    ck_assert_int_eq(classify("flags\t\t: vm\n", false, true).virt, HOST_VIRT_NONE);
    ck_assert_int_eq(classify("flags\t\t: SVM VMX\n", false, true).virt, HOST_VIRT_NONE);
}
END_TEST

START_TEST(only_flags_lines_count)
{
    /* the words appear, but not on a flags line */
    struct host_info i = classify("processor\t: 0\nmodel name\t: vmx svm emulator\n"
                                  "vmx flags\t: vnmi preemption_timer\n"
                                  "bugs\t\t: svm vmx\nflags\t\t: fpu pae\n",
                                  false, true);
    ck_assert_int_eq(i.virt, HOST_VIRT_NONE);
    ck_assert_int_eq(classify("model name\t: AMD svm\nflags\t\t: fpu\n", false, true).virt,
                     HOST_VIRT_NONE);
    /* ... and a flags line after other lines does */
    ck_assert_int_eq(classify("processor\t: 0\nmodel name\t: x\nflags\t\t: fpu vmx\n", false, true).virt,
                     HOST_VIRT_VMX);
    /* the word must not run into the next line */
    ck_assert_int_eq(classify("flags\t\t: fpu sv\nm\n", false, true).virt, HOST_VIRT_NONE);
    ck_assert_int_eq(classify("flags\t\t: fpu\nvmx\n", false, true).virt, HOST_VIRT_NONE);
}
END_TEST

START_TEST(both_flags_prefers_vmx)
{
    ck_assert_int_eq(classify(CPU("svm vmx"), false, true).virt, HOST_VIRT_VMX);
    ck_assert_int_eq(classify(CPU("vmx svm"), false, true).virt, HOST_VIRT_VMX);
}
END_TEST

START_TEST(pvm_overrides)
{
    struct host_info i = classify(CPU("fpu vmx"), true, true);
    ck_assert_int_eq(i.virt, HOST_VIRT_PVM);
    ck_assert(!i.can_run_guest);
    ck_assert_ptr_nonnull(strstr(i.reason, "kvm_pvm"));
    ck_assert_int_eq(classify(CPU("fpu svm"), true, true).virt, HOST_VIRT_PVM);
    ck_assert_int_eq(classify(CPU("fpu"), true, true).virt, HOST_VIRT_PVM);
    i = classify("", true, false);
    ck_assert_int_eq(i.virt, HOST_VIRT_PVM);
    ck_assert_ptr_nonnull(strstr(i.reason, "kvm_pvm"));
}
END_TEST

START_TEST(no_dev_kvm)
{
    struct host_info i = classify(CPU("fpu vmx"), false, false);
    ck_assert_int_eq(i.virt, HOST_VIRT_VMX);
    ck_assert(!i.can_run_guest);
    ck_assert_ptr_nonnull(strstr(i.reason, "/dev/kvm"));
    i = classify(CPU("fpu svm"), false, false);
    ck_assert_int_eq(i.virt, HOST_VIRT_SVM);
    ck_assert(!i.can_run_guest);
    ck_assert_ptr_nonnull(strstr(i.reason, "/dev/kvm is missing"));
}
END_TEST

START_TEST(empty_text)
{
    struct host_info i = classify("", false, true);
    ck_assert_int_eq(i.virt, HOST_VIRT_NONE);
    ck_assert(!i.can_run_guest);
    ck_assert_str_ne(i.reason, "");
    ck_assert_int_eq(classify("\n\n\n", false, true).virt, HOST_VIRT_NONE);
    ck_assert_int_eq(classify("flags", false, true).virt, HOST_VIRT_NONE);
    ck_assert_int_eq(classify("flags\t\t:", false, true).virt, HOST_VIRT_NONE);
    ck_assert_int_eq(classify("flags\t\t: \n", false, true).virt, HOST_VIRT_NONE);
    ck_assert_int_eq(classify("fla", false, true).virt, HOST_VIRT_NONE);
}
END_TEST

START_TEST(virt_names)
{
    ck_assert_ptr_nonnull(strstr(host_virt_name(HOST_VIRT_VMX), "VMX"));
    ck_assert_ptr_nonnull(strstr(host_virt_name(HOST_VIRT_SVM), "SVM"));
    ck_assert_ptr_nonnull(strstr(host_virt_name(HOST_VIRT_PVM), "kvm_pvm"));
    ck_assert_str_eq(host_virt_name(HOST_VIRT_NONE), "none");
    ck_assert_str_eq(host_virt_name((enum host_virt)42), "none");
}
END_TEST

START_TEST(probe_is_consistent)
{
    /* this host, whatever it is: only self-consistency can be checked */
    struct host_info i;
    memset(&i, 0xA5, sizeof(i));
    host_probe(&i);
    ck_assert(i.virt == HOST_VIRT_VMX || i.virt == HOST_VIRT_SVM || i.virt == HOST_VIRT_PVM ||
              i.virt == HOST_VIRT_NONE);
    ck_assert(memchr(i.reason, '\0', sizeof(i.reason)) != NULL);
    ck_assert_int_eq(i.can_run_guest, i.reason[0] == '\0');
}
END_TEST


/* Legacy-mode SYSCALL: an AMD vendor and CPUID 0x80000001 EDX bit 11, both. */
START_TEST(legacy_syscall_needs_amd_and_the_bit)
{
    ck_assert(host_cpu_has_legacy_syscall("AuthenticAMD", 1u << 11));
    ck_assert(host_cpu_has_legacy_syscall("AuthenticAMD", 0xFFFFFFFFu));
    ck_assert(!host_cpu_has_legacy_syscall("AuthenticAMD", ~(1u << 11)));
    /* Intel sets the bit for 64-bit mode only: SYSCALL elsewhere is #UD */
    ck_assert(!host_cpu_has_legacy_syscall("GenuineIntel", 1u << 11));
    ck_assert(!host_cpu_has_legacy_syscall("GenuineIntel", 0));
    ck_assert(!host_cpu_has_legacy_syscall("", 1u << 11));
    ck_assert(!host_cpu_has_legacy_syscall("AuthenticAM", 1u << 11));
}
END_TEST

/* The probe agrees with the pure decision on this machine's own CPUID. */
START_TEST(legacy_syscall_probe_is_consistent)
{
    char vendor[13];
    bool yes = host_has_legacy_syscall(vendor);
    ck_assert_int_eq(vendor[12], 0);
    ck_assert_int_eq(strlen(vendor), 12);
    if (strcmp(vendor, "AuthenticAMD"))
        ck_assert(!yes);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("host");
    TCase *tc = tcase_create("classify");
    tcase_add_test(tc, vmx_host);
    tcase_add_test(tc, svm_host);
    tcase_add_test(tc, flag_first_and_last_word);
    tcase_add_test(tc, partial_words_do_not_count);
    tcase_add_test(tc, only_flags_lines_count);
    tcase_add_test(tc, both_flags_prefers_vmx);
    tcase_add_test(tc, pvm_overrides);
    tcase_add_test(tc, no_dev_kvm);
    tcase_add_test(tc, empty_text);
    tcase_add_test(tc, virt_names);
    tcase_add_test(tc, probe_is_consistent);
    tcase_add_test(tc, legacy_syscall_needs_amd_and_the_bit);
    tcase_add_test(tc, legacy_syscall_probe_is_consistent);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return check_run(suite());
}
