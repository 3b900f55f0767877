@testable import NewIPEmulator
import NewIPTopology
import XCTest

/// The data plane's contracts and queues, driven by the emulator, with hand-computed times.
final class ContractTests: XCTestCase {
    func testLatencyBasedForwardingHoldsPacketsUntilTheirWindow() throws {
        // h1 knows 2 ms of path and 2 queues ahead: it holds the packet (6 − 2) / 2 = 2 ms and
        // sends it with 3 ms experienced. r1 holds it 6 − (3 + 1) = 2 ms more. Arrival:
        // 2 + 0.008 + 1 + 2 + 0.008 + 1 = 6.016 ms, inside the [6, 20] ms window.
        let results = try emulate(chain(flows: """
          - {name: lbf, from: h1, to: h2, rate: 1pps, size: 1000, stop: 1ms, contract: {type: lbf, min: 6ms, max: 20ms}}
        """, link: """
        queue: lbf
    """, duration: "20ms"))
        let flow = results.flows[0]
        XCTAssertEqual(flow.latency?.min, 6_016_000)
        XCTAssertEqual(flow.onTime, 1)
        XCTAssertEqual(flow.early, 0)
    }

    func testFIFOIgnoresTheWindowAndDeliversEarly() throws {
        let results = try emulate(chain(flows: """
          - {name: lbf, from: h1, to: h2, rate: 1pps, size: 1000, stop: 1ms, contract: {type: lbf, min: 6ms, max: 20ms}}
        """, duration: "20ms"))
        XCTAssertEqual(results.flows[0].latency?.min, 2_016_000)
        XCTAssertEqual(results.flows[0].early, 1)
    }

    func testMaxDelayDropsLatePacketsAtTheNextRouter() throws {
        // Leaving r1 the packet has 2 ms of experienced delay against a 1 ms maximum: h2
        // drops it on arrival.
        let late = try emulate(chain(flows: """
          - {name: mdf, from: h1, to: h2, rate: 1pps, size: 1000, stop: 1ms, contract: {type: mdf, max: 1ms}}
        """))
        XCTAssertEqual(late.flows[0].delivered, 0)
        XCTAssertEqual(late.flows[0].drops.map(\.reason), ["max-delay-exceeded"])
        XCTAssertEqual(late.nodes.first { $0.name == "h2" }?.drops.map(\.reason), ["max-delay-exceeded"])
        let inTime = try emulate(chain(flows: """
          - {name: mdf, from: h1, to: h2, rate: 1pps, size: 1000, stop: 1ms, contract: {type: mdf, max: 3ms}}
        """))
        XCTAssertEqual(inTime.flows[0].delivered, 1)
        XCTAssertEqual(inTime.flows[0].onTime, 1)
    }

    func testTrimmingCutsLeastSignificantChunksUnderCongestion() throws {
        // 1 Gbps into 10 Mbps: the bottleneck's 4000-byte queue fills and trims chunks of
        // significance 2, then 1, before dropping whole packets.
        let yaml = """
        duration: 20ms
        nodes:
          h1: {kind: host, interfaces: {eth0: "0x01"}}
          r1: {kind: router, interfaces: {eth0: "0x02", eth1: "0x03"}}
          h2: {kind: host, interfaces: {eth0: "0x04"}}
        links:
          - {endpoints: [h1:eth0, r1:eth0], rate: 1Gbps, delay: 1ms}
          - {endpoints: [r1:eth1, h2:eth0], rate: 10Mbps, delay: 1ms, queue: {bytes: 4000, trim: true}}
        flows:
          - name: video
            from: h1
            to: h2
            rate: 20Mbps
            chunks: [{significance: 0, bytes: 200}, {significance: 1, bytes: 300}, {significance: 2, bytes: 400}]
        """
        let results = try emulate(yaml)
        let flow = results.flows[0]
        XCTAssertGreaterThan(flow.trimmed, 0)
        XCTAssertLessThan(flow.deliveredBytes, flow.delivered * flow.sentBytes / flow.sent)
        let bottleneck = results.links.first { $0.name == "r1:eth1->h2:eth0" }!
        XCTAssertGreaterThan(bottleneck.trimmedChunks, 0)
        XCTAssertEqual(bottleneck.utilisation, 1, accuracy: 0.1)
    }
}
