import XCTest
@testable import NewIPWire

/// Seeded property tests of the one packet representation: random packets of both dialects
/// round-trip through bytes, the view reads what the value holds, and every cut through the
/// header is refused with an offset inside the cut bytes.
final class NewIPPacketPropertyTests: XCTestCase {
    typealias Generator = FrameworkTestSupport.SplitMix64

    static func randomCompactAddress(_ rng: inout Generator) -> FrameworkAddress {
        let bits = rng.below(57)
        return .compact(CompactAddress(value: bits == 0 ? 0 : rng.next() >> (64 - bits))!)
    }

    static func randomBytes(_ rng: inout Generator, count: Int) -> [UInt8] {
        (0..<count).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
    }

    static func randomPayloadSpec(_ rng: inout Generator) -> PayloadSpec {
        let chunks = (0..<rng.below(6)).map { _ in
            PayloadSpec.Chunk(significance: UInt8(rng.below(4)), length: UInt16(truncatingIfNeeded: rng.next()))
        }
        return PayloadSpec(chunks: chunks, chunkOffset: UInt8(rng.below(16)), isTrimmed: rng.chance(30))
    }

    /// An unknown clause type: neither a known clause nor the payload spec's.
    static func randomUnknownClause(_ rng: inout Generator) -> ContractClause {
        var type: UInt16
        repeat { type = UInt16(truncatingIfNeeded: rng.next()) } while (1...3).contains(type) || type == PayloadSpec.contractType.rawValue
        return .unknown(type: ContractType(rawValue: type), body: randomBytes(&rng, count: rng.below(24)))
    }

    static func randomPacket(_ rng: inout Generator) -> NewIPPacket {
        var clauses = (0..<rng.below(5)).map { _ in FrameworkPropertyTests.randomClause(&rng) }
        let payloadSpec = rng.chance(30) ? randomPayloadSpec(&rng) : nil
        if rng.chance(50) {
            // Compact: any clause type anywhere (each is its own item); a payload byte at least.
            if rng.chance(20) { clauses.insert(randomUnknownClause(&rng), at: rng.below(clauses.count + 1)) }
            return NewIPPacket(dialect: .compact, source: rng.chance(70) ? randomCompactAddress(&rng) : nil,
                               destination: randomCompactAddress(&rng), ttl: UInt8(truncatingIfNeeded: rng.next()),
                               nextHeader: NextHeader(rawValue: UInt8(truncatingIfNeeded: rng.next())),
                               clauses: clauses, payloadSpec: payloadSpec,
                               payload: randomBytes(&rng, count: 1 + rng.below(12)))
        }
        // Framework: an unknown clause runs to the payload, so it is last and excludes a payload spec.
        if payloadSpec == nil && rng.chance(20) { clauses.append(randomUnknownClause(&rng)) }
        return NewIPPacket(dialect: .framework, source: FrameworkPropertyTests.randomAddress(&rng),
                           destination: FrameworkPropertyTests.randomAddress(&rng),
                           cast: AddressCast(rawValue: UInt8(rng.below(5))), clauses: clauses, payloadSpec: payloadSpec,
                           payload: randomBytes(&rng, count: rng.below(12)))
    }

    static func parse(_ bytes: [UInt8], _ dialect: PacketDialect) -> Result<NewIPPacket, NewIPPacketError> {
        bytes.withUnsafeBytes { raw in
            do throws(NewIPPacketError) { return .success(try NewIPPacket(parsing: raw, dialect: dialect)) } catch {
                return .failure(error)
            }
        }
    }

    func testRandomPacketsRoundTrip() throws {
        var rng = Generator(seed: 9)
        var seen = Set<String>()
        for iteration in 0..<3000 {
            let packet = Self.randomPacket(&rng)
            let bytes = try packet.encoded()
            XCTAssertEqual(try Self.parse(bytes, packet.dialect).get(), packet, "iteration \(iteration)")
            try bytes.withUnsafeBytes { raw in
                let view = try NewIPPacketView(raw, dialect: packet.dialect)
                XCTAssertEqual(view.dialect, packet.dialect)
                XCTAssertEqual(view.source, packet.source)
                XCTAssertEqual(view.destination, packet.destination)
                XCTAssertEqual(view.ttl, packet.ttl)
                XCTAssertEqual(view.nextHeader, packet.nextHeader)
                XCTAssertTrue(view.isComplete)
                XCTAssertEqual(try view.packetEnd(), bytes.count)
                XCTAssertEqual(view.payloadRange, (bytes.count - packet.payload.count)..<bytes.count)
                XCTAssertEqual(view.headerLength, bytes.count - packet.payload.count)
                var clauses = 0, specs = 0
                try view.forEachContractItem { item in
                    switch item {
                    case .clause(_, let range):
                        XCTAssertEqual(ContractClause(unchecked: raw, at: range.lowerBound, length: range.count), packet.clauses[clauses])
                        clauses += 1
                    case .payloadSpec(let body):
                        XCTAssertEqual(Array(raw[body]), packet.payloadSpec?.body)
                        specs += 1
                    }
                }
                XCTAssertEqual(clauses, packet.clauses.count)
                XCTAssertEqual(specs, packet.payloadSpec == nil ? 0 : 1)
            }
            seen.insert("\(packet.dialect) \(packet.clauses.count) \(packet.payloadSpec != nil)")
        }
        XCTAssertGreaterThan(seen.count, 20, "the generator covers both dialects, clause counts and payload specs")
    }

    /// Cut inside the header (compact: or right after it, since a payload byte is required):
    /// refused, pointing into the bytes that were there or at their end (compact: into the
    /// header as it was written). Cut inside the
    /// payload: both dialects run the payload to the end, so a shorter one parses.
    func testEveryCutThroughTheHeaderIsRefusedWithItsOffset() throws {
        var rng = Generator(seed: 2030)
        for iteration in 0..<500 {
            let packet = Self.randomPacket(&rng)
            let bytes = try packet.encoded()
            let headerLength = bytes.count - packet.payload.count
            for cut in 0..<bytes.count {
                let prefix = Array(bytes[..<cut])
                switch Self.parse(prefix, packet.dialect) {
                case .failure(let error):
                    XCTAssertTrue(cut < headerLength || (packet.dialect == .compact && cut == headerLength),
                                  "iteration \(iteration): a cut at \(cut) in the payload was refused: \(error)")
                    // The compact reference reads missing bytes as zeros and names the field that
                    // would pass the end, so its offset lies in the header as written, not the cut.
                    let bound = packet.dialect == .compact ? headerLength : cut
                    XCTAssertTrue((0...bound).contains(error.offset), "iteration \(iteration): cut \(cut), \(error)")
                case .success(let parsed):
                    XCTAssertGreaterThanOrEqual(cut, headerLength + (packet.dialect == .compact ? 1 : 0),
                                                "iteration \(iteration): a cut at \(cut) through the header parsed")
                    XCTAssertEqual(parsed.payload, Array(packet.payload[..<(cut - headerLength)]))
                }
            }
        }
    }

    /// Random damage never traps, and whatever the value accepts encodes to bytes that parse
    /// back to the same value (the encoding is canonical: pads, unknown items and a compact
    /// total length are not kept).
    func testAcceptedDamagedPacketsReencodeToTheSameValue() throws {
        var rng = Generator(seed: 6)
        var accepted = 0
        for iteration in 0..<3000 {
            let packet = Self.randomPacket(&rng)
            var bytes = try packet.encoded()
            for _ in 0...rng.below(3) { bytes[rng.below(bytes.count)] = UInt8(truncatingIfNeeded: rng.next()) }
            guard case .success(let parsed) = Self.parse(bytes, packet.dialect) else { continue }
            accepted += 1
            let again = try parsed.encoded()
            XCTAssertEqual(try Self.parse(again, packet.dialect).get(), parsed, "iteration \(iteration)")
        }
        XCTAssertGreaterThan(accepted, 500, "damage in the payload or a field value leaves a packet")
    }

    /// A lenient reader keeps the items before a damaged one; the strict value refuses, saying where.
    func testDamagedExtensionItemStopsTheWalkWhereItIs() throws {
        let packet = NewIPPacket(dialect: .compact, source: nil, destination: .compact(CompactAddress(value: 0xDE)!), ttl: 64,
                                 nextHeader: .udp, clauses: [.maxDelay(MaxDelayContract(maxAllowedDelay: 20, delayExp: 0))],
                                 payloadSpec: PayloadSpec(chunks: []), payload: [1, 2, 3])
        var bytes = try packet.encoded()
        let specItem = bytes.count - packet.payload.count - packet.payloadSpec!.extensionItem.count
        bytes[specItem + 1] = 200 // the spec's item now runs past the header
        var visited: [NewIPPacketView.ContractItem] = []
        let error = bytes.withUnsafeBytes { raw -> WireError? in
            let view = try! NewIPPacketView(raw, dialect: .compact)
            do throws(WireError) { try view.forEachContractItem { visited.append($0) } } catch { return error }
            return nil
        }
        XCTAssertEqual(error, .truncated(at: specItem + 2, needed: 200))
        XCTAssertEqual(visited.count, 1)
        XCTAssertEqual(Self.parse(bytes, .compact).failure?.offset, specItem + 2)
    }
}

private extension Result {
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
