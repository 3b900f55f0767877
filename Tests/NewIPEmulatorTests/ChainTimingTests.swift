@testable import NewIPEmulator
import NewIPTopology
import XCTest

/// Exact, hand-computed times on h1 — r1 — h2 (1 Gbps, 1 ms, 1000-byte packets: 8 µs to
/// serialise each hop).
final class ChainTimingTests: XCTestCase {
    func testSinglePacketTakesTwoSerialisationsAndTwoPropagations() throws {
        let results = try emulate(chain(flows: """
          - {name: one, from: h1, to: h2, rate: 1pps, size: 1000, stop: 1ms}
        """))
        let flow = results.flows[0]
        XCTAssertEqual(flow.sent, 1)
        XCTAssertEqual(flow.delivered, 1)
        XCTAssertEqual(flow.latency?.min, 2 * (8_000 + 1_000_000))
        XCTAssertEqual(flow.latency?.max, 2_016_000)
        XCTAssertEqual(flow.latency?.p50, 2_016_000)
        XCTAssertEqual(flow.jitter, 0)
        let first = results.links.first { $0.name == "h1:eth0->r1:eth0" }!
        XCTAssertEqual(first.packets, 1)
        XCTAssertEqual(first.busyTime, 8_000)
        XCTAssertEqual(first.utilisation, 8_000 / 10_000_000)
        XCTAssertEqual(first.maxQueue, 0)
        XCTAssertEqual(results.nodes.map(\.forwarded), [0, 1, 0])
    }

    func testBackToBackPacketsQueueBehindEachOther() throws {
        // Two flows send at t = 0; the second waits 8 µs at h1, and r1 takes it the instant
        // the first leaves its link.
        let results = try emulate(chain(flows: """
          - {name: a, from: h1, to: h2, rate: 1pps, size: 1000, stop: 1ms}
          - {name: b, from: h1, to: h2, rate: 1pps, size: 1000, stop: 1ms}
        """))
        XCTAssertEqual(results.flows[0].latency?.max, 2_016_000)
        XCTAssertEqual(results.flows[1].latency?.min, 2_024_000)
        XCTAssertEqual(results.flows[1].latency?.max, 2_024_000)
        let first = results.links.first { $0.name == "h1:eth0->r1:eth0" }!
        XCTAssertEqual(first.maxQueue, 1)
        XCTAssertEqual(first.meanQueue, 8_000.0 / 10_000_000, accuracy: 1e-15)
        XCTAssertEqual(first.busyTime, 16_000)
        let second = results.links.first { $0.name == "r1:eth1->h2:eth0" }!
        XCTAssertEqual(second.maxQueue, 1)
        XCTAssertEqual(second.busyTime, 16_000)
    }

    func testLineRateFlowNeverQueues() throws {
        // 125 000 packets/s of 1000 bytes is exactly 1 Gbps: each packet leaves as the
        // previous one finishes.
        let results = try emulate(chain(flows: """
          - {name: full, from: h1, to: h2, rate: 1Gbps, size: 1000, stop: 1ms}
        """))
        let flow = results.flows[0]
        XCTAssertEqual(flow.sent, 125)
        XCTAssertEqual(flow.delivered, 125)
        XCTAssertEqual(flow.latency?.min, 2_016_000)
        XCTAssertEqual(flow.latency?.max, 2_016_000)
        XCTAssertEqual(results.links[0].maxQueue, 0)
        XCTAssertEqual(results.links[0].busyTime, 1_000_000)
    }
}
