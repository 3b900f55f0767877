import Foundation
import XCTest
import NewIPCapture
import NewIPWire
@testable import NewIPDecode

/// `nip decode --json` must print exactly the shared vectors' fields and values.
final class DecodedPacketTests: XCTestCase {
    static let vectors = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Tests/Vectors")

    /// The record as a Foundation object, without the fields this project adds.
    func vectorFields(of packet: DecodedPacket) throws -> NSDictionary {
        var object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(packet.json.serialized.utf8)) as? [String: Any])
        for extra in ["index", "dialect", "payload_length", "reason", "offset", "contracts", "nd", "nd_error", "nd_offset"] { object[extra] = nil }
        return object as NSDictionary
    }

    func testFrameworkCapturesDecodeToTheJSONBesideThem() throws {
        for name in ["ipv4-to-ipv6-lbf", "lbf-five-contracts"] {
            let capture = try Data(contentsOf: Self.vectors.appendingPathComponent("network2030/\(name).pcap"))
            let packets = try CaptureReader.readAll([UInt8](capture))
            let lines = try String(contentsOf: Self.vectors.appendingPathComponent("network2030/\(name).jsonl"), encoding: .utf8)
                .split(separator: "\n")
            XCTAssertEqual(packets.count, lines.count, name)
            for (index, (packet, line)) in zip(packets, lines).enumerated() {
                let decoded = PacketDecoder.decode(ethernetFrame: packet.data, index: index)
                let expected = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? NSDictionary)
                var got = try vectorFields(of: decoded) as! [String: Any]
                got["ok"] = nil
                XCTAssertEqual(got as NSDictionary, expected, "\(name) packet \(index)")
            }
        }
    }

    func testCompactParseVectorsDecodeToTheirRecords() throws {
        let text = try String(contentsOf: Self.vectors.appendingPathComponent("openharmony/header-parse.jsonl"), encoding: .utf8)
        for (number, line) in text.split(separator: "\n").enumerated() {
            var expected = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let input = try XCTUnwrap(parseHexBytes(expected["in"] as! String))
            let decoded = PacketDecoder.decode(header: input, dialect: .compact, index: number)
            if expected["reference_reads_past_end"] != nil {
                XCTAssertFalse(decoded.isOK, "line \(number + 1)")
                continue
            }
            expected["in"] = nil
            XCTAssertEqual(try vectorFields(of: decoded), expected as NSDictionary, "line \(number + 1)")
        }
    }

    func testFailuresAreRecordsWithReasonAndOffset() throws {
        // Compact header behind Ethernet whose destination is F4… (invalid): error 6 at byte 14 + 3.
        let frame: [UInt8] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0xEA, 0xDD, 0x56, 64, 17, 0xF4, 0, 0, 0]
        let decoded = PacketDecoder.decode(ethernetFrame: frame, index: 3)
        XCTAssertEqual(decoded.json.serialized,
                       #"{"index": 3, "dialect": "compact", "ethertype": "0xeadd", "ok": false, "error": 6, "reason": "destination address encoding is invalid or overlong", "offset": 17}"#)
        XCTAssertEqual(decoded.line, "3 compact malformed: compact header error 6 at byte 17: destination address encoding is invalid or overlong")
        let ipv4 = PacketDecoder.decode(ethernetFrame: [UInt8](repeating: 0, count: 12) + [0x08, 0x00, 0x45], index: 0)
        XCTAssertFalse(ipv4.isOK)
        XCTAssertEqual(ipv4.line, "0 - not New IP: EtherType 0x0800 is not New IP")
        let short = PacketDecoder.decode(ethernetFrame: [1, 2, 3], index: 1)
        XCTAssertFalse(short.isOK)
        guard case .notNewIP(let reason, let offset) = short.outcome else { return XCTFail("\(short.outcome)") }
        XCTAssertEqual(offset, 0)
        XCTAssertTrue(reason.hasPrefix("Ethernet frame: ") && reason.contains("14"), reason)  // 14 bytes of header needed
        XCTAssertTrue(short.json.serialized.contains(#""offset": 0"#), short.json.serialized)
    }

    func testNeighbourDiscoveryRecords() throws {
        // OpenHarmony's NS from 0x05 for 0x06 and NA from 0x06 to 0x05 (bytes worked out in
        // NewIPWireTests.NeighbourDiscoveryTests), behind Ethernet.
        let ethernet: [UInt8] = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 1, 0xEA, 0xDD]
        let ns = PacketDecoder.decode(ethernetFrame: ethernet + parseHexBytes("7640000DB1FF04050100E94F06")!, index: 0)
        XCTAssertEqual(ns.line, "0 compact 0x05 > 0xFF04 ttl 64 next-header 177 total 13 header 8 payload 5 neighbour-solicitation who-has 0x06")
        XCTAssertEqual(ns.json.serialized,
                       #"{"index": 0, "dialect": "compact", "ethertype": "0xeadd", "ok": true, "header_length": 8, "ttl": 64, "total_len": 13, "nexthdr": 177, "daddr": "ff04", "saddr": "05", "payload_length": 5, "nd": {"type": "solicitation", "target": "06", "checksum": 59727}}"#)
        let na = PacketDecoder.decode(header: parseHexBytes("7700400013B1050602003FED06020000000001")!, dialect: .compact, index: 1)
        XCTAssertEqual(na.line, "1 compact 0x06 > 0x05 ttl 64 next-header 177 total 19 header 8 payload 11 neighbour-advertisement lladdr 02:00:00:00:00:01")
        // A damaged checksum is a record too, pointing at the checksum inside the Ethernet frame.
        let bad = PacketDecoder.decode(ethernetFrame: ethernet + parseHexBytes("7640000DB1FF04050100E94E06")!, index: 2)
        XCTAssertTrue(bad.json.serialized.hasSuffix(#""nd_error": "malformed control message checksum at byte 24: carries 0xE94E, the 5 message bytes under source 0x05 and destination 0xFF04 need 0xE94F", "nd_offset": 24}"#), bad.json.serialized)
        XCTAssertTrue(bad.line.hasSuffix("neighbour-discovery malformed: malformed control message checksum at byte 24: carries 0xE94E, the 5 message bytes under source 0x05 and destination 0xFF04 need 0xE94F"), bad.line)
    }
}
