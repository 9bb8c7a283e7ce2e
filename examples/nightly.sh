#!/usr/bin/env bash
# One nightly vblk-bench run, for cron or a systemd timer:
#   - one run at a time (flock on $LOCK; a run still going when the next one
#     starts makes the new one exit 4, the code vblk-bench uses for a held lock),
#   - the profile is run into $RESULTS,
#   - results directories of the profile older than $KEEP_DAYS days are removed,
#   - the history (text for the mail, HTML with trend charts) and the latest
#     run's HTML report are written to $REPORTS,
#   - the text summary goes to stdout, so cron mails it (MAILTO).
# Exit: vblk-bench run's code (0 ok, 3 failed cells, 130/143 interrupted), 4 when locked,
# 1 when the latest change point of a cell is a regression (history --fail-on-regression).
set -euo pipefail

ROOT=${VBLK_BENCH_ROOT:-/opt/vblk-bench}
VBLK=${VBLK_BENCH:-$ROOT/bin/vblk-bench}
PROFILE=${PROFILE:-$ROOT/examples/nightly.yaml}
NAME=${NAME:-nightly}                      # the profile's name: results are $NAME-<timestamp>
RESULTS=${RESULTS:-/var/lib/vblk-bench/results}
REPORTS=${REPORTS:-/var/lib/vblk-bench/reports}
KEEP_DAYS=${KEEP_DAYS:-90}
LOCK=${LOCK:-/run/lock/vblk-bench.lock}

mkdir -p "$RESULTS" "$REPORTS"
exec 9>"$LOCK"
if ! flock -n 9; then
  echo "vblk-bench nightly: another run holds $LOCK; not starting" >&2
  exit 4
fi

status=0
"$VBLK" run "$PROFILE" --out "$RESULTS" --quiet >"$REPORTS/last-run.txt" || status=$?

# Keep $KEEP_DAYS days of this profile's results (directory names are <profile>-<UTC timestamp>).
find "$RESULTS" -mindepth 1 -maxdepth 1 -type d -name "$NAME-*" -mtime "+$KEEP_DAYS" -exec rm -rf -- {} +

latest=$(find "$RESULTS" -mindepth 1 -maxdepth 1 -type d -name "$NAME-*" | sort | tail -n 1)
if [ -n "$latest" ]; then
  "$VBLK" report "$latest" --format html -o "$REPORTS/latest.html" || true
  "$VBLK" report "$latest" --format markdown -o "$REPORTS/latest.md" || true
fi
history=0
"$VBLK" history "$RESULTS" --profile "$NAME" --format html -o "$REPORTS/history.html" || true
"$VBLK" history "$RESULTS" --profile "$NAME" --fail-on-regression | tee "$REPORTS/history.txt" || history=$?

[ "$status" -ne 0 ] && exit "$status"
exit "$history"
