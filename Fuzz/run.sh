#!/usr/bin/env bash
# Builds and runs the libFuzzer targets of the decoders.
#
#   Fuzz/run.sh [target|all] [seconds] [libFuzzer flags...]   campaign (default: all, 60 s each)
#   Fuzz/run.sh smoke [target|all] [libFuzzer flags...]       CI: fresh corpus from the seeds,
#                                                             FUZZ_SMOKE_SECONDS (30) per target
#   Fuzz/run.sh build [target|all]                            build only
#   Fuzz/run.sh list                                          the targets, one per line
#
# Exit status: 0 when every target built and ran clean; 1 when a build failed or libFuzzer found
# a crash, timeout, leak or out-of-memory (or did not run at all); 2 on a usage error.
# Each target ends with one line "== summary <target>: OK|FAIL executions N, exec/s N,
# crashes N, ..."; runs of more than one target end with all those lines again and a verdict.
#
# A target is its modules, each compiled once with -sanitize=fuzzer,address and shared by the
# targets that use it (Fuzz/bin/modules/), and Fuzz/<file> compiled against them (no SwiftPM:
# the package's `nip` executable has its own main).
# Binaries go to Fuzz/bin/, corpora to Fuzz/corpus-<target>/ (smoke: Fuzz/bin/smoke-corpus-<target>/,
# emptied first), crash inputs to Fuzz/artifacts/<target>-*. Corpora are seeded from
# Fuzz/seeds/<target>/ (committed) and from the reference vectors by Fuzz/vector_seeds.py.
# One libFuzzer process at a time: build and run of a target hold Fuzz/bin/.lock (flock), so
# two run.sh on one machine take turns instead of sharing a core.
#
# Environment:
#   SWIFTC              compiler (default: swiftc on PATH, else /opt/swift/usr/bin/swiftc)
#   FUZZ_VECTORS        vectors directory (default: Tests/Vectors if present, else ../shared/vectors;
#                       SHARED_VECTORS is still honoured); none at all is fine: Fuzz/seeds only
#   FUZZ_SMOKE_SECONDS  seconds per target in smoke mode (default 30)
#   FUZZ_NO_BUILD=1     reuse existing binaries in Fuzz/bin
#   FUZZ_NO_LOCK=1      do not take Fuzz/bin/.lock
#   FUZZ_JOBS           targets built and run at a time (default 1); each lane prints its target's
#                       whole output when the target ends, so the lines of two targets never mix
#   FUZZ_SWIFTPM_FLAGS  extra `swift build` flags for the package products, e.g. "-c release
#                       --scratch-path .build-release" to link the objects of a release build
#                       that is already there instead of building them again in debug
set -uo pipefail

cd "$(dirname "$0")/.."
root=$(pwd)
fuzz="$root/Fuzz"

# The targets: one line each.
#   name | modules | file | max_len | package products
# modules: the module the target file tests (the file imports it), then (comma-separated) the
# modules that one imports, each built before it as a module from Sources/<module>/, or from a path when
# the entry holds a slash (a package checkout's module) (list a module after those it imports
# itself; a module of C sources, with its header and module.modulemap in include/, is compiled
# with the toolchain's clang, instrumented the same way). max_len: largest
# input libFuzzer generates (a compact or framework header is at most 255 bytes plus some
# payload; captures need room for a few blocks; log notes and tiles a little more). package
# products (optional): a package dependency the modules import, built by SwiftPM (`swift build
# --target <target>`, debug unless FUZZ_SWIFTPM_FLAGS say otherwise, not instrumented) and
# linked from its object directories:
# "<SwiftPM target>:<target>,<target>,..." (the target and what it needs).
# Seeds: Fuzz/seeds/<name>/, plus a branch in Fuzz/vector_seeds.py if the vectors have inputs.
crypto=Crypto:Crypto,CryptoBoringWrapper,CCryptoBoringSSL,CCryptoBoringSSLShims,CXKCP,CXKCPShims
crypto_extras=_CryptoExtras:Crypto,CryptoBoringWrapper,CCryptoBoringSSL,CCryptoBoringSSLShims,CXKCP,CXKCPShims,SwiftASN1,CryptoExtras,_CryptoExtras
heap=HeapModule:HeapModule,InternalCollectionsUtilities
control=NewIPControl:Crypto,CryptoBoringWrapper,CCryptoBoringSSL,CCryptoBoringSSLShims,CXKCP,CXKCPShims,SwiftASN1,CryptoExtras,_CryptoExtras,HeapModule,InternalCollectionsUtilities
target_table="
compact-header   | NewIPWire    | CompactHeaderFuzz.swift   | 512
framework-header | NewIPWire    | FrameworkHeaderFuzz.swift | 512
capture-reader   | NewIPCapture | CaptureReaderFuzz.swift   | 4096
ip-headers       | NewIPWire    | IPHeadersFuzz.swift       | 512
packet           | NewIPWire    | NewIPPacketFuzz.swift     | 512
neighbour-discovery | NewIPWire | NeighbourDiscoveryFuzz.swift | 512
tlog             | NewIPLog     | TransparencyLogFuzz.swift | 2048 | $crypto
security         | NewIPSecurity,NewIPWire,CNewIPAES | SecurityFuzz.swift | 1024 | $crypto_extras
routing          | NewIPControl,NewIPWire,NewIPDataPlane,CNewIPAES,NewIPSecurity | RoutingPacketFuzz.swift | 1024 | $control
topology-file    | NewIPTopology,NewIPWire,NewIPDataPlane,NewIPRandom,NewIPFiles,.build/checkouts/Yams/Sources/CYaml | TopologyFileFuzz.swift | 4096 | $heap
"
# Every module is compiled with the package name SwiftPM gives the package, so `package`
# declarations are visible across its files as they are in `swift build`.
package_name=swift_newip

field() {  # field <target> <column 1-4>: that column of the target's line, trimmed
    awk -F'|' -v t="$1" -v c="$2" '{ n = $1; gsub(/ /, "", n) } n == t { v = $c; gsub(/^ +| +$/, "", v); print v; found = 1 } END { exit !found }' <<<"$target_table"
}
all_targets=($(awk -F'|' 'NF >= 4 { gsub(/ /, "", $1); print $1 }' <<<"$target_table"))

usage() {
    cat >&2 <<EOF
usage: $0 [target|all] [seconds] [libFuzzer flags...]
       $0 smoke [target|all] [libFuzzer flags...]
       $0 build [target|all]
       $0 list
targets: ${all_targets[*]}
EOF
    exit 2
}

mode=campaign
case ${1:-} in
    smoke|build) mode=$1; shift ;;
    list) printf '%s\n' "${all_targets[@]}"; exit 0 ;;
    -h|--help|help) usage ;;
esac
target=${1:-all}
[[ $# -gt 0 ]] && shift
if [[ $mode == campaign ]]; then
    seconds=${1:-60}
    [[ $# -gt 0 ]] && shift
else
    seconds=${FUZZ_SMOKE_SECONDS:-30}
fi
extra=("$@")
read -ra swiftpm_flags <<<"${FUZZ_SWIFTPM_FLAGS:-}"
jobs=${FUZZ_JOBS:-1}
[[ "$jobs" =~ ^[0-9]+$ && "$jobs" -gt 0 ]] || { echo "FUZZ_JOBS must be a positive integer, not '$jobs'" >&2; usage; }
[[ "$seconds" =~ ^[0-9]+$ && "$seconds" -gt 0 ]] || { echo "seconds must be a positive integer, not '$seconds'" >&2; usage; }
if [[ $target == all ]]; then
    targets=("${all_targets[@]}")
elif field "$target" 1 >/dev/null; then
    targets=("$target")
else
    echo "unknown target '$target'" >&2
    usage
fi

SWIFTC=${SWIFTC:-$(command -v swiftc || echo /opt/swift/usr/bin/swiftc)}
clang=$(dirname "$SWIFTC")/clang  # C modules, instrumented as the Swift ones are
if [[ -n ${FUZZ_VECTORS:-${SHARED_VECTORS:-}} ]]; then
    vectors=${FUZZ_VECTORS:-$SHARED_VECTORS}
elif [[ -d $root/Tests/Vectors ]]; then
    vectors=$root/Tests/Vectors
else
    vectors=$root/../shared/vectors
fi

mkdir -p "$fuzz/bin" "$fuzz/artifacts"

# Runs "$@" holding Fuzz/bin/.lock: one fuzzer or fuzz build at a time on this machine.
locked() {
    if [[ ${FUZZ_NO_LOCK:-} == 1 ]] || ! command -v flock >/dev/null; then
        "$@"
        return
    fi
    (
        if ! flock -n 9; then
            echo "== waiting for Fuzz/bin/.lock (another Fuzz/run.sh is building or fuzzing)"
            flock 9
        fi
        "$@"
    ) 9>"$fuzz/bin/.lock"
}

# The commit the sources of a target come from, "+dirty" when they differ from it.
source_commit() {
    local t=$1 paths=() m
    for m in $(tr ',' ' ' <<<"$(field "$t" 2)"); do [[ $m == */* ]] && paths+=("$m") || paths+=("Sources/$m"); done
    paths+=("Fuzz/$(field "$t" 3)")
    local commit
    commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null) || { echo unknown; return; }
    if ! git -C "$root" diff --quiet HEAD -- "${paths[@]}" 2>/dev/null \
        || [[ -n $(git -C "$root" ls-files --others --exclude-standard -- "${paths[@]}" 2>/dev/null) ]]; then
        commit+="+dirty"
    fi
    echo "$commit"
}

swiftc_quiet() {  # swiftc without lld's noise; returns swiftc's status
    "$SWIFTC" "$@" 2>&1 | grep -v "warning: Cannot export local symbol"
    return "${PIPESTATUS[0]}"
}

# Instrumented modules are compiled once and shared by every target that uses them (NewIPWire
# serves eight): Fuzz/bin/modules/<module>-<key>/ holds the module's source snapshot, its
# .swiftmodule and object (a C module: its objects). The key hashes the compiler, the flags, the
# module's sources, the keys of the target's modules it imports and, when it imports a package
# product, that product's build (debug or release), so a module is reused only
# where it would compile to the same thing. Stack traces name the snapshot's files: exactly the
# code that was fuzzed.
module_cache="$fuzz/bin/modules"
compiler_id=$("$SWIFTC" -version 2>&1 | head -1)
declare -A module_keys  # this target's modules compiled so far: name → key
# Modules no build has used for two days are of sources long changed.
find "$module_cache" -mindepth 2 -maxdepth 2 -name done -mtime +2 -printf '%h\0' 2>/dev/null | xargs -0 -r rm -rf

# compile_module <target> <module entry>: compiles the module (or finds it compiled) with the
# flags in `flags`; sets module_dir and module_key. Non-zero when it does not compile.
compile_module() {
    local t=$1 entry=$2 src name key dir tmp c o imported before=""
    src="$root/Sources/$entry"
    [[ $entry == */* ]] && src="$root/$entry"  # a package checkout's module (.build/checkouts/Yams/Sources/CYaml)
    name=${entry##*/}
    if ! compgen -G "$src/*.swift" >/dev/null && [[ -z $(find "$src" -name '*.c' 2>/dev/null) ]]; then
        echo "== build of $t FAILED: no sources in ${src#$root/}" >&2
        return 1
    fi
    for imported in $(grep -hoE '^ *(@[A-Za-z_]+ +)?((public|package|internal) +)?import +[A-Za-z_]+' "$src"/*.swift 2>/dev/null \
                      | awk '{ print $NF }' | sort -u); do
        [[ -n ${module_keys[$imported]:-} ]] && before+=" $imported=${module_keys[$imported]}"
        [[ ,$product_modules, == *,$imported,* ]] && before+=" $imported@${product_imports[*]}"
    done
    key=$( { echo "$compiler_id ${flags[*]} $before"; find "$src" -type f \( -name '*.swift' -o -name '*.c' -o -name '*.h' -o -name 'module.modulemap' \) | sort | xargs cat; } | sha1sum | cut -c1-12)
    dir="$module_cache/$name-$key"
    module_dir=$dir module_key=$key
    if [[ -f $dir/done ]]; then
        touch "$dir/done"  # in use: kept by the pruning below
        return 0
    fi
    # Built in a directory of its own and renamed into place: two lanes building the same module
    # at once each finish, and one of the two results stays.
    mkdir -p "$module_cache"
    tmp=$(mktemp -d "$module_cache/.$name.XXXXXX")
    cp -R "$src" "$tmp/Sources"
    if [[ -n $(find "$tmp/Sources" -name '*.c') ]]; then
        for c in $(find "$tmp/Sources" -name '*.c' | sort); do
            o="$tmp/$(basename "$c" .c).o"
            if ! "$clang" -fsanitize=fuzzer-no-link,address -O2 -g -Wall -I "$tmp/Sources/include" -c "$c" -o "$o"; then
                echo "== build of $t FAILED: C module $name does not compile ($clang)" >&2
                rm -rf "$tmp"
                return 1
            fi
        done
    elif ! swiftc_quiet "${flags[@]}" "${imports[@]}" "${product_imports[@]}" -module-name "$name" -emit-module \
        -emit-module-path "$tmp/$name.swiftmodule" -c "$tmp/Sources/"*.swift -o "$tmp/$name.o"; then
        echo "== build of $t FAILED: module $name does not compile (swiftc $SWIFTC)" >&2
        rm -rf "$tmp"
        return 1
    fi
    touch "$tmp/done"
    # The snapshot's paths are in the object's debug information: keep them by moving the
    # directory only when no other lane got there first.
    mv -T "$tmp" "$dir" 2>/dev/null || rm -rf "$tmp"
    [[ -f $dir/done ]]
}

build() {
    local t=$1 modules file entries=() commit products bin dir o entry
    modules=$(field "$t" 2)
    file=$(field "$t" 3)
    IFS=, read -ra entries <<<"$modules"
    commit=$(source_commit "$t")
    rm -rf "$fuzz/bin/src-$t" "$fuzz/bin/$t" "$fuzz/bin/$t.commit"
    mkdir -p "$fuzz/bin/src-$t"
    cp "$fuzz/$file" "$fuzz/bin/src-$t/" || { echo "== build of $t FAILED: no Fuzz/$file" >&2; return 1; }
    echo "== building $t (modules $modules, commit $commit)"
    # -wmo with -num-threads 0: a single compiler process per module, so a build uses one core.
    flags=(-sanitize=fuzzer,address -parse-as-library -O -wmo -num-threads 0 -g
           -swift-version 6 -package-name "$package_name")
    imports=() objects=() product_imports=() module_keys=() product_modules=""
    products=$(field "$t" 5)
    if [[ -n $products ]]; then
        echo "== building ${products%%:*} with SwiftPM for $t"
        if ! (cd "$root" && swift build "${swiftpm_flags[@]}" --target "${products%%:*}" >&2) \
            || ! bin=$(cd "$root" && swift build "${swiftpm_flags[@]}" --show-bin-path); then
            echo "== build of $t FAILED: swift build ${swiftpm_flags[*]} --target ${products%%:*}" >&2
            return 1
        fi
        # Searched after the instrumented modules: SwiftPM's build of them is there too.
        product_imports=(-I "$bin/Modules")
        product_modules=${products#*:}
        for dir in $(tr ',' ' ' <<<"${products#*:}"); do
            if [[ -z $(find "$bin/$dir.build" -name '*.o' 2>/dev/null) ]]; then
                echo "== build of $t FAILED: no objects in $bin/$dir.build" >&2
                return 1
            fi
            while IFS= read -r o; do objects+=("$o"); done < <(find "$bin/$dir.build" -name '*.o')
        done
    fi
    # The modules a module imports come before it: the listed dependencies, then the target's
    # module (the table lists it first).
    for entry in "${entries[@]:1}" "${entries[0]}"; do
        compile_module "$t" "$entry" || return 1
        module_keys[${entry##*/}]=$module_key
        imports+=(-I "$module_dir")
        [[ -d $module_dir/Sources/include ]] && imports+=(-I "$module_dir/Sources/include")
        for o in "$module_dir"/*.o; do objects+=("$o"); done
        echo "== $t: ${module_dir#$root/}"
    done
    # The target file is a module of its own that imports them: it uses their public and
    # package API, as the project's other modules do.
    if ! swiftc_quiet "${flags[@]}" "${imports[@]}" "${product_imports[@]}" -use-ld=lld -module-name "FuzzTarget" \
        "$fuzz/bin/src-$t/$file" "${objects[@]}" -o "$fuzz/bin/$t" || [[ ! -x $fuzz/bin/$t ]]; then
        rm -f "$fuzz/bin/$t"
        echo "== build of $t FAILED (swiftc $SWIFTC)" >&2
        return 1
    fi
    echo "$commit" >"$fuzz/bin/$t.commit"
}

seed() {
    local t=$1 corpus=$2 n
    mkdir -p "$corpus"
    if [[ -d "$fuzz/seeds/$t" ]]; then
        cp -n "$fuzz/seeds/$t/"* "$corpus/" 2>/dev/null || true
        n=$(find "$fuzz/seeds/$t" -type f | wc -l)
        echo "== seeded $t: $n inputs from Fuzz/seeds/$t"
    else
        echo "== warning: no Fuzz/seeds/$t" >&2
    fi
    if [[ ! -d "$vectors" ]]; then
        echo "== no vectors ($vectors not found): seeding $t from Fuzz/seeds/$t only"
        return 0
    fi
    if ! command -v python3 >/dev/null; then
        echo "== warning: no python3: seeding $t from Fuzz/seeds/$t only" >&2
        return 0
    fi
    python3 "$fuzz/vector_seeds.py" "$t" "$corpus" "$vectors"
}

# run <target>: build (unless FUZZ_NO_BUILD=1), seed, fuzz; prints the summary line;
# non-zero when anything went wrong.
run() {
    local t=$1 corpus log status started elapsed commit verdict=OK problems=()
    if [[ ${FUZZ_NO_BUILD:-} == 1 && -x "$fuzz/bin/$t" ]]; then
        echo "== reusing Fuzz/bin/$t (FUZZ_NO_BUILD=1)"
    elif ! build "$t"; then
        echo "== summary $t: FAIL build failed"
        return 1
    fi
    [[ $mode == build ]] && { echo "== summary $t: OK built, commit $(cat "$fuzz/bin/$t.commit" 2>/dev/null || echo unknown)"; return 0; }
    commit=$(cat "$fuzz/bin/$t.commit" 2>/dev/null || echo unknown)
    if [[ $mode == smoke ]]; then
        corpus="$fuzz/bin/smoke-corpus-$t"
        rm -rf "$corpus"
    else
        corpus="$fuzz/corpus-$t"
    fi
    seed "$t" "$corpus" || { echo "== summary $t: FAIL seeding failed"; return 1; }
    log=$(mktemp "${TMPDIR:-/tmp}/fuzz-$t.XXXXXX.log")
    started=$(date +%s)
    echo "== running $t for ${seconds}s: corpus ${corpus#$root/}, artifacts Fuzz/artifacts/$t-*"
    # SWIFT_BACKTRACE=enable=no: let libFuzzer report a Swift trap ("deadly signal", with the
    # stack) instead of the Swift backtracer, which trips AddressSanitizer and hides the cause.
    (cd "$root" && SWIFT_BACKTRACE=enable=no "$fuzz/bin/$t" \
        -max_total_time="$seconds" -print_final_stats=1 \
        -artifact_prefix="Fuzz/artifacts/$t-" -rss_limit_mb=4096 \
        -timeout=10 -max_len="$(field "$t" 4)" \
        "${extra[@]}" "$corpus") 2>&1 | tee "$log"
    status=${PIPESTATUS[0]}
    elapsed=$(( $(date +%s) - started ))
    local execs speed cov ft corpus_size artifacts crashes last
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    last=$(grep -E '^#[0-9]+' "$log" | tail -1)
    cov=$(sed -n 's/.*cov: \([0-9]*\).*/\1/p' <<<"$last")
    ft=$(sed -n 's/.*ft: \([0-9]*\).*/\1/p' <<<"$last")
    corpus_size=$(sed -n 's/.*corp: \([0-9]*\/[0-9A-Za-z]*\).*/\1/p' <<<"$last")
    artifacts=$(sed -n 's/.*Test unit written to \([^ ]*\).*/\1/p' "$log" | tr '\n' ' ')
    crashes=$(sed -n 's/.*Test unit written to \([^ ]*\).*/\1/p' "$log" | wc -l)
    # libFuzzer exits non-zero on a crash, timeout, leak or OOM; check the log as well, so a
    # run that found something or never started cannot pass.
    [[ $status -ne 0 ]] && problems+=("libFuzzer exit $status")
    [[ $crashes -gt 0 ]] && problems+=("$crashes crash inputs: ${artifacts% }")
    grep -qE '^==[0-9]+== ?ERROR|ERROR: libFuzzer|^SUMMARY: [A-Za-z]+Sanitizer' "$log" \
        && problems+=("$(grep -m1 -oE 'ERROR: (libFuzzer: [a-z-]+( [a-z]+)?|[A-Za-z]+Sanitizer: [a-z-]+)' "$log" || echo 'error reported')")
    [[ -z $execs ]] && problems+=("no final stats: did libFuzzer run?")
    [[ ${#problems[@]} -gt 0 ]] && verdict=FAIL
    echo "== summary $t: $verdict executions ${execs:-?}, exec/s ${speed:-?}, crashes $crashes, cov ${cov:-?}, ft ${ft:-?}, corpus ${corpus_size:-?}, ${elapsed}s, commit $commit$( ((${#problems[@]})) && printf ' -- %s' "$(printf '%s; ' "${problems[@]}" | sed 's/; $//')")"
    if [[ $verdict == FAIL && -n $artifacts ]]; then
        echo "== replay: SWIFT_BACKTRACE=enable=no Fuzz/bin/$t ${artifacts% }" >&2
    fi
    rm -f "$log"
    [[ $verdict == OK ]]
}

# FUZZ_JOBS targets at a time, each in its own lane (a core each: libFuzzer and -wmo builds use
# one); a lane keeps its target's output in a file and prints it whole when the target ends.
# Returns non-zero when any target failed.
run_lanes() {
    local dir t failed=0
    dir=$(mktemp -d "${TMPDIR:-/tmp}/fuzz-lanes.XXXXXX")
    for t in "${targets[@]}"; do
        while [[ $(jobs -rp | wc -l) -ge $jobs ]]; do wait -n || true; done
        (
            run "$t" >"$dir/$t.log" 2>&1
            echo $? >"$dir/$t.status"
            flock "$dir/.print" cat "$dir/$t.log"
        ) &
    done
    wait
    for t in "${targets[@]}"; do [[ $(cat "$dir/$t.status" 2>/dev/null) == 0 ]] || failed=1; done
    rm -rf "$dir"
    return "$failed"
}

# Each target runs in a subshell (the lock): the summary lines are collected from the output.
{
    failed=0
    if [[ $jobs -gt 1 && ${#targets[@]} -gt 1 ]]; then
        locked run_lanes || failed=1
    else
        for t in "${targets[@]}"; do locked run "$t" || failed=1; done
    fi
    exit "$failed"
} 2>&1 | {
    lines=()
    while IFS= read -r line; do
        printf '%s\n' "$line"
        [[ $line == "== summary "* ]] && lines+=("$line")
    done
    if [[ ${#targets[@]} -gt 1 ]]; then
        echo "== $mode of ${#targets[@]} targets:"
        printf '%s\n' "${lines[@]}"
    fi
    bad=$(printf '%s\n' "${lines[@]}" | grep -c ': FAIL')
    if [[ ${#lines[@]} -ne ${#targets[@]} ]]; then
        echo "== FAILED: ${#lines[@]} summaries for ${#targets[@]} targets" >&2
        exit 1
    elif [[ $bad -gt 0 ]]; then
        echo "== FAILED: $bad of ${#targets[@]} targets" >&2
        exit 1
    fi
    echo "== OK: ${#targets[@]} targets"
}
exit $(( PIPESTATUS[0] | PIPESTATUS[1] ))
