import Foundation
import NewIPCapture
import XCTest

/// Every prefix of a valid file ends cleanly at a record boundary, or throws a
/// truncation error at the start of the structure that was cut.
final class TruncationTests: XCTestCase {
    private let packets = [
        CapturedPacket(timestampNanoseconds: 1_000, data: Array(0..<13), linkType: .ethernet),
        CapturedPacket(timestampNanoseconds: 2_000, data: [], linkType: .newIP),
        CapturedPacket(timestampNanoseconds: 3_000, data: Array(0..<40), linkType: .ethernet),
    ]

    func testEveryCutOfClassicPcap() throws {
        var writer = PcapWriter(linkType: .ethernet, resolution: .nanoseconds)
        for packet in packets where packet.linkType == .ethernet {
            try writer.append(packet)
        }
        checkEveryCutOfPcap(writer.bytes)
        checkEveryCutOfPcap(try readVector("lbf-five-contracts.pcap"))
        checkEveryCutOfPcap(pcapHeader(magic: 0xA1B2_C3D4, bigEndian: true)
            + pcapRecord(seconds: 1, fraction: 2, data: [1, 2, 3], bigEndian: true)
            + pcapRecord(seconds: 3, fraction: 4, data: [], bigEndian: true))
    }

    func testEveryCutOfPcapng() throws {
        var writer = PcapngWriter(interfaceNames: [.newIP: "nip0"])
        for packet in packets {
            try writer.append(packet)
        }
        checkEveryCutOfPcapng(writer.bytes, bigEndian: false)
        checkEveryCutOfPcapng(Pcapng.sectionHeader(bigEndian: true)
            + Pcapng.interface(linkType: 147, bigEndian: true, options: [(9, [9])])
            + Pcapng.enhancedPacket(interface: 0, units: 7, data: [1, 2, 3], bigEndian: true)
            + Pcapng.block(0xBAD, bigEndian: true) { $0.put(UInt64(1)) }
            + Pcapng.simplePacket(originalLength: 2, data: [4, 5], bigEndian: true), bigEndian: true)
    }

    func testTruncationMessageSaysWhatAndWhere() throws {
        var writer = PcapWriter(linkType: .ethernet)
        try writer.append(packets[0])
        let error = readUntilError(writer.bytes + [0, 0, 0, 0, 0]).error
        XCTAssertEqual(error, CaptureError(.truncated(.recordHeader, needed: 16, remaining: 5), offset: 53,
                                           packetIndex: 1))
        XCTAssertEqual(error?.isTruncation, true)
        XCTAssertEqual(
            error?.description,
            "truncated record header at byte 53 (packet 1): needed 16 bytes, 5 remain"
                + " — the capture was cut short; re-copy it or read it once the writer has finished")
    }

    /// Walks the records independently of the reader to know every boundary.
    private func checkEveryCutOfPcap(_ file: [UInt8], line: UInt = #line) {
        var recordStarts: [Int] = []
        var offset = 24
        while offset < file.count {
            recordStarts.append(offset)
            offset += 16 + Int(littleOrBigEndianU32(file, at: offset + 8, bigEndian: file[0] == 0xA1))
        }
        let recordEnd = { (start: Int) in recordStarts.first { $0 > start } ?? file.count }
        for cut in 0..<file.count {
            let (read, error) = readUntilError(Array(file[..<cut]))
            guard cut >= 24 else {
                XCTAssertEqual(error?.kind, .truncated(.fileHeader, needed: cut < 4 ? 4 : 24, remaining: cut),
                               "cut \(cut)", line: line)
                continue
            }
            let complete = recordStarts.filter { $0 < cut }.count - 1
            let start = recordStarts.last { $0 < cut }
            let expected: CaptureError?
            if let start, !(recordStarts + [file.count]).contains(cut) {
                expected = cut < start + 16
                    ? CaptureError(.truncated(.recordHeader, needed: 16, remaining: cut - start),
                                   offset: start, packetIndex: complete)
                    : CaptureError(.truncated(.packetData, needed: recordEnd(start) - start - 16,
                                              remaining: cut - start - 16),
                                   offset: start + 16, packetIndex: complete)
            } else {
                expected = nil
            }
            XCTAssertEqual(error, expected, "cut \(cut)", line: line)
            XCTAssertEqual(read.count, recordStarts.filter { $0 < cut }.count - (expected == nil ? 0 : 1),
                           "cut \(cut)", line: line)
        }
    }

    private func checkEveryCutOfPcapng(_ file: [UInt8], bigEndian: Bool, line: UInt = #line) {
        var blocks: [(start: Int, type: UInt32)] = []
        var offset = 0
        while offset < file.count {
            blocks.append((offset, littleOrBigEndianU32(file, at: offset, bigEndian: bigEndian)))
            offset += Int(littleOrBigEndianU32(file, at: offset + 4, bigEndian: bigEndian))
        }
        let boundaries = blocks.map(\.start) + [file.count]
        let sectionLength = boundaries[1]
        for cut in 0..<file.count {
            let (read, error) = readUntilError(Array(file[..<cut]))
            let isPacket = { (type: UInt32) in type == 3 || type == 6 }
            let packetsBefore = blocks.filter { $0.start < cut && isPacket($0.type) }.count
            if boundaries.contains(cut) && cut >= sectionLength {
                XCTAssertNil(error, "cut \(cut)", line: line)
                XCTAssertEqual(read.count, packetsBefore, "cut \(cut)", line: line)
                continue
            }
            guard let error, let block = blocks.last(where: { $0.start < cut || $0.start == 0 }) else {
                XCTFail("cut \(cut) read \(read.count) packets without error", line: line)
                continue
            }
            XCTAssertTrue(error.isTruncation, "cut \(cut): \(error)", line: line)
            XCTAssertEqual(error.offset, block.start, "cut \(cut): \(error)", line: line)
            let cutPacket = isPacket(block.type) && cut - block.start >= 4
            XCTAssertEqual(error.packetIndex, cutPacket ? packetsBefore - 1 : nil, "cut \(cut): \(error)", line: line)
            XCTAssertEqual(read.count, packetsBefore - (isPacket(block.type) ? 1 : 0), "cut \(cut)", line: line)
        }
    }

    private func littleOrBigEndianU32(_ bytes: [UInt8], at offset: Int, bigEndian: Bool) -> UInt32 {
        let word = bytes[offset..<offset + 4].map(UInt32.init)
        let ordered = bigEndian ? word : word.reversed()
        return ordered.reduce(0) { $0 << 8 | $1 }
    }
}
