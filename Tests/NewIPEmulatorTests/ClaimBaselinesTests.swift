@testable import NewIPEmulator
import NewIPTopology
import XCTest

/// The claims report's other baselines: each compares what it says it compares, with exact
/// figures where the network makes them hand-computable.
final class ClaimBaselinesTests: XCTestCase {
    static func demo() throws -> (Topology, EmulationResults, EmulationResults) {
        let topology = try TopologyParser.parse(yaml: BuiltInNetwork.demo, file: "demo.yaml")
        var noTrim = topology
        for index in noTrim.links.indices { noTrim.links[index].queue.trims = false }
        return (topology, try Emulation(topology: topology).run(), try Emulation(topology: noTrim).run())
    }

    /// Native IPv6 carries the same datagrams with 32 more header bytes per packet (8 → 40) on
    /// the island's links: 250 kbps radio (1.024 ms more) and the 1 Mbps uplink (0.256 ms more),
    /// so the fastest reading and acknowledgement each take exactly 1.28 ms longer.
    func testNativeIPv6CarriesTheSameDatagramsWith32MoreHeaderBytesOnTheIsland() throws {
        let (topology, asWritten, _) = try Self.demo()
        let baseline = try XCTUnwrap(try GatewayBaseline(topology: topology, asWritten: asWritten))
        XCTAssertEqual(baseline.gateway, "gw")
        XCTAssertEqual(baseline.island, ["sensor1", "sensor2", "hub"])
        let (viaGateway, native) = (baseline.outcomes[0], baseline.outcomes[1])
        XCTAssertEqual(viaGateway.flows.map(\.name), ["reading1", "reading2", "ack1"])
        for (gatewayFlow, nativeFlow) in zip(viaGateway.flows, native.flows) {
            XCTAssertEqual(gatewayFlow.sent, nativeFlow.sent, gatewayFlow.name)
            XCTAssertEqual(nativeFlow.sentHeaderPerPacket, 40, gatewayFlow.name)
            XCTAssertEqual(nativeFlow.sentBytes - gatewayFlow.sentBytes,
                           gatewayFlow.name == "ack1" ? 0 : 32 * gatewayFlow.sent, "\(gatewayFlow.name): same datagrams")
            XCTAssertEqual(try XCTUnwrap(nativeFlow.latency?.min) - XCTUnwrap(gatewayFlow.latency?.min), 1_280_000, gatewayFlow.name)
        }
        XCTAssertEqual(viaGateway.flows.map(\.sentHeaderPerPacket), [8, 8, 40])
        XCTAssertEqual(native.islandHeaderBytes, 40 * native.islandPackets)
        XCTAssertTrue(baseline.findings.last!.hasPrefix("Where New IP does not win: packets from the IPv6 side (`ack1`)"))
    }

    /// The same frames three ways: one layered packet each (trimmed or dropped whole), or the
    /// base layer and the enhancement layers as two packets in two classes.
    func testTrimmingIsComparedWithTheSameFramesInTwoPriorityClasses() throws {
        let (topology, asWritten, wholeDrop) = try Self.demo()
        let baseline = try XCTUnwrap(try TrimmingBaseline(topology: topology, asWritten: asWritten, wholeDrop: wholeDrop))
        XCTAssertEqual(baseline.flow, "video")
        XCTAssertEqual(baseline.bottlenecks, ["r1:eth4–r3:eth0"])
        let (trimming, drop, classes) = (baseline.outcomes[0], baseline.outcomes[1], baseline.outcomes[2])
        let video = try XCTUnwrap(asWritten.flows.first { $0.name == "video" })
        XCTAssertEqual(trimming.frames, video.sent)
        XCTAssertEqual(trimming.sentBytes, [300 * video.sent, 400 * video.sent, 500 * video.sent])
        XCTAssertEqual(trimming.deliveredBytes, video.significanceBytes)
        XCTAssertEqual(drop.sentBytes, trimming.sentBytes)
        XCTAssertEqual(classes.frames, trimming.frames, "the classes send the same frames")
        XCTAssertEqual(classes.sentBytes, trimming.sentBytes)
        XCTAssertEqual(classes.packetsSent, 2 * trimming.packetsSent, "a packet per class per frame")
        // Whole-packet drop delivers layers together; strict priority favours the base layer.
        XCTAssertEqual(drop.deliveredBytes[0] * 4, drop.deliveredBytes[1] * 3)
        XCTAssertGreaterThan(classes.baseShare, drop.baseShare)
        XCTAssertGreaterThan(trimming.baseShare, drop.baseShare)
        XCTAssertEqual(baseline.findings.count, 3)
    }

    /// Path delays on the five-node network: 1 + 2 + 1 ms and three 8 µs serialisations before
    /// the failure, 1 + 3 + 3 + 1 ms and four after; the oracle that does not see the failure
    /// loses every `through` packet sent into the dead link from 2 s on (2,000 of them).
    func testTheDynamicProtocolFindsTheOraclesPathsBeforeAndAfterTheFailure() throws {
        let baseline = try ControlPlaneBaseline()
        XCTAssertEqual(baseline.failedLink, "r1:eth1–r2:eth0")
        let (oracle, informed, dynamic) = (baseline.outcomes[0], baseline.outcomes[1], baseline.outcomes[2])
        XCTAssertEqual(oracle.flow("before")?.latency?.min, 4_024_000)
        XCTAssertEqual(oracle.flow("before")?.latency?.mean, 4_024_000, "every packet")
        XCTAssertEqual(informed.flow("after")?.latency?.min, 8_032_000)
        XCTAssertEqual(informed.flow("after")?.latency?.mean, 8_032_000)
        // The protocol's packets take the same paths (its own control packets delay a few by a
        // serialisation now and then, so the fastest are compared).
        XCTAssertEqual(dynamic.flow("before")?.latency?.min, 4_024_000)
        XCTAssertEqual(dynamic.flow("after")?.latency?.min, 8_032_000)
        XCTAssertEqual(oracle.flow("through")?.drops.first { $0.reason == "link-loss" }?.count, 2_000)
        XCTAssertNil(oracle.reroute)
        XCTAssertEqual(oracle.controlBytesPerSecond, 0)
        let reroute = try XCTUnwrap(dynamic.reroute)
        XCTAssertGreaterThan(reroute, 0)
        XCTAssertLessThan(reroute, 1_000_000_000)
        XCTAssertGreaterThan(dynamic.controlBytesPerSecond, 0)
    }
}
