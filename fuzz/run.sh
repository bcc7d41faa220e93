#!/bin/sh
# Run one fuzz target for N seconds (default 600) from the tiny committed seeds plus a few small
# real files of the test corpus (copied at run time, not committed twice).
# Usage: fuzz/run.sh cells|workbook [seconds]
set -e
cd "$(dirname "$0")"
t=${1:?target}; secs=${2:-600}
mkdir -p "corpus/$t"
cp seeds/"$t"/* "corpus/$t/"
if [ "$t" = workbook ]; then
  for f in date.xlsx date.ods date.xlsb merge_cells.xls header-row.xlsx; do
    cp "../tests/fixtures/corpus/calamine/$f" "corpus/$t/" 2>/dev/null || true
  done
fi
# No unsafe code of our own: no sanitizer by default (faster); SAN=address for ASan.
RUSTC_BOOTSTRAP=1 exec cargo fuzz run -s "${SAN:-none}" "$t" "corpus/$t" -- -max_total_time="$secs" -max_len=65536 -rss_limit_mb=2048
