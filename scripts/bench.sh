#!/usr/bin/env bash
# End-to-end performance figures of accessdesk at scale, in one run:
#   - time to the first frame of the TUI in a real terminal (tmux, 200x50): from the
#     process start until the header's readiness percentage is on screen (median of
#     several starts), until the tracker's first row is drawn (read before the other
#     items), until the tracker shows every item, and until every pane is derived
#     (the header counts the person's queue);
#   - peak memory (max RSS, /usr/bin/time -v) of the TUI start, of import and report;
#   - idle CPU of the TUI over 30 s;
#   - CSV import of N valid rows next to the sqlite3 shell's bare `.import` of the same
#     file (the ratio of the medians is the figure);
#   - `report --json` over everything;
#   - `audit verify` (chain, replay of every event against the tables, schema);
#   - starting an access review over the live access of one project (`review start`),
#     and certifying its standard access at once, on a data set whose N items include
#     REVIEW_LIVE live items in one project (`demo --scale N --live-project L`).
#   - the expiry radar's first frame: from the process start, with `6` pressed as soon
#     as the header shows, until pane 6 lists what ends (median of several starts).
#   - templates (once, independent of N): `project add --template` of a 50-item
#     template, and `project check` of a project of 5,000 items made from ten
#     500-item templates (median of 5 each; the whole process, start to exit).
#
# Usage: scripts/bench.sh [N ...]        (default: 10000 100000)
#        scripts/bench.sh --million       (100000 1000000, scale measures only: the TUI's
#                                         first frame, first rows, full tracker, every
#                                         pane, peak memory, report --json and import;
#                                         as ONLY=scale)
# Environment: RUNS (TUI starts per size, default 7), IDLE_SECONDS (default 30),
#              IMPORT_RUNS (imports and sqlite3 imports per size, in turns, default 5),
#              CARGO_TARGET_DIR (where the release build goes, default ./target),
#              SEED (generator seed, default 1), ACCESSDESK_BIN (measure this binary
#              instead of building one), REVIEW_LIVE (live items of the reviewed
#              project, default 10000, at most N), ONLY=review (measure reviews only),
#              ONLY=templates (measure templates only), ONLY=scale (the measures
#              that grow with N: no templates, reviews, radar, idle CPU or audit verify),
#              ONLY=config (the personal configuration: reading it, the TUI with saved views),
#              ONLY=report (what the kept counters change: report --json, audit verify and
#              import, no TUI).
#
# Data sets are generated once with `accessdesk demo --scale N` and cached under
# $CARGO_TARGET_DIR/bench-data/scale-N-seedS.db; every measurement works on a copy.
# Needs tmux, sqlite3, GNU time and python3 (scripts/screen_wait.py watches the screen);
# as root it installs them with apt-get if missing.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
RUNS=${RUNS:-7}
IDLE_SECONDS=${IDLE_SECONDS:-30}
SEED=${SEED:-1}
REVIEW_LIVE=${REVIEW_LIVE:-10000}
if [ "${1:-}" = --million ]; then
    shift
    ONLY=scale
    IMPORT_RUNS=${IMPORT_RUNS:-3}
    set -- 100000 1000000 "$@"
fi
ONLY=${ONLY:-}
IMPORT_RUNS=${IMPORT_RUNS:-5}
SIZES=("$@")
[ ${#SIZES[@]} -eq 0 ] && SIZES=(10000 100000)

need=()
command -v tmux >/dev/null || need+=(tmux)
command -v sqlite3 >/dev/null || need+=(sqlite3)
[ -x /usr/bin/time ] || need+=(time)
# The system's own Python (a version manager's shim in front of it takes longer to
# start than the first frame it would time).
PYTHON=/usr/bin/python3
[ -x "$PYTHON" ] || PYTHON=$(command -v python3 || true)
[ -n "$PYTHON" ] || need+=(python3-minimal)
if [ ${#need[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "installing ${need[*]} with apt-get" >&2
        apt-get install -y "${need[@]}" >/dev/null
        PYTHON=${PYTHON:-/usr/bin/python3}
    else
        echo "bench.sh needs: ${need[*]} (install them, or run as root to let apt-get do it)" >&2
        exit 1
    fi
fi

if [ -n "${ACCESSDESK_BIN:-}" ]; then
    BIN=$ACCESSDESK_BIN # e.g. an older build, for before/after figures
else
    echo "building the release binary..." >&2
    CARGO_TARGET_DIR=$TARGET cargo build --release --quiet
    BIN=$TARGET/release/accessdesk
fi
DATA=$TARGET/bench-data
mkdir -p "$DATA"
WORK=$(mktemp -d)
SESSION=accessdesk-bench-$$
cleanup() {
    tmux kill-session -t "$SESSION" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

now_ns() { date +%s%N; }
ms_since() { echo $(( ($(now_ns) - $1) / 1000000 )); }
median() { sort -n | awk '{a[NR]=$1} END {if (NR==0) print "-"; else if (NR%2) print a[(NR+1)/2]; else print int((a[NR/2]+a[NR/2+1])/2)}'; }
max_rss_mb() { awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2/1024}' "$1"; }
secs() { awk -v ns="$1" 'BEGIN {printf "%.3f", ns/1e9}'; }

# A fresh copy of the cached data set of $1 items (generated on first use), $2 of
# them (if given) live in one project, LIVE.
dataset() {
    local n=$1 live=${2:-0} cached=$DATA/scale-$1-seed$SEED.db extra=()
    if [ "$live" -gt 0 ]; then
        cached=$DATA/scale-$1-live$live-seed$SEED.db
        extra=(--live-project "$live")
    fi
    if [ ! -f "$cached" ]; then
        echo "generating $n items (cached in $cached)..." >&2
        rm -f "$cached.partial" "$cached.partial-wal" "$cached.partial-shm"
        "$BIN" demo --scale "$n" --seed "$SEED" "${extra[@]}" --db "$cached.partial" --no-tui >&2
        sqlite3 "$cached.partial" 'PRAGMA journal_mode=DELETE;' >/dev/null
        mv "$cached.partial" "$cached"
    fi
    # A file cached by an older build gets this build's schema once, here, rather than
    # at every start measured below.
    "$BIN" --db "$cached" project list >/dev/null
    sqlite3 "$cached" 'PRAGMA journal_mode=DELETE;' >/dev/null
    cp "$cached" "$WORK/db-$n-$live.db"
    echo "$WORK/db-$n-$live.db"
}


# Starts the TUI in a detached 200x50 tmux session; the wrapper records its pid and
# the start time (ns) just before exec, so the figures count from the process start.
start_tui() {
    local db=$1 wrap=${2:-}
    rm -f "$WORK/pid" "$WORK/start"
    tmux kill-session -t "$SESSION" 2>/dev/null || true
    tmux new-session -d -s "$SESSION" -x 200 -y 50 \
        "sh -c 'echo \$\$ > $WORK/pid; date +%s%N > $WORK/start; exec $wrap $BIN --db $db'; sleep 600"
}

# On screen once every item is loaded and every pane derived from them: the header
# counts the person's queue (before that it says what it is still loading or counting;
# the tracker lists every item a moment earlier).
LOADED='my queue [0-9]+'

# Waits until each of $2... (extended regexes) shows on the screen in turn, giving
# up after $1 ms in all; prints a line per pattern: ms since the recorded process
# start, or "timeout". scripts/screen_wait.py watches the pane as one tmux
# control-mode client for all of a start's patterns: it looks right after the pane
# writes (at most every 3 ms), every half second when nothing is written, and starts
# no process per look. (Looking by starting a tmux client, grep, date and sleep every
# 20 ms took about 0.2-0.4 s of CPU from a load of 2-3 s at 1,000,000 items on a
# 2-core host; every 3 ms, about 0.6 s.)
wait_screen() {
    "$PYTHON" -I -S "$ROOT/scripts/screen_wait.py" "$SESSION" "$WORK/start" "$1" 0.003 "${@:2}"
}

# Waits until $1 shows, looking every 3 ms by starting a tmux client, from now on:
# for the answer to a key, which comes in milliseconds, sooner than the watcher above
# could start. Prints nothing; gives up after a minute.
poll_screen() {
    local t0
    t0=$(now_ns)
    until tmux capture-pane -p -t "$SESSION" 2>/dev/null | grep -Eq "$1"; do
        [ "$(ms_since "$t0")" -gt 60000 ] && return
        sleep 0.003
    done
}

quit_tui() {
    tmux send-keys -t "$SESSION" q
    sleep 0.3
    tmux kill-session -t "$SESSION" 2>/dev/null || true
}

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# An import file of $1 valid rows: every item column, distinct rows, safe methods,
# future expiries, approvers registered in the target file.
write_csv() {
    local n=$1 out=$2
    awk -v n="$n" 'BEGIN {
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
    }' > "$out"
}

fmt_row() { printf '| %-44s | %14s | %14s |\n' "$@"; }

# A template of $2 items named $1 (distinct systems, every field a template has).
template_file() {
    local name=$1 n=$2 i
    printf 'name = "%s"\ntitle = "Bench %s"\n' "$name" "$name"
    for i in $(seq "$n"); do
        printf '\n[[item]]\nsystem = "%s system %d"\nrole = "Viewer"\npurpose = "bench"\n' "$name" "$i"
        printf 'method = "sso-invite"\ntemporary = true\nduration_days = 90\nneeded_by_days = %d\n' $(( i % 15 - 7 ))
    done
}

# Templates: a project from a 50-item template; `project check` on 5,000 items.
bench_templates() {
    local tdb=$WORK/templates.db adds=() checks=() i t0
    "$BIN" --db "$tdb" init >/dev/null
    template_file bench-50 50 >"$WORK/bench-50.toml"
    "$BIN" --db "$tdb" template import "$WORK/bench-50.toml" >/dev/null
    for i in 1 2 3 4 5; do
        t0=$(now_ns)
        "$BIN" --db "$tdb" project add "TPL$i" --name "Bench $i" --client Bench \
            --start 2030-01-15 --template bench-50 >/dev/null
        adds+=("$(ms_since "$t0")")
    done
    "$BIN" --db "$tdb" project add BIG --name Big --client Bench --start 2030-01-15 >/dev/null
    for i in $(seq 10); do
        template_file "big-$i" 500 >"$WORK/big-$i.toml"
        "$BIN" --db "$tdb" template import "$WORK/big-$i.toml" >/dev/null
        "$BIN" --db "$tdb" template apply "big-$i" --project BIG >/dev/null
    done
    for i in 1 2 3 4 5; do
        t0=$(now_ns)
        "$BIN" --db "$tdb" project check BIG >/dev/null
        checks+=("$(ms_since "$t0")")
    done
    echo "project add --template (50 items) (ms): ${adds[*]}; project check (5,000 items) (ms): ${checks[*]}" >&2
    echo "| templates                                      |         median |"
    echo "|------------------------------------------------|----------------|"
    printf '| %-46s | %11s ms |\n' "project add --template, 50-item template" \
        "$(printf '%s\n' "${adds[@]}" | median)"
    printf '| %-46s | %11s ms |\n' "project check, 5,000 items, 10 templates" \
        "$(printf '%s\n' "${checks[@]}" | median)"
    echo
}
[ "${ONLY:-}" != scale ] && [ "${ONLY:-}" != config ] && [ "${ONLY:-}" != report ] && bench_templates
[ "${ONLY:-}" = templates ] && exit 0

# The tracker's first row once loaded: the first item in id order of a listed project.
first_id() {
    sqlite3 "$1" "SELECT project || '-' || number FROM items \
        WHERE project IN (SELECT key FROM projects) ORDER BY project, number LIMIT 1;"
}

# Personal configuration: reading it, and the TUI with saved views defined. The read
# is timed as the whole `config show` process (an upper bound: it also starts the
# process and prints), next to `--version` (the process alone); the TUI's first frame
# and its full tracker with the default views and six more, whose counts are worked
# out once the items are loaded.
us_since() { echo $(( ($(now_ns) - $1) / 1000 )); }
config_with_views() {
    cat "$ROOT/assets/config.toml"
    for q in stripe "state:req flag:priv" "is:blocked" wordpress "flag:temp" "state:verified"; do
        printf '\n[[views]]\nname = "%s"\nquery = "%s"\n' "$q" "$q"
    done
}
bench_config() {
    local n=$1 db cfg=$WORK/config.toml i t0 reads=() bare=() firsts=() fulls=() counted=() got=()
    config_with_views >"$cfg"
    db=$(dataset "$n")
    for i in $(seq 21); do
        t0=$(now_ns)
        "$BIN" --config "$cfg" --db "$db" config show >/dev/null
        reads+=("$(us_since "$t0")")
        t0=$(now_ns)
        "$BIN" --version >/dev/null
        bare+=("$(us_since "$t0")")
    done
    for i in $(seq "$RUNS"); do
        start_tui "$db" "env ACCESSDESK_CONFIG=$cfg"
        # The views are counted once every pane is derived ("All" counts as soon
        # as the items are read): the first view of the file, with its count.
        mapfile -t got < <(wait_screen 60000 'Ready .*[0-9]+%' " $n items · sort" "All $n │ My decisions [0-9]+")
        firsts+=("${got[0]}") fulls+=("${got[1]}") counted+=("${got[2]}")
        quit_tui
    done
    echo "config show (µs): ${reads[*]}; --version (µs): ${bare[*]}" >&2
    echo "with views: first frame (ms): ${firsts[*]}; tracker (ms): ${fulls[*]}; view counts (ms): ${counted[*]}" >&2
    echo "| personal configuration, $n items (median)      |                |"
    echo "|------------------------------------------------|----------------|"
    # The least of 21 runs is the one least disturbed by other work on the host.
    printf '| %-46s | %11s µs |\n' "config show, whole process (median)" "$(printf '%s\n' "${reads[@]}" | median)"
    printf '| %-46s | %11s µs |\n' "config show, whole process (least)" "$(printf '%s\n' "${reads[@]}" | sort -n | head -1)"
    printf '| %-46s | %11s µs |\n' "--version, whole process (median)" "$(printf '%s\n' "${bare[@]}" | median)"
    printf '| %-46s | %11s µs |\n' "--version, whole process (least)" "$(printf '%s\n' "${bare[@]}" | sort -n | head -1)"
    printf '| %-46s | %11s ms |\n' "TUI first frame with 10 saved views" "$(printf '%s\n' "${firsts[@]}" | median)"
    printf '| %-46s | %11s ms |\n' "TUI tracker with every item, views defined" "$(printf '%s\n' "${fulls[@]}" | median)"
    printf '| %-46s | %11s ms |\n' "TUI view tabs counted" "$(printf '%s\n' "${counted[@]}" | median)"
    echo
}
if [ "${ONLY:-}" = config ]; then
    for n in "${SIZES[@]}"; do bench_config "$n"; done
    exit 0
fi

declare -A R

# Starting an access review over the live access of one project of $1 items, and
# certifying its standard access at once (each run on a fresh copy).
bench_review() {
    local n=$1 live rdb t0 run starts=() bulks=()
    live=$(( REVIEW_LIVE < n ? REVIEW_LIVE : n ))
    R[$n,review_live]=$live
    for run in 1 2 3; do
        rdb=$(dataset "$n" "$live")
        t0=$(now_ns)
        "$BIN" --db "$rdb" review start --project LIVE >/dev/null
        starts+=($(( ($(now_ns) - t0) / 1000000 )))
        t0=$(now_ns)
        "$BIN" --db "$rdb" review certify --all-standard --campaign 1 >/dev/null
        bulks+=($(( ($(now_ns) - t0) / 1000000 )))
        rm -f "$rdb" "$rdb"-*
    done
    R[$n,review]=$(printf '%s\n' "${starts[@]}" | median)
    R[$n,review_bulk]=$(printf '%s\n' "${bulks[@]}" | median)
    echo "review start (ms): ${starts[*]}; certify --all-standard (ms): ${bulks[*]}" >&2
}

# The expiry radar's first frame: `6` as soon as the header shows, then until the
# pane's title counts what ends (it says "loading…" until every item is read).
# Then, with every item loaded, from the key press `6` until the pane shows.
bench_radar() {
    local n=$1 db=$2 run t0 radar watched radars=() switches=()
    for run in $(seq "$RUNS"); do
        start_tui "$db"
        # One watcher: `6` is pressed once it reports the header, and it goes on
        # watching for the pane. (Its output is read through a copy of the pipe:
        # bash unsets WATCH once the watcher has exited, which may be before the
        # second line is read.)
        coproc WATCH { wait_screen 60000 'Ready .*[0-9]+%' '6 Expiring [0-9]+ within'; }
        exec {watched}<&"${WATCH[0]}"
        read -r _ <&"$watched" || true
        tmux send-keys -t "$SESSION" 6
        read -r radar <&"$watched" || radar=timeout
        exec {watched}<&-
        wait
        radars+=("$radar")
        tmux send-keys -t "$SESSION" 1
        wait_screen 60000 " $n items · sort" >/dev/null
        t0=$(now_ns)
        tmux send-keys -t "$SESSION" 6
        poll_screen '6 Expiring [0-9]+ within'
        switches+=("$(ms_since "$t0")")
        quit_tui
    done
    R[$n,radar]=$(printf '%s\n' "${radars[@]}" | grep -v timeout | median)
    R[$n,radar_key]=$(printf '%s\n' "${switches[@]}" | median)
    echo "expiry radar first frame (ms): ${radars[*]}; key 6 once loaded (ms): ${switches[*]}" >&2
}

# Idle CPU over IDLE_SECONDS once loaded.
bench_idle() {
    local n=$1 db=$2 pid hz t0 t1
    start_tui "$db"
    wait_screen 60000 "$LOADED" >/dev/null
    sleep 1
    pid=$(cat "$WORK/pid")
    hz=$(getconf CLK_TCK)
    t0=$(cpu_ticks "$pid")
    sleep "$IDLE_SECONDS"
    t1=$(cpu_ticks "$pid")
    quit_tui
    R[$n,idle]=$(awk -v d=$((t1 - t0)) -v hz="$hz" -v s="$IDLE_SECONDS" 'BEGIN {printf "%.2f", 100 * d / hz / s}')
}

# audit verify: the chain, the replay of every event against the tables, the schema.
bench_verify() {
    local n=$1 db=$2 run t0 reps=()
    for run in 1 2 3; do
        t0=$(now_ns)
        /usr/bin/time -v -o "$WORK/verify-time.txt" "$BIN" --db "$db" audit verify >/dev/null
        reps+=($(( ($(now_ns) - t0) / 1000000 )))
    done
    R[$n,verify]=$(printf '%s\n' "${reps[@]}" | median)
    R[$n,verify_rss]=$(max_rss_mb "$WORK/verify-time.txt")
}

# CSV import of $1 rows versus sqlite3's bare .import of the same file, taken in
# turns IMPORT_RUNS times each (the host's noise hits both alike); medians.
bench_import() {
    local n=$1 csv imp raw cols run t0 a imports=() raws=() import_ns raw_ns
    csv=$WORK/import-$n.csv
    write_csv "$n" "$csv"
    imp=$WORK/import-$n.db
    raw=$WORK/raw-$n.db
    cols=$(head -1 "$csv" | sed 's/[^,]*/"&" TEXT/g')
    imports=() raws=()
    for run in $(seq "$IMPORT_RUNS"); do
        rm -f "$imp" "$imp"-*
        "$BIN" --db "$imp" init >/dev/null
        for a in 1 2 3 4 5 6; do "$BIN" --db "$imp" people add "appr$a" --role approver >/dev/null; done
        "$BIN" --db "$imp" project add IMP --name Import --client Bench --start 2099-01-01 >/dev/null
        t0=$(now_ns)
        /usr/bin/time -v -o "$WORK/import-time.txt" "$BIN" --db "$imp" import "$csv" --project IMP >/dev/null
        imports+=($(( $(now_ns) - t0 )))
        rm -f "$raw" "$raw"-*
        sqlite3 "$raw" "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; CREATE TABLE items ($cols);" >/dev/null
        t0=$(now_ns)
        sqlite3 "$raw" -cmd 'PRAGMA synchronous=FULL;' ".import --csv --skip 1 $csv items"
        raws+=($(( $(now_ns) - t0 )))
    done
    import_ns=$(printf '%s\n' "${imports[@]}" | median)
    raw_ns=$(printf '%s\n' "${raws[@]}" | median)
    echo "import (ns): ${imports[*]}; sqlite3 .import (ns): ${raws[*]}" >&2
    R[$n,import_rss]=$(max_rss_mb "$WORK/import-time.txt")
    R[$n,import]=$(secs "$import_ns")
    R[$n,sqlite]=$(secs "$raw_ns")
    R[$n,ratio]=$(awk -v a="$import_ns" -v b="$raw_ns" 'BEGIN {printf "%.1fx", a / b}')
}

for n in "${SIZES[@]}"; do
    echo "== $n items" >&2

    # Starting an access review over the live access of one project, and certifying
    # its standard access at once (each run on a fresh copy).
    [ "$ONLY" != scale ] && [ "$ONLY" != report ] && bench_review "$n"
    [ "$ONLY" = review ] && continue

    db=$(dataset "$n")

    # Time to the first frame (header with readiness %), to the tracker's first row
    # (the first screenful is read with the header) and to the full tracker.
    if [ "$ONLY" != report ]; then
    first=$(first_id "$db")
    firsts=() rows=() fulls=() panes=()
    for run in $(seq "$RUNS"); do
        start_tui "$db"
        mapfile -t got < <(wait_screen 120000 'Ready .*[0-9]+%' "[> ] $first " " $n items · sort" "$LOADED")
        firsts+=("${got[0]}") rows+=("${got[1]}") fulls+=("${got[2]}") panes+=("${got[3]}")
        quit_tui
    done
    R[$n,first]=$(printf '%s\n' "${firsts[@]}" | grep -v timeout | median)
    R[$n,rows]=$(printf '%s\n' "${rows[@]}" | grep -v timeout | median)
    R[$n,full]=$(printf '%s\n' "${fulls[@]}" | grep -v timeout | median)
    R[$n,panes]=$(printf '%s\n' "${panes[@]}" | grep -v timeout | median)
    echo "first frame (ms): ${firsts[*]}; first rows (ms): ${rows[*]}; tracker loaded (ms): ${fulls[*]}; every pane (ms): ${panes[*]}" >&2

    [ "$ONLY" != scale ] && bench_radar "$n" "$db"

    # Peak memory of a TUI start (until every item is loaded and drawn).
    rm -f "$WORK/tui-time.txt"
    start_tui "$db" "/usr/bin/time -v -o $WORK/tui-time.txt"
    wait_screen 120000 "$LOADED" >/dev/null
    sleep 0.5
    # GNU time writes its figures once the TUI has exited, which takes a moment with
    # a million items to free: wait for them before the session goes.
    tmux send-keys -t "$SESSION" q
    for _ in $(seq 600); do
        grep -q 'Maximum resident' "$WORK/tui-time.txt" 2>/dev/null && break
        sleep 0.1
    done
    quit_tui
    R[$n,tui_rss]=$(max_rss_mb "$WORK/tui-time.txt")

    [ "$ONLY" != scale ] && bench_idle "$n" "$db"
    fi

    # report --json over everything; on a large file it reads on several threads, so
    # its CPU time (user + system) is given beside the wall time.
    reps=() cpus=()
    for run in 1 2 3; do
        t0=$(now_ns)
        /usr/bin/time -v -o "$WORK/report-time.txt" "$BIN" --db "$db" report --json >/dev/null
        reps+=($(( ($(now_ns) - t0) / 1000000 )))
        cpus+=($(awk -F': ' '/User time|System time/ {s += $2} END {printf "%.0f", s * 1000}' "$WORK/report-time.txt"))
    done
    R[$n,report]=$(printf '%s\n' "${reps[@]}" | median)
    R[$n,report_cpu]=$(printf '%s\n' "${cpus[@]}" | median)
    R[$n,report_rss]=$(max_rss_mb "$WORK/report-time.txt")
    echo "report --json (ms): ${reps[*]}; CPU (ms): ${cpus[*]}; $(uptime | sed 's/.*load/load/')" >&2

    [ "$ONLY" != scale ] && bench_verify "$n" "$db"

    bench_import "$n"
    rm -f "$db"
done

echo
# The build measured: this checkout's commit, or the binary given (its own version
# names no commit, so its checksum tells two builds apart).
if [ -n "${ACCESSDESK_BIN:-}" ]; then
    built="$BIN (sha256 $(sha256sum "$BIN" | cut -c1-12))"
else
    built="$(git rev-parse --short HEAD 2>/dev/null || echo '?')"
fi
echo "accessdesk $built on $(nproc) cores, $(date -u +%Y-%m-%d)"
header=("measure")
for n in "${SIZES[@]}"; do header+=("N = $n"); done
row() {
    local label=$1 key=$2 unit=$3
    local out=("$label")
    for n in "${SIZES[@]}"; do out+=("${R[$n,$key]:--}$unit"); done
    printf '| %-46s |' "${out[0]}"
    for v in "${out[@]:1}"; do printf ' %14s |' "$v"; done
    echo
}
printf '| %-46s |' "${header[0]}"
for v in "${header[@]:1}"; do printf ' %14s |' "$v"; done
echo
printf '|%s|' "$(printf -- '-%.0s' $(seq 48))"
for _ in "${SIZES[@]}"; do printf '%s|' "$(printf -- '-%.0s' $(seq 16))"; done
echo
row "TUI first frame, header with readiness (median)" first " ms"
row "TUI tracker's first rows (median)" rows " ms"
row "TUI tracker with every item (median)" full " ms"
row "TUI every pane derived (median)" panes " ms"
row "TUI expiry radar (pane 6) first frame (median)" radar " ms"
row "TUI key 6 to the radar once loaded (median)" radar_key " ms"
row "TUI peak memory (max RSS)" tui_rss " MB"
row "TUI idle CPU over ${IDLE_SECONDS} s" idle " %"
row "report --json (median of 3)" report " ms"
row "report --json CPU, user + system (median of 3)" report_cpu " ms"
row "report --json peak memory" report_rss " MB"
row "audit verify with replay (median of 3)" verify " ms"
row "audit verify peak memory" verify_rss " MB"
row "import of N CSV rows (median)" import " s"
row "sqlite3 .import of the same file (median)" sqlite " s"
row "import / sqlite3 .import" ratio ""
row "import peak memory" import_rss " MB"
row "live items of the reviewed project" review_live ""
row "review start over them (median of 3)" review " ms"
row "review certify --all-standard (median of 3)" review_bulk " ms"
