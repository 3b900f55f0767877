import NewIPDataPlane
import NewIPNode
import NewIPTopology
import NewIPWire
import XCTest

/// A real gateway's core: the island on interface 0 (compact), the host's stack on interface 1
/// (a TUN device: IPv4 and IPv6, everything routed into it for a name the gateway answers for).
final class GatewayRoleTests: XCTestCase {
    let sensor = CompactAddress("0x11")!
    let server = CompactAddress("0xF2000100AB")!

    var mapping: GatewayMapping {
        var mapping = GatewayMapping()
        mapping.bind(sensor, to: IPv4Address("192.0.2.1")!)
        mapping.bind(server, to: IPv4Address("198.51.100.7")!)
        return mapping
    }

    /// As the real node sets it up: its own address, the server's compact name local (the
    /// gateway answers for it), the sensor through the island, IP defaults into the TUN device.
    func gateway() -> NodeCore {
        var table = ForwardingTable()
        table.insert(Route(nextHop: .local), for: RoutePrefix(exactly: .compact(CompactAddress("0x54")!)))
        table.insert(Route(nextHop: .local), for: RoutePrefix(exactly: .compact(server)))
        table.insert(Route(nextHop: NextHop(interface: 0, neighbour: NeighbourID(rawValue: 1))), for: RoutePrefix(exactly: .compact(sensor)))
        table.insert(Route(nextHop: NextHop(interface: 1, neighbour: NeighbourID(rawValue: 2))),
                     for: .ipv4(IPv4Prefix(address: .any, length: 0)!))
        return NodeCore(NodeCore.Setup(dialect: .compact, forwards: true, networks: [.newIP, .hostIP], table: table,
                                       queues: [EgressQueue(QueueSpec()), EgressQueue(QueueSpec())], linkDelays: [0, 0],
                                       ownAddresses: [.compact(CompactAddress("0x54")!)], gateway: mapping))
    }

    func udp(from source: CompactAddress, to destination: CompactAddress, ttl: UInt8 = 30) -> [UInt8] {
        PacketBuilder.udp(dialect: .compact, source: .compact(source), sourcePort: 5000, destination: .compact(destination),
                          destinationPort: 6000, ttl: ttl, clauses: [], data: Array("21.5C".utf8))!
    }

    func testCompactLeavesByTheHostStackAsIPv4AndIPv4ComesBackAsCompact() throws {
        let core = gateway()
        guard case .queued(egress: 1) = core.receive(PacketBuffer(bytes: udp(from: sensor, to: server)), on: 0, now: 0) else {
            return XCTFail("not queued on the TUN side")
        }
        let out = try XCTUnwrap(core.transmit(on: 1, now: 0) { _, reason in XCTFail("dropped: \(reason)") })
        let ip = try out.withUnsafeBytes { try IPv4Header(parsing: $0) }
        XCTAssertEqual(ip.source, IPv4Address("192.0.2.1"))
        XCTAssertEqual(ip.destination, IPv4Address("198.51.100.7"))
        XCTAssertEqual(ip.ttl, 29, "delivered to the gateway as compact (kept), one off as IPv4 on its way out")
        XCTAssertEqual(core.translations.compactToIP, 1)

        // The server's answer, as the kernel hands it to the TUN device.
        var answer = PacketBuffer(bytes: udp(from: server, to: sensor, ttl: 9))
        try Gateway(mapping: mapping).compactToIP(&answer)
        guard case .queued(egress: 0) = core.receive(answer, on: 1, now: 0) else { return XCTFail("not queued to the island") }
        let compact = try XCTUnwrap(core.transmit(on: 0, now: 0) { _, reason in XCTFail("dropped: \(reason)") })
        let header = try compact.withUnsafeBytes { try CompactHeaderView($0) }
        XCTAssertEqual(header.destination, sensor)
        XCTAssertEqual(header.source, server)
        XCTAssertEqual(core.translations.ipToCompact, 1)
    }

    func testWhatTheHostStackSendsForNoMappedNameIsUnmappedAndNotSentBack() throws {
        let core = gateway()
        // To 192.0.2.9, which nobody the gateway answers for holds (checksums valid).
        var elsewhere = mapping
        elsewhere.bind(sensor, to: IPv4Address("192.0.2.9")!)
        var stray = PacketBuffer(bytes: udp(from: server, to: sensor))
        try Gateway(mapping: elsewhere).compactToIP(&stray)
        guard case .dropped(.unmapped, _) = core.receive(stray, on: 1, now: 0) else { return XCTFail("not refused as unmapped") }
        XCTAssertNil(core.nextDeadline, "nothing hairpins back into the TUN device")
        XCTAssertEqual(core.translations.failures[.unmapped], 1)
        guard case .dropped(.malformed, _) = core.receive(PacketBuffer(bytes: [0x50, 0, 0, 0]), on: 1, now: 0) else {
            return XCTFail("neither IPv4 nor IPv6, yet not malformed")
        }
    }
}
