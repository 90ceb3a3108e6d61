#!/usr/bin/env bash
# Runs the fuzz targets: `fuzz/run.sh smoke` (a few thousand inputs each, for CI) or `fuzz/run.sh long [TARGET...]`
# (10 million executions or FUZZ_SECONDS seconds each, default 2 hours, whichever comes first). Needs cargo-fuzz (`cargo install cargo-fuzz`);
# the targets need nightly features, which RUSTC_BOOTSTRAP=1 unlocks on the stable toolchain. The corpora are
# built from ../shared/data by seed.py. Findings land in fuzz/artifacts/<target>/.
set -euo pipefail
cd "$(dirname "$0")"
export RUSTC_BOOTSTRAP=1
mode=${1:-smoke}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(forms routes workbook import_odata import_csv import_sheet)
python3 seed.py
# The importers read CSV and JSON of any size; 8 KiB inputs keep them at thousands of executions a second.
max_len() { case $1 in import_sheet|workbook) echo 65536 ;; import_*) echo 8192 ;; *) echo 4096 ;; esac; }
for t in "${targets[@]}"; do
  case $mode in
    smoke) args=(-runs=2000 -max_total_time=60) ;;
    long) args=(-runs=10000000 -max_total_time="${FUZZ_SECONDS:-7200}" -print_final_stats=1) ;;
    *) echo "usage: fuzz/run.sh smoke|long [TARGET...]" >&2; exit 2 ;;
  esac
  echo "== $t ($mode)"
  cargo fuzz run -O "$t" "corpus/$t" -- "${args[@]}" -max_len="$(max_len "$t")" -rss_limit_mb=2048 2>&1 \
    | grep -E "^(Done|==|SUMMARY|stat::)|panicked|ERROR|DONE" || true
  if [ -d "artifacts/$t" ] && [ -n "$(ls -A "artifacts/$t" 2>/dev/null)" ]; then
    echo "fuzz target $t found a problem: see fuzz/artifacts/$t/" >&2
    exit 1
  fi
done
