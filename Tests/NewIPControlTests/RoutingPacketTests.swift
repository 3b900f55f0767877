import NewIPControl
import NewIPDataPlane
import NewIPWire
import XCTest

final class RoutingPacketTests: XCTestCase {
    static let h10 = RoutePrefix(exactly: .compact(CompactAddress("0x10")!))

    static let sample = RoutingPacket(sender: 0x0102_0304_0506_0708, counter: 9, messages: [
        .hello(.init(seqno: 1, holdTime: 350_000, timestamp: 1_000_000)),
        .update(.init(holdTime: 3_500_000, seqno: 7, metric: RoutingMetric(delay: 3_000_000, hops: 2), origin: 5, prefix: h10)),
    ])

    static let sampleBytes: [UInt8] = [
        0x4E, 0x01, 0x00, 0x28, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0, 0, 0, 0, 0, 0, 0, 0x09,
        // hello: seqno 1, hold 350,000 µs, timestamp 1,000,000 ns
        0x01, 0x0E, 0x00, 0x01, 0x00, 0x05, 0x57, 0x30, 0, 0, 0, 0, 0, 0x0F, 0x42, 0x40,
        // update: hold 3,500,000 µs, seqno 7, 2 hops, 3,000,000 ns, origin 5, compact 0x10/8
        0x03, 0x16, 0x00, 0x35, 0x67, 0xE0, 0x00, 0x07, 0x02, 0x00, 0x2D, 0xC6, 0xC0, 0, 0, 0, 0, 0, 0, 0, 0x05, 0x00, 0x08, 0x10,
    ]

    func testEncodesTheGoldenBytesAndDecodesThemBack() throws {
        XCTAssertEqual(Self.sample.encoded, Self.sampleBytes)
        let decoded = try Self.sampleBytes.withUnsafeBytes { (bytes) throws(WireError) in try RoutingPacket(parsing: bytes) }
        XCTAssertEqual(decoded, Self.sample)
        XCTAssertNil(decoded.mac)
    }

    func testEveryMessageKindAndPrefixFamilyRoundTrips() throws {
        let prefixes: [RoutePrefix] = [
            Self.h10, .eightBit(7), .ipv4(IPv4Prefix(address: IPv4Address(rawValue: 0x0A00_0100), length: 24)!),
            .ipv6(IPv6Prefix(address: IPv6Address(high: 0x2001_0DB8_0000_0000, low: 0), length: 32)!),
            .compact(CompactAddressPrefix.all),
        ]
        var messages: [RoutingMessage] = [
            .ihu(.init(neighbour: 3, origin: 10, receive: 20)),
            .routeRequest(.init(prefix: nil)),
            .update(.init(holdTime: 1, seqno: 65_535, metric: .infinite, origin: 2, prefix: Self.h10)),
        ]
        for prefix in prefixes {
            messages.append(.routeRequest(.init(prefix: prefix)))
            messages.append(.seqnoRequest(.init(seqno: 4, hopCount: 64, origin: 9, prefix: prefix)))
            messages.append(.update(.init(holdTime: 5, seqno: 6, metric: RoutingMetric(delay: 12_345, hops: 3), origin: 8, prefix: prefix)))
        }
        let packet = RoutingPacket(sender: 1, counter: 2, messages: messages, mac: Array(repeating: 0xA5, count: 32))
        let bytes = packet.encoded
        XCTAssertEqual(bytes.count, packet.encodedLength)
        let decoded = try bytes.withUnsafeBytes { (raw) throws(WireError) in try RoutingPacket(parsing: raw) }
        XCTAssertEqual(decoded, packet)
        guard case .update(let retraction) = decoded.messages[2] else { return XCTFail("not an update: \(decoded.messages[2])") }
        XCTAssertTrue(retraction.isRetraction)
    }

    func testEveryCutOffLengthIsRefusedWithTheRightError() {
        let sealed = LinkKey(Array("link key".utf8)).seal(Self.sample)
        XCTAssertEqual(sealed.count, 60 + 32)
        for length in 0..<sealed.count where length != 60 {
            let error = sealed.prefix(length).withUnsafeBytes { bytes -> WireError? in
                do throws(WireError) { _ = try RoutingPacket(parsing: bytes) } catch { return error }
                return nil
            }
            switch length {
            case 0..<20: XCTAssertEqual(error, .truncated(at: length, needed: 20 - length), "length \(length)")
            case 20..<60: XCTAssertEqual(error, .truncated(at: length, needed: 60 - length), "length \(length)")
            default: XCTAssertEqual(error?.offset, 60, "length \(length): \(String(describing: error))")
            }
        }
    }

    func testMalformedFieldsAreNamedWithTheirOffsets() {
        func error(_ edit: (inout [UInt8]) -> Void) -> WireError? {
            var bytes = Self.sampleBytes
            edit(&bytes)
            return bytes.withUnsafeBytes { raw -> WireError? in
                do throws(WireError) { _ = try RoutingPacket(parsing: raw) } catch { return error }
                return nil
            }
        }
        XCTAssertEqual(error { $0[0] = 42 }, .malformed(field: "magic", at: 0, reason: "42 is not 78"))
        XCTAssertEqual(error { $0[1] = 2 }, .malformed(field: "version", at: 1, reason: "version 2 is not 1"))
        // The update's length byte says 23: one byte past the body.
        XCTAssertEqual(error { $0[37] = 0x17 }, .malformed(field: "message length", at: 37, reason: "the message runs 1 bytes past the body"))
        XCTAssertEqual(error { $0[57] = 7 }.map { "\($0)" },
                       "malformed prefix family at byte 57: 7 is none of 0 (compact), 1 (eight-bit), 2 (IPv4), 3 (IPv6)")
        XCTAssertEqual(error { $0[58] = 2 }, .malformed(field: "prefix", at: 59, reason: "bits set past the 2-bit length"))
        // The hello's length byte says 15 and the update's type slides: the hello has a byte too many.
        XCTAssertEqual(error { $0[21] = 0x0F; $0[3] = 0x29; $0.insert(0, at: 36) },
                       .malformed(field: "message length", at: 36, reason: "1 bytes past the message's fields"))
    }

    func testUnknownMessagesAreSkippedAndCounted() throws {
        var bytes = Self.sampleBytes
        bytes[3] += 3
        bytes += [0x63, 0x01, 0xFF]
        let decoded = try bytes.withUnsafeBytes { (raw) throws(WireError) in try RoutingPacket(parsing: raw) }
        XCTAssertEqual(decoded.messages, Self.sample.messages)
        XCTAssertEqual(decoded.skippedMessages, 1)
    }

    func testSmoothingFollowsRFC9616WithABoundedStep() {
        var delay = SmoothedDelay(first: 1_000)
        delay.add(2_000, retain: 836, maxStep: 1_000_000)
        XCTAssertEqual(delay.value, 1_164)
        delay.add(1_000_000, retain: 836, maxStep: 50)
        XCTAssertEqual(delay.value, 1_214)
        // Within a few nanoseconds a step still moves: the sample is reached exactly.
        var close = SmoothedDelay(first: 100)
        close.add(103, retain: 836, maxStep: 10)
        XCTAssertEqual(close.value, 101)
        XCTAssertEqual(close.samples, 2)
    }
}
