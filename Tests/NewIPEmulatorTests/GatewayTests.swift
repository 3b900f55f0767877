import Foundation
import NewIPCapture
import NewIPDataPlane
@testable import NewIPEmulator
import NewIPTopology
import NewIPWire
import XCTest

/// ManyNets: a compact-address sensor, a gateway and an IPv6 server, with exact times.
///
/// sensor (0x05) —250 kbps, 2 ms— gw (0x10 | 2001:db8::1) —10 Mbps, 1 ms— server (2001:db8::10)
///
/// The server is 0xF11400 in the island (`map`); the sensor is 2001:db8:f:0:500:: on the IPv6
/// side (`ipv6-prefix`). Serialisation: 32 µs per byte at 250 kbps, 0.8 µs per byte at 10 Mbps.
/// Compact headers here are 8 bytes (bitmap, TTL, next header, a 3-byte and a 1-byte address,
/// and the alignment byte), IPv6 headers 40: a datagram is 32 bytes longer on the IPv6 side.
final class GatewayTests: XCTestCase {
    private func island(flows: String, gateway: String? = nil, duration: String = "100ms") -> String {
        let keys = gateway ?? """
            map: {"0xF11400": "2001:db8::10"}
            ipv6-prefix: "2001:db8:f::/64"
            compact-prefix: "0xF1/8"
        """
        return """
        name: island
        duration: \(duration)
        nodes:
          sensor:
            kind: host
            interfaces:
              radio: {address: "0x05", capture: true}
          gw:
            kind: gateway
            interfaces:
              island: "0x10"
              v6: "2001:db8::1"
        \(keys)
          server:
            kind: host
            interfaces:
              eth0: {address: "2001:db8::10", capture: true}
        links:
          - {endpoints: [sensor:radio, gw:island], rate: 250kbps, delay: 2ms}
          - {endpoints: [gw:v6, server:eth0], rate: 10Mbps, delay: 1ms}
        flows:
        \(flows)
        """
    }

    private static let sensorName = IPv6Address("2001:db8:f:0:500::")!
    private static let server = IPv6Address("2001:db8::10")!

    private func packets(_ results: EmulationResults, _ capture: String) throws -> [CapturedPacket] {
        var reader = try CaptureReader(try XCTUnwrap(results.captures.first { $0.name == capture }).bytes)
        return try reader.readAll()
    }

    /// The probe's sequence number: 4 bytes after the flow number.
    private func sequence(_ data: [UInt8], probeAt offset: Int) -> UInt32 {
        data[(offset + 4)..<(offset + 8)].reduce(0) { $0 << 8 | UInt32($1) }
    }

    func testSensorToIPv6ServerTakesEachSidesSerialisationAndPropagation() throws {
        let results = try emulate(island(flows: """
          - {name: up, from: sensor, to: server, rate: 1pps, size: 50, stop: 1ms}
        """))
        let flow = results.flows[0]
        XCTAssertEqual(flow.sent, 1)
        XCTAssertEqual(flow.delivered, 1)
        // 50 B compact: 1.6 ms + 2 ms; 82 B IPv6: 65.6 µs + 1 ms.
        XCTAssertEqual(flow.latency?.min, 1_600_000 + 2_000_000 + 65_600 + 1_000_000)
        XCTAssertEqual(flow.latency?.max, 4_665_600)
        XCTAssertEqual(flow.sentBytes, 50)
        XCTAssertEqual(flow.deliveredBytes, 82)
        XCTAssertEqual(flow.sentHeaderBytes, 8)
        XCTAssertEqual(flow.deliveredHeaderBytes, 40)
        let gateway = try XCTUnwrap(results.nodes.first { $0.name == "gw" })
        XCTAssertEqual(gateway.translations?.compactToIP, 1)
        XCTAssertEqual(gateway.translations?.ipToCompact, 0)
        XCTAssertEqual(gateway.forwarded, 1)
        XCTAssertEqual(results.nodes.first { $0.name == "server" }?.delivered, 1)

        // The server got plain IPv6 + UDP: no New IP header, the same UDP payload.
        let sent = try packets(results, "sensor-radio")
        let received = try packets(results, "server-eth0")
        XCTAssertEqual(sent.count, 1)
        XCTAssertEqual(received.count, 1)
        XCTAssertEqual(sent[0].linkType, .newIP)
        XCTAssertEqual(received[0].linkType, .raw)
        let compact = try sent[0].data.withUnsafeBytes { try CompactHeader(parsing: $0) }
        XCTAssertEqual(compact.encodedLength, 8)
        XCTAssertEqual(compact.nextHeader, .udp)
        XCTAssertEqual(compact.destination, CompactAddress("0xF11400"))
        XCTAssertEqual(compact.ttl, 63, "decremented at its source")
        let ip = try received[0].data.withUnsafeBytes { try IPv6Header(parsing: $0) }
        XCTAssertEqual(ip.source, Self.sensorName)
        XCTAssertEqual(ip.destination, Self.server)
        XCTAssertEqual(ip.nextHeader, 17)
        XCTAssertEqual(ip.hopLimit, 62, "the sensor and the gateway each take one")
        XCTAssertEqual(ip.payloadLength, 42)
        XCTAssertEqual(Array(received[0].data[40..<44]), [0x16, 0x33, 0x16, 0x33], "ports 5683")
        XCTAssertEqual(Array(received[0].data[48...]), Array(sent[0].data[16...]), "the UDP payload crosses byte for byte")
        XCTAssertEqual(received[0].timestampNanoseconds, 4_665_600)
    }

    func testVaryingSizesPayEachSidesOwnSerialisation() throws {
        let results = try emulate(island(flows: """
          - {name: up, from: sensor, to: server, rate: 50pps, size: "36..56"}
        """, duration: "400ms"))
        let flow = results.flows[0]
        XCTAssertEqual(flow.sent, 20)
        XCTAssertEqual(flow.delivered, 20, "exactly the datagrams sent")
        let sent = Dictionary(uniqueKeysWithValues: try packets(results, "sensor-radio").map { (sequence($0.data, probeAt: 16), $0) })
        let received = try packets(results, "server-eth0")
        XCTAssertEqual(received.count, 20)
        XCTAssertEqual(Set(received.map { sequence($0.data, probeAt: 48) }), Set(sent.keys))
        var latencies: [Int64] = []
        for packet in received {
            let original = try XCTUnwrap(sent[sequence(packet.data, probeAt: 48)])
            let size = Int64(original.data.count)
            XCTAssertEqual(Int64(packet.data.count), size + 32)
            XCTAssertEqual(Array(packet.data[48...]), Array(original.data[16...]))
            // Sent at once (the radio is idle): compact serialisation, 2 ms, IPv6 serialisation, 1 ms.
            let latency = packet.timestampNanoseconds - original.timestampNanoseconds
            let expected: Int64 = size * 32_000 + 2_000_000 + (size + 32) * 800 + 1_000_000
            XCTAssertEqual(latency, expected)
            latencies.append(latency)
        }
        XCTAssertGreaterThan(Set(latencies).count, 5, "sizes vary")
        XCTAssertEqual(flow.latency?.min, latencies.min())
        XCTAssertEqual(flow.latency?.max, latencies.max())
        XCTAssertEqual(flow.deliveredBytes - flow.sentBytes, 20 * 32)
        XCTAssertEqual(flow.sentHeaderPerPacket, 8)
        XCTAssertEqual(flow.deliveredHeaderPerPacket, 40)
        let up = try XCTUnwrap(results.links.first { $0.name == "sensor:radio->gw:island" })
        let v6 = try XCTUnwrap(results.links.first { $0.name == "gw:v6->server:eth0" })
        XCTAssertEqual(up.headerPerPacket, 8)
        XCTAssertEqual(v6.headerPerPacket, 40)
        XCTAssertEqual(v6.bytes - up.bytes, 20 * 32)
    }

    func testIPv6ServerToSensor() throws {
        let results = try emulate(island(flows: """
          - {name: ack, from: server, to: sensor, rate: 1pps, size: 90, stop: 1ms}
        """))
        let flow = results.flows[0]
        XCTAssertEqual(flow.delivered, 1)
        // 90 B IPv6: 72 µs + 1 ms; 58 B compact: 1.856 ms + 2 ms.
        XCTAssertEqual(flow.latency?.min, 72_000 + 1_000_000 + 1_856_000 + 2_000_000)
        XCTAssertEqual(flow.latency?.max, 4_928_000)
        XCTAssertEqual(flow.deliveredBytes, 58)
        XCTAssertEqual(flow.sentHeaderBytes, 40)
        XCTAssertEqual(flow.deliveredHeaderBytes, 8)
        XCTAssertEqual(results.nodes.first { $0.name == "gw" }?.translations?.ipToCompact, 1)
        XCTAssertEqual(results.nodes.first { $0.name == "sensor" }?.delivered, 1)

        let sent = try packets(results, "server-eth0")
        let received = try packets(results, "sensor-radio")
        XCTAssertEqual(sent.count, 1)
        XCTAssertEqual(received.count, 1)
        let ip = try sent[0].data.withUnsafeBytes { try IPv6Header(parsing: $0) }
        XCTAssertEqual(ip.destination, Self.sensorName)
        XCTAssertEqual(ip.source, Self.server)
        let data = received[0].data
        let compact = try data.withUnsafeBytes { try CompactHeader(parsing: $0) }
        XCTAssertEqual(compact.source, CompactAddress("0xF11400"))
        XCTAssertEqual(compact.destination, CompactAddress("0x05"))
        XCTAssertEqual(compact.nextHeader, .udp)
        XCTAssertEqual(compact.ttl, 62)
        XCTAssertEqual(compact.encodedLength, 8)
        XCTAssertEqual(Array(data[8...]).count, 50)
        XCTAssertEqual(Array(data[16...]), Array(sent[0].data[48...]))
        XCTAssertTrue(data.withUnsafeBytes { bytes in
            CompactChecksum.verify(source: compact.source, destination: compact.destination, nextHeader: .udp,
                                   data: UnsafeRawBufferPointer(rebasing: bytes[8...]))
        }, "the gateway wrote a valid OpenHarmony checksum")
        XCTAssertEqual(received[0].timestampNanoseconds, 4_928_000)
    }

    func testBothDirectionsAtOnceAreRoutedAcrossTheBoundary() throws {
        let results = try emulate(island(flows: """
          - {name: up, from: sensor, to: server, rate: 100pps, size: 50}
          - {name: ack, from: server, to: sensor, rate: 100pps, size: 90, start: 5ms}
        """))
        XCTAssertEqual(results.flows.map(\.sent), [10, 10])
        XCTAssertEqual(results.flows.map(\.delivered), [10, 10])
        XCTAssertEqual(results.flows.map { $0.latency?.max }, [4_665_600, 4_928_000])
        let gateway = try XCTUnwrap(results.nodes.first { $0.name == "gw" }?.translations)
        XCTAssertEqual([gateway.compactToIP, gateway.ipToCompact], [10, 10])
        XCTAssertEqual(gateway.failures.total, 0)
    }

    func testRoutesCrossTheBoundaryWithTheWholePath() throws {
        let emulation = try Emulation(topology: try parse(island(flows: "  []")))
        let (sensor, gw, server) = (emulation.tables[0], emulation.tables[1], emulation.tables[2])
        // In the island the server is 0xF11400, two links (3 ms) away through the gateway.
        let alias = try XCTUnwrap(sensor.lookup(CompactAddress("0xF11400")!))
        XCTAssertEqual(alias.nextHop.interface, 0)
        XCTAssertEqual(alias.toDelay, 3_000_000)
        XCTAssertEqual(alias.toHops, 2)
        XCTAssertEqual(sensor.lookup(CompactAddress("0xF1FFFF")!)?.toDelay, 2_000_000, "compact-prefix")
        XCTAssertNil(sensor.lookup(Self.server), "the island routes no IPv6")
        XCTAssertNil(sensor.lookup(CompactAddress("0x11")!))
        // On the IPv6 side the island is the gateway's /64.
        let back = try XCTUnwrap(server.lookup(Self.sensorName))
        XCTAssertEqual(back.nextHop.interface, 0)
        XCTAssertEqual(back.toDelay, 1_000_000)
        XCTAssertNil(server.lookup(CompactAddress("0x05")!), "the IPv6 side routes no compact")
        // The gateway answers for both names, and routes each family on its own side.
        XCTAssertTrue(try XCTUnwrap(gw.lookup(CompactAddress("0xF11400")!)).nextHop.isLocal)
        XCTAssertTrue(try XCTUnwrap(gw.lookup(Self.sensorName)).nextHop.isLocal)
        XCTAssertEqual(gw.lookup(Self.server)?.nextHop.interface, 1)
        XCTAssertEqual(gw.lookup(CompactAddress("0x05")!)?.nextHop.interface, 0)
    }

    func testUnmappedDestinationIsDroppedAtTheGateway() throws {
        // 0xF11401 is under the gateway's compact-prefix, so the island routes it there, but
        // the map binds only 0xF11400.
        let results = try emulate(island(flows: """
          - {name: lost, from: sensor, to: server, to-address: "0xF11401", rate: 100pps, size: 50, stop: 50ms}
          - {name: up, from: sensor, to: server, rate: 100pps, size: 50, stop: 50ms}
        """))
        let lost = results.flows[0]
        XCTAssertEqual(lost.sent, 5)
        XCTAssertEqual(lost.delivered, 0)
        XCTAssertEqual(lost.drops.map(\.reason), ["unmapped"])
        XCTAssertEqual(lost.drops.map(\.count), [5])
        XCTAssertEqual(lost.unaccounted, 0)
        XCTAssertEqual(results.flows[1].delivered, 5, "mapped traffic still crosses")
        let gateway = try XCTUnwrap(results.nodes.first { $0.name == "gw" })
        XCTAssertEqual(gateway.translations?.failures.sorted.map { "\($0.reason)=\($0.count)" }, ["unmapped=5"])
        XCTAssertEqual(gateway.translations?.compactToIP, 5)
        XCTAssertEqual(gateway.drops.map(\.reason), ["unmapped"])
        XCTAssertEqual(gateway.drops.map(\.count), [5])
        // The files say so too.
        let nodes = try XCTUnwrap(results.files.first { $0.name == "nodes.csv" }).contents
        XCTAssertEqual(String(decoding: nodes, as: UTF8.self), """
        node,kind,received,originated,transmitted,forwarded,delivered,drops,compact_to_ip,ip_to_compact,translation_failures
        sensor,host,0,10,10,0,0,,,,
        gw,gateway,10,0,5,5,0,unmapped=5,5,0,unmapped=5
        server,host,5,0,0,0,5,,,,

        """)
        let json = try XCTUnwrap(results.files.first { $0.name == "results.json" }).contents
        let document = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json)) as? [String: Any])
        let gw = try XCTUnwrap((document["nodes"] as? [[String: Any]])?[1])
        XCTAssertEqual(gw["translations"] as? NSDictionary,
                       ["compact_to_ip": 5, "ip_to_compact": 0, "failures": ["unmapped": 5]] as NSDictionary)
        XCTAssertNil((document["nodes"] as? [[String: Any]])?[0]["translations"])
    }

    func testUnmappedSourceIsDroppedAtTheGateway() throws {
        // Without the IPv6 prefix the sensor has no name on the IPv6 side to send from.
        let results = try emulate(island(flows: """
          - {name: up, from: sensor, to: server, rate: 100pps, size: 50, stop: 30ms}
        """, gateway: """
            map: {"0xF11400": "2001:db8::10"}
        """))
        XCTAssertEqual(results.flows[0].drops.map(\.reason), ["unmapped"])
        XCTAssertEqual(results.nodes.first { $0.name == "gw" }?.translations?.failures.sorted.map { "\($0.reason)=\($0.count)" }, ["unmapped=3"])
    }

    func testCorruptedDatagramsFailTheChecksumAtTheGateway() throws {
        // Every packet on the radio gets one bit flipped: the gateway verifies the UDP checksum
        // before translating, so it refuses them instead of laundering them into IPv6.
        let results = try emulate(island(flows: """
          - {name: up, from: sensor, to: server, rate: 50pps, size: 500}
        """, duration: "1s").replacingOccurrences(of: "rate: 250kbps, delay: 2ms}", with: "rate: 250kbps, delay: 2ms, faults: {corrupt: 1}}"))
        let flow = results.flows[0]
        let gateway = try XCTUnwrap(results.nodes.first { $0.name == "gw" })
        let failures = try XCTUnwrap(gateway.translations?.failures)
        XCTAssertEqual(flow.sent, 50)
        XCTAssertEqual(flow.delivered, 0)
        XCTAssertEqual(failures.sorted.map { "\($0.reason)=\($0.count)" }, ["bad-checksum=50"])
        XCTAssertEqual(gateway.translations?.compactToIP, 0)
        XCTAssertEqual(gateway.drops.map(\.reason), ["bad-checksum"])
        // Where the flipped bit hit the probe, the drop cannot be told apart from another flow's.
        XCTAssertEqual(flow.drops.map(\.reason), ["bad-checksum"])
        XCTAssertEqual(flow.drops.map(\.count), [46])
        XCTAssertEqual(flow.unaccounted, 4)
        XCTAssertEqual(results.links.first { $0.name == "sensor:radio->gw:island" }?.corrupted, 50)
    }

    func testPlainIPv6NetworkWithoutGateway() throws {
        // Two IPv6 hosts and an IPv6 router on static default routes: plain IPv6 + UDP.
        let results = try emulate("""
        duration: 10ms
        routing: static
        nodes:
          a: {kind: host, interfaces: {eth0: "2001:db8:a::1"}, routes: {default: eth0}}
          r: {kind: router, interfaces: {eth0: "2001:db8:a::2", eth1: "2001:db8:b::2"}, routes: {"2001:db8:a::/48": eth0, "2001:db8:b::/48": eth1}}
          b: {kind: host, interfaces: {eth0: {address: "2001:db8:b::1", capture: true}}, routes: {default: eth0}}
        links:
          - {endpoints: [a:eth0, r:eth0], rate: 1Gbps, delay: 1ms}
          - {endpoints: [r:eth1, b:eth0], rate: 1Gbps, delay: 1ms}
        flows:
          - {name: f, from: a, to: b, rate: 1kpps, size: 1000, stop: 3ms}
        """)
        XCTAssertEqual(results.flows[0].delivered, 3)
        XCTAssertEqual(results.flows[0].latency?.max, 2 * (8_000 + 1_000_000))
        XCTAssertEqual(results.nodes.map(\.forwarded), [0, 3, 0])
        let packets = try packets(results, "b-eth0")
        let header = try packets[0].data.withUnsafeBytes { try IPv6Header(parsing: $0) }
        XCTAssertEqual(header.hopLimit, 62)
        XCTAssertEqual(header.payloadLength, 960)
        XCTAssertTrue(results.nodes.allSatisfy { $0.translations == nil })
    }

    func testIPv4ServerThroughStaticBindings() throws {
        let yaml = island(flows: """
          - {name: up, from: sensor, to: server, rate: 1pps, size: 50, stop: 1ms}
          - {name: ack, from: server, to: sensor, rate: 1pps, size: 70, stop: 1ms}
        """, gateway: """
            map: {"0xF11400": "192.0.2.10", "0x05": "192.0.2.5"}
        """).replacingOccurrences(of: "2001:db8::1\"", with: "192.0.2.1\"").replacingOccurrences(of: "2001:db8::10\"", with: "192.0.2.10\"")
        let results = try emulate(yaml)
        XCTAssertEqual(results.flows.map(\.delivered), [1, 1])
        // 50 B compact → 62 B IPv4; 70 B IPv4 → 58 B compact.
        let up: Nanoseconds = 50 * 32_000 + 2_000_000 + 62 * 800 + 1_000_000
        let down: Nanoseconds = 70 * 800 + 1_000_000 + 58 * 32_000 + 2_000_000
        XCTAssertEqual(results.flows[0].latency?.max, up)
        XCTAssertEqual(results.flows[1].latency?.max, down)
        XCTAssertEqual(results.flows.map(\.deliveredHeaderBytes), [20, 8])
        let received = try packets(results, "server-eth0").filter { $0.data[12..<16] == [0xC0, 0, 2, 5] }
        let ip = try XCTUnwrap(received.first).data.withUnsafeBytes { try IPv4Header(parsing: $0) }
        XCTAssertEqual(ip.ttl, 62)
        XCTAssertEqual(ip.destination, IPv4Address(192, 0, 2, 10))
    }

    func testMistakesAreReportedWhereTheyAre() {
        XCTAssertEqual(diagnostics(island(flows: """
          - {name: ack, from: server, to: sensor, rate: 1pps, size: 90}
        """, gateway: """
            map: {"0xF11400": "2001:db8::10"}
            compact-prefix: "0xF1"
        """)), [
            "test.yaml:14:21: compact-prefix: `0xF1` is not a compact prefix that holds addresses — write hex bytes and a bit length such as 0xF1/8",
            "test.yaml:23:35: `sensor:radio` (0x05) has no ipv6 address for `server:eth0` to send to: no gateway maps it — give a gateway an `ipv6-prefix`, or bind 0x05 to an IPv6 address in its `map`",
        ])
        XCTAssertEqual(diagnostics(island(flows: "  []", gateway: """
            map: {"0xF11400": "2001:db8::10", "0xF11401": "2001:db8::10", "0x20": "0x21"}
            ipv6-prefix: "2001:db8:f::/96"
        """)), [
            "test.yaml:13:51: 2001:db8::10 is bound twice (first at line 13) — bind each IP address to one compact address",
            "test.yaml:13:75: `map` value: `0x21` is not an IPv4 or IPv6 address — map a compact address to an IP one: `\"0xF11400\": \"2001:db8::10\"`",
            "test.yaml:14:18: ipv6-prefix: `2001:db8:f::/96` is not an IPv6 prefix of at most 64 bits — write e.g. 2001:db8:f::/64 (a compact address fills the low 64 bits)",
        ])
        XCTAssertEqual(diagnostics(island(flows: """
          - {name: up, from: sensor, to: server, rate: 1pps, size: 30, contract: {type: lbf, min: 1ms, max: 9ms}}
          - {name: ack, from: server, to: sensor, rate: 1pps, size: 60, contract: {type: mdf, max: 9ms}}
          - {name: odd, from: sensor, to: server, to-address: "2001:db8::10", rate: 1pps, size: 60}
        """)), [
            // The contract travels in an 11-byte compact extension item (not across the gateway).
            "test.yaml:24:60: 30-byte packets cannot hold the 23-byte header, the 8-byte UDP header and the 18-byte probe — use a size of at least 49",
            "test.yaml:25:61: `server:eth0` speaks plain ipv6, whose packets carry no contract or chunks — remove `contract` and `chunks`, or send from a New IP interface",
            "test.yaml:26:55: `to-address` 2001:db8::10 is not an address of the source's compact network — give a compact address",
        ])
        XCTAssertEqual(diagnostics(island(flows: "  []").replacingOccurrences(of: "kind: host\n    interfaces:\n      radio",
                                                                             with: "kind: host\n    map: {}\n    interfaces:\n      radio")), [
            "test.yaml:6:5: `map` applies only to `kind: gateway` — remove it, or make `sensor` a gateway",
        ])
        XCTAssertEqual(diagnostics("dialect: framework\n" + island(flows: "  []")), [
            "test.yaml:10:5: gateway `gw` translates compact New IP to and from IP, and this topology is framework — set `dialect: compact`, or make it a router",
        ])
        XCTAssertEqual(diagnostics(island(flows: "  []").replacingOccurrences(of: "[gw:v6, server:eth0]", with: "[gw:island, server:eth0]")
            .replacingOccurrences(of: "[sensor:radio, gw:island]", with: "[sensor:radio, gw:v6]")), [
            "test.yaml:21:17: the link joins a compact interface (`sensor:radio`) and an ipv6 one (`gw:v6`) — give both ends addresses of one family; a `kind: gateway` node joins networks",
            "test.yaml:22:17: the link joins a compact interface (`gw:island`) and an ipv6 one (`server:eth0`) — give both ends addresses of one family; a `kind: gateway` node joins networks",
        ])
        XCTAssertEqual(diagnostics(island(flows: "  []").replacingOccurrences(of: "  server:\n    kind: host\n    interfaces:", with: """
          server:
            kind: host
            routes: {"0xF1/8": eth0, default: eth0}
            interfaces:
        """)), [
            "test.yaml:18:14: route `0xF1/8` is compact, but `eth0` is an ipv6 interface — route it via a compact interface",
        ])
    }

    func testWriterRoundTripsGatewayKeys() throws {
        let first = try parse(island(flows: """
          - {name: lost, from: sensor, to: server, to-address: "0xF11401", rate: 100pps, size: 50}
        """))
        let written = TopologyWriter.yaml(first)
        let second = try parse(written)
        XCTAssertEqual(TopologyWriter.yaml(second), written)
        XCTAssertEqual(second.nodes[1].gateway, first.nodes[1].gateway)
        XCTAssertEqual(second.flows[0].destinationAddress, .compact(CompactAddress("0xF11401")!))
    }

    func testExampleIsDeterministic() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Examples/manynets-gateway.yaml").path
        let topology = try TopologyParser.load(path: path)
        let first = try Emulation(topology: topology).run(), second = try Emulation(topology: topology).run()
        XCTAssertEqual(first.files.map(\.name), second.files.map(\.name))
        for (a, b) in zip(first.files, second.files) { XCTAssertEqual(a.contents, b.contents, a.name) }
        var other = topology
        other.seed += 1
        let third = try Emulation(topology: other).run()
        XCTAssertNotEqual(first.files.first { $0.name == "flows.csv" }?.contents, third.files.first { $0.name == "flows.csv" }?.contents)
        // Every reading reaches the server and every acknowledgement a sensor, through the gateway.
        XCTAssertTrue(first.flows.allSatisfy { $0.delivered > 0 })
        let gateway = try XCTUnwrap(first.nodes.first { $0.kind == .gateway }?.translations)
        XCTAssertGreaterThan(gateway.compactToIP, 0)
        XCTAssertGreaterThan(gateway.ipToCompact, 0)
        for flow in first.flows where flow.delivered > 0 {
            XCTAssertLessThan(flow.from.hasPrefix("sensor") ? flow.sentHeaderPerPacket : flow.deliveredHeaderPerPacket, 10, flow.name)
            XCTAssertEqual(flow.from.hasPrefix("sensor") ? flow.deliveredHeaderPerPacket : flow.sentHeaderPerPacket, 40, flow.name)
        }
    }
}
