@testable import NewIPEmulator
import NewIPDataPlane
import NewIPTopology
import XCTest

/// gLBF's damper on LBF queues (`damper: B`): a contracted flow crosses three 10 Mbps hops,
/// each shared with Poisson cross traffic of 1,500-byte packets that enters at that hop and
/// leaves at the next. A released contracted packet waits at most for one cross packet on the
/// wire (1.2 ms) plus its own 200 bytes (0.16 ms), so B = 1.5 ms bounds every hop.
final class DamperTests: XCTestCase {
    static func yaml(queue: String) -> String {
        """
        name: damper
        seed: 11
        duration: 400ms
        nodes:
          src: {kind: host, interfaces: {eth0: "0x01"}}
          dst: {kind: host, interfaces: {eth0: "0x02"}}
          r1: {kind: router, interfaces: {a: "0x11", b: "0x12", x: "0x13"}}
          r2: {kind: router, interfaces: {a: "0x21", b: "0x22", x: "0x23", y: "0x24"}}
          r3: {kind: router, interfaces: {a: "0x31", b: "0x32", x: "0x33", y: "0x34"}}
          x1: {kind: host, interfaces: {eth0: "0x41"}}
          x2: {kind: host, interfaces: {eth0: "0x42"}}
          x3: {kind: host, interfaces: {eth0: "0x43"}}
          y2: {kind: host, interfaces: {eth0: "0x52"}}
          y3: {kind: host, interfaces: {eth0: "0x53"}}
        links:
          - {endpoints: [src:eth0, r1:a], rate: 1Gbps, delay: 1ms, queue: \(queue)}
          - {endpoints: [r1:b, r2:a], rate: 10Mbps, delay: 1ms, queue: \(queue)}
          - {endpoints: [r2:b, r3:a], rate: 10Mbps, delay: 1ms, queue: \(queue)}
          - {endpoints: [r3:b, dst:eth0], rate: 10Mbps, delay: 1ms, queue: \(queue)}
          - {endpoints: [x1:eth0, r1:x], rate: 1Gbps, delay: 1ms}
          - {endpoints: [x2:eth0, r2:x], rate: 1Gbps, delay: 1ms}
          - {endpoints: [x3:eth0, r3:x], rate: 1Gbps, delay: 1ms}
          - {endpoints: [r2:y, y2:eth0], rate: 1Gbps, delay: 1ms}
          - {endpoints: [r3:y, y3:eth0], rate: 1Gbps, delay: 1ms}
        flows:
          - {name: urgent, from: src, to: dst, rate: 500pps, size: 200, contract: {type: lbf, min: 0ms, max: 20ms}}
          - {name: cross1, from: x1, to: y2, pattern: poisson, rate: 500pps, size: 1500}
          - {name: cross2, from: x2, to: y3, pattern: poisson, rate: 500pps, size: 1500}
          - {name: cross3, from: x3, to: dst, pattern: poisson, rate: 500pps, size: 1500}
        """
    }

    /// The damper moves every delivery toward the deadline: LBF delivers as early as the
    /// cross traffic allows (4.5–7.6 ms), the damped flow within a few ms of its 20 ms max.
    /// Not within B: the LBF clause carries the experienced delay in whole milliseconds, which
    /// can misplace each hop's deadline share by up to 0.5 ms, so this test does not expect
    /// gLBF's zero jitter (its published validation keeps nanoseconds); the spread still shrinks.
    func testTheDamperHoldsDeliveriesNearTheDeadlineAndNarrowsTheirSpread() throws {
        let lbf = try XCTUnwrap(emulate(Self.yaml(queue: "lbf")).flows.first)
        let damped = try XCTUnwrap(emulate(Self.yaml(queue: "{discipline: lbf, damper: 1500us}")).flows.first)
        let plain = try XCTUnwrap(lbf.latency), held = try XCTUnwrap(damped.latency)
        XCTAssertLessThan(plain.max, 10_000_000, "without the damper nothing waits for the deadline")
        // The last hop releases a packet no earlier than its deadline share minus B; the
        // millisecond field may misplace that share by half a millisecond per hop (three).
        XCTAssertGreaterThanOrEqual(held.min, 20_000_000 - 1_500_000 - 3 * 500_000)
        XCTAssertLessThan(held.max - held.min, plain.max - plain.min, "the damper narrows the spread")
        XCTAssertLessThan(damped.jitter, lbf.jitter)
        XCTAssertTrue(damped.drops.isEmpty, "B covers the wait for the link: nothing is dropped late")
        XCTAssertEqual(try parse(Self.yaml(queue: "{discipline: lbf, damper: 1500us}")).links[1].queue.damper, 1_500_000)
        XCTAssertEqual(TopologyWriter.queueText(QueueSpec(discipline: .lbf, damper: 1_500_000)), "{discipline: lbf, limit: 1000, damper: 1500us}")
        XCTAssertEqual(diagnostics(Self.yaml(queue: "{discipline: fifo, damper: 1ms}")).first?.contains(
            "a damper holds packets until their LBF deadline, which only an lbf queue orders by"), true)
    }
}

extension DamperTests {
    /// The reproduction of gLBF's validation scenario that docs/claims.md reports: every packet
    /// arrives under both queues, the damper holds each flow later than LBF delivers it and
    /// never past the 10 ms window, and the published spread (0) is set beside ours.
    func testTheValidationScenarioRunsAndTheTableSaysWhatItMeasured() throws {
        let reproduction = try DamperReproduction()
        for published in DamperReproduction.published {
            let plain = try XCTUnwrap(reproduction.lbf.flows.first { $0.name == published.flow })
            let held = try XCTUnwrap(reproduction.damped.flows.first { $0.name == published.flow })
            XCTAssertEqual([plain.sent, plain.delivered, held.delivered], [3, 3, 3], published.flow)
            XCTAssertGreaterThan(try XCTUnwrap(held.latency?.min), try XCTUnwrap(plain.latency?.max), published.flow)
            XCTAssertLessThanOrEqual(try XCTUnwrap(held.latency?.max), 10_000_000, published.flow)
        }
        XCTAssertEqual(reproduction.rows.map { Array($0.prefix(4)) },
                       [["f900", "900", "2640000", "0"], ["f1000", "1000", "2666667", "0"], ["f1100", "1100", "2693334", "0"]])
        XCTAssertTrue(reproduction.markdown.contains("- Not reproduced:"), "the spread is not 0, and the text says so")
    }
}
