import XCTest
import NewIPWire
@testable import NewIPDataPlane

final class GatewayTests: XCTestCase {
    let sensor = compact("0x11")
    let server = compact("0xF2000100AB")
    let data = Array("temperature=21.5;humidity=40".utf8)

    var staticGateway: Gateway {
        var mapping = GatewayMapping()
        mapping.bind(sensor, to: ipv4("192.0.2.1"))
        mapping.bind(server, to: ipv4("198.51.100.7"))
        return Gateway(mapping: mapping)
    }

    /// Whether the UDP datagram after `headerLength` verifies over the IPv4 or IPv6 pseudo header.
    func udpChecksumVerifies(_ bytes: [UInt8], headerLength: Int, pseudo: UInt64) -> Bool {
        bytes.withUnsafeBytes { raw in
            InternetChecksum.finish(InternetChecksum.add(UnsafeRawBufferPointer(rebasing: raw[headerLength...]), to: pseudo)) == 0
        }
    }

    func testCompactToIPv4AndBack() throws {
        let original = compactUDPPacket(ttl: 30, source: sensor, destination: server, data: data)
        var packet = PacketBuffer(original)
        try staticGateway.compactToIPv4(&packet)
        let ip = try packet.withUnsafeBytes { try IPv4Header(parsing: $0) }  // verifies the header checksum
        XCTAssertEqual(ip.source, ipv4("192.0.2.1"))
        XCTAssertEqual(ip.destination, ipv4("198.51.100.7"))
        XCTAssertEqual(ip.ttl, 30)
        XCTAssertEqual(ip.protocolNumber, 17)
        XCTAssertEqual(ip.payloadLength, 8 + data.count)
        XCTAssertEqual(Array(packet.bytes[28...]), data)
        XCTAssertEqual(Array(packet.bytes[20..<24]), [0x13, 0x88, 0x17, 0x70], "ports 5000 and 6000 kept")
        XCTAssertTrue(udpChecksumVerifies(packet.bytes, headerLength: 20,
                                          pseudo: Gateway.pseudoSum(ip.source, ip.destination, length: 8 + data.count)))
        try staticGateway.ipv4ToCompact(&packet)
        XCTAssertEqual(packet.bytes, original, "header, ports, checksum and data all come back")
    }

    func testPortBindingSharesOneIPv4Address() throws {
        var mapping = GatewayMapping()
        mapping.bind(sensor, port: 5000, to: ipv4("192.0.2.1"), port: 40000)
        mapping.bind(server, to: ipv4("198.51.100.7"))
        let gateway = Gateway(mapping: mapping)
        let original = compactUDPPacket(source: sensor, destination: server, sourcePort: 5000, data: data)
        var packet = PacketBuffer(original)
        try gateway.compactToIPv4(&packet)
        XCTAssertEqual(Array(packet.bytes[20..<22]), [0x9C, 0x40], "source port 40000")
        try gateway.ipv4ToCompact(&packet)
        XCTAssertEqual(packet.bytes, original)
        var other = PacketBuffer(compactUDPPacket(source: sensor, destination: server, sourcePort: 5001, data: data))
        XCTAssertThrowsError(try gateway.compactToIPv4(&other)) {
            XCTAssertEqual($0 as? GatewayError, .unmapped(.compact(sensor), port: 5001))
        }
    }

    func testCompactToIPv6AlgorithmicAndBack() throws {
        let gateway = Gateway(mapping: GatewayMapping(ipv6Prefix: IPv6Prefix("2001:db8:1::/64")!))
        let original = compactUDPPacket(ttl: 7, source: sensor, destination: server, data: data)
        var packet = PacketBuffer(bytes: original, headroom: 0)  // no headroom: the buffer makes room itself
        try gateway.compactToIPv6(&packet)
        let ip = try packet.withUnsafeBytes { try IPv6Header(parsing: $0) }
        XCTAssertEqual(ip.source, ipv6("2001:db8:1:0:1100::"))
        XCTAssertEqual(ip.destination, ipv6("2001:db8:1:0:f200:100:ab00:0"))
        XCTAssertEqual(ip.hopLimit, 7)
        XCTAssertEqual(Array(packet.bytes[48...]), data)
        XCTAssertTrue(udpChecksumVerifies(packet.bytes, headerLength: 40,
                                          pseudo: Gateway.pseudoSum(ip.source, ip.destination, length: 8 + data.count)))
        try gateway.ipv6ToCompact(&packet)
        XCTAssertEqual(packet.bytes, original)
    }

    func testMappingRules() {
        var mapping = GatewayMapping(ipv6Prefix: IPv6Prefix("2001:db8:1::/64")!)
        XCTAssertEqual(mapping.compact(for: ipv6("2001:db8:1:0:1100::"), port: 1)?.address, sensor)
        XCTAssertNil(mapping.compact(for: ipv6("2001:db8:1:0:1100::1"), port: 1), "bytes after the address must be zero")
        XCTAssertNil(mapping.compact(for: ipv6("2001:db8:1:0:f500::"), port: 1), "F5 is no address")
        XCTAssertNil(mapping.compact(for: ipv6("2001:db8:2:0:1100::"), port: 1), "outside the prefix")
        mapping.bind(sensor, to: ipv6("2001:db8::99"))
        XCTAssertEqual(mapping.ipv6(for: sensor, port: 1)?.address, ipv6("2001:db8::99"), "static wins")
        XCTAssertEqual(mapping.compact(for: ipv6("2001:db8::99"), port: 1)?.address, sensor)
    }

    func testRefusals() throws {
        let gateway = staticGateway
        var corrupted = compactUDPPacket(source: sensor, destination: server, data: data)
        corrupted[corrupted.count - 1] ^= 1
        var packet = PacketBuffer(corrupted)
        XCTAssertThrowsError(try gateway.compactToIPv4(&packet)) { XCTAssertEqual($0 as? GatewayError, .badChecksum) }

        var header = CompactHeader(ttl: 9, nextHeader: .tcp, destination: server, source: sensor)
        packet = PacketBuffer(header.bytes() + data)
        XCTAssertThrowsError(try gateway.compactToIPv4(&packet)) { XCTAssertEqual($0 as? GatewayError, .notUDP) }
        header = CompactHeader(ttl: 9, nextHeader: .udp, destination: server, source: nil)
        packet = PacketBuffer(header.bytes() + data)
        XCTAssertThrowsError(try gateway.compactToIPv4(&packet)) { XCTAssertEqual($0 as? GatewayError, .noSourceAddress) }

        packet = PacketBuffer(compactUDPPacket(source: sensor, destination: server, data: data))
        try gateway.compactToIPv4(&packet)
        var fragment = packet.bytes
        fragment[6] |= 0x20  // more fragments
        fragment.withUnsafeMutableBytes { raw in
            raw[10] = 0; raw[11] = 0
            let sum = InternetChecksum.finish(InternetChecksum.add(UnsafeRawBufferPointer(rebasing: raw[0..<20])))
            raw[10] = UInt8(sum >> 8); raw[11] = UInt8(sum & 0xFF)
        }
        packet = PacketBuffer(fragment)
        XCTAssertThrowsError(try gateway.ipv4ToCompact(&packet)) { XCTAssertEqual($0 as? GatewayError, .fragmented) }
    }
}
