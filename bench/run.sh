#!/usr/bin/env bash
# bench/run.sh [N] -- what a traced system call costs, by each mechanism, from one run:
# exits of every kind (KVM's own count), exits that reach the monitor, KVM ioctls
# besides KVM_RUN, the time untraced and traced against a null VM exit, the sink's
# rate, and the monitor's memory after a short and a long traced run. Not a test:
# it prints one table and writes $BUILD/bench/results.json. `make bench [N=...]`
# builds what it needs and runs it.
#
# Guest boots, each through $BUILD/ntvisor (inside the SVM lab where the host's
# /dev/kvm cannot run the guest), with NTVISOR_BENCH_STATS=1, so that ntvisor ends
# with one `ntvisor: bench-stats {...}` line on stderr (vmm/kvm_stats.c):
#   run   --syscall=M syscalls.exe N     the guest times its loop (performance counter)
#   trace --syscall=M syscalls.exe N     the same, traced, for M in int2e, sysenter,
#                                        syscall (where the CPU has legacy SYSCALL); and with
#                                        100 calls, whose counts are subtracted (boot cancels out)
#   trace --one-exit ...                 the same in the one-exit mode (where ntvisor has it)
#   run   --kernel=nullexit.elf ...      N 1-byte OUTs to the null port, timed by RDTSC
#   trace ... syscalls.exe LONG          RSS after a long traced run (BENCH_LONG calls)
#
# Traced runs write only the trace's exit event (--events=exit): every call is
# still trapped, decoded and matched with its return, but not written out.
# BENCH_EVENTS=all writes the whole JSON trace to a file as well.
#
# Environment: BUILD (default build), BENCH_EVENTS (default exit),
# BENCH_LONG (calls of the long run, default 10 x N), NTVISOR_LAB_DIR.
set -euo pipefail
shopt -s inherit_errexit

N=${1:-20000}
BUILD=${BUILD:-build}
EVENTS=${BENCH_EVENTS:-exit}
LONG=${BENCH_LONG:-$((N * 10))}
BASE=$(( N > 1000 ? 100 : N / 10 + 1 ))
NTVISOR=$BUILD/ntvisor
WORKLOAD=$BUILD/bench/syscalls.exe
NULLEXIT=$BUILD/bench/nullexit.elf
SINK=$BUILD/bench/sink
RESULTS=$BUILD/bench/results.json

for n in "$N" "$LONG"; do
    if ! [[ $n =~ ^[1-9][0-9]*$ ]] || ((n > 400000000)); then
        echo "bench: N and BENCH_LONG must be numbers from 1 to 400000000, not '$n'" >&2
        exit 2
    fi
done
for f in "$NTVISOR" "$WORKLOAD" "$NULLEXIT"; do
    [[ -e $f ]] || { echo "bench: $f is missing (make bench builds it)" >&2; exit 2; }
done

export NTVISOR_BENCH_STATS=1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
in_lab=false

# run_guest NAME CALLS ntvisor-arguments...: stdout to $tmp/NAME.out, stderr to $tmp/NAME.err
run_guest() {
    local name=$1 calls=$2 rc=0
    shift 2
    printf 'bench: %-22s' "$name" >&2
    local t0=$SECONDS
    # a traced call costs well under 10 ms even in the lab; the rest is boot
    "$NTVISOR" "$1" --timeout=$((120 + calls / 100)) "${@:2}" >"$tmp/$name.out" 2>"$tmp/$name.err" || rc=$?
    printf ' %4d s\n' $((SECONDS - t0)) >&2
    if grep -q 'running in the SVM lab' "$tmp/$name.err"; then
        in_lab=true
    fi
    if ((rc != 0)); then
        echo "bench: $name: ntvisor $* exited with $rc" >&2
        cat "$tmp/$name.out" "$tmp/$name.err" >&2
        exit 1
    fi
}

# field FILE KEY: the last value of KEY=number on the guest's line, or of "KEY":number in JSON
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

# stats NAME: the run's bench-stats object
stats() {
    local line
    line=$(grep -o 'ntvisor: bench-stats {.*}' "$tmp/$1.err" | tail -n 1) || true
    if [[ -z $line ]]; then
        echo "bench: $1: ntvisor printed no bench-stats line:" >&2
        cat "$tmp/$1.err" >&2
        exit 1
    fi
    echo "${line#ntvisor: bench-stats }"
}

# ns_per_call FILE: from the workload's ticks, freq and calls
ns_per_call() {
    awk -v t="$(field "$1" ticks)" -v f="$(field "$1" freq)" -v n="$(field "$1" calls)" \
        'BEGIN { printf "%.1f", t * 1e9 / f / n }'
}

# ratio A B: A / B to 3 places, or null when B is 0
ratio() {
    awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "null"; else printf "%.3f", a / b }'
}

check_via() {
    local got
    got=$(grep -o -E 'via=[a-z0-9?]+' "$tmp/$1.out" || true)
    if [[ $got != "via=$2" ]]; then
        echo "bench: $1: the workload did not run through $2 (${got:-no output})" >&2
        cat "$tmp/$1.out" "$tmp/$1.err" >&2
        exit 1
    fi
}

# SYSCALL outside 64-bit mode is AMD's: where ntvisor refuses it (exit 2), the row is left out
mechanisms=(int2e sysenter)
if "$NTVISOR" run --syscall=syscall --timeout=120 "$WORKLOAD" 1 >/dev/null 2>"$tmp/probe.err"; then
    mechanisms+=(syscall)
elif grep -q 'needs a CPU with SYSCALL' "$tmp/probe.err"; then
    echo "bench: no syscall row: $(grep -o 'needs a CPU.*' "$tmp/probe.err")" >&2
else
    echo "bench: ntvisor run --syscall=syscall failed:" >&2
    cat "$tmp/probe.err" >&2
    exit 1
fi
one_exit=false
if "$NTVISOR" trace --help 2>&1 | grep -q -- '--one-exit'; then
    one_exit=true
fi

run_guest nullexit "$N" run --kernel="$NULLEXIT" "$WORKLOAD" "$N"
null_ns=$(awk -v c="$(field "$tmp/nullexit.out" cycles)" -v f="$(field "$tmp/nullexit.out" tsc_hz)" \
    -v n="$(field "$tmp/nullexit.out" exits)" 'BEGIN { printf "%.1f", c * 1e9 / f / n }')

# measure ROW MECHANISM [trace options...]: one untraced and one traced run; the row's JSON in $tmp/ROW.json
rows=()
declare -A untraced_ns
measure() {
    local row=$1 via=$2
    shift 2
    if [[ -z ${untraced_ns[$via]:-} ]]; then
        run_guest "$via" "$N" run --syscall="$via" "$WORKLOAD" "$N"
        check_via "$via" "$via"
        untraced_ns[$via]=$(ns_per_call "$tmp/$via.out")
    fi
    # per call: the difference between a run of N calls and one of BASE, so that boot and the
    # program's own calls cancel out (the loop's calls are alike)
    run_guest "$row-base" "$BASE" trace --syscall="$via" "$@" --format=json --events="$EVENTS" \
        -o "$tmp/$row-base.trace" "$WORKLOAD" "$BASE"
    run_guest "$row-traced" "$N" trace --syscall="$via" "$@" --format=json --events="$EVENTS" \
        -o "$tmp/$row.trace" "$WORKLOAD" "$N"
    check_via "$row-traced" "$via"
    local calls base_calls
    calls=$(grep '"ev":"exit"' "$tmp/$row.trace" | tail -n 1 | grep -o -E '"syscalls":[0-9]+' | cut -d: -f2)
    base_calls=$(grep '"ev":"exit"' "$tmp/$row-base.trace" | tail -n 1 | grep -o -E '"syscalls":[0-9]+' | cut -d: -f2)
    jq -n --argjson s "$(stats "$row-traced")" --argjson b "$(stats "$row-base")" --argjson calls "${calls:-0}" \
        --argjson dc "$((${calls:-0} - ${base_calls:-0}))" --argjson u "${untraced_ns[$via]}" \
        --argjson t "$(ns_per_call "$tmp/$row-traced.out")" --argjson z "$null_ns" '
        def per(x; y): if $dc > 0 and x != null and y != null then ((x - y) / $dc * 1000 | round / 1000) else null end;
        def ioctls(s): [s.ioctls | to_entries[] | select(.key != "KVM_RUN") | .value] | add;
        per($s.monitor_exits; $b.monitor_exits) as $m
        | { calls: $calls,
            hw_exits_per_call: per($s.hw_exits.exits; $b.hw_exits.exits),
            hw_exits_by_kind_per_call: (if $s.hw_exits == null or $b.hw_exits == null then null
                                        else ($s.hw_exits | with_entries(.value = per(.value; $b.hw_exits[.key]))
                                              | with_entries(select(.value != 0))) end),
            monitor_exits_per_call: $m,
            ioctls_per_call: per(ioctls($s); ioctls($b)),
            untraced_ns_per_call: $u, traced_ns_per_call: $t, null_exit_ns: $z,
            overhead_ratio: (if $m != null and $m > 0 and $z > 0 then (($t - $u) / ($m * $z) * 1000 | round / 1000)
                             else null end),
            rss_kib: $s.rss_kib, sync_regs: $s.sync_regs, hw_exits_source: $s.hw_exits_source }' >"$tmp/$row.json"
    rows+=("$row")
}

for via in "${mechanisms[@]}"; do
    measure "$via" "$via"
done
if $one_exit; then
    for via in "${mechanisms[@]}"; do
        measure "$via-one-exit" "$via" --one-exit
    done
fi

# the long run: the monitor's memory after LONG traced calls, every event written (to /dev/null)
run_guest long "$LONG" trace --syscall=sysenter --format=json -o /dev/null "$WORKLOAD" "$LONG"
rss_long=$(stats long | jq .rss_kib)
rss_short=$(jq .rss_kib "$tmp/sysenter.json")

# the sink's rate: the sink's own micro-benchmark, where it is built (mk/bench.mk's BENCH_SINK)
sink=null
if [[ -x $SINK ]]; then
    sink=$("$SINK" | tail -n 1)
    if ! jq -e '.json_events_per_s and .text_lines_per_s' <<<"$sink" >/dev/null; then
        echo "bench: $SINK printed no {\"json_events_per_s\":..,\"text_lines_per_s\":..} line" >&2
        exit 1
    fi
fi

host="$(uname -n), Linux $(uname -r), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
mkdir -p "$(dirname "$RESULTS")"
for row in "${rows[@]}"; do
    jq -c --arg row "$row" '{($row): (. | del(.rss_kib, .sync_regs, .hw_exits_source, .hw_exits_by_kind_per_call))}' \
        "$tmp/$row.json"
done | jq -s --arg host "$host" --argjson in_lab "$in_lab" --argjson sink "$sink" \
    --argjson short "$rss_short" --argjson long "$rss_long" '
    { host: $host, in_lab: $in_lab, mechanisms: add,
      sink: (if $sink == null then {json_events_per_s: null, text_lines_per_s: null}
             else {json_events_per_s: $sink.json_events_per_s, text_lines_per_s: $sink.text_lines_per_s} end),
      rss_kib: {short: $short, long: $long} }' >"$RESULTS"

echo
if $in_lab; then
    echo "ntvisor bench, N=$N -- in the SVM lab (QEMU TCG, nested kvm_amd): times are emulation artefacts;"
    echo "the counts are exact, and the ratios say a little."
else
    echo "ntvisor bench, N=$N -- native KVM"
fi
echo "null VM exit (1-byte OUT to port 0xF9, handled by the monitor): $null_ns ns"
echo
printf '%-18s %7s %9s %9s %8s %11s %11s %8s\n' mechanism calls hw-exits mon-exits ioctls \
    "ns untraced" "ns traced" overhead
for row in "${rows[@]}"; do
    jq -r --arg row "$row" '"\($row)\t\(.calls)\t\(.hw_exits_per_call)\t\(.monitor_exits_per_call)\t\(.ioctls_per_call)\t\(.untraced_ns_per_call)\t\(.traced_ns_per_call)\t\(.overhead_ratio)"' \
        "$tmp/$row.json" | awk -F'\t' '{ printf "%-18s %7s %9s %9s %8s %11s %11s %8s\n", $1, $2, $3, $4, $5, $6, $7, $8 }'
done
echo
echo "per traced call: (a run of N calls - a run of $BASE) / the difference in calls, so boot and the"
echo "program's own calls cancel out; calls: every system call of the N run, the loop's and the program's own"
echo "  hw-exits   every VM exit KVM counted, of every kind ($(jq -r .hw_exits_source "$tmp/sysenter.json"))"
echo "  mon-exits  the exits that reached the monitor (ntvisor's exit loop)"
echo "  ioctls     vCPU ioctls besides KVM_RUN (registers synced through kvm_run: $(jq -r .sync_regs "$tmp/sysenter.json"))"
echo "  overhead   (traced - untraced ns) / (mon-exits x null exit ns): 1.0 = each exit costs a null exit"
echo "hw exits by kind, per call:"
for row in "${rows[@]}"; do
    echo "  $row: $(jq -c .hw_exits_by_kind_per_call "$tmp/$row.json")"
done
echo "RSS of ntvisor at the end: $rss_short KiB after $N calls (--events=$EVENTS), $rss_long KiB after $LONG calls (every event to /dev/null)"
echo "sink: $(jq -c .sink "$RESULTS")$([[ $sink == null ]] && echo " ($SINK not built)")"
echo "results: $RESULTS"
