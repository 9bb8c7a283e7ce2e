#!/usr/bin/env bash
# One nightly vblk-bench run, for cron or a systemd timer:
#   - one run at a time (flock on $LOCK; a run still going when the next one
#     starts makes the new one exit 4, the code vblk-bench uses for a held lock),
#   - the pinned guest is imported from $GUEST_TAR (written once by `vblk-bench
#     guest export`) into the nightly's own cache, checked against $GUEST_HASH:
#     every night boots that very guest, whatever Debian published since
#     (the profile pins the same hash in guest.image_hash;
#     docs/comparing-and-gating.md, "Pinning the guest for nightly and CI",
#     says how to move the pin),
#   - the profile is run into $RESULTS,
#   - results directories of the profile older than $KEEP_DAYS days are removed,
#   - the history (text for the mail, HTML with trend charts) and the latest
#     run's HTML report are written to $REPORTS,
#   - the text summary goes to stdout, so cron mails it (MAILTO).
# Exit: vblk-bench run's code (0 ok, 3 failed cells, 130/143 interrupted), 4 when locked,
# 1 when the latest change point of a cell is a regression (history --fail-on-regression),
# guest import's code (2) when the pinned guest cannot be imported (missing or tampered tar,
# another hash).
set -euo pipefail

ROOT=${VBLK_BENCH_ROOT:-/opt/vblk-bench}
VBLK=${VBLK_BENCH:-$ROOT/bin/vblk-bench}
PROFILE=${PROFILE:-$ROOT/examples/nightly.yaml}
NAME=${NAME:-nightly}                      # the profile's name: results are $NAME-<timestamp>
RESULTS=${RESULTS:-/var/lib/vblk-bench/results}
REPORTS=${REPORTS:-/var/lib/vblk-bench/reports}
KEEP_DAYS=${KEEP_DAYS:-90}
LOCK=${LOCK:-/run/lock/vblk-bench.lock}
GUEST_TAR=${GUEST_TAR:-/var/lib/vblk-bench/guest.tar}
GUEST_HASH=${GUEST_HASH:?set GUEST_HASH to the content hash of \$GUEST_TAR, the same as guest.image_hash in the profile}
# The nightly's own guest cache: it holds the imported guest only, so nothing a
# user builds by hand (in ~/.cache) can take its place.
export VBLK_BENCH_CACHE=${VBLK_BENCH_CACHE:-/var/lib/vblk-bench/cache}

mkdir -p "$RESULTS" "$REPORTS"
exec 9>"$LOCK"
if ! flock -n 9; then
  echo "vblk-bench nightly: another run holds $LOCK; not starting" >&2
  exit 4
fi

# Every file checked against the manifest and the content hash against the pin;
# a no-op when that guest is already cached. --force replaces another guest of the
# same build recipe (a previous pin) in this cache, which is the nightly's own.
status=0
"$VBLK" guest import "$GUEST_TAR" --expect-hash "$GUEST_HASH" --force >"$REPORTS/guest-import.txt" 2>&1 || status=$?
if [ "$status" -ne 0 ]; then
  echo "vblk-bench nightly: the pinned guest could not be imported; not running:" >&2
  cat "$REPORTS/guest-import.txt" >&2
  exit "$status"
fi

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
