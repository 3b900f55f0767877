import XCTest
@testable import NewIPWire

/// Seeded property tests: random valid headers round-trip; random damage never crashes and
/// whatever is accepted re-encodes byte for byte.
final class FrameworkPropertyTests: XCTestCase {
    typealias Support = FrameworkTestSupport
    typealias Generator = FrameworkTestSupport.SplitMix64

    static func randomAddress(_ rng: inout Generator) -> FrameworkAddress {
        switch rng.below(4) {
        case 0: return .ipv4(IPv4Address(rawValue: UInt32(truncatingIfNeeded: rng.next())))
        case 1:
            // Zero-heavy, so that compressed text forms show up too.
            let high = rng.chance(50) ? rng.next() : rng.next() & 0xFFFF
            return .ipv6(IPv6Address(high: high, low: rng.chance(30) ? 0 : rng.next()))
        case 2: return .eightBit(UInt8(truncatingIfNeeded: rng.next()))
        default:
            if rng.chance(10) { return .compact(.reserved(UInt8(truncatingIfNeeded: rng.next()))) }
            // Each encoded length equally often: pick a bit width, then a value of that width.
            let bits = rng.below(57)
            let value = bits == 0 ? 0 : rng.next() >> (64 - bits)
            return .compact(CompactAddress(value: value)!)
        }
    }

    static func randomClause(_ rng: inout Generator) -> ContractClause {
        func u16() -> UInt16 { UInt16(truncatingIfNeeded: rng.next()) }
        switch rng.below(3) {
        case 0: return .maxDelay(MaxDelayContract(maxAllowedDelay: u16(), delayExp: u16()))
        case 1: return .latencyBased(LatencyBasedContract(minDelay: u16(), maxDelay: u16(), experiencedDelay: u16(),
                                                          fibToDelay: u16(), fibToHops: u16()))
        default: return .ping(PingContract(code: u16() % 3, hops: u16(), timestamp: rng.next()))
        }
    }

    static func randomHeader(_ rng: inout Generator) -> FrameworkHeader {
        var contracts = (0..<rng.below(6)).map { _ in randomClause(&rng) }
        if rng.chance(20) {
            var type: UInt16
            repeat { type = UInt16(truncatingIfNeeded: rng.next()) } while ContractType(rawValue: type).fixedLength != nil
            contracts.append(.unknown(type: ContractType(rawValue: type),
                                      body: (0..<rng.below(24)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }))
        }
        // Mostly the five casts, sometimes an unknown one.
        let cast = AddressCast(rawValue: UInt8(truncatingIfNeeded: rng.chance(90) ? rng.next() % 5 : rng.next()))
        return FrameworkHeader(source: randomAddress(&rng), destination: randomAddress(&rng), cast: cast, contracts: contracts)
    }

    func testRandomHeadersRoundTrip() throws {
        var rng = Generator(seed: 2030)
        var seenTypes = Set<UInt8>(), seenClauses = Set<UInt16>(), seenLengths = Set<Int>()
        for iteration in 0..<3000 {
            let header = Self.randomHeader(&rng)
            try header.checkEncodable()
            let payload = (0..<rng.below(8)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            let bytes = header.encoded()
            XCTAssertEqual(bytes.count, header.encodedLength)
            let packet = try Support.parsePacket(bytes + payload).get()
            XCTAssertEqual(packet.header, header, "iteration \(iteration)")
            XCTAssertEqual(packet.payload, payload, "iteration \(iteration)")
            // The view agrees with the value.
            try (bytes + payload).withUnsafeBytes { raw in
                let view = try FrameworkHeaderView(raw)
                XCTAssertEqual(view.source, header.source)
                XCTAssertEqual(view.destination, header.destination)
                XCTAssertEqual(view.cast, header.cast)
                XCTAssertEqual(view.payloadOffset, header.encodedLength)
                XCTAssertEqual(view.clauses.map(\.value), header.contracts)
                XCTAssertEqual(view.contractRange.count, header.contractLength)
            }
            // Text forms of addresses are lossless.
            XCTAssertEqual(FrameworkAddress(header.source.description), header.source)
            seenTypes.formUnion([header.source.type.rawValue, header.destination.type.rawValue])
            seenClauses.formUnion(header.contracts.map { min($0.type.rawValue, 4) })
            if case .compact(let a) = header.source { seenLengths.insert(a.encodedLength) }
        }
        XCTAssertEqual(seenTypes, [0, 1, 2, 3])
        XCTAssertEqual(seenClauses, [1, 2, 3, 4])
        XCTAssertEqual(seenLengths, [1, 2, 3, 5, 7, 8])
    }

    /// Damaged input: flipped bytes, changed offsets, cut or extended buffers. Never a crash;
    /// anything accepted re-encodes to exactly the bytes it was parsed from.
    func testRandomDamageNeverCrashesAndAcceptedBytesAreCanonical() {
        var rng = Generator(seed: 0x88B6)
        var accepted = 0, truncated = 0, malformed = 0
        for _ in 0..<20000 {
            var bytes = Self.randomHeader(&rng).encoded() + (0..<rng.below(4)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            for _ in 0...rng.below(3) {
                switch rng.below(4) {
                case 0: bytes[rng.below(bytes.count)] = UInt8(truncatingIfNeeded: rng.next())
                case 1: bytes[rng.below(min(3, bytes.count))] = UInt8(truncatingIfNeeded: rng.next() % 64)
                case 2: bytes.removeLast(rng.below(bytes.count))
                default: bytes[rng.below(bytes.count)] ^= 1 << rng.below(8)
                }
                if bytes.isEmpty { bytes = [3] }
            }
            switch Support.parsePacket(bytes) {
            case .success(let packet):
                accepted += 1
                XCTAssertEqual(packet.encoded(), bytes)
            case .failure(.truncated(let at, let needed)):
                truncated += 1
                XCTAssertTrue(at >= 0 && at <= bytes.count && at + needed > bytes.count, "\(at) \(needed) \(bytes.count)")
            case .failure(.malformed(let field, let at, _)):
                malformed += 1
                // Only a stray byte before the payload offset can be named where the buffer ends.
                XCTAssertTrue(at >= 0 && (at < bytes.count || field == "contract" && at == bytes.count), "\(field) \(at) \(bytes.count)")
            }
        }
        // Every outcome is exercised.
        XCTAssertGreaterThan(accepted, 1000)
        XCTAssertGreaterThan(truncated, 1000)
        XCTAssertGreaterThan(malformed, 1000)
    }

    func testEthernetFramesRoundTrip() throws {
        var rng = Generator(seed: 14)
        for _ in 0..<500 {
            let header = Self.randomHeader(&rng)
            let payload = (0..<rng.below(64)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            let destination = EthernetAddress(rawValue: rng.next() >> 16)!
            let source = EthernetAddress(rawValue: rng.next() >> 16)!
            let frame = header.frame(destination: destination, source: source, payload: payload)
            XCTAssertEqual(try Support.parseFrame(frame).get(), FrameworkPacket(header: header, payload: payload))
            XCTAssertEqual(EthernetAddress(destination.description), destination)
        }
    }
}
