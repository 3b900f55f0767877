import Foundation
import NipTestSupport
import XCTest

/// The Wireshark dissector `tools/wireshark/newip.lua`, run by tshark, must read every packet as
/// `nip decode --json` does: the same verdict and, field by field, the same values (compact:
/// TTL, total length, next header, addresses, header-length field, header and payload length;
/// framework: address types, cast, addresses, every contract clause, payload; refusals: the
/// error code, reason and offset). Captures: the framework examples, the emulator's own
/// captures in both dialects (contracts, payload specs, trimmed packets), and damaged packets
/// (every truncation and seeded byte changes) as bare headers (link types 147/148) and in
/// Ethernet frames (0xEADD/0x88B6). No packet may raise a Lua error.
final class WiresharkDissectorTests: XCTestCase {
    static let packageRoot = NipRunner.packageRoot
    static let script = packageRoot.appendingPathComponent("tools/wireshark/newip.lua")

    struct Failure: Error, CustomStringConvertible { var description: String }

    // MARK: Tools

    /// tshark from PATH; the test is skipped, by name, when it is not installed.
    func tshark(_ test: String = #function) throws -> URL {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(directory)).appendingPathComponent("tshark")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        throw XCTSkip("\(test) SKIPPED: tshark is not installed (apt-get install tshark), so tools/wireshark/newip.lua cannot be checked")
    }

    /// `newip.*` fields of each packet as tshark prints them (every occurrence, in order), plus
    /// `eth.type` when there is an Ethernet header.
    func dissect(_ capture: URL, filter: String? = nil) throws -> [[String: [String]]] {
        var arguments = ["-n", "-X", "lua_script:\(Self.script.path)", "-r", capture.path, "-T", "json", "--no-duplicate-keys"]
        if let filter { arguments += ["-Y", filter] }
        let result = try NipRunner.run(program: try tshark(), arguments)
        guard result.status == 0 else { throw Failure(description: "tshark failed on \(capture.lastPathComponent): \(result.standardError)") }
        let text = result.standardOutput
        XCTAssertFalse(text.contains("_ws.lua.error") || text.contains("Lua Error"),
                       "\(capture.lastPathComponent): the dissector raised a Lua error")
        guard !text.isEmpty else { return [] }
        guard let packets = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]] else {
            throw Failure(description: "tshark printed no JSON array for \(capture.lastPathComponent)")
        }
        return packets.map { packet in
            let layers = (packet["_source"] as? [String: Any])?["layers"] as? [String: Any] ?? [:]
            var fields: [String: [String]] = [:]
            if let newip = layers["newip"] { Self.flatten(newip, into: &fields) }
            if let eth = layers["eth"] as? [String: Any], let type = eth["eth.type"] as? String { fields["eth.type"] = [type] }
            if let number = (layers["frame"] as? [String: Any])?["frame.number"] as? String { fields["frame.number"] = [number] }
            return fields
        }
    }

    /// tshark's JSON nests subtrees as objects and repeats as arrays; this lists the leaves.
    static func flatten(_ value: Any, into fields: inout [String: [String]]) {
        guard let object = value as? [String: Any] else { return }
        // Keys in tshark's order is not kept by Foundation, but the values of one key are.
        for (key, member) in object {
            if let nested = member as? [String: Any] {
                flatten(nested, into: &fields)
            } else if let list = member as? [Any] {
                for element in list {
                    if let text = element as? String { fields[key, default: []].append(text) } else { flatten(element, into: &fields) }
                }
            } else if let text = member as? String {
                fields[key, default: []].append(text)
            }
        }
    }

    /// `nip decode --json`: one object per packet. Lines are split on the newline byte only
    /// (payload text can hold U+0085 and friends).
    func decode(_ capture: URL) throws -> [[String: Any]] {
        let result = try NipRunner.run(["decode", "--json", capture.path])
        XCTAssertEqual(result.status, 0, result.standardError)
        return try Data(result.standardOutput.utf8).split(separator: UInt8(ascii: "\n")).map { line in
            guard let object = try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any] else {
                throw Failure(description: "nip decode printed a line that is not an object")
            }
            return object
        }
    }

    // MARK: Expected fields

    static let addressTypes = ["ipv4": 0, "ipv6": 1, "8bit": 2, "compact": 3]
    static let casts = ["unicast": 0, "coordcast": 1, "multicast": 2, "broadcast": 3, "groupcast": 4]
    static let clauseTypes = ["max_delay": 1, "latency_based": 2, "ping": 3]

    /// The number in `type(16)` / `cast(5)`, or the code of a known name.
    static func number(_ name: String, in table: [String: Int]) -> String {
        if let known = table[name] { return String(known) }
        let digits = name.drop { $0 != "(" }.dropFirst().prefix { $0 != ")" }
        return String(digits)
    }

    /// A JSON number or string as tshark prints it.
    static func text(_ value: Any) -> String {
        if let string = value as? String { return string }
        if let integer = value as? Int { return String(integer) }
        if let number = value as? NSNumber { return number.stringValue }
        return "\(value)"
    }

    /// What the dissector must show for one `nip decode` record: `newip.<key>` → values.
    static func expectedFields(of record: [String: Any]) -> [String: [String]] {
        var fields: [String: [String]] = [:]
        func put(_ key: String, _ value: Any) { fields["newip." + key, default: []].append(text(value)) }
        if let ethertype = record["ethertype"] as? String { fields["eth.type"] = [ethertype.lowercased()] }
        guard let dialect = record["dialect"] as? String else { return fields }   // not New IP: no newip layer
        put("dialect", dialect == "compact" ? 0 : 1)
        let ok = isOK(record)
        put("ok", ok ? 1 : 0)
        guard ok else {
            if let error = record["error"] { put("error", error) }
            for key in ["reason", "offset"] { if let value = record[key] { put(key, value) } }
            return fields
        }
        if dialect == "compact" {
            for key in ["header_length", "ttl", "total_len", "nexthdr", "daddr", "saddr", "hdr_len", "payload_length"] {
                if let value = record[key] { put(key, value) }
            }
            return fields
        }
        put("src_type", number(record["src_type"] as? String ?? "", in: addressTypes))
        put("dst_type", number(record["dst_type"] as? String ?? "", in: addressTypes))
        put("cast", number(record["cast"] as? String ?? "", in: casts))
        for key in ["src", "dst"] { if let value = record[key] { put(key, value) } }
        let clauses = (record["contracts"] as? [[String: Any]]) ?? ((record["contract"] as? [String: Any]).map { [$0] } ?? [])
        for clause in clauses {
            for (key, value) in clause {
                if key == "type" {
                    put("contract.type", number(value as? String ?? "", in: clauseTypes))
                } else {
                    put("contract." + key, value)
                }
            }
        }
        if let payload = record["payload"] as? String, !payload.isEmpty {
            put("payload", payload.unicodeScalars.map { String(format: "%02x", $0.value) }.joined(separator: ":"))
        }
        return fields
    }

    static func isOK(_ record: [String: Any]) -> Bool {
        if let ok = record["ok"] as? Bool { return ok }
        return (record["ok"] as? NSNumber)?.boolValue ?? false
    }

    static let verdictKeys = ["newip.dialect", "newip.ok", "newip.error", "newip.reason", "newip.offset", "eth.type"]
    static let compactKeys = ["header_length", "ttl", "total_len", "nexthdr", "daddr", "saddr", "hdr_len", "payload_length"].map { "newip." + $0 }
    static let frameworkKeys = (["src_type", "dst_type", "cast", "src", "dst", "payload"]
        + ["type", "max_allowed_delay", "delay_exp", "min_delay", "max_delay", "experienced_delay", "fib_todelay", "fib_tohops",
           "code", "hops", "timestamp", "length"].map { "contract." + $0 }).map { "newip." + $0 }

    /// Keys compared for a record even where nip prints nothing: a field nip leaves out
    /// (no source address, no contract, a refusal's missing fields) must be absent in tshark too.
    static func comparedKeys(for record: [String: Any]) -> [String] {
        switch (record["dialect"] as? String, isOK(record)) {
        case ("compact", true): verdictKeys + compactKeys
        case ("framework", true): verdictKeys + frameworkKeys
        case (nil, _): verdictKeys + compactKeys + frameworkKeys
        // A refusal: the dissector still shows the fields it could read before the fault.
        default: verdictKeys
        }
    }

    /// Compares every field `nip decode` prints with the dissector's, packet by packet.
    /// Returns both readings for further checks.
    @discardableResult
    func assertDissectorMatchesDecode(_ capture: URL, file: StaticString = #filePath, line: UInt = #line) throws
        -> [(record: [String: Any], fields: [String: [String]])] {
        let records = try decode(capture)
        let dissected = try dissect(capture)
        XCTAssertEqual(records.count, dissected.count, "\(capture.lastPathComponent): packet count", file: file, line: line)
        XCTAssertGreaterThan(records.count, 0, "\(capture.lastPathComponent) holds packets", file: file, line: line)
        var mismatches = 0
        for (index, (record, fields)) in zip(records, dissected).enumerated() {
            let expected = Self.expectedFields(of: record)
            // The keys nip prints, and the ones whose absence it states, must agree; the
            // dissector may show more (bitmap bits, offsets, extension items) than nip prints.
            let keys = Set(expected.keys).union(Self.comparedKeys(for: record))
            for key in keys.sorted() where fields[key] != expected[key] {
                mismatches += 1
                if mismatches <= 20 {
                    XCTFail("\(capture.lastPathComponent) packet \(index): \(key): tshark \(fields[key] ?? []) but nip decode \(expected[key] ?? [])",
                            file: file, line: line)
                }
            }
        }
        XCTAssertEqual(mismatches, 0, "\(capture.lastPathComponent): fields that differ", file: file, line: line)
        return Array(zip(records, dissected))
    }

    // MARK: Captures

    static let compactTopology = """
        name: wireshark-compact
        seed: 3
        duration: 100ms
        dialect: compact
        nodes:
          a: {kind: host, interfaces: {eth0: "0x0A"}}
          b: {kind: host, interfaces: {eth0: "0xDE00"}}
          c: {kind: host, interfaces: {eth0: "0xF212345678"}}
          r: {kind: router, interfaces: {eth0: "0x11", eth1: "0x12", eth2: "0x13", eth3: "0x14"}}
          sink: {kind: host, interfaces: {eth0: {address: "0xF11400", capture: true}}}
        links:
          - {endpoints: [a:eth0, r:eth0], rate: 1Gbps, delay: 1ms}
          - {endpoints: [b:eth0, r:eth1], rate: 1Gbps, delay: 1ms}
          - {endpoints: [c:eth0, r:eth2], rate: 1Gbps, delay: 1ms}
          - endpoints: [r:eth3, sink:eth0]
            rate: 10Mbps
            delay: 2ms
            queue: {discipline: fifo, limit: 100, bytes: 6kB, trim: true}
        flows:
          - {name: lbf, from: a, to: sink, pattern: constant, rate: 200pps, size: 300, contract: {type: lbf, min: 10ms, max: 25ms}}
          - name: layered
            from: b
            to: sink
            pattern: constant
            rate: 12Mbps
            contract: {type: mdf, max: 60ms}
            chunks:
              - {significance: 0, bytes: 100}
              - {significance: 1, bytes: 200}
              - {significance: 2, bytes: 300}
          - {name: plain, from: c, to: sink, pattern: poisson, rate: 300pps, size: "60..200"}

        """

    /// The same flows in the framework dialect, with an address of every type.
    static let frameworkTopology = compactTopology
        .replacingOccurrences(of: "wireshark-compact", with: "wireshark-framework")
        .replacingOccurrences(of: "dialect: compact", with: "dialect: framework")
        .replacingOccurrences(of: "\"0x0A\"", with: "\"10.0.0.1\"")
        .replacingOccurrences(of: "eth0: \"0xDE00\"", with: "eth0: \"2001:db8::b\"")
        .replacingOccurrences(of: "\"0xF212345678\"", with: "\"0xDE00\"")
        .replacingOccurrences(of: "eth0: \"0x11\", eth1: \"0x12\", eth2: \"0x13\", eth3: \"0x14\"",
                              with: "eth0: \"10.0.0.2\", eth1: \"2001:db8::1\", eth2: \"0xDE01\", eth3: \"10.9.0.1\"")
        .replacingOccurrences(of: "\"0xF11400\"", with: "\"10.9.0.2\"")

    /// The sender of each flow as `nip decode` prints it, per dialect.
    static let senders: [String: (lbf: String, layered: String, plain: String)] = [
        "compact": ("0a", "de00", "f212345678"),
        "framework": ("10.0.0.1", "2001:db8::b", "0xDE00"),
    ]

    func temporaryFolder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("nip-wireshark-\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: folder) }
        return folder
    }

    /// Runs the emulator on `topology` and returns the sink's capture (link type 147 or 148).
    func emulate(_ topology: String, in folder: URL) throws -> URL {
        let file = folder.appendingPathComponent("topology-\(UUID().uuidString).yaml")
        try Data(topology.utf8).write(to: file)
        let out = folder.appendingPathComponent("out-\(UUID().uuidString)")
        let result = try NipRunner.run(["emulate", file.path, "--out", out.path])
        guard result.status == 0 else { throw Failure(description: "nip emulate failed: \(result.standardError)") }
        return out.appendingPathComponent("capture-sink-eth0.pcapng")
    }

    /// Packets of a little-endian classic pcap or pcapng file (enhanced packet blocks).
    static func packets(of capture: URL) throws -> [[UInt8]] {
        let bytes = [UInt8](try Data(contentsOf: capture))
        func u32(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 | Int(bytes[at + 2]) << 16 | Int(bytes[at + 3]) << 24 }
        var packets: [[UInt8]] = []
        if u32(0) == 0x0A0D0D0A {
            var at = 0
            while at + 12 <= bytes.count {
                let type = u32(at), length = u32(at + 4)
                if type == 6 {
                    let captured = u32(at + 20)
                    packets.append(Array(bytes[(at + 28)..<(at + 28 + captured)]))
                }
                guard length >= 12 else { throw Failure(description: "bad pcapng block in \(capture.lastPathComponent)") }
                at += length
            }
        } else {
            guard u32(0) == 0xA1B2C3D4 || u32(0) == 0xA1B23C4D else { throw Failure(description: "\(capture.lastPathComponent) is not little-endian pcap") }
            var at = 24
            while at + 16 <= bytes.count {
                let captured = u32(at + 8)
                packets.append(Array(bytes[(at + 16)..<min(bytes.count, at + 16 + captured)]))
                at += 16 + captured
            }
        }
        return packets
    }

    /// Writes a classic pcap with `linkType` (1 Ethernet, 147 bare compact, 148 bare framework).
    static func writePcap(_ packets: [[UInt8]], linkType: UInt32, to file: URL) throws {
        var bytes: [UInt8] = []
        func put(_ value: UInt32) { bytes += [UInt8(value & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value >> 16 & 0xFF), UInt8(value >> 24)] }
        put(0xA1B2_C3D4); put(0x0004_0002); put(0); put(0); put(65535); put(linkType)
        for (index, packet) in packets.enumerated() {
            put(UInt32(index)); put(0); put(UInt32(packet.count)); put(UInt32(packet.count))
            bytes += packet
        }
        try Data(bytes).write(to: file)
    }

    /// Every truncation of each packet, and seeded changes of one to three of its first bytes
    /// (the header), some on a cut packet.
    static func damaged(_ packets: [[UInt8]], variants: Int, seed: UInt64) -> [[UInt8]] {
        var state = seed
        func next() -> Int {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Int(truncatingIfNeeded: (z ^ (z >> 31)) >> 1)
        }
        let interesting: [UInt8] = [0x00, 0x01, 0x02, 0x03, 0x06, 0x0C, 0x10, 0x1A, 0x40, 0x57, 0x80, 0xC0, 0xDD, 0xF1, 0xF4, 0xFF]
        var out: [[UInt8]] = []
        for packet in packets {
            for length in 0...min(packet.count, 64) { out.append(Array(packet.prefix(length))) }
            for _ in 0..<variants {
                var mutated = Array(packet.prefix([packet.count, 40, 60][next() % 3]))
                guard !mutated.isEmpty else { continue }
                for _ in 0...(next() % 3) {
                    let position = next() % min(mutated.count, 40)
                    mutated[position] = next() % 2 == 0 ? interesting[next() % interesting.count] : UInt8(next() % 256)
                }
                out.append(mutated)
            }
        }
        return out
    }

    /// Packets the emulator does not send: 8-bit and IPv6 addresses (a mapped one, a zero run
    /// tie), broadcast and an unknown cast, ping, max-delay and unknown clauses; a compact header
    /// with a pad, a ping clause and an unknown extension item.
    static let handBuilt: (framework: [[UInt8]], compact: [[UInt8]]) = {
        let ping: [UInt8] = [0x00, 0x03, 0x00, 0x01, 0x00, 0x04, 0x00, 0x00, 0x01, 0x8B, 0xCF, 0xE5, 0x68, 0x00]
        let maxDelay: [UInt8] = [0x00, 0x01, 0x00, 0x64, 0x00, 0x02]
        let unknown: [UInt8] = [0x00, 0x99, 0xAA, 0xBB]
        let eightBit: [UInt8] = [3, 8, 32, 2, 2, 3, 0x05, 0x07] + ping + maxDelay + unknown + Array("hi".utf8)
        let mapped: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 10, 1, 2, 3]
        let tie: [UInt8] = [0x20, 0x01, 0x0D, 0xB8, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1]
        let ipv6: [UInt8] = [3, 0, 38, 1, 1, 9] + mapped + tie + Array("payload".utf8)
        let compactAddresses: [UInt8] = [3, 0, 13, 3, 3, 4, 0xDE, 0x00, 0xF2, 0x00, 0x01, 0x00, 0x00, 0xFF, 0x09]
        let items: [UInt8] = [0x00, 0x01, UInt8(ping.count)] + ping + [0x09, 0x02, 0xAB, 0xCD]
        let header: [UInt8] = [0x57, 0xC0, 64, 253, 0x05, 0x06]
        let compact = header + [UInt8(header.count + 1 + items.count)] + items + Array("xy".utf8)
        return ([eightBit, ipv6, compactAddresses + [0x2A]], [compact])
    }()

    static func ethernet(_ packet: [UInt8], etherType: UInt16) -> [UInt8] {
        [0x02, 0x4E, 0x49, 0x50, 0x00, 0x02, 0x02, 0x4E, 0x49, 0x50, 0x00, 0x01, UInt8(etherType >> 8), UInt8(etherType & 0xFF)] + packet
    }

    var exampleCaptures: [URL] {
        get throws {
            let folder = Self.packageRoot.appendingPathComponent("Examples/captures")
            return try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
                .filter { $0.pathExtension == "pcap" || $0.pathExtension == "pcapng" }
                .sorted { $0.lastPathComponent < $1.lastPathComponent }
        }
    }

    // MARK: Tests

    func testExampleCapturesDissectAsNipDecodesThem() throws {
        _ = try tshark()
        let captures = try exampleCaptures
        XCTAssertFalse(captures.isEmpty)
        for capture in captures {
            let packets = try assertDissectorMatchesDecode(capture)
            for (record, fields) in packets {
                XCTAssertEqual(record["dialect"] as? String, "framework")
                XCTAssertEqual(fields["newip.ok"], ["1"], "\(capture.lastPathComponent): every example packet is valid")
            }
        }
    }

    func testEmulatedCapturesOfBothDialectsDissectAsNipDecodesThem() throws {
        _ = try tshark()
        let folder = try temporaryFolder()
        for (dialect, topology) in [("compact", Self.compactTopology), ("framework", Self.frameworkTopology)] {
            let capture = try emulate(topology, in: folder)
            let packets = try assertDissectorMatchesDecode(capture)
            let senders = try XCTUnwrap(Self.senders[dialect])
            var seen = (lbf: 0, layered: 0, plain: 0, trimmed: 0)
            for (index, (record, fields)) in packets.enumerated() {
                XCTAssertEqual(record["dialect"] as? String, dialect)
                let source = Self.text(record[dialect == "compact" ? "saddr" : "src"] ?? "")
                let what = "\(dialect) packet \(index) from \(source)"
                // The clauses and payload spec (in the compact dialect, extension items that
                // nip decode does not print) carry what the topology asked for.
                switch source {
                case senders.lbf:
                    seen.lbf += 1
                    XCTAssertEqual(fields["newip.contract.type"], ["2"], what)
                    XCTAssertEqual(fields["newip.contract.min_delay"], ["10"], what)
                    XCTAssertEqual(fields["newip.contract.max_delay"], ["25"], what)
                    XCTAssertNil(fields["newip.payload_spec.chunk_count"], what)
                case senders.layered:
                    seen.layered += 1
                    XCTAssertEqual(fields["newip.contract.type"], dialect == "compact" ? ["1"] : ["1", "16"], what)
                    XCTAssertEqual(fields["newip.contract.max_allowed_delay"], ["60"], what)
                    XCTAssertEqual(fields["newip.payload_spec.chunk_count"], ["3"], what)
                    XCTAssertEqual(fields["newip.payload_spec.chunk_offset"], ["18"], what)
                    XCTAssertEqual(fields["newip.payload_spec.significance"], ["0", "1", "2"], what)
                    let lengths = fields["newip.payload_spec.chunk_length"] ?? []
                    let trimmed = lengths != ["100", "200", "300"]
                    if trimmed { seen.trimmed += 1 }
                    XCTAssertTrue([["100", "200", "300"], ["100", "200", "0"], ["100", "0", "0"]].contains(lengths), "\(what): \(lengths)")
                    XCTAssertEqual(fields["newip.payload_spec.trimmed"], [trimmed ? "1" : "0"], what)
                case senders.plain:
                    seen.plain += 1
                    XCTAssertNil(fields["newip.contract.type"], what)
                    XCTAssertNil(fields["newip.payload_spec.chunk_count"], what)
                default:
                    XCTFail("\(what): no flow sends from there")
                }
                if dialect == "compact" {
                    // The second bitmap byte's extension bit says whether there are items.
                    XCTAssertEqual(fields["newip.bitmap.ext"] == ["1"], source != senders.plain, what)
                }
            }
            XCTAssertGreaterThan(seen.lbf, 0, dialect)
            XCTAssertGreaterThan(seen.layered, 0, dialect)
            XCTAssertGreaterThan(seen.plain, 0, dialect)
            XCTAssertGreaterThan(seen.trimmed, 0, "\(dialect): the bottleneck trims some packets")
        }
    }

    func testDamagedPacketsAreRefusedAsNipRefusesThemWithoutLuaErrors() throws {
        _ = try tshark()
        let folder = try temporaryFolder()
        let compact = try Self.packets(of: emulate(Self.compactTopology, in: folder))
        let framework = try Self.packets(of: emulate(Self.frameworkTopology, in: folder))
        var frameworkExamples: [[UInt8]] = []
        for capture in try exampleCaptures { frameworkExamples += try Self.packets(of: capture).map { Array($0.dropFirst(14)) } }
        // A few of each kind: plain, LBF, layered (clauses and payload specs in the damage zone).
        func sample(_ packets: [[UInt8]]) -> [[UInt8]] { Array(packets.prefix(12)) }
        let damagedCompact = Self.handBuilt.compact
            + Self.damaged(sample(compact) + Self.handBuilt.compact, variants: 150, seed: 1)
        let damagedFramework = Self.handBuilt.framework
            + Self.damaged(sample(framework) + frameworkExamples.prefix(3) + Self.handBuilt.framework, variants: 150, seed: 2)

        var inputs: [(String, [[UInt8]], UInt32)] = [
            ("damaged-compact.pcap", damagedCompact, 147),
            ("damaged-framework.pcap", damagedFramework, 148),
            ("damaged-ethernet.pcap",
             damagedCompact.enumerated().filter { $0.offset % 5 == 0 }.map { Self.ethernet($0.element, etherType: 0xEADD) }
                + damagedFramework.enumerated().filter { $0.offset % 5 == 0 }.map { Self.ethernet($0.element, etherType: 0x88B6) }, 1),
        ]
        // The OpenHarmony reference's own parse cases (the project's copy of the vectors).
        let vectors = Self.packageRoot.appendingPathComponent("Tests/Vectors/openharmony/header-parse.jsonl")
        if let text = try? String(contentsOf: vectors, encoding: .utf8) {
            let cases = text.split(separator: "\n").compactMap { line -> [UInt8]? in
                guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                      let hex = object["in"] as? String else { return nil }
                var bytes: [UInt8] = []
                var index = hex.startIndex
                while index < hex.endIndex, let next = hex.index(index, offsetBy: 2, limitedBy: hex.endIndex) {
                    guard let byte = UInt8(hex[index..<next], radix: 16) else { return nil }
                    bytes.append(byte)
                    index = next
                }
                return bytes
            }
            XCTAssertGreaterThan(cases.count, 1000)
            inputs.append(("openharmony-header-parse.pcap", cases, 147))
        }
        for (name, packets, linkType) in inputs {
            let file = folder.appendingPathComponent(name)
            try Self.writePcap(packets, linkType: linkType, to: file)
            let compared = try assertDissectorMatchesDecode(file)
            let refused = compared.filter { !Self.isOK($0.record) }.count
            XCTAssertGreaterThan(refused, 0, "\(name): damage that nip refuses")
            XCTAssertGreaterThan(compared.count - refused, 0, "\(name): damage that nip still accepts")
        }
    }

    func testDisplayFilterOnContractTypeSelectsExactlyTheLBFPackets() throws {
        _ = try tshark()
        let folder = try temporaryFolder()
        var captures = try exampleCaptures
        captures.append(try emulate(Self.compactTopology, in: folder))
        captures.append(try emulate(Self.frameworkTopology, in: folder))
        for capture in captures {
            let records = try decode(capture)
            // Framework: nip decode prints the clauses. Compact: it does not print extensions,
            // so the LBF packets are those of the LBF flow's sender.
            let expected = records.enumerated().filter { _, record in
                if record["dialect"] as? String == "compact" { return record["saddr"] as? String == Self.senders["compact"]?.lbf }
                let clauses = (record["contracts"] as? [[String: Any]]) ?? ((record["contract"] as? [String: Any]).map { [$0] } ?? [])
                return clauses.contains { $0["type"] as? String == "latency_based" }
            }.map { String($0.offset + 1) }
            let selected = try dissect(capture, filter: "newip.contract.type == 2").compactMap { $0["frame.number"]?.first }
            XCTAssertFalse(expected.isEmpty, capture.lastPathComponent)
            XCTAssertEqual(selected, expected, "\(capture.lastPathComponent): frames with a latency-based clause")
            if capture.lastPathComponent.hasSuffix(".pcapng") {
                XCTAssertLessThan(selected.count, records.count, "\(capture.lastPathComponent): the filter leaves other packets out")
            }
        }
    }

    func testNeighbourDiscoveryMessagesShowTheirFields() throws {
        _ = try tshark()
        // OpenHarmony's NS from 0x05 for 0x06 and NA from 0x06 to 0x05 (NewIPWireTests'
        // NeighbourDiscoveryTests), in a pcap of link type 147 (raw compact New IP).
        let packets = ["7640000DB1FF04050100E94F06", "7700400013B1050602003FED06020000000001"].map { text in
            stride(from: 0, to: text.count, by: 2).map { UInt8(text.dropFirst($0).prefix(2), radix: 16)! }
        }
        func le32(_ value: Int) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) } }
        var file: [UInt8] = le32(0xA1B2_C3D4) + [2, 0, 4, 0] + le32(0) + le32(0) + le32(65535) + le32(147)
        for packet in packets { file += le32(0) + le32(0) + le32(packet.count) + le32(packet.count) + packet }
        let capture = try temporaryFolder().appendingPathComponent("nd.pcap")
        try Data(file).write(to: capture)
        let dissected = try dissect(capture)
        XCTAssertEqual(dissected.count, 2)
        XCTAssertEqual(dissected[0]["newip.nd.type"], ["1"])
        XCTAssertEqual(dissected[0]["newip.nd.checksum"], ["0xe94f"])
        XCTAssertEqual(dissected[0]["newip.nd.target"], ["06"])
        XCTAssertEqual(dissected[1]["newip.nd.type"], ["2"])
        XCTAssertEqual(dissected[1]["newip.nd.lladdr_len"], ["6"])
        XCTAssertEqual(dissected[1]["newip.nd.lladdr"], ["02:00:00:00:00:01"])
        XCTAssertEqual(try dissect(capture, filter: "newip.nd.type == 2").compactMap { $0["frame.number"]?.first }, ["2"])
    }
}
