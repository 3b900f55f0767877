import NewIPCapture
import XCTest

/// Hand-built files in both byte orders, and pcapng features the writer never emits.
final class ByteOrderAndBlockTests: XCTestCase {
    func testClassicPcapInBothByteOrdersAndResolutions() throws {
        let cases: [(magic: UInt32, fraction: UInt32, nanoseconds: Int64)] = [
            (0xA1B2_C3D4, 123_456, 1_700_000_000_123_456_000),
            (0xA1B2_3C4D, 123_456_789, 1_700_000_000_123_456_789),
        ]
        for bigEndian in [false, true] {
            for (magic, fraction, nanoseconds) in cases {
                let bytes = pcapHeader(magic: magic, bigEndian: bigEndian, linkType: 147)
                    + pcapRecord(seconds: 1_700_000_000, fraction: fraction, data: [1, 2, 3, 4],
                                 originalLength: 60, bigEndian: bigEndian)
                let packets = try CaptureReader.readAll(bytes)
                XCTAssertEqual(packets, [CapturedPacket(timestampNanoseconds: nanoseconds, data: [1, 2, 3, 4],
                                                        originalLength: 60, linkType: .newIP)],
                               "big endian \(bigEndian), magic \(magic)")
            }
        }
    }

    func testPcapLinkTypeIgnoresFCSBits() throws {
        let bytes = pcapHeader(magic: 0xA1B2_C3D4, bigEndian: true, linkType: 0x1000_0001)
            + pcapRecord(seconds: 1, fraction: 0, data: [7], bigEndian: true)
        XCTAssertEqual(try CaptureReader.readAll(bytes).first?.linkType, .ethernet)
    }

    func testBigEndianPcapngWithResolutionsOffsetsAndSimplePackets() throws {
        let big = true
        var bytes = Pcapng.sectionHeader(bigEndian: big)
        // Interface 0: no if_tsresol, so microseconds; snaplen 3 limits Simple Packet Blocks.
        bytes += Pcapng.interface(linkType: 147, snapLength: 3, bigEndian: big)
        // Interface 1: 2^-20 s units, with if_name before it and if_tsoffset of 10 s.
        bytes += Pcapng.interface(linkType: 101, bigEndian: big, options: [
            (2, Array("nip0".utf8)), (9, [0x80 | 20]), (14, [0, 0, 0, 0, 0, 0, 0, 10]),
        ])
        // Interface 2: milliseconds; interface 3: picoseconds.
        bytes += Pcapng.interface(linkType: 1, bigEndian: big, options: [(9, [3])])
        bytes += Pcapng.interface(linkType: 228, bigEndian: big, options: [(9, [12])])
        // An unknown block (custom block type) is skipped.
        bytes += Pcapng.block(0x0000_0BAD, bigEndian: big) { $0.put(bytes: [1, 2, 3, 4, 5]) }
        bytes += Pcapng.enhancedPacket(interface: 0, units: 1_700_000_000_123_456, data: [0xAA], bigEndian: big)
        bytes += Pcapng.enhancedPacket(interface: 1, units: 3 << 20 | 1 << 19, data: [1, 2, 3, 4, 5],
                                       originalLength: 1500, bigEndian: big)
        bytes += Pcapng.enhancedPacket(interface: 2, units: 1_700_000_000_123, data: [], bigEndian: big)
        bytes += Pcapng.enhancedPacket(interface: 3, units: 1_234_567_891, data: [9], bigEndian: big)
        bytes += Pcapng.simplePacket(originalLength: 5, data: [1, 2, 3, 4, 5], bigEndian: big)

        var reader = try CaptureReader(bytes)
        XCTAssertEqual(reader.format, .pcapng)
        var packets: [CapturedPacket] = []
        while let packet = try reader.next() {
            packets.append(packet)
        }
        XCTAssertEqual(packets, [
            CapturedPacket(timestampNanoseconds: 1_700_000_000_123_456_000, data: [0xAA], linkType: .newIP),
            CapturedPacket(timestampNanoseconds: 13_500_000_000, data: [1, 2, 3, 4, 5], originalLength: 1500,
                           linkType: .raw, interfaceIndex: 1),
            CapturedPacket(timestampNanoseconds: 1_700_000_000_123_000_000, data: [], linkType: .ethernet,
                           interfaceIndex: 2),
            CapturedPacket(timestampNanoseconds: 1_234_567, data: [9], linkType: LinkType(rawValue: 228),
                           interfaceIndex: 3),
            // No timestamp in a Simple Packet Block; the snaplen of 3 cuts it.
            CapturedPacket(timestampNanoseconds: 0, data: [1, 2, 3], originalLength: 5, linkType: .newIP),
        ])
    }

    func testSectionsEachHaveTheirOwnByteOrderAndInterfaces() throws {
        var first = PcapngWriter()
        try first.append(CapturedPacket(timestampNanoseconds: 1, data: [1], linkType: .ethernet))
        try first.append(CapturedPacket(timestampNanoseconds: 2, data: [2], linkType: .newIP))
        let second = Pcapng.sectionHeader(bigEndian: true)
            + Pcapng.interface(linkType: 101, bigEndian: true, options: [(9, [9])])
            + Pcapng.enhancedPacket(interface: 0, units: 3, data: [3], bigEndian: true)
        let third = Pcapng.sectionHeader(bigEndian: false)
            + Pcapng.enhancedPacket(interface: 0, units: 4, data: [4], bigEndian: false)

        let packets = try CaptureReader.readAll(first.bytes + second)
        XCTAssertEqual(packets.map(\.linkType), [.ethernet, .newIP, .raw])
        XCTAssertEqual(packets.map(\.interfaceIndex), [0, 1, 0])
        XCTAssertEqual(packets.map(\.timestampNanoseconds), [1, 2, 3])

        // A new section forgets the interfaces of the previous one.
        let error = readUntilError(first.bytes + second + third)
        XCTAssertEqual(error.packets.count, 3)
        XCTAssertEqual(error.error?.kind, .undefinedInterface(0))
        XCTAssertEqual(error.error?.offset, first.bytes.count + second.count + 28)
        XCTAssertEqual(error.error?.packetIndex, 3)
    }

    func testEmptySectionIsACleanEnd() throws {
        XCTAssertEqual(try CaptureReader.readAll(Pcapng.sectionHeader(bigEndian: true)), [])
        XCTAssertEqual(try CaptureReader.readAll(PcapWriter(linkType: .raw).bytes), [])
    }
}
