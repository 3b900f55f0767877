@testable import NewIPEmulator
import NewIPDataPlane
import NewIPTopology
import XCTest

/// gLBF (`queue: {discipline: glbf, bound: B}`) over three 10 Mbps hops: src → r1 (B = 1 ms,
/// the flow alone), r1 → r2 (B = 1.5 ms) shared with cross traffic from x1, r2 → dst (B = 1.5 ms)
/// shared with cross traffic from x2. Each cross flow sends 1,500-byte packets (1.2 ms on the
/// wire) every 3.33 ms, so a 200-byte contracted packet (0.16 ms) waits for at most one of them:
/// 1.36 ms < 1.5 ms, and every bound holds. From its release at one damper to its release at
/// the next a packet then spends exactly B plus the 1 ms link delay, and the destination's
/// damper ends the path: 1 + 1 + 1.5 + 1 + 1.5 + 1 = 7 ms for every packet.
final class DamperTests: XCTestCase {
    static func yaml(first: String, shared: String) -> String {
        """
        name: damper
        duration: 400ms
        nodes:
          src: {kind: host, interfaces: {eth0: "0x01"}}
          dst: {kind: host, interfaces: {eth0: "0x02"}}
          r1: {kind: router, interfaces: {a: "0x11", b: "0x12", x: "0x13"}}
          r2: {kind: router, interfaces: {a: "0x21", b: "0x22", x: "0x23", y: "0x24"}}
          x1: {kind: host, interfaces: {eth0: "0x41"}}
          x2: {kind: host, interfaces: {eth0: "0x42"}}
          y2: {kind: host, interfaces: {eth0: "0x52"}}
        links:
          - {endpoints: [src:eth0, r1:a], rate: 10Mbps, delay: 1ms, queue: \(first)}
          - {endpoints: [r1:b, r2:a], rate: 10Mbps, delay: 1ms, queue: \(shared)}
          - {endpoints: [r2:b, dst:eth0], rate: 10Mbps, delay: 1ms, queue: \(shared)}
          - {endpoints: [x1:eth0, r1:x], rate: 1Gbps, delay: 1ms}
          - {endpoints: [x2:eth0, r2:x], rate: 1Gbps, delay: 1ms}
          - {endpoints: [r2:y, y2:eth0], rate: 1Gbps, delay: 1ms}
        flows:
          - {name: urgent, from: src, to: dst, rate: 500pps, size: 200, stop: 380ms}
          - {name: cross1, from: x1, to: y2, rate: 300pps, size: 1500}
          - {name: cross2, from: x2, to: dst, rate: 300pps, size: 1500, start: 1ms}
        """
    }

    static let glbf = yaml(first: "{discipline: glbf, bound: 1ms}", shared: "{discipline: glbf, bound: 1500us}")

    func testEveryPacketOfAFlowHasTheSumOfTheBoundsAndDelaysAsItsDelay() throws {
        let fifo = try XCTUnwrap(emulate(Self.yaml(first: "fifo", shared: "fifo")).flows.first)
        let damped = try XCTUnwrap(emulate(Self.glbf).flows.first)
        let plain = try XCTUnwrap(fifo.latency), held = try XCTUnwrap(damped.latency)
        XCTAssertEqual(damped.sent, 190)
        XCTAssertEqual(damped.delivered, 190)
        XCTAssertEqual([held.min, held.max], [7_000_000, 7_000_000])
        XCTAssertEqual(damped.jitter, 0)
        // Without the dampers the cross traffic spreads the delays: the same path, FIFO queues.
        XCTAssertEqual(fifo.delivered, 190)
        XCTAssertGreaterThan(plain.max - plain.min, 1_000_000)
    }

    /// Off the measured path the bound is the same number: a hop's B ends where the next
    /// damper releases, so a flow from x2 (no damper before r2) still ends 1.5 + 1 ms after r2.
    func testAFlowEnteringMidPathGetsTheRemainingHopsBounds() throws {
        let cross = try XCTUnwrap(emulate(Self.glbf).flows.first { $0.name == "cross2" })
        // x2 → r2: 1,500 bytes at 1 Gbps (12 µs) + 1 ms through a FIFO; r2 → dst: B + 1 ms.
        XCTAssertEqual([cross.latency?.min, cross.latency?.max], [1_012_000 + 2_500_000, 1_012_000 + 2_500_000])
    }

    func testTheQueueOptionReadsWritesAndExplainsItsMistakes() throws {
        XCTAssertEqual(try parse(Self.glbf).links[1].queue, QueueSpec(discipline: .glbf, bound: 1_500_000))
        XCTAssertEqual(TopologyWriter.queueText(QueueSpec(discipline: .glbf, bound: 1_500_000)), "{discipline: glbf, limit: 1000, bound: 1500us}")
        XCTAssertEqual(diagnostics(Self.yaml(first: "fifo", shared: "{discipline: lbf, bound: 1ms}")).first?.contains(
            "a latency bound is what a glbf queue's damper restores packets to, and this queue is lbf"), true)
        XCTAssertEqual(diagnostics(Self.yaml(first: "glbf", shared: "fifo")).first?.contains("a glbf queue needs its latency bound"), true)
        XCTAssertEqual(diagnostics(Self.yaml(first: "{discipline: glbf}", shared: "fifo")).first?.contains(
            "write `{discipline: glbf, bound: 1500us}`"), true)
    }
}

extension DamperTests {
    /// The reproduction of gLBF's validation that docs/claims.md reports: every packet arrives
    /// under both queues, the published per-hop latency (the same for all three flows) is set
    /// beside ours, and the verdict follows the numbers.
    func testTheValidationScenarioRunsAndTheTableSaysWhatItMeasured() throws {
        let reproduction = try DamperReproduction()
        for flow in DamperReproduction.flows {
            let plain = try XCTUnwrap(reproduction.lbf.flows.first { $0.name == flow.name })
            let held = try XCTUnwrap(reproduction.glbf.flows.first { $0.name == flow.name })
            XCTAssertEqual(plain.delivered, plain.sent, flow.name)
            XCTAssertEqual(held.delivered, held.sent, flow.name)
            XCTAssertEqual([held.latency?.min, held.latency?.max], [DamperReproduction.published, DamperReproduction.published], flow.name)
            XCTAssertGreaterThan(try XCTUnwrap(plain.latency.map { $0.max - $0.min }), 0, flow.name)
        }
        XCTAssertEqual(reproduction.rows.map { Array($0.prefix(4)) },
                       [["f900", "900", "2693334", "0"], ["f1000", "1000", "2693334", "0"], ["f1100", "1100", "2693334", "0"]])
        XCTAssertEqual(reproduction.rows.map(\.last), ["0", "0", "0"])
        XCTAssertTrue(reproduction.markdown.contains("- Reproduced:"), "the spread is 0, and the text says so")
    }
}
