# Shared pieces of the benchmark scripts (sourced by batch.sh and scale.sh; not run alone).
# The sourcing script sets `work` (its temporary folder) and `root` (the repository)
# before sourcing, and runs `cleanup` on exit.

say() { printf '# %s\n' "$*"; }
warn() { printf 'WARNING: %s\n' "$*"; WARNINGS=$((WARNINGS + 1)); }
WARNINGS=0
now() { echo "${EPOCHREALTIME:-$(date +%s.%N)}"; }  # bash 5: no process spawned
calc() { awk "BEGIN { printf \"%s\", $* }"; }  # calc 'sprintf("%.2f", 1/3)'

try_install() { # package: apt-get install it if we can (root, or sudo without a password)
    local sudo=
    if [[ $(id -u) != 0 ]]; then
        sudo -n true 2>/dev/null || return 1
        sudo="sudo -n"
    fi
    command -v apt-get >/dev/null || return 1
    say "installing Debian package $1"
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$1" >/dev/null 2>&1 && return 0
    $sudo apt-get update -q >/dev/null 2>&1 || true
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$1" >/dev/null 2>&1
}

TIME=/usr/bin/time
if ! [[ -x $TIME ]] && ! try_install time; then
    TIME=
    say "/usr/bin/time unavailable: peak RSS from polling VmHWM, no client CPU figures"
fi

# build_bin: cargo build --release (unless NO_BUILD=1), then a private copy in $work so a
# rebuild by someone else during the run cannot swap the binary. Sets BIN.
build_bin() {
    if [[ ${NO_BUILD:-} != 1 ]]; then
        say "cargo build --release"
        (cd "$root" && cargo build --release -q)
    fi
    cp "$root/target/release/biopass" "$work/biopass"
    BIN=$work/biopass
    say "biopass $("$BIN" --version 2>/dev/null | awk 'NR==1{print $NF}')," \
        "commit $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')$(
            [[ -n $(git -C "$root" status --porcelain -- src Cargo.toml Cargo.lock 2>/dev/null) ]] && echo ' + uncommitted changes in src/')"
    say "machine: $(nproc) CPUs ($(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)), $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)," \
        "load average $(cut -d' ' -f1-3 /proc/loadavg), $(uname -sr)"
}

# need_pillow: make `import PIL` work for the data generators (pip-installed under
# target/bench-tools when the system Python lacks it); exports PYTHONPATH.
need_pillow() {
    local py=$root/target/bench-tools/py
    if ! python3 -c 'import PIL' 2>/dev/null && ! PYTHONPATH=$py python3 -c 'import PIL' 2>/dev/null; then
        say "installing Pillow under target/bench-tools (to draw the synthetic JPEGs)"
        python3 -m pip install -q --target "$py" pillow >/dev/null
    fi
    export PYTHONPATH=$py${PYTHONPATH:+:$PYTHONPATH}
}

# ---------------------------------------------------------------- sandbox serve

SERVER_PID=
start_server() { # [latency_ms [port [more sandbox options]]]: a fresh `biopass sandbox serve`; sets ENDPOINT and KEY
    local out=$work/server.out
    : >"$out"
    "$BIN" sandbox serve --port "${2:-0}" --latency-ms "${1:-0}" "${@:3}" >"$out" 2>>"$work/server.err" &
    SERVER_PID=$!
    local i
    for ((i = 0; i < 200; i++)); do
        [[ $(grep -c '^BIOPASS_' "$out") -ge 2 ]] && break
        kill -0 "$SERVER_PID" 2>/dev/null || { echo "sandbox exited:" >&2; cat "$work/server.err" >&2; exit 1; }
        sleep 0.05
    done
    ENDPOINT=$(sed -n 's/^BIOPASS_ENDPOINT=//p' "$out")
    KEY=$(sed -n 's/^BIOPASS_API_KEY=//p' "$out")
    [[ -n $ENDPOINT && -n $KEY ]] || { echo "sandbox did not print its endpoint" >&2; exit 1; }
}

server_cpu() { # seconds of CPU the running sandbox has used
    awk -v t="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / t }' "/proc/$SERVER_PID/stat"
}

stop_server() { # sets SERVER_CPU; leaves the server's /_sandbox/stats in $work/stats.json
    SERVER_CPU=$(server_cpu)
    curl -s -o "$work/stats.json" "$ENDPOINT/_sandbox/stats" || : >"$work/stats.json"
    kill -TERM "$SERVER_PID"
    wait "$SERVER_PID" || true
    SERVER_PID=
}

kill_server() { # for the EXIT trap
    if [[ -n $SERVER_PID ]]; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
        SERVER_PID=
    fi
}

# ---------------------------------------------------------------- timing

# run_timed OUTFILE cmd...: runs cmd (stdout to /dev/null, stderr to OUTFILE), sets WALL,
# RC, CLIENT_CPU (user+sys of cmd and its children), CLIENT_RSS_KB (peak RSS of the
# largest single process) and CLIENT_CS (context switches, voluntary and not).
run_timed() {
    local errfile=$1 t0 t1
    shift
    CLIENT_CPU=- CLIENT_RSS_KB= CLIENT_CS=-
    t0=$(now)
    if [[ -n $TIME ]]; then
        RC=0
        "$TIME" -v -o "$work/time.out" "$@" >/dev/null 2>"$errfile" || RC=$?
        t1=$(now)
        CLIENT_CPU=$(awk -F': ' '/User time|System time/ { s += $2 } END { printf "%.2f", s }' "$work/time.out")
        CLIENT_RSS_KB=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$work/time.out")
        CLIENT_CS=$(awk -F': ' '/context switches/ { s += $2 } END { print s + 0 }' "$work/time.out")
    else
        "$@" >/dev/null 2>"$errfile" &
        local pid=$! hwm=0 v
        while kill -0 "$pid" 2>/dev/null; do
            v=$(awk '/^VmHWM:/ { print $2 }' "/proc/$pid/status" 2>/dev/null || true)
            [[ -n $v ]] && hwm=$v
            sleep 0.02
        done
        RC=0
        wait "$pid" || RC=$?
        t1=$(now)
        CLIENT_RSS_KB=$hwm
    fi
    WALL=$(calc "sprintf(\"%.3f\", $t1 - $t0)")
}
