import XCTest
import NewIPWire
import NewIPRandom
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

    /// Whether the UDP datagram of an IPv4 or IPv6 packet verifies, computed here from the RFC
    /// text alone (pseudo header laid out byte by byte, 16-bit one's-complement sum), not with
    /// the code under test.
    func udpChecksumVerifies(_ packet: [UInt8]) -> Bool {
        let isIPv6 = packet[0] >> 4 == 6
        let headerLength = isIPv6 ? 40 : Int(packet[0] & 0x0F) * 4
        let datagram = Array(packet[headerLength...])
        let length = [UInt8(datagram.count >> 8), UInt8(datagram.count & 0xFF)]
        let pseudo = isIPv6
            ? Array(packet[8..<40]) + [0, 0] + length + [0, 0, 0, 17]  // RFC 8200 8.1
            : Array(packet[12..<20]) + [0, 17] + length  // RFC 768
        var bytes = pseudo + datagram
        if bytes.count % 2 == 1 { bytes.append(0) }
        var sum: UInt32 = 0
        for i in stride(from: 0, to: bytes.count, by: 2) { sum += UInt32(bytes[i]) << 8 | UInt32(bytes[i + 1]) }
        while sum > 0xFFFF { sum = (sum & 0xFFFF) + (sum >> 16) }
        return sum == 0xFFFF
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
        XCTAssertTrue(udpChecksumVerifies(packet.bytes))
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
        XCTAssertTrue(udpChecksumVerifies(packet.bytes))
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

    /// What a gateway's TUN device or island hands it is untrusted: 20,000 corrupted packets
    /// (bytes flipped, cut short, lengthened) of every kind either translate or throw a
    /// `GatewayError`; whatever translates is a packet the other direction accepts, and the
    /// round trip gives the input's datagram back.
    func testCorruptedPacketsTranslateCleanlyOrAreRefused() throws {
        var mapping = GatewayMapping(ipv6Prefix: IPv6Prefix("2001:db8:f::/64")!)
        mapping.bind(server, to: IPv6Address("2001:db8::10")!)
        mapping.bind(sensor, to: ipv4("192.0.2.1"))
        mapping.bind(compact("0xF11500"), to: ipv4("198.51.100.7"))
        let gateway = Gateway(mapping: mapping)
        var seeds = [compactUDPPacket(source: sensor, destination: server, data: data),
                     compactUDPPacket(source: sensor, destination: compact("0xF11500"), data: data)]
        for seed in seeds {
            var packet = PacketBuffer(seed)
            _ = try gateway.compactToIP(&packet)
            seeds.append(packet.bytes)
        }
        var random = SplitMix64(seed: 2030)
        var translated = 0
        for round in 0..<20_000 {
            var bytes = seeds[round % seeds.count]
            switch random.next() % 3 {
            case 0: for _ in 0..<(1 + random.next() % 3) { bytes[Int(random.next() % UInt64(bytes.count))] ^= UInt8(1 << (random.next() % 8)) }
            case 1: bytes.removeLast(Int(random.next() % UInt64(bytes.count)))
            default: bytes += (0..<(random.next() % 16)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            }
            var packet = PacketBuffer(bytes)
            let fromIP = bytes.first.map { $0 >> 4 == 4 || $0 >> 4 == 6 } ?? false
            do {
                if fromIP { _ = try gateway.ipToCompact(&packet) } else { _ = try gateway.compactToIP(&packet) }
            } catch {
                continue  // refused with a GatewayError (the only error these throw)
            }
            translated += 1
            // Translated output is well formed: the way back accepts it and restores the datagram.
            let datagram = packet.bytes
            var back = packet
            if fromIP { _ = try gateway.compactToIP(&back) } else { _ = try gateway.ipToCompact(&back) }
            var again = back
            if fromIP { _ = try gateway.ipToCompact(&again) } else { _ = try gateway.compactToIP(&again) }
            XCTAssertEqual(again.bytes, datagram, "round \(round)")
        }
        XCTAssertGreaterThan(translated, 100, "some corruptions (extra bytes, flipped TTL) still translate")
    }
}
