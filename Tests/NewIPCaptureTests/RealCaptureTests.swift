import Foundation
import NewIPCapture
import XCTest

/// The Network 2030 captures shipped with the project's shared test vectors.
final class RealCaptureTests: XCTestCase {
    func testSinglePacketCapture() throws {
        var reader = try CaptureReader(contentsOf: vectorPath("ipv4-to-ipv6-lbf.pcap"))
        XCTAssertEqual(reader.format, .pcap)
        let packet = try XCTUnwrap(try reader.next())
        XCTAssertNil(try reader.next())

        // Record header at byte 24: ts_sec 0x63a092f1, ts_usec 0x00059467, both lengths 0x5b.
        XCTAssertEqual(packet.timestampNanoseconds, 1_671_467_761_365_671_000)
        XCTAssertEqual(packet.data.count, 91)
        XCTAssertEqual(packet.originalLength, 91)
        XCTAssertEqual(packet.linkType, .ethernet)
        XCTAssertEqual(packet.interfaceIndex, 0)
        XCTAssertEqual(packet.data[12...13], [0x88, 0xB6])
        XCTAssertEqual(Array(packet.data.suffix(7)), Array("latency".utf8))
    }

    func testFiveContractCapture() throws {
        let packets = try CaptureReader.readAll(try readVector("lbf-five-contracts.pcap"))
        XCTAssertEqual(packets.count, 5)
        XCTAssertEqual(packets.first?.timestampNanoseconds, 1_671_475_095_252_200_000)
        XCTAssertEqual(packets.map(\.timestampNanoseconds.remainderSecondsInMicroseconds),
                       [252_200, 284_391, 316_611, 349_114, 397_214])
        for (index, packet) in packets.enumerated() {
            XCTAssertEqual(packet.data.count, 89, "packet \(index)")
            XCTAssertEqual(packet.originalLength, 89, "packet \(index)")
            XCTAssertEqual(packet.linkType, .ethernet, "packet \(index)")
            XCTAssertEqual(packet.data[12...13], [0x88, 0xB6], "packet \(index)")
            XCTAssertEqual(Array(packet.data[40..<45]), Array("pkt \(index + 1)".utf8), "packet \(index)")
        }
    }

    /// Rewriting the capture as classic pcap reproduces the original file byte for byte.
    func testRewriteReproducesFile() throws {
        let original = try readVector("lbf-five-contracts.pcap")
        var writer = PcapWriter(linkType: .ethernet, snapshotLength: 262_144)
        for packet in try CaptureReader.readAll(original) {
            try writer.append(packet)
        }
        XCTAssertEqual(writer.bytes, original)
    }
}

private extension Int64 {
    var remainderSecondsInMicroseconds: Int64 { self % 1_000_000_000 / 1_000 }
}
