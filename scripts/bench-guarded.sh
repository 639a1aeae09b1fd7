#!/usr/bin/env bash
# Import of N CSV rows into a plain file and into a guarded installation (keyed
# log), in turns, with medians: what the keyed chain costs an import.
#
# Usage (as root): scripts/bench-guarded.sh [N] [RUNS]
# Environment: ACCESSDESK_BIN (the binary to measure, default a release build of
#              this tree), BEFORE_BIN (an older binary whose plain import is timed
#              in the same turns, for before/after figures), CARGO_TARGET_DIR.
# Installs the binary setgid to a temporary service group under a temporary prefix
# in /var/lib, and removes both afterwards.
set -euo pipefail

N=${1:-100000}
RUNS=${2:-5}
cd "$(dirname "$0")/.."
if [ "$(id -u)" != 0 ]; then
    echo "bench-guarded.sh needs root (a service group and a setgid binary)" >&2
    exit 1
fi
TARGET=${CARGO_TARGET_DIR:-target}
if [ -n "${ACCESSDESK_BIN:-}" ]; then
    BIN=$ACCESSDESK_BIN
else
    echo "building the release binary..." >&2
    CARGO_TARGET_DIR=$TARGET cargo build --release --quiet
    BIN=$TARGET/release/accessdesk
fi

PREFIX=$(mktemp -d /var/lib/accessdesk-bench-XXXXXX)
GROUP=adbench$$
WORK=$(mktemp -d)
cleanup() {
    rm -rf "$PREFIX" "$WORK"
    groupdel "$GROUP" 2>/dev/null || true
}
trap cleanup EXIT
groupadd "$GROUP"
chmod 0755 "$PREFIX"
install -d -m 0755 "$PREFIX/bin" "$PREFIX/etc/accessdesk"
install -o root -g "$GROUP" -m 2755 "$BIN" "$PREFIX/bin/accessdesk"
install -d -o root -g "$GROUP" -m 2770 "$PREFIX/data"
printf 'database = "%s/data/team.db"\n' "$PREFIX" > "$PREFIX/etc/accessdesk/accessdesk.toml"
GUARDED=$PREFIX/bin/accessdesk

# The rows of scripts/bench.sh's import: every item column, distinct rows.
csv=$WORK/import.csv
awk -v n="$N" 'BEGIN {
    OFS = ","
    print "system,purpose,role,holder,credential-owner,approver,method,temporary,expires,deprovision,privileged,shared-credential,client-owned,exception,exception-owner,exception-expires,needed-by,notes"
    split("Google Analytics 4,WordPress,Shopify,Stripe,HubSpot,Jira,GitHub,Zendesk", sys, ",")
    split("Viewer,Editor,Analyst,Developer,Standard user,Agent", role, ",")
    split("delegated-account,temporary-link,admin-approved-flow,vault,sso-invite", m, ",")
    split("install tracking tags,migrate product catalogue,configure billing exports,connect the helpdesk", pur, ",")
    for (i = 1; i <= n; i++) {
        temp = (i % 5 == 0)
        print sys[i % 8 + 1], pur[i % 4 + 1], role[i % 6 + 1], "delegate-" i, "Client IT " (i % 30), \
              "appr" (i % 6 + 1), m[i % 5 + 1], (temp ? "true" : "false"), (temp ? "2099-01-" sprintf("%02d", i % 28 + 1) : ""), \
              (temp ? "on-date" : ""), "false", "false", (i % 7 == 0 ? "true" : "false"), "", "", "", "", \
              (i % 3 == 0 ? "client prefers invitations on weekdays" : "")
    }
}' > "$csv"

now_ns() { date +%s%N; }
median() { sort -n | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

# Prepares a file (people and a project) with `bin` and `args`, then times the import.
timed_import() {
    local bin=$1
    shift
    "$bin" "$@" init >/dev/null
    for a in 1 2 3 4 5 6; do "$bin" "$@" people add "appr$a" --role approver >/dev/null; done
    "$bin" "$@" project add IMP --name Import --client Bench --start 2099-01-01 >/dev/null
    local t0
    t0=$(now_ns)
    /usr/bin/time -f '%U %S' -o "$WORK/cpu" "$bin" "$@" import "$csv" --project IMP >/dev/null
    # Wall time and CPU time (both threads, user + system), in ms: on a busy host the
    # CPU time shows the work done better than the wall time.
    echo "$(( ($(now_ns) - t0) / 1000000 )) $(awk '{printf "%d", 1000 * ($1 + $2)}' "$WORK/cpu")"
}

plain=() guarded=() before=() plain_cpu=() guarded_cpu=() before_cpu=()
split() { local -n wall=$1 cpu=$2; read -r w c <<< "$3"; wall+=("$w"); cpu+=("$c"); }
for run in $(seq "$RUNS"); do
    if [ -n "${BEFORE_BIN:-}" ]; then
        rm -f "$WORK"/before.db*
        split before before_cpu "$(timed_import "$BEFORE_BIN" --db "$WORK/before.db")"
        echo "run $run: before (plain) ${before[-1]} ms (cpu ${before_cpu[-1]} ms)" >&2
    fi
    rm -f "$WORK"/plain.db*
    split plain plain_cpu "$(timed_import "$BIN" --db "$WORK/plain.db")"
    rm -f "$PREFIX"/data/team.db*
    split guarded guarded_cpu "$(timed_import "$GUARDED")"
    "$GUARDED" audit verify >/dev/null
    echo "run $run: plain ${plain[-1]} ms (cpu ${plain_cpu[-1]}), guarded ${guarded[-1]} ms (cpu ${guarded_cpu[-1]})" >&2
done
report() {
    local label=$1 p g b=""
    p=$(printf '%s\n' "${@:2:$RUNS}" | median)
    g=$(printf '%s\n' "${@:$((2 + RUNS)):$RUNS}" | median)
    [ -n "${BEFORE_BIN:-}" ] && b=", before (plain) $(printf '%s\n' "${@:$((2 + 2 * RUNS)):$RUNS}" | median) ms"
    echo "import of $N rows, $label, median of $RUNS: plain $p ms, guarded (keyed log) $g ms ($(awk -v p="$p" -v g="$g" 'BEGIN {printf "%+.1f %%", 100 * (g - p) / p}'))$b"
}
report "wall time" "${plain[@]}" "${guarded[@]}" "${before[@]}"
report "CPU time" "${plain_cpu[@]}" "${guarded_cpu[@]}" "${before_cpu[@]}"
