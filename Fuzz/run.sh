#!/usr/bin/env bash
# Builds and runs the libFuzzer targets of the decoders.
#
#   Fuzz/run.sh [target|all] [seconds] [extra libFuzzer flags...]
#
# targets: compact-header, framework-header, capture-reader, ip-headers, tlog (default: all, 60 seconds each).
# Each target is its module's sources plus Fuzz/<Name>Fuzz.swift, compiled in one swiftc call
# with -sanitize=fuzzer,address (no SwiftPM: the package's `nip` executable has its own main).
# Binaries go to Fuzz/bin/, corpora to Fuzz/corpus-<target>/ (seeded from Fuzz/seeds/<target>/
# and, when present, ../shared/vectors), crash inputs to Fuzz/artifacts/<target>-*.
# One libFuzzer process at a time: one core.
#
# Environment: SWIFTC (default: swiftc on PATH, else /opt/swift/usr/bin/swiftc),
# FUZZ_NO_BUILD=1 to reuse existing binaries, SHARED_VECTORS (default: ../shared/vectors).
set -uo pipefail

cd "$(dirname "$0")/.."
root=$(pwd)
fuzz="$root/Fuzz"
targets=(compact-header framework-header capture-reader ip-headers tlog)

target=${1:-all}
seconds=${2:-60}
shift $(( $# > 2 ? 2 : $# ))
extra=("$@")

SWIFTC=${SWIFTC:-$(command -v swiftc || echo /opt/swift/usr/bin/swiftc)}
vectors=${SHARED_VECTORS:-$root/../shared/vectors}

usage() { echo "usage: $0 [compact-header|framework-header|capture-reader|ip-headers|tlog|all] [seconds] [libFuzzer flags...]" >&2; exit 2; }
[[ "$seconds" =~ ^[0-9]+$ ]] || usage

module_of() {
    case $1 in
        compact-header) echo NewIPWire ;;
        framework-header) echo NewIPWire ;;
        capture-reader) echo NewIPCapture ;;
        ip-headers) echo NewIPWire ;;
        tlog) echo NewIPLog ;;
        *) usage ;;
    esac
}
source_of() {
    case $1 in
        compact-header) echo CompactHeaderFuzz.swift ;;
        framework-header) echo FrameworkHeaderFuzz.swift ;;
        capture-reader) echo CaptureReaderFuzz.swift ;;
        ip-headers) echo IPHeadersFuzz.swift ;;
        tlog) echo TransparencyLogFuzz.swift ;;
    esac
}
# Largest input libFuzzer generates: a compact or framework header is at most 255 bytes plus
# some payload; captures need room for a few blocks.
max_len_of() {
    case $1 in
        capture-reader) echo 4096 ;;
        tlog) echo 2048 ;;
        *) echo 512 ;;
    esac
}
# Package dependencies of the module, built by SwiftPM (uninstrumented): swiftc flags and objects.
deps_of() {
    case $1 in
        tlog)
            swift build --target Crypto >&2 || return 1
            local bin
            bin=$(swift build --show-bin-path)
            echo "-I $bin/Modules"
            find "$bin"/{Crypto,CryptoBoringWrapper,CCryptoBoringSSL,CCryptoBoringSSLShims,CXKCP,CXKCPShims}.build -name '*.o'
            ;;
    esac
}

build() {
    local t=$1 module src snapshot deps
    module=$(module_of "$t")
    deps=$(deps_of "$t") || return 1
    src=$(source_of "$t")
    mkdir -p "$fuzz/bin"
    # Compile a snapshot of the sources, so edits made meanwhile in the shared tree cannot
    # break the build ("modified during the build"). Stack traces name the snapshot's files:
    # Fuzz/bin/src-<target>/ holds exactly the code that was fuzzed.
    snapshot="$fuzz/bin/src-$t"
    rm -rf "$snapshot"
    mkdir -p "$snapshot/Sources/$module" "$snapshot/Fuzz"
    cp "$root/Sources/$module/"*.swift "$snapshot/Sources/$module/"
    cp "$fuzz/$src" "$snapshot/Fuzz/"
    echo "== building $t (module $module, sources sha1 $(cat "$snapshot/Sources/$module/"*.swift "$snapshot/Fuzz/$src" | sha1sum | cut -c1-12))"
    # -wmo with -num-threads 0: a single compiler process, so the build uses one core.
    if ! "$SWIFTC" -sanitize=fuzzer,address -parse-as-library -O -wmo -num-threads 0 -g \
        -swift-version 6 -use-ld=lld -module-name "$module" \
        "$snapshot/Sources/$module/"*.swift "$snapshot/Fuzz/$src" $deps \
        -o "$fuzz/bin/$t" 2>&1 | grep -v "warning: Cannot export local symbol"; then
        :
    fi
    if [[ ! -x "$fuzz/bin/$t" || "$fuzz/bin/$t" -ot "$snapshot/Fuzz/$src" ]]; then
        echo "== build of $t failed" >&2
        return 1
    fi
}

seed() {
    local t=$1 corpus="$fuzz/corpus-$1"
    mkdir -p "$corpus" "$fuzz/artifacts"
    if [[ -d "$fuzz/seeds/$t" ]]; then
        cp -n "$fuzz/seeds/$t/"* "$corpus/" 2>/dev/null || true
    fi
    if [[ ! -d "$vectors" ]]; then
        echo "== $vectors not found: seeding $t from Fuzz/seeds/$t only"
        return 0
    fi
    python3 - "$t" "$corpus" "$vectors" "$root" <<'PY'
import hashlib, json, pathlib, struct, sys

target, corpus, vectors, root = sys.argv[1], pathlib.Path(sys.argv[2]), pathlib.Path(sys.argv[3]), pathlib.Path(sys.argv[4])
written = set()

def put(data):
    name = hashlib.sha1(data).hexdigest()  # libFuzzer's own naming: no duplicates across runs
    if name not in written:
        written.add(name)
        path = corpus / name
        if not path.exists():
            path.write_bytes(data)

def pcap_records(data):
    """(link type, [frames]) of a classic pcap file, either byte order."""
    magic = struct.unpack("<I", data[:4])[0]
    e = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    link = struct.unpack(e + "I", data[20:24])[0] & 0xFFFF
    frames, off = [], 24
    while off + 16 <= len(data):
        ts, frac, incl, orig = struct.unpack(e + "IIII", data[off:off + 16])
        frames.append((ts, frac, data[off + 16:off + 16 + incl], orig))
        off += 16 + incl
    return e, magic, link, frames

pcaps = sorted((vectors / "network2030").glob("*.pcap"))

if target == "compact-header":
    for path in sorted((vectors / "openharmony").glob("*.jsonl")):
        for line in path.read_text().splitlines():
            if not line.strip():
                continue
            case = json.loads(line)
            if "in" in case:
                put(bytes.fromhex(case["in"]))
            if "header" in case:
                header = bytes.fromhex(case["header"])
                put(header)              # as the reference encodes it: no payload yet
                put(header + b"\x00")    # with the one payload byte a parse needs
elif target == "framework-header":
    for path in pcaps:
        _, _, _, frames = pcap_records(path.read_bytes())
        for _, _, frame, _ in frames:
            put(frame)          # whole Ethernet frame
            put(frame[14:])     # bare framework header and payload
elif target == "capture-reader":
    def pad(b): return b + bytes((4 - len(b) % 4) % 4)
    def block(e, btype, body):
        body = pad(body)
        return struct.pack(e + "II", btype, 12 + len(body)) + body + struct.pack(e + "I", 12 + len(body))
    def opt(e, code, value): return struct.pack(e + "HH", code, len(value)) + pad(value)
    def shb(e): return block(e, 0x0A0D0D0A, struct.pack(e + "IHHq", 0x1A2B3C4D, 1, 0, -1) + opt(e, 0, b""))
    def idb(e, link, opts=b""): return block(e, 1, struct.pack(e + "HHI", link, 0, 65535) + opts)
    def epb(e, ts, frame, orig):
        return block(e, 6, struct.pack(e + "IIIII", 0, ts >> 32, ts & 0xFFFFFFFF, len(frame), orig) + frame)
    def spb(e, frame): return block(e, 3, struct.pack(e + "I", len(frame)) + frame)
    for path in pcaps:
        data = path.read_bytes()
        put(data)
        e, magic, link, frames = pcap_records(data)
        # The same packets in the other byte order and with nanosecond timestamps.
        for out_e, nano in ((">", False), ("<", True)):
            out = struct.pack(out_e + "IHHiIII", 0xA1B23C4D if nano else 0xA1B2C3D4, 2, 4, 0, 0, 65535, link)
            for ts, frac, frame, orig in frames:
                out += struct.pack(out_e + "IIII", ts, frac * 1000 if nano else frac, len(frame), orig) + frame
            put(out)
        # Small pcapng files: each byte order, microsecond and nanosecond interfaces,
        # simple packet blocks, and two sections.
        for out_e in ("<", ">"):
            usec = shb(out_e) + idb(out_e, link)
            nsec = shb(out_e) + idb(out_e, link, opt(out_e, 9, b"\x09") + opt(out_e, 0, b""))
            simple = shb(out_e) + idb(out_e, link)
            for ts, frac, frame, orig in frames:
                usec += epb(out_e, ts * 1_000_000 + frac, frame, orig)
                nsec += epb(out_e, ts * 1_000_000_000 + frac * 1000, frame, orig)
                simple += spb(out_e, frame)
            put(usec)
            put(nsec)
            put(simple)
            put(usec + nsec)
print(f"== seeded {target}: {len(written)} inputs from {vectors}")
PY
}

run() {
    local t=$1 log status started
    if [[ "${FUZZ_NO_BUILD:-}" == 1 && -x "$fuzz/bin/$t" ]]; then
        echo "== reusing Fuzz/bin/$t (FUZZ_NO_BUILD=1)"
    else
        build "$t" || return 1
    fi
    seed "$t" || return 1
    log=$(mktemp "/tmp/fuzz-$t.XXXXXX.out")
    started=$(date +%s)
    echo "== running $t for ${seconds}s: corpus Fuzz/corpus-$t, artifacts Fuzz/artifacts/$t-*"
    # SWIFT_BACKTRACE=enable=no: let libFuzzer report a Swift trap ("deadly signal", with the
    # stack) instead of the Swift backtracer, which trips AddressSanitizer and hides the cause.
    (cd "$root" && SWIFT_BACKTRACE=enable=no "$fuzz/bin/$t" \
        -max_total_time="$seconds" -print_final_stats=1 \
        -artifact_prefix="Fuzz/artifacts/$t-" -rss_limit_mb=4096 \
        -timeout=10 -max_len="$(max_len_of "$t")" \
        "${extra[@]}" "Fuzz/corpus-$t") 2>&1 | tee "$log"
    status=${PIPESTATUS[0]}
    local elapsed=$(( $(date +%s) - started ))
    local execs speed cov ft corpus_size artifacts
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    cov=$(grep -E '^#[0-9]+' "$log" | tail -1 | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
    ft=$(grep -E '^#[0-9]+' "$log" | tail -1 | sed -n 's/.*ft: \([0-9]*\).*/\1/p')
    corpus_size=$(grep -E '^#[0-9]+' "$log" | tail -1 | sed -n 's/.*corp: \([0-9]*\/[0-9A-Za-z]*\).*/\1/p')
    artifacts=$(grep -o "Test unit written to [^ ]*" "$log" | sed 's/Test unit written to //' | tr '\n' ' ')
    echo "== summary $t: executions ${execs:-?}, exec/s ${speed:-?}, cov ${cov:-?}, ft ${ft:-?}, corpus ${corpus_size:-?}, ${elapsed}s, libFuzzer exit $status${artifacts:+, crash inputs: $artifacts}"
    rm -f "$log"
    return "$status"
}

failed=0
if [[ "$target" == all ]]; then
    for t in "${targets[@]}"; do run "$t" || failed=1; done
else
    module_of "$target" >/dev/null
    run "$target" || failed=1
fi
exit $failed
