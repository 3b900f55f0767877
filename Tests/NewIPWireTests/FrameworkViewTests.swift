import XCTest
@testable import NewIPWire

/// The zero-copy view: accessors, clause walk, in-place rewrites of the per-hop fields.
final class FrameworkViewTests: XCTestCase {
    typealias Support = FrameworkTestSupport

    func testAccessorsOnThreeClauses() throws {
        let bytes = FrameworkHeaderTests.goldenThreeClauses + Array("payload".utf8)
        try bytes.withUnsafeBytes { raw in
            let view = try FrameworkHeaderView(raw)
            XCTAssertEqual(view.sourceType, .ipv4)
            XCTAssertEqual(view.destinationType, .ipv6)
            XCTAssertEqual(view.cast, .unicast)
            XCTAssertEqual(view.source, .ipv4(IPv4Address(10, 0, 1, 2)))
            XCTAssertEqual(view.destination, .ipv6(IPv6Address(0x10, 0, 0, 0, 0, 0, 2, 2)))
            XCTAssertEqual(view.sourceRange, 6..<10)
            XCTAssertEqual(view.destinationRange, 10..<26)
            XCTAssertTrue(view.hasContract)
            XCTAssertEqual(view.contractRange, 26..<58)
            XCTAssertEqual(view.payloadOffset, 58)
            XCTAssertEqual(view.payloadRange, 58..<65)
            XCTAssertEqual(Array(view.payload), Array("payload".utf8))
            XCTAssertEqual(view.clauses.map(\.type), [.maxDelay, .latencyBased, .ping])
            XCTAssertEqual(view.clauses.map(\.range), [26..<32, 32..<44, 44..<58])
            XCTAssertEqual(view.firstMaxDelay, MaxDelayContract(maxAllowedDelay: 500))
            XCTAssertEqual(view.firstLatencyBased?.experiencedDelay, 1719)
            XCTAssertEqual(view.firstPing, PingContract(code: 0, hops: 255, timestamp: 0x0102_0304_0506_0708))
            XCTAssertNil(view.clauses.first { _ in true }?.ping, "a max-delay clause is not a ping")
            XCTAssertEqual(view.header, FrameworkHeaderTests.threeClauseHeader)
            var visited: [ContractType] = []
            view.forEachClause { clause in
                visited.append(clause.type)
                return clause.type != .latencyBased   // stops after the LBF clause
            }
            XCTAssertEqual(visited, [.maxDelay, .latencyBased])
        }
    }

    func testNoContract() throws {
        let header = FrameworkHeader(source: .compact(CompactAddress("0xDE00")!), destination: .eightBit(4))
        try header.encoded().withUnsafeBytes { raw in
            let view = try FrameworkHeaderView(raw)
            XCTAssertFalse(view.hasContract)
            XCTAssertEqual(view.contractOffset, 0)
            XCTAssertEqual(view.contractRange, 9..<9)
            XCTAssertTrue(view.clauses.map(\.type).isEmpty)
            XCTAssertNil(view.firstLatencyBased)
            XCTAssertEqual(view.payload.count, 0)
            XCTAssertEqual(view.source, header.source)
        }
    }

    func testUnknownClauseBodyInPlace() throws {
        let bytes = Support.hex("03 08 16  02 02 03  07 09  0001 0064 0000  7777 aabbccddeeff")
        try bytes.withUnsafeBytes { raw in
            let view = try FrameworkHeaderView(raw)
            let last = try XCTUnwrap(view.firstClause(of: ContractType(rawValue: 0x7777)))
            XCTAssertEqual(last.range, 14..<22)
            XCTAssertEqual(Array(last.body), [0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF])
            XCTAssertNil(last.latencyBased)
        }
    }

    func testInPlaceRewriteOfExperiencedDelayAndPingHops() throws {
        var bytes = FrameworkHeaderTests.goldenThreeClauses + [1, 2, 3]
        try bytes.withUnsafeMutableBytes { raw in
            let view = try MutableFrameworkHeaderView(raw)
            XCTAssertTrue(view.setExperiencedDelay(0xBEEF))
            XCTAssertTrue(view.setPingHops(254))
            XCTAssertEqual(view.view.firstLatencyBased?.experiencedDelay, 0xBEEF)
            XCTAssertEqual(view.view.firstPing?.hops, 254)
        }
        var expected = FrameworkHeaderTests.threeClauseHeader
        expected.contracts[1] = .latencyBased(LatencyBasedContract(minDelay: 500, maxDelay: 800, experiencedDelay: 0xBEEF,
                                                                   fibToDelay: 0, fibToHops: 2))
        expected.contracts[2] = .ping(PingContract(code: 0, hops: 254, timestamp: 0x0102_0304_0506_0708))
        XCTAssertEqual(bytes, expected.encoded() + [1, 2, 3])
        // Only the two fields changed.
        let diff = zip(bytes, FrameworkHeaderTests.goldenThreeClauses).enumerated().filter { $0.element.0 != $0.element.1 }.map(\.offset)
        XCTAssertEqual(diff, [38, 39, 49])
    }

    func testRewriteEveryLatencyClause() throws {
        let header = FrameworkHeader(source: .eightBit(1), destination: .eightBit(2), contracts: [
            .latencyBased(LatencyBasedContract(minDelay: 1, maxDelay: 9)),
            .maxDelay(MaxDelayContract(maxAllowedDelay: 3)),
            .latencyBased(LatencyBasedContract(minDelay: 2, maxDelay: 8, experiencedDelay: 5)),
        ])
        var bytes = header.encoded()
        try bytes.withUnsafeMutableBytes { raw in
            let view = try MutableFrameworkHeaderView(raw)
            for clause in view.view.clauses where clause.type == .latencyBased {
                view.setExperiencedDelay(clause.latencyBased!.experiencedDelay + 100, in: clause)
            }
            XCTAssertFalse(view.setPingHops(1))
        }
        let after = try Support.parseHeader(bytes).get()
        XCTAssertEqual(after.contracts.compactMap { if case .latencyBased(let l) = $0 { l.experiencedDelay } else { nil } }, [100, 105] as [UInt16])
    }

    func testHeaderParsingReusesTheViewsErrors() {
        // Same bytes, same error, whichever entry point.
        var bytes = FrameworkHeaderTests.goldenThreeClauses
        bytes[2] = 40
        let viewError = bytes.withUnsafeBytes { raw -> WireError? in
            do throws(WireError) { _ = try FrameworkHeaderView(raw); return nil } catch { return error }
        }
        XCTAssertEqual(viewError, Support.failure(Support.parseHeader(bytes)))
        XCTAssertEqual(viewError?.offset, 32)
    }
}
