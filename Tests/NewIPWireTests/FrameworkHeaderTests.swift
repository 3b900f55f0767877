import Foundation
import XCTest
@testable import NewIPWire

/// Helpers shared by the framework-header tests (a namespace, so other test files' helpers
/// in this target cannot clash).
enum FrameworkTestSupport {
    typealias SplitMix64 = NewIPRandom.SplitMix64

    /// `../shared/vectors/network2030` relative to the package root.
    static var vectorsDirectory: URL {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()   // Tests/NewIPWireTests
            .deletingLastPathComponent()   // Tests
            .deletingLastPathComponent()   // package root
            .appendingPathComponent("../shared/vectors/network2030")
            .standardizedFileURL
    }

    /// Frames of a classic little-endian pcap file (24-byte global header, 16-byte records).
    static func pcapFrames(_ data: [UInt8]) throws -> [[UInt8]] {
        func u32(_ at: Int) -> Int { Int(data[at]) | Int(data[at + 1]) << 8 | Int(data[at + 2]) << 16 | Int(data[at + 3]) << 24 }
        guard data.count >= 24, data[0..<4] == [0xD4, 0xC3, 0xB2, 0xA1] else {
            throw CocoaError(.fileReadCorruptFile)
        }
        XCTAssertEqual(u32(20), 1, "link type Ethernet")
        var frames: [[UInt8]] = []
        var at = 24
        while at < data.count {
            guard at + 16 <= data.count else { throw CocoaError(.fileReadCorruptFile) }
            let included = u32(at + 8), original = u32(at + 12)
            XCTAssertEqual(included, original, "frame not cut by the snap length")
            guard at + 16 + included <= data.count else { throw CocoaError(.fileReadCorruptFile) }
            frames.append(Array(data[(at + 16)..<(at + 16 + included)]))
            at += 16 + included
        }
        return frames
    }

    static func parseHeader(_ bytes: [UInt8]) -> Result<FrameworkHeader, WireError> {
        bytes.withUnsafeBytes { raw in
            do throws(WireError) { return .success(try FrameworkHeader(parsing: raw)) } catch { return .failure(error) }
        }
    }

    static func parsePacket(_ bytes: [UInt8]) -> Result<FrameworkPacket, WireError> {
        bytes.withUnsafeBytes { raw in
            do throws(WireError) { return .success(try FrameworkPacket(parsing: raw)) } catch { return .failure(error) }
        }
    }

    static func parseFrame(_ bytes: [UInt8]) -> Result<FrameworkPacket, WireError> {
        bytes.withUnsafeBytes { raw in
            do throws(WireError) { return .success(try FrameworkPacket(parsingFrame: raw)) } catch { return .failure(error) }
        }
    }

    static func failure<T>(_ result: Result<T, WireError>) -> WireError? {
        if case .failure(let error) = result { return error }
        return nil
    }

    /// JSON text with sorted keys, so that values compare whatever their Foundation type.
    static func canonicalJSON(_ object: Any) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .fragmentsAllowed]), as: UTF8.self)
    }

    static func hex(_ text: String) -> [UInt8] {
        parseHexBytes(text.filter { !$0.isWhitespace })!
    }

    /// The expected-JSON form of a decoded frame, as the vectors print it.
    static func json(ethernet: EthernetFrame, packet: FrameworkPacket) -> [String: Any] {
        func address(_ a: FrameworkAddress) -> Any {
            if case .eightBit(let value) = a { return Int(value) }
            return a.description
        }
        func clause(_ c: ContractClause) -> [String: Any] {
            var object: [String: Any] = ["type": c.type.name]
            switch c {
            case .maxDelay(let m):
                object["max_allowed_delay"] = Int(m.maxAllowedDelay)
                object["delay_exp"] = Int(m.delayExp)
            case .latencyBased(let l):
                object["min_delay"] = Int(l.minDelay)
                object["max_delay"] = Int(l.maxDelay)
                object["experienced_delay"] = Int(l.experiencedDelay)
                object["fib_todelay"] = Int(l.fibToDelay)
                object["fib_tohops"] = Int(l.fibToHops)
            case .ping(let p):
                object["code"] = Int(p.code)
                object["hops"] = Int(p.hops)
                object["timestamp"] = Int(p.timestamp)
            case .unknown(_, let body):
                object["body"] = body.map { String(format: "%02x", $0) }.joined()
            }
            return object
        }
        let header = packet.header
        var object: [String: Any] = [
            "ethertype": ethernet.etherType.description,
            "src_type": header.source.type.name,
            "dst_type": header.destination.type.name,
            "cast": header.cast.name,
            "src": address(header.source),
            "dst": address(header.destination),
            // One character per byte.
            "payload": String(String.UnicodeScalarView(packet.payload.map { Unicode.Scalar($0) })),
        ]
        if header.contracts.count == 1 {
            object["contract"] = clause(header.contracts[0])
        } else if !header.contracts.isEmpty {
            object["contracts"] = header.contracts.map(clause)
        }
        return object
    }
}

final class FrameworkHeaderTests: XCTestCase {
    typealias Support = FrameworkTestSupport

    /// The first frame of `ipv4-to-ipv6-lbf.pcap`, without Ethernet.
    static let goldenLBF = Support.hex("""
        03 1a 26  00 01 00  0a000102  00100000000000000000000000020002
        0002 01f4 0320 06b7 0000 0002
        """) + Array("ipv4 to ipv6 from h1 to h2 more latency".utf8)

    /// Three clauses: MDF, LBF, ping.
    static let goldenThreeClauses = Support.hex("""
        03 1a 3a  00 01 00  0a000102  00100000000000000000000000020002
        0001 01f4 0000
        0002 01f4 0320 06b7 0000 0002
        0003 0000 00ff 0102030405060708
        """)

    static let threeClauseHeader = FrameworkHeader(
        source: .ipv4(IPv4Address(10, 0, 1, 2)),
        destination: .ipv6(IPv6Address(0x10, 0, 0, 0, 0, 0, 2, 2)),
        cast: .unicast,
        contracts: [
            .maxDelay(MaxDelayContract(maxAllowedDelay: 500, delayExp: 0)),
            .latencyBased(LatencyBasedContract(minDelay: 500, maxDelay: 800, experiencedDelay: 1719, fibToDelay: 0, fibToHops: 2)),
            .ping(PingContract(code: PingContract.request, hops: 255, timestamp: 0x0102_0304_0506_0708)),
        ])

    func assertMalformed(_ bytes: [UInt8], field: String, at offset: Int, file: StaticString = #filePath, line: UInt = #line) {
        switch Support.parseHeader(bytes) {
        case .failure(.malformed(let actualField, let actualOffset, _)):
            XCTAssertEqual(actualField, field, file: file, line: line)
            XCTAssertEqual(actualOffset, offset, file: file, line: line)
        case let other:
            XCTFail("expected malformed \(field) at \(offset), got \(other)", file: file, line: line)
        }
    }

    // MARK: Shared vectors

    func testSharedVectorsDecodeExactlyAndReencodeByteForByte() throws {
        let directory = Support.vectorsDirectory
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".pcap") }.sorted()
        XCTAssertEqual(names, ["ipv4-to-ipv6-lbf.pcap", "lbf-five-contracts.pcap"])
        var checked = 0
        for name in names {
            let frames = try Support.pcapFrames(Array(try Data(contentsOf: directory.appendingPathComponent(name))))
            let jsonName = String(name.dropLast(".pcap".count)) + ".jsonl"
            let lines = try String(contentsOf: directory.appendingPathComponent(jsonName), encoding: .utf8)
                .split(separator: "\n").filter { !$0.isEmpty }
            XCTAssertEqual(frames.count, lines.count, name)
            for (index, (frame, line)) in zip(frames, lines).enumerated() {
                let expected = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                let ethernet = try frame.withUnsafeBytes { raw in try EthernetFrame(parsing: raw) }
                let packet = try Support.parseFrame(frame).get()
                let actual = Support.json(ethernet: ethernet, packet: packet)
                XCTAssertEqual(Set(actual.keys), Set(expected.keys), "\(name) #\(index)")
                for (key, value) in expected {
                    XCTAssertEqual(try Support.canonicalJSON(actual[key] ?? NSNull()), try Support.canonicalJSON(value), "\(name) #\(index) \(key)")
                }
                XCTAssertEqual(try Support.canonicalJSON(actual), try Support.canonicalJSON(expected), "\(name) #\(index)")
                // Re-encode from the decoded values only.
                XCTAssertEqual(packet.frame(destination: ethernet.destination, source: ethernet.source), frame, "\(name) #\(index)")
                checked += 1
            }
        }
        XCTAssertEqual(checked, 6)
    }

    func testGoldenLBFFields() throws {
        let packet = try Support.parsePacket(Self.goldenLBF).get()
        XCTAssertEqual(packet.header.source, .ipv4(IPv4Address(10, 0, 1, 2)))
        XCTAssertEqual(packet.header.destination, .ipv6(IPv6Address(0x10, 0, 0, 0, 0, 0, 2, 2)))
        XCTAssertEqual(packet.header.cast, .unicast)
        XCTAssertEqual(packet.header.contracts, [
            .latencyBased(LatencyBasedContract(minDelay: 500, maxDelay: 800, experiencedDelay: 1719, fibToDelay: 0, fibToHops: 2)),
        ])
        XCTAssertEqual(String(decoding: packet.payload, as: UTF8.self), "ipv4 to ipv6 from h1 to h2 more latency")
        XCTAssertEqual(packet.header.encodedLength, 38)
        XCTAssertEqual(packet.encoded(), Self.goldenLBF)
    }

    // MARK: Construct / emit

    func testThreeClausesRoundTrip() throws {
        XCTAssertEqual(Self.threeClauseHeader.encoded(), Self.goldenThreeClauses)
        XCTAssertEqual(try Support.parseHeader(Self.goldenThreeClauses).get(), Self.threeClauseHeader)
        XCTAssertNoThrow(try Self.threeClauseHeader.checkEncodable())
    }

    func testEncodeWritesEveryByte() {
        // Pre-filled with 0xa5 so that a field left unwritten shows.
        var buffer = [UInt8](repeating: 0xA5, count: Self.goldenThreeClauses.count + 4)
        let written = buffer.withUnsafeMutableBytes { Self.threeClauseHeader.encode(into: $0, at: 2) }
        XCTAssertEqual(written, Self.goldenThreeClauses.count)
        XCTAssertEqual(buffer, [0xA5, 0xA5] + Self.goldenThreeClauses + [0xA5, 0xA5])
    }

    func testUnknownClauseSurvivesRoundTrip() throws {
        let bytes = Support.hex("03 08 16  02 02 03  07 09  0001 0064 0000  7777 aabbccddeeff") + Array("data".utf8)
        let packet = try Support.parsePacket(bytes).get()
        XCTAssertEqual(packet.header.source, .eightBit(7))
        XCTAssertEqual(packet.header.destination, .eightBit(9))
        XCTAssertEqual(packet.header.cast, .broadcast)
        XCTAssertEqual(packet.header.contracts, [
            .maxDelay(MaxDelayContract(maxAllowedDelay: 100)),
            .unknown(type: ContractType(rawValue: 0x7777), body: [0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF]),
        ])
        XCTAssertEqual(packet.payload, Array("data".utf8))
        XCTAssertEqual(packet.encoded(), bytes)
        XCTAssertEqual(ContractType(rawValue: 0x7777).name, "type(30583)")
    }

    func testUnknownClauseRunsToPayloadOffsetAndSwallowsWhatFollows() throws {
        // A known clause after an unknown one is body of the unknown one: the rule in action.
        let bytes = Support.hex("03 08 12  02 02 00  07 09  7777 01 02  0001 0064 0000")
        let header = try Support.parseHeader(bytes).get()
        XCTAssertEqual(header.contracts, [.unknown(type: ContractType(rawValue: 0x7777), body: [1, 2, 0, 1, 0, 0x64, 0, 0])])
        XCTAssertEqual(header.encoded(), bytes)
    }

    func testCheckEncodableRefusesValuesThatWouldNotRoundTrip() {
        var header = FrameworkHeader(source: .eightBit(1), destination: .eightBit(2), contracts: [
            .unknown(type: ContractType(rawValue: 0x7777), body: [1]),
            .maxDelay(MaxDelayContract(maxAllowedDelay: 1)),
        ])
        XCTAssertThrowsError(try header.checkEncodable()) { error in
            XCTAssertEqual((error as? WireError)?.offset, 8)
        }
        header.contracts = [.unknown(type: .ping, body: [])]
        XCTAssertThrowsError(try header.checkEncodable()) { error in
            guard case .malformed(let field, 8, _)? = error as? WireError else { return XCTFail("\(error)") }
            XCTAssertEqual(field, "ping clause")
        }
        header.contracts = Array(repeating: .ping(PingContract(hops: 1, timestamp: 2)), count: 18)
        XCTAssertThrowsError(try header.checkEncodable()) { error in
            guard case .malformed("payload offset", 2, _)? = error as? WireError else { return XCTFail("\(error)") }
        }
        header.contracts.removeLast()
        XCTAssertEqual(header.encodedLength, 8 + 17 * 14)
        XCTAssertNoThrow(try header.checkEncodable())
        XCTAssertEqual(try Support.parseHeader(header.encoded()).get(), header)
    }

    func testCompactAddressShippingSpecsRoundTrip() throws {
        let addresses: [CompactAddress] = [
            CompactAddress(value: 0)!, CompactAddress(value: 220)!, CompactAddress(value: 0xDE00 - 0xDD00 + 221)!,
            CompactAddress(value: 5119)!, CompactAddress(value: 5120)!, CompactAddress(value: 0xFFFF)!,
            CompactAddress(value: 0x1_0000)!, CompactAddress(value: 0xFFFF_FFFF)!, CompactAddress(value: 1 << 40)!,
            CompactAddress(value: 1 << 55)!, .loopback, .any,
        ]
        for (index, source) in addresses.enumerated() {
            let destination = addresses[(index + 5) % addresses.count]
            let header = FrameworkHeader(source: .compact(source), destination: .compact(destination), cast: .multicast,
                                         contracts: [.latencyBased(LatencyBasedContract(minDelay: 1, maxDelay: 2))])
            let bytes = header.encoded()
            XCTAssertEqual(bytes[3], 3)
            XCTAssertEqual(bytes[4], 3)
            XCTAssertEqual(Array(bytes[6..<(6 + source.encodedLength)]), source.bytes)
            XCTAssertEqual(Int(bytes[1]), 6 + source.encodedLength + destination.encodedLength)
            XCTAssertEqual(try Support.parseHeader(bytes).get(), header)
        }
        // Mixed with the reference's types, and the vectors' text of a compact address.
        let mixed = FrameworkHeader(source: .compact(CompactAddress("0xDE00")!), destination: .ipv4(IPv4Address(10, 0, 2, 2)))
        XCTAssertEqual(mixed.encoded(), Support.hex("03 00 0c 03 00 00 de00 0a000202"))
        XCTAssertEqual(mixed.source.description, "0xDE00")
        XCTAssertEqual(try Support.parseHeader(mixed.encoded()).get(), mixed)
    }

    func testUnknownCastSurvives() throws {
        var bytes = Self.goldenThreeClauses
        bytes[5] = 0x42
        let header = try Support.parseHeader(bytes).get()
        XCTAssertEqual(header.cast, AddressCast(rawValue: 0x42))
        XCTAssertFalse(header.cast.isKnown)
        XCTAssertEqual(header.cast.name, "cast(66)")
        XCTAssertEqual(header.encoded(), bytes)
    }

    func testNoContractNoPayload() throws {
        let header = FrameworkHeader(source: .eightBit(1), destination: .ipv6(.loopback), cast: .groupcast)
        let bytes = header.encoded()
        XCTAssertEqual(bytes, Support.hex("03 00 17 02 01 04 01 00000000000000000000000000000001"))
        let packet = try Support.parsePacket(bytes).get()
        XCTAssertEqual(packet.header, header)
        XCTAssertEqual(packet.payload, [])
    }

    func testFrameBuilder() throws {
        let destination = EthernetAddress("d2:68:8b:e4:46:f1")!
        let source = EthernetAddress(0xE6, 0x1A, 0xD9, 0x83, 0xBA, 0xBA)
        let frame = Self.threeClauseHeader.frame(destination: destination, source: source, payload: Array("hi".utf8))
        XCTAssertEqual(Array(frame[0..<14]), Support.hex("d2688be446f1 e61ad983baba 88b6"))
        XCTAssertEqual(Array(frame[14...]), Self.goldenThreeClauses + Array("hi".utf8))
        let ethernet = try frame.withUnsafeBytes { raw in try EthernetFrame(parsing: raw) }
        XCTAssertEqual(ethernet, EthernetFrame(destination: destination, source: source, etherType: .frameworkNewIP))
        XCTAssertEqual(try Support.parseFrame(frame).get(), FrameworkPacket(header: Self.threeClauseHeader, payload: Array("hi".utf8)))
    }

    func testEtherTypeAndEthernetAddressText() {
        XCTAssertEqual(EtherType.frameworkNewIP.description, "0x88b6")
        XCTAssertEqual(EtherType.ipv4.description, "0x0800")
        XCTAssertEqual(EtherType.compactNewIP.rawValue, 0xEADD)
        XCTAssertEqual(EtherType.ipv6.rawValue, 0x86DD)
        XCTAssertEqual(EthernetAddress.broadcast.description, "ff:ff:ff:ff:ff:ff")
        XCTAssertEqual(EthernetAddress("D2:68:8B:E4:46:F1")?.description, "d2:68:8b:e4:46:f1")
        for bad in ["", "d2:68:8b:e4:46", "d2:68:8b:e4:46:f1:00", "d2:68:8b:e4:46:f", "d2-68-8b-e4-46-f1", "g2:68:8b:e4:46:f1"] {
            XCTAssertNil(EthernetAddress(bad), bad)
        }
        XCTAssertNil(EthernetAddress(rawValue: 1 << 48))
    }

    func testNames() {
        XCTAssertEqual([FrameworkAddressType.ipv4, .ipv6, .eightBit, .compact].map(\.name), ["ipv4", "ipv6", "8bit", "compact"])
        XCTAssertEqual([AddressCast.unicast, .coordcast, .multicast, .broadcast, .groupcast].map(\.name),
                       ["unicast", "coordcast", "multicast", "broadcast", "groupcast"])
        XCTAssertEqual([ContractType.maxDelay, .latencyBased, .ping].map(\.name), ["max_delay", "latency_based", "ping"])
        for name in ["ipv4", "ipv6", "8bit", "compact"] { XCTAssertEqual(FrameworkAddressType(name: name)?.name, name) }
        for name in ["unicast", "coordcast", "multicast", "broadcast", "groupcast"] { XCTAssertEqual(AddressCast(name: name)?.name, name) }
        for name in ["max_delay", "latency_based", "ping"] { XCTAssertEqual(ContractType(name: name)?.name, name) }
        XCTAssertNil(FrameworkAddressType(name: "ipv5"))
        XCTAssertEqual(FrameworkAddressType(rawValue: 9).name, "type(9)")
    }

    func testAddressText() {
        let cases: [(FrameworkAddress, String)] = [
            (.ipv4(IPv4Address(10, 0, 1, 2)), "10.0.1.2"),
            (.ipv6(IPv6Address(0x10, 0, 0, 0, 0, 0, 2, 2)), "10::2:2"),
            (.eightBit(7), "7"),
            (.eightBit(0), "0"),
            (.compact(CompactAddress("0xDE00")!), "0xDE00"),
        ]
        for (address, text) in cases {
            XCTAssertEqual(address.description, text)
            XCTAssertEqual(FrameworkAddress(text), address, text)
        }
        for bad in ["256", "07", "", "x", "0xF4", "1.2.3", ":::"] { XCTAssertNil(FrameworkAddress(bad), bad) }
        XCTAssertEqual(FrameworkAddress("5", type: .compact), .compact(CompactAddress(value: 5)!))
        XCTAssertEqual(FrameworkAddress("5", type: .eightBit), .eightBit(5))
        XCTAssertNil(FrameworkAddress("5", type: FrameworkAddressType(rawValue: 9)))
    }

    // MARK: Negative cases

    func testEveryCutOffLengthIsTruncatedAtTheExactField() {
        // (start, length) of each field of the golden three-clause header, in order.
        let fields = [(0, 3), (3, 3), (6, 4), (10, 16), (26, 6), (32, 12), (44, 14)]
        let clauseStarts: Set = [26, 32, 44]
        let bytes = Self.goldenThreeClauses
        for cut in 0..<bytes.count {
            let (start, length) = fields.last { $0.0 <= cut }!
            // A clause whose type is not all there fails on the 2-byte type first.
            let needed = clauseStarts.contains(start) && cut - start < 2 ? 2 : length
            XCTAssertEqual(Support.failure(Support.parseHeader(Array(bytes[0..<cut]))), .truncated(at: start, needed: needed), "cut at \(cut)")
        }
        XCTAssertNotNil(try? Support.parseHeader(bytes).get())
    }

    func testEveryCutOffLengthIsTruncatedForAllShapes() {
        let headers: [FrameworkHeader] = [
            FrameworkHeader(source: .compact(CompactAddress(value: 1 << 50)!), destination: .compact(CompactAddress(value: 300)!)),
            FrameworkHeader(source: .eightBit(1), destination: .compact(.loopback), cast: .coordcast,
                            contracts: [.unknown(type: ContractType(rawValue: 0x7777), body: [1, 2, 3, 4, 5, 6])]),
            Self.threeClauseHeader,
        ]
        for header in headers {
            let bytes = header.encoded()
            for cut in 0..<bytes.count {
                guard case .truncated(let at, let needed)? = Support.failure(Support.parseHeader(Array(bytes[0..<cut]))) else {
                    XCTFail("cut at \(cut) of \(bytes): \(Support.parseHeader(Array(bytes[0..<cut])))")
                    continue
                }
                XCTAssertLessThanOrEqual(at, cut)
                XCTAssertGreaterThan(at + needed, cut)
            }
        }
    }

    func testMalformedFieldsAndOffsets() {
        let good = Self.goldenThreeClauses   // shipping ends at 26, clauses at 26, 32, 44, payload at 58
        func with(_ changes: [Int: UInt8], _ bytes: [UInt8] = good) -> [UInt8] {
            var copy = bytes
            for (offset, value) in changes { copy[offset] = value }
            return copy
        }
        assertMalformed(with([0: 4]), field: "shipping offset", at: 0)
        assertMalformed(with([0: 2]), field: "shipping offset", at: 0)
        assertMalformed(with([3: 4]), field: "source address type", at: 3)
        assertMalformed(with([4: 0xFF]), field: "destination address type", at: 4)
        assertMalformed(with([1: 20]), field: "contract offset", at: 1)        // inside the shipping spec
        assertMalformed(with([1: 27]), field: "contract offset", at: 1)        // gap after it
        assertMalformed(with([2: 20]), field: "payload offset", at: 2)         // before the contract
        assertMalformed(with([2: 26]), field: "contract offset", at: 1)        // empty contract
        assertMalformed(with([2: 30]), field: "max_delay clause", at: 26)      // payload offset inside clause 1
        assertMalformed(with([2: 40]), field: "latency_based clause", at: 32)  // clause 2 overruns it
        assertMalformed(with([2: 57]), field: "ping clause", at: 44)
        assertMalformed(with([2: 59], good + [0]), field: "contract", at: 58)  // one stray byte
        assertMalformed(with([1: 0]), field: "payload offset", at: 2)          // no contract, yet a gap
        assertMalformed(with([1: 0, 2: 25]), field: "payload offset", at: 2)   // inside the shipping spec
        // Compact addresses: invalid first byte and overlong encoding, named by side.
        assertMalformed(Support.hex("03 00 08 03 03 00 f5 01"), field: "source address", at: 6)
        assertMalformed(Support.hex("03 00 09 03 03 00 01 dd01"), field: "destination address", at: 7)
        // Frame level: offsets count from the start of the frame.
        let frame = Self.threeClauseHeader.frame(destination: .broadcast, source: .broadcast, payload: [])
        var bad = frame
        bad[14 + 3] = 9
        guard case .malformed("source address type", 17, _)? = Support.failure(Support.parseFrame(bad)) else {
            return XCTFail("\(Support.parseFrame(bad))")
        }
        bad = frame
        bad[13] = 0xDD
        guard case .malformed("ethertype", 12, _)? = Support.failure(Support.parseFrame(bad)) else { return XCTFail("\(Support.parseFrame(bad))") }
        XCTAssertEqual(Support.failure(Support.parseFrame(Array(frame[0..<18]))), .truncated(at: 17, needed: 3))
        XCTAssertEqual(Support.failure(Support.parseFrame(Array(frame[0..<13]))), .truncated(at: 0, needed: 14))
    }
}

