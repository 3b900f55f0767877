import Foundation
import NewIPCapture
import XCTest

final class RoundTripTests: XCTestCase {
    private let linkTypes: [LinkType] = [.ethernet, .raw, .newIP, LinkType(rawValue: 228)]

    /// Packets of `linkType` with varied sizes, including empty and snapped ones;
    /// timestamps are whole microseconds unless `nanoseconds`.
    private func packets(_ linkType: LinkType, nanoseconds: Bool) -> [CapturedPacket] {
        let extra: Int64 = nanoseconds ? 789 : 0
        return [
            CapturedPacket(timestampNanoseconds: 0, data: [], linkType: linkType),
            CapturedPacket(timestampNanoseconds: 1_700_000_000_123_456_000 + extra,
                           data: Array(0..<60), linkType: linkType),
            CapturedPacket(timestampNanoseconds: 4_294_967_295_999_999_000 + extra,
                           data: [0x4E, 0x49, 0x50], originalLength: 1500, linkType: linkType),
        ]
    }

    func testPcapWriterRoundTrip() throws {
        for linkType in linkTypes {
            for resolution in [PcapWriter.Resolution.microseconds, .nanoseconds] {
                let written = packets(linkType, nanoseconds: resolution == .nanoseconds)
                var writer = PcapWriter(linkType: linkType, resolution: resolution)
                for packet in written {
                    try writer.append(packet)
                }
                var reader = try CaptureReader(writer.bytes)
                XCTAssertEqual(reader.format, .pcap)
                var read: [CapturedPacket] = []
                while let packet = try reader.next() {
                    read.append(packet)
                }
                XCTAssertEqual(read, written, "\(linkType) \(resolution)")
            }
        }
    }

    func testMicrosecondPcapDropsSubMicrosecondDigits() throws {
        var writer = PcapWriter(linkType: .newIP)
        try writer.append(CapturedPacket(timestampNanoseconds: 1_000_000_999, data: [1], linkType: .newIP))
        XCTAssertEqual(try CaptureReader.readAll(writer.bytes).first?.timestampNanoseconds, 1_000_000_000)
    }

    func testPcapngWriterRoundTripMixesLinkTypes() throws {
        var writer = PcapngWriter(interfaceNames: [.newIP: "nip0", .ethernet: "eth0"])
        var expected: [CapturedPacket] = []
        // Interleave link types; interfaces are numbered in order of first use.
        for round in 0..<3 {
            for (interface, linkType) in linkTypes.enumerated() {
                for var packet in packets(linkType, nanoseconds: true) {
                    packet.timestampNanoseconds += Int64(round)
                    packet.interfaceIndex = 99  // ignored: the writer assigns interfaces
                    try writer.append(packet)
                    packet.interfaceIndex = interface
                    expected.append(packet)
                }
            }
        }
        let large = CapturedPacket(timestampNanoseconds: .max, data: Array(repeating: 0xAB, count: 9_001),
                                   linkType: .newIP)
        try writer.append(large)
        expected.append(CapturedPacket(timestampNanoseconds: .max, data: large.data, linkType: .newIP,
                                       interfaceIndex: 2))

        var reader = try CaptureReader(writer.bytes)
        XCTAssertEqual(reader.format, .pcapng)
        var read: [CapturedPacket] = []
        while let packet = try reader.next() {
            read.append(packet)
        }
        XCTAssertEqual(read, expected)
    }

    func testWritersCutPacketsToSnapshotLength() throws {
        let packet = CapturedPacket(timestampNanoseconds: 5_000, data: Array(1...10), linkType: .raw)
        let cut = CapturedPacket(timestampNanoseconds: 5_000, data: [1, 2, 3, 4], originalLength: 10,
                                 linkType: .raw)

        var pcap = PcapWriter(linkType: .raw, snapshotLength: 4)
        try pcap.append(packet)
        XCTAssertEqual(try CaptureReader.readAll(pcap.bytes), [cut])

        var pcapng = PcapngWriter(snapshotLength: 4)
        try pcapng.append(packet)
        XCTAssertEqual(try CaptureReader.readAll(pcapng.bytes), [cut])
    }

    func testFilesRoundTripThroughDisk() throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("newip-capture-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let packet = CapturedPacket(timestampNanoseconds: 42_000, data: [0x4E, 0x49, 0x50], linkType: .newIP)

        var pcap = PcapWriter(linkType: .newIP)
        try pcap.append(packet)
        let pcapPath = directory.appendingPathComponent("out.pcap").path
        try pcap.write(toFile: pcapPath)
        // A second write replaces the file whole.
        try pcap.append(packet)
        try pcap.write(toFile: pcapPath)
        var reader = try CaptureReader(contentsOf: pcapPath)
        XCTAssertEqual(try reader.next(), packet)
        XCTAssertEqual(try reader.next(), packet)
        XCTAssertNil(try reader.next())

        var pcapng = PcapngWriter()
        try pcapng.append(packet)
        let pcapngPath = directory.appendingPathComponent("out.pcapng").path
        try pcapng.write(toFile: pcapngPath)
        XCTAssertEqual(try CaptureReader.readAll(Array(try Data(contentsOf: URL(fileURLWithPath: pcapngPath)))),
                       [packet])

        // No temporary file is left behind.
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted(),
                       ["out.pcap", "out.pcapng"])
    }

    func testWriteIntoMissingDirectoryFailsWithoutLeavingFiles() throws {
        let missing = FileManager.default.temporaryDirectory
            .appendingPathComponent("newip-capture-missing-\(UUID().uuidString)/out.pcap").path
        XCTAssertThrowsError(try PcapWriter(linkType: .ethernet).write(toFile: missing))
        XCTAssertFalse(FileManager.default.fileExists(atPath: missing))
    }

    func testReadingMissingFileThrows() {
        XCTAssertThrowsError(try CaptureReader(contentsOf: "/nonexistent/capture.pcap"))
    }
}
