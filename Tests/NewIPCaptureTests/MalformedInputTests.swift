import NewIPRandom
import NewIPCapture
import XCTest

/// Bad content is reported as such, with its place; nothing traps or loops.
final class MalformedInputTests: XCTestCase {
    private let section = Pcapng.sectionHeader(bigEndian: false)
    private let ethernet = Pcapng.interface(linkType: 1, bigEndian: false)

    private func firstError(_ bytes: [UInt8]) -> CaptureError? {
        readUntilError(bytes).error
    }

    func testHeaderErrors() {
        XCTAssertEqual(firstError([]), CaptureError(.truncated(.fileHeader, needed: 4, remaining: 0), offset: 0))
        XCTAssertEqual(firstError(Array("GIF89a, not a capture".utf8)),
                       CaptureError(.unknownMagic(0x3846_4947), offset: 0))
        XCTAssertEqual(firstError(pcapHeader(magic: 0xA1B2_C3D4, bigEndian: true, major: 3)),
                       CaptureError(.unsupportedVersion(.pcap, major: 3, minor: 4), offset: 0))
        XCTAssertEqual(firstError(Pcapng.sectionHeader(bigEndian: true, major: 2)),
                       CaptureError(.unsupportedVersion(.pcapng, major: 2, minor: 0), offset: 0))
        var badOrder = section
        badOrder[8] = 0x00
        XCTAssertEqual(firstError(badOrder), CaptureError(.unknownByteOrderMagic(0x1A2B_3C00), offset: 0))
        XCTAssertEqual(firstError(pcapHeader(magic: 0xA1B2_C3D4, bigEndian: false).dropLast(1)),
                       CaptureError(.truncated(.fileHeader, needed: 24, remaining: 23), offset: 0))
    }

    func testOversizedPcapRecord() {
        let bytes = pcapHeader(magic: 0xA1B2_C3D4, bigEndian: false)
            + pcapRecord(seconds: 0, fraction: 0, data: [], capturedLength: 262_145, bigEndian: false)
        XCTAssertEqual(firstError(bytes), CaptureError(.packetTooLarge(capturedLength: 262_145, limit: 262_144),
                                                       offset: 24, packetIndex: 0))
    }

    func testBadBlockLengths() {
        let header = section + ethernet
        let at = header.count
        for length: UInt32 in [0, 4, 8, 13, 30] {
            let bytes = header + Pcapng.block(0xBAD, bigEndian: false, length: length) { $0.put(UInt64(0)) }
            XCTAssertEqual(firstError(bytes), CaptureError(.invalidBlockLength(length, minimum: 12), offset: at),
                           "length \(length)")
        }
        let short = header + Pcapng.block(6, bigEndian: false) { $0.put(UInt64(0)) }
        XCTAssertEqual(firstError(short), CaptureError(.invalidBlockLength(20, minimum: 32), offset: at,
                                                       packetIndex: 0))
        let mismatch = header + Pcapng.block(1, bigEndian: false, trailingLength: 24) { $0.put(UInt64(0)) }
        XCTAssertEqual(firstError(mismatch), CaptureError(.blockLengthMismatch(leading: 20, trailing: 24),
                                                          offset: at))
        let beyondFile = header + Pcapng.block(1, bigEndian: false, length: 0xFFFF_FFFC) { $0.put(UInt64(0)) }
        XCTAssertEqual(firstError(beyondFile)?.kind,
                       .truncated(.block, needed: 0xFFFF_FFFC, remaining: 20))
    }

    func testBadPacketBlocks() {
        let at = section.count + ethernet.count
        let overrun = Pcapng.enhancedPacket(interface: 0, units: 0, data: [1, 2, 3, 4], capturedLength: 5,
                                            bigEndian: false)
        XCTAssertEqual(firstError(section + ethernet + overrun),
                       CaptureError(.capturedLengthExceedsBlock(capturedLength: 5, room: 4), offset: at,
                                    packetIndex: 0))
        let huge = Pcapng.enhancedPacket(interface: 0, units: 0, data: [], capturedLength: 0x7FFF_FFFF,
                                         bigEndian: false)
        XCTAssertEqual(firstError(section + ethernet + huge)?.kind,
                       .packetTooLarge(capturedLength: 0x7FFF_FFFF, limit: 262_144))
        let stranger = Pcapng.enhancedPacket(interface: 3, units: 0, data: [], bigEndian: false)
        XCTAssertEqual(firstError(section + ethernet + stranger),
                       CaptureError(.undefinedInterface(3), offset: at, packetIndex: 0))
        let orphan = Pcapng.simplePacket(originalLength: 1, data: [1], bigEndian: false)
        XCTAssertEqual(firstError(section + orphan),
                       CaptureError(.undefinedInterface(0), offset: section.count, packetIndex: 0))
    }

    func testBadOptions() {
        let at = section.count + 16
        let wrongLength = Pcapng.interface(linkType: 1, bigEndian: false, options: [(9, [6, 0])])
        XCTAssertEqual(firstError(section + wrongLength), CaptureError(.malformedOption(code: 9), offset: at))
        let wrongOffset = Pcapng.interface(linkType: 1, bigEndian: false, options: [(14, [1, 2, 3, 4])])
        XCTAssertEqual(firstError(section + wrongOffset), CaptureError(.malformedOption(code: 14), offset: at))
        // An option claiming 200 bytes in a block that has 8 left.
        let overrun = Pcapng.block(1, bigEndian: false) {
            $0.put(UInt32(1))
            $0.put(UInt32(0))
            $0.put(UInt16(2))
            $0.put(UInt16(200))
            $0.put(UInt32(0))
        }
        XCTAssertEqual(firstError(section + overrun), CaptureError(.malformedOption(code: 2), offset: at))
    }

    func testTimestampOverflow() {
        let seconds = Pcapng.interface(linkType: 1, bigEndian: false, options: [(9, [0])])
        let late = Pcapng.enhancedPacket(interface: 0, units: .max, data: [], bigEndian: false)
        XCTAssertEqual(firstError(section + seconds + late)?.kind, .timestampOverflow)
        let offset = Pcapng.interface(linkType: 1, bigEndian: false, options: [(14, [0, 0, 0, 0, 0, 0, 0, 0x7F])])
        let early = Pcapng.enhancedPacket(interface: 0, units: 0, data: [], bigEndian: false)
        XCTAssertEqual(firstError(section + offset + early)?.kind, .timestampOverflow)
    }

    func testReaderIsFinishedAfterAnError() throws {
        var reader = try CaptureReader(section + ethernet + [6, 0, 0, 0, 0, 0, 0, 0])
        XCTAssertNotNil(captureError { () throws(CaptureError) in _ = try reader.next() })
        XCTAssertNil(try reader.next())
    }

    /// Corrupts valid files byte by byte and feeds random bytes: every read ends
    /// (at most one packet per 12 bytes) and nothing traps.
    func testCorruptAndRandomInputsTerminate() throws {
        var pcapng = PcapngWriter(interfaceNames: [.newIP: "nip0"])
        var pcap = PcapWriter(linkType: .newIP)
        for size in [0, 1, 5, 64] {
            let packet = CapturedPacket(timestampNanoseconds: 1_000 * Int64(size),
                                        data: Array(repeating: 7, count: size), linkType: .newIP)
            try pcapng.append(packet)
            try pcap.append(packet)
        }
        let bigEndian = Pcapng.sectionHeader(bigEndian: true)
            + Pcapng.interface(linkType: 147, snapLength: 4, bigEndian: true,
                               options: [(9, [0x85]), (14, [0, 0, 0, 0, 0, 0, 0, 1])])
            + Pcapng.simplePacket(originalLength: 9, data: Array(0..<9), bigEndian: true)
            + Pcapng.enhancedPacket(interface: 0, units: 1, data: [1], bigEndian: true)
        for valid in [pcapng.bytes, pcap.bytes, bigEndian] {
            for index in valid.indices {
                for value: UInt8 in [0x00, 0x01, 0x03, 0x7F, 0x80, 0xFF, valid[index] &+ 4] {
                    var corrupt = valid
                    corrupt[index] = value
                    assertTerminates(corrupt)
                }
            }
        }
        var random = SplitMix64(seed: 0x4E49_5020)
        let prefixes: [[UInt8]] = [[], Array(pcapng.bytes.prefix(48)), Array(pcap.bytes.prefix(24)),
                                   Array(bigEndian.prefix(28))]
        for round in 0..<4_000 {
            let tail = (0..<Int(random.next() % 200)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            assertTerminates(prefixes[round % prefixes.count] + tail)
        }
    }

    private func assertTerminates(_ bytes: [UInt8], line: UInt = #line) {
        guard var reader = try? CaptureReader(bytes) else { return }
        var packets = 0
        while (try? reader.next()).flatMap({ $0 }) != nil {
            packets += 1
            if packets > bytes.count / 12 + 1 {
                XCTFail("read \(packets) packets from \(bytes.count) bytes", line: line)
                return
            }
        }
    }
}
