#!/usr/bin/env bash
# bench/run.sh [N] -- system calls by each mechanism, untraced and traced, against
# the cost of a null VM exit. Not a test: it prints one table. `make bench [N=...]`
# builds what it needs and runs it.
#
# Seven guest boots, each through $BUILD/ntvisor (inside the SVM lab where the
# host's /dev/kvm cannot run the guest):
#   run   --syscall=int2e     syscalls.exe N     the guest times its loop (performance counter)
#   trace --syscall=int2e     syscalls.exe N     the same, traced; the trace's exit event
#                                                carries the tracer's counters and VM exits
#   run   --syscall=sysenter  ...   and   trace --syscall=sysenter ...
#   run   --syscall=syscall   ...   and   trace --syscall=syscall ...   (where the CPU has legacy SYSCALL)
#   run   --kernel=nullexit.elf syscalls.exe N   N 1-byte OUTs to the null port, timed by RDTSC
#
# Traced runs write only the trace's exit event (--events=exit): every call is
# still trapped, decoded and matched with its return, but not written out.
# BENCH_EVENTS=all writes the whole JSON trace to a file as well (much slower
# in the lab, where the file comes back over an emulated serial port).
#
# Environment: BUILD (default build), BENCH_EVENTS (default exit), NTVISOR_LAB_DIR.
set -euo pipefail
shopt -s inherit_errexit

N=${1:-20000}
BUILD=${BUILD:-build}
EVENTS=${BENCH_EVENTS:-exit}
NTVISOR=$BUILD/ntvisor
WORKLOAD=$BUILD/bench/syscalls.exe
NULLEXIT=$BUILD/bench/nullexit.elf

if ! [[ $N =~ ^[1-9][0-9]*$ ]] || ((N > 400000000)); then
    echo "bench: N must be a number from 1 to 400000000, not '$N'" >&2
    exit 2
fi
for f in "$NTVISOR" "$WORKLOAD" "$NULLEXIT"; do
    [[ -e $f ]] || { echo "bench: $f is missing (make bench builds it)" >&2; exit 2; }
done

# a traced call costs well under 10 ms even in the lab; the rest is boot
TIMEOUT=$((120 + N / 100))
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
in_lab=0

# run_guest NAME ntvisor-arguments...: stdout to $tmp/NAME.out, stderr to $tmp/NAME.err
run_guest() {
    local name=$1 rc=0
    shift
    printf 'bench: %-16s' "$name" >&2
    local t0=$SECONDS
    "$NTVISOR" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" || rc=$?
    printf ' %3d s\n' $((SECONDS - t0)) >&2
    if grep -q 'running in the SVM lab' "$tmp/$name.err"; then
        in_lab=1
    fi
    if ((rc != 0)); then
        echo "bench: $name: ntvisor $* exited with $rc" >&2
        cat "$tmp/$name.out" "$tmp/$name.err" >&2
        exit 1
    fi
}

# field FILE KEY: the value of KEY=value on the guest's line, or of "KEY":number in a JSON line
field() {
    local v
    v=$(grep -o -E "(\\b$2=|\"$2\":)[0-9]+" "$1" | tail -n 1 | grep -o -E '[0-9]+$') || true
    if [[ -z $v ]]; then
        echo "bench: no $2 in $1:" >&2
        cat "$1" >&2
        exit 1
    fi
    echo "$v"
}

# ns_per_call FILE: from the workload's ticks, freq and calls
ns_per_call() {
    local ticks freq calls
    ticks=$(field "$1" ticks)
    freq=$(field "$1" freq)
    calls=$(field "$1" calls)
    awk -v t="$ticks" -v f="$freq" -v n="$calls" 'BEGIN { printf "%.1f", t * 1e9 / f / n }'
}

# SYSCALL outside 64-bit mode is AMD's: where ntvisor refuses it (exit 2), the row is left out
mechanisms=(int2e sysenter)
if "$NTVISOR" run --syscall=syscall --timeout="$TIMEOUT" "$WORKLOAD" 1 >/dev/null 2>"$tmp/probe.err"; then
    mechanisms+=(syscall)
elif grep -q 'needs a CPU with SYSCALL' "$tmp/probe.err"; then
    echo "bench: no syscall row: $(grep -o 'needs a CPU.*' "$tmp/probe.err")" >&2
else
    echo "bench: ntvisor run --syscall=syscall failed:" >&2
    cat "$tmp/probe.err" >&2
    exit 1
fi

declare -A ns_untraced ns_traced exits_per_call detail
for via in "${mechanisms[@]}"; do
    run_guest "$via" run --syscall="$via" --timeout="$TIMEOUT" "$WORKLOAD" "$N"
    run_guest "$via-traced" trace --syscall="$via" --timeout="$TIMEOUT" --format=json --events="$EVENTS" \
        -o "$tmp/$via.json" "$WORKLOAD" "$N"
    for run in "$via" "$via-traced"; do
        got=$(grep -o -E 'via=[a-z0-9?]+' "$tmp/$run.out" || true)
        if [[ $got != "via=$via" ]]; then
            echo "bench: $run: the workload did not run through $via (${got:-no output})" >&2
            cat "$tmp/$run.out" "$tmp/$run.err" >&2
            exit 1
        fi
    done
    ns_untraced[$via]=$(ns_per_call "$tmp/$via.out")
    ns_traced[$via]=$(ns_per_call "$tmp/$via-traced.out")
    exit_line=$(grep '"ev":"exit"' "$tmp/$via.json" | tail -n 1)
    echo "$exit_line" >"$tmp/$via.exit"
    vm_exits=$(field "$tmp/$via.exit" vm_exits)
    syscalls=$(field "$tmp/$via.exit" syscalls)
    bp_exits=$(field "$tmp/$via.exit" breakpoint_exits)
    trap_kind=$(grep -o -E '"trap":"[a-z-]+"' "$tmp/$via.exit" | cut -d'"' -f4)
    exits_per_call[$via]=$(awk -v e="$vm_exits" -v s="$syscalls" 'BEGIN { printf "%.2f", e / s }')
    yields="$(field "$tmp/$via.out" yields)/$(field "$tmp/$via-traced.out" yields)"
    detail[$via]="$via traced: $syscalls system calls (the loop's $N and the program's own), $vm_exits VM exits, $bp_exits breakpoint hits, trap=$trap_kind; thread switches in the loop (untraced/traced): $yields"
done

run_guest nullexit run --kernel="$NULLEXIT" --timeout="$TIMEOUT" "$WORKLOAD" "$N"
cycles=$(field "$tmp/nullexit.out" cycles)
hz=$(field "$tmp/nullexit.out" tsc_hz)
exits=$(field "$tmp/nullexit.out" exits)
null_ns=$(awk -v c="$cycles" -v f="$hz" -v n="$exits" 'BEGIN { printf "%.1f", c * 1e9 / f / n }')

echo
if ((in_lab)); then
    echo "ntvisor bench, N=$N -- in the SVM lab (QEMU TCG, nested kvm_amd): these timings are emulation"
    echo "artefacts, not the cost of tracing on hardware; only the ratios say anything, and little."
else
    echo "ntvisor bench, N=$N -- native KVM"
fi
echo "null VM exit (1-byte OUT to port 0xF9, handled by the monitor): $null_ns ns"
echo
printf '%-9s %9s %11s %16s %16s %14s %14s\n' mechanism calls exits/call "ns/call untraced" "ns/call traced" \
    "overhead ns" "overhead/exit"
for via in "${mechanisms[@]}"; do
    awk -v via="$via" -v n="$N" -v e="${exits_per_call[$via]}" -v u="${ns_untraced[$via]}" -v t="${ns_traced[$via]}" \
        -v z="$null_ns" 'BEGIN { printf "%-9s %9d %11s %16.1f %16.1f %14.1f %14.2f\n", via, n, e, u, t, t - u, (t - u) / z }'
done
echo
echo "calls: the workload's NtYieldExecution loop; ns/call: timed by the guest (TSC, calibrated against the PIT)"
echo "exits/call: all VM exits of the traced run / all its traced system calls (boot and console exits included)"
echo "overhead/exit: (traced - untraced) ns per call / the null exit's ns: the tracing cost in null exits"
echo "traced with --events=$EVENTS"
for via in "${mechanisms[@]}"; do
    echo "${detail[$via]}"
done
