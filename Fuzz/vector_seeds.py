#!/usr/bin/env python3
"""Turns the reference vectors into libFuzzer seeds for one target (called by Fuzz/run.sh).

    Fuzz/vector_seeds.py <target> <corpus dir> <vectors dir>

Writes each input under its sha1 (libFuzzer's own naming, so re-running adds no duplicates).
A target without a branch here gets no vector seeds, only Fuzz/seeds/<target>/.
"""
import hashlib, json, pathlib, struct, sys

target, corpus, vectors = sys.argv[1], pathlib.Path(sys.argv[2]), pathlib.Path(sys.argv[3])
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
jsonls = sorted((vectors / "openharmony").glob("*.jsonl"))
needs = {"compact-header": ("openharmony/*.jsonl", jsonls),
         "framework-header": ("network2030/*.pcap", pcaps),
         "capture-reader": ("network2030/*.pcap", pcaps)}
if target in needs and not needs[target][1]:
    print(f"== warning: no {needs[target][0]} under {vectors}: {target} gets no vector seeds", file=sys.stderr)

if target == "compact-header":
    for path in jsonls:
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
