/*
 * The run's own counters, for make bench: the vCPU ioctls by kind (vmm/kvm.c),
 * the exits of every kind KVM itself counted (KVM_GET_STATS_FD, Linux 5.14+;
 * else debugfs's kvm/exits; else none), and the monitor's resident memory.
 * Printed as one JSON line when NTVISOR_BENCH_STATS is set (bench/run.sh).
 */
#ifndef NTVISOR_KVM_STATS_H
#define NTVISOR_KVM_STATS_H

#include <stdio.h>
#include "kvm.h"

#define KVM_STATS_ENV "NTVISOR_BENCH_STATS"

/* `ntvisor: bench-stats {"monitor_exits":N,"ioctls":{...},"hw_exits_source":"...","hw_exits":{...},"rss_kib":N}` */
void kvm_stats_report(struct kvm_vm *vm, unsigned long monitor_exits, FILE *out);

#endif
