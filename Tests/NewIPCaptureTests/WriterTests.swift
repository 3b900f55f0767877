import NewIPCapture
import XCTest

final class WriterTests: XCTestCase {
    func testPcapHeaderLayout() {
        XCTAssertEqual(PcapWriter(linkType: .newIP).bytes,
                       [0xD4, 0xC3, 0xB2, 0xA1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0, 0, 147, 0, 0, 0])
        XCTAssertEqual(PcapWriter(linkType: .raw, resolution: .nanoseconds).bytes.prefix(4), [0x4D, 0x3C, 0xB2, 0xA1])
    }

    func testPcapngLayout() throws {
        var writer = PcapngWriter(interfaceNames: [.newIP: "nip0"])
        // Section Header Block: 28 fixed bytes, shb_userappl "swift-newip" padded to 12, opt_endofopt.
        XCTAssertEqual(writer.bytes.count, 48)
        XCTAssertEqual(Array(writer.bytes[28..<39]), Array("swift-newip".utf8))
        try writer.append(CapturedPacket(timestampNanoseconds: 0x1_0000_0002, data: [1, 2, 3, 4, 5], linkType: .newIP))
        // Interface Description Block: link type 147, snaplen 65535, if_name "nip0", if_tsresol 9, end.
        XCTAssertEqual(Array(writer.bytes[48..<88]), [
            1, 0, 0, 0, 40, 0, 0, 0, 147, 0, 0, 0, 0xFF, 0xFF, 0, 0,
            2, 0, 4, 0, 0x6E, 0x69, 0x70, 0x30, 9, 0, 1, 0, 9, 0, 0, 0,
            0, 0, 0, 0, 40, 0, 0, 0,
        ])
        // Enhanced Packet Block: 5 data bytes padded to 8.
        XCTAssertEqual(Array(writer.bytes[88...]), [
            6, 0, 0, 0, 40, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 5, 0, 0, 0, 5, 0, 0, 0,
            1, 2, 3, 4, 5, 0, 0, 0, 40, 0, 0, 0,
        ])
        // A second packet of the same link type adds no interface.
        try writer.append(CapturedPacket(timestampNanoseconds: 0, data: [], linkType: .newIP))
        XCTAssertEqual(writer.bytes.count, 128 + 32)
    }

    func testPcapRejectsOtherLinkTypes() throws {
        var writer = PcapWriter(linkType: .ethernet)
        let before = writer.bytes
        let packet = CapturedPacket(timestampNanoseconds: 0, data: [], linkType: .newIP)
        let error = captureError { () throws(CaptureError) in try writer.append(packet) }
        XCTAssertEqual(error, CaptureError(.linkTypeMismatch(expected: .ethernet, found: .newIP), offset: 24,
                                           packetIndex: 0))
        XCTAssertEqual(writer.bytes, before)
    }

    func testUnrepresentableFieldsAreRejected() {
        var pcap = PcapWriter(linkType: .raw)
        var pcapng = PcapngWriter()
        let before = pcapng.bytes
        let early = CapturedPacket(timestampNanoseconds: -1, data: [], linkType: .raw)
        let late = CapturedPacket(timestampNanoseconds: 4_294_967_296_000_000_000, data: [], linkType: .raw)
        let negative = CapturedPacket(timestampNanoseconds: 0, data: [], originalLength: -1, linkType: .raw)
        let wide = CapturedPacket(timestampNanoseconds: 0, data: [], linkType: LinkType(rawValue: 0x1_0000))

        func pcapError(_ packet: CapturedPacket) -> CaptureError.Kind? {
            captureError { () throws(CaptureError) in try pcap.append(packet) }?.kind
        }
        func pcapngError(_ packet: CapturedPacket) -> CaptureError.Kind? {
            captureError { () throws(CaptureError) in try pcapng.append(packet) }?.kind
        }
        XCTAssertEqual(pcapError(early), .timestampNotRepresentable(nanoseconds: -1))
        XCTAssertEqual(pcapError(late), .timestampNotRepresentable(nanoseconds: 4_294_967_296_000_000_000))
        XCTAssertEqual(pcapError(negative), .lengthNotRepresentable(-1))
        XCTAssertEqual(pcapngError(early), .timestampNotRepresentable(nanoseconds: -1))
        XCTAssertEqual(pcapngError(negative), .lengthNotRepresentable(-1))
        XCTAssertEqual(pcapngError(wide), .linkTypeNotRepresentable(LinkType(rawValue: 0x1_0000)))
        XCTAssertEqual(pcap.bytes.count, 24)
        XCTAssertEqual(pcapng.bytes, before)
        // pcapng's 64-bit timestamps hold what classic pcap cannot.
        XCTAssertNil(pcapngError(late))
    }

    func testLinkTypeDescriptions() {
        XCTAssertEqual(LinkType.newIP.description, "New IP compact (147)")
        XCTAssertEqual(LinkType.newIPFramework.description, "New IP framework (148)")
        XCTAssertEqual(LinkType(rawValue: 228).description, "link type 228")
        XCTAssertEqual(LinkType(rawValue: 147), .newIP)
    }
}
