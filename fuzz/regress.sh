#!/usr/bin/env bash
# make test's run of one libFuzzer harness: every input of its corpus (committed
# seeds, and the images this build made), then FUZZ_SECONDS of fuzzing from
# them into a scratch directory. Ends with a Check-style summary line, which
# scripts/run-tests.sh counts: one check per harness.
#   fuzz/regress.sh BUILD TARGET
set -u
build=$1 target=$2
bin=$build/fuzz/fuzz_$target
seconds=${FUZZ_SECONDS:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/new"
dirs=(fuzz/corpus/"$target")
[ -d "$build/fuzz/seeds/$target" ] && dirs+=("$build/fuzz/seeds/$target")
dict=()
[ -f "fuzz/$target.dict" ] && dict=(-dict="fuzz/$target.dict")
"$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 "${dict[@]}" \
    -artifact_prefix="$build/fuzz/crash-$target-" "$work/new" "${dirs[@]}" >"$work/log" 2>&1
rc=$?
if [ "$rc" -eq 0 ]; then
    grep -E '^#[0-9]+.*\s(INITED|DONE)\s' "$work/log"
else
    tail -n 40 "$work/log"   # the sanitizer's report and where the input went
fi
if [ "$rc" -eq 0 ]; then
    echo "100%: Checks: 1, Failures: 0, Errors: 0"
else
    echo "fuzz/regress.sh: $target: the harness exited with $rc (a crash: see $build/fuzz/crash-$target-*)"
    echo "0%: Checks: 1, Failures: 1, Errors: 0"
fi
