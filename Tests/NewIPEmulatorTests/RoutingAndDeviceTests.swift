import NewIPCapture
import NewIPDataPlane
@testable import NewIPEmulator
import NewIPTopology
import NewIPWire
import XCTest

final class RoutingAndDeviceTests: XCTestCase {
    func testShortestDelayRoutesCarryPathKnowledge() throws {
        let topology = try parse(chain(flows: "  []"))
        let emulation = try Emulation(topology: topology)
        let h2 = FrameworkAddress.compact(CompactAddress("0x04")!)
        let fromH1 = try XCTUnwrap(emulation.tables[0].lookup(h2))
        XCTAssertEqual(fromH1.nextHop.interface, 0)
        XCTAssertEqual(fromH1.toDelay, 2_000_000)
        XCTAssertEqual(fromH1.toHops, 2)
        let fromR1 = try XCTUnwrap(emulation.tables[1].lookup(h2))
        XCTAssertEqual(fromR1.nextHop.interface, 1)
        XCTAssertEqual(fromR1.toDelay, 1_000_000)
        XCTAssertEqual(fromR1.toHops, 1)
        XCTAssertTrue(try XCTUnwrap(emulation.tables[2].lookup(h2)).nextHop.isLocal)
    }

    func testShortestDelayPrefersTheFasterPathAndNeverCrossesAHost() throws {
        // a → b directly takes 10 ms; through r 2 ms; through host h 1 ms, but hosts do not forward.
        let results = try emulate("""
        duration: 50ms
        nodes:
          a: {kind: host, interfaces: {eth0: "0x01", eth1: "0x02", eth2: "0x03"}}
          r: {kind: router, interfaces: {eth0: "0x04", eth1: "0x05"}}
          h: {kind: host, interfaces: {eth0: "0x06", eth1: "0x07"}}
          b: {kind: host, interfaces: {eth0: "0x08", eth1: "0x09", eth2: "0x0A"}}
        links:
          - {endpoints: [a:eth0, b:eth0], rate: 1Gbps, delay: 10ms}
          - {endpoints: [a:eth1, r:eth0], rate: 1Gbps, delay: 1ms}
          - {endpoints: [r:eth1, b:eth1], rate: 1Gbps, delay: 1ms}
          - {endpoints: [a:eth2, h:eth0], rate: 1Gbps, delay: 500us}
          - {endpoints: [h:eth1, b:eth2], rate: 1Gbps, delay: 500us}
        flows:
          - {name: f, from: a, to: b, rate: 1pps, size: 1000, stop: 1ms}
        """)
        XCTAssertEqual(results.flows[0].latency?.min, 2_016_000)
        XCTAssertEqual(results.nodes.first { $0.name == "r" }?.forwarded, 1)
        XCTAssertEqual(results.nodes.first { $0.name == "h" }?.received, 0)
    }

    func testStaticRoutingAcrossAddressFamilies() throws {
        let results = try emulate("""
        duration: 20ms
        dialect: framework
        routing: static
        nodes:
          v4: {kind: host, interfaces: {eth0: "192.0.2.10"}, routes: {default: eth0}}
          core: {kind: router, interfaces: {eth0: "192.0.2.1", eth1: "0xF1FF00"}, routes: {"0xDE/8": eth1, "192.0.2.0/24": eth0}}
          sensor: {kind: host, interfaces: {eth0: "0xDE05"}}
        links:
          - {endpoints: [v4:eth0, core:eth0], rate: 100Mbps, delay: 1ms}
          - {endpoints: [core:eth1, sensor:eth0], rate: 100Mbps, delay: 1ms}
        flows:
          - {name: down, from: v4, to: sensor, rate: 1kpps, size: 100, stop: 10ms}
          - {name: up, from: sensor, to: v4, rate: 1kpps, size: 100, stop: 10ms}
        """)
        XCTAssertEqual(results.flows[0].delivered, 10)
        // The sensor has no route back: every packet is refused at its source.
        XCTAssertEqual(results.flows[1].delivered, 0)
        XCTAssertEqual(results.flows[1].drops.map(\.reason), ["no-route"])
        XCTAssertEqual(results.nodes.first { $0.name == "sensor" }?.drops.map(\.count), [10])
    }

    func testFaultInjectionDropsAndCorruptsReproducibly() throws {
        let yaml = chain(flows: """
          - {name: f, from: h1, to: h2, rate: 10kpps, size: 500}
        """, link: """
            faults: {drop: 0.1, corrupt: 0.1}
        """, duration: "100ms")
        let results = try emulate(yaml), again = try emulate(yaml)
        let flow = results.flows[0]
        let injected = flow.drops.first { $0.reason == "fault-injected" }?.count ?? 0
        XCTAssertGreaterThan(injected, 100)
        XCTAssertGreaterThan(results.links.map(\.corrupted).reduce(0, +), 100)
        XCTAssertEqual(flow.delivered, again.flows[0].delivered)
        XCTAssertEqual(results.links.map(\.corrupted), again.links.map(\.corrupted))
        XCTAssertLessThan(flow.delivered, flow.sent - injected, "some corrupted packets are refused or unattributable")
    }

    func testCaptureHoldsTheBareNewIPPackets() throws {
        let results = try emulate(chain(flows: """
          - {name: f, from: h1, to: h2, rate: 1kpps, size: 100, stop: 3ms}
        """))
        let capture = try XCTUnwrap(results.captures.first { $0.name == "h2-eth0" })
        var reader = try CaptureReader(capture.bytes)
        let packets = try reader.readAll()
        XCTAssertEqual(packets.map(\.timestampNanoseconds), [2_001_600, 3_001_600, 4_001_600])
        XCTAssertEqual(packets[0].linkType, .newIP)
        let header = try packets[0].data.withUnsafeBytes { try CompactHeader(parsing: $0) }
        XCTAssertEqual(header.source, CompactAddress("0x01"))
        XCTAssertEqual(header.destination, CompactAddress("0x04"))
        XCTAssertEqual(header.ttl, 62, "decremented at h1 and at r1")
        XCTAssertEqual(packets[0].data.count, 100)
    }

    func testPacketTooBigForALaterLinkIsDropped() throws {
        let results = try emulate(chain(flows: """
          - {name: f, from: h1, to: h2, rate: 1kpps, size: 1000, stop: 3ms}
        """).replacingOccurrences(of: "  - endpoints: [r1:eth1, h2:eth0]\n    rate: 1Gbps", with: "  - endpoints: [r1:eth1, h2:eth0]\n    mtu: 576\n    rate: 1Gbps"))
        XCTAssertEqual(results.flows[0].drops.map(\.reason), ["too-big"])
        XCTAssertEqual(results.links.first { $0.name == "r1:eth1->h2:eth0" }?.drops.map(\.count), [3])
    }

    func testGatewayKindNeedsACompactAndAnIPInterfaceAndARegisteredBehaviour() throws {
        // A gateway between two compact interfaces has nothing to translate.
        XCTAssertEqual(diagnostics(chain(flows: "  []").replacingOccurrences(of: "kind: router", with: "kind: gateway")), [
            "test.yaml:10:5: gateway `r1` needs a compact interface and an IPv4 or IPv6 interface — give one interface a compact address (0x10) and another an IP address (2001:db8::1)",
        ])
        let yaml = chain(flows: "  []").replacingOccurrences(of: "kind: router", with: "kind: gateway")
            .replacingOccurrences(of: "eth1: \"0x03\"", with: "eth1: \"2001:db8::1\"")
            .replacingOccurrences(of: "eth0: {address: \"0x04\", capture: true}", with: "eth0: \"2001:db8::4\"")
        let topology = try parse(yaml)
        XCTAssertNoThrow(try Emulation(topology: topology))
        var components = EmulatorComponents.standard
        components.behaviors[.gateway] = nil
        XCTAssertThrowsError(try Emulation(topology: topology, components: components)) { error in
            XCTAssertEqual((error as? TopologyError)?.description,
                           "test.yaml:9:3: no behaviour is registered for `kind: gateway` (node `r1`) — use kind router, or register a gateway behaviour in EmulatorComponents")
        }
        components.behaviors[.gateway] = { CoreNode($0) }
        XCTAssertNoThrow(try Emulation(topology: topology, components: components))
    }

    func testACustomBehaviourDrivesANode() throws {
        /// Swallows everything it receives: a sink that never forwards.
        final class BlackHole: NodeBehavior {
            var swallowed = 0
            func send(_ packet: consuming PacketBuffer, from interface: Int, context: NodeContext) {}
            func receive(_ packet: consuming PacketBuffer, on interface: Int, context: NodeContext) { swallowed += 1 }
            func nextPacket(on interface: Int, context: NodeContext) -> PacketBuffer? { nil }
            func nextTransmitTime(on interface: Int) -> Nanoseconds? { nil }
            func queue(on interface: Int) -> QueueStatistics {
                QueueStatistics(packets: 0, bytes: 0, drops: DropCounters(), trimming: TrimmingCounters())
            }
            var drops: DropCounters { DropCounters() }
        }
        let hole = BlackHole()
        var components = EmulatorComponents.standard
        components.behaviors[.router] = { _ in hole }
        let topology = try parse(chain(flows: """
          - {name: f, from: h1, to: h2, rate: 1kpps, size: 100, stop: 5ms}
        """))
        let results = try Emulation(topology: topology, components: components).run()
        XCTAssertEqual(hole.swallowed, 5)
        XCTAssertEqual(results.flows[0].unaccounted, 5)
    }
}
