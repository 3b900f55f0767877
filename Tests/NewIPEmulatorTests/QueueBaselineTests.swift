import Foundation
@testable import NewIPEmulator
import NewIPDataPlane
import NewIPTopology
import XCTest

/// LBF against FIFO and strict priority, with hand-computed outcomes, and the two judgements.
final class QueueBaselineTests: XCTestCase {
    /// h1 → h2 over one 1 Mbps link with 1 ms delay (1000 B take 8 ms, 125 B 1 ms), the queue
    /// `queue` at h1. Bulk: four 1000-byte packets at 0, 0.5, 1 and 1.5 ms. Urgent: one
    /// 125-byte packet at 1.75 ms with an LBF contract `window`. h1's route to h2 knows 1 ms
    /// and 1 queue, so LBF gives it lmin = min − 1 ms and lmax = max − 1 ms.
    func run(queue: String, window: String = "min: 12ms, max: 20ms") throws -> (bulk: FlowResult, urgent: FlowResult) {
        let results = try emulate(Self.yaml(queue: queue, window: window))
        return (results.flows[0], results.flows[1])
    }

    static func yaml(queue: String, window: String = "min: 12ms, max: 20ms") -> String {
        """
        duration: 40ms
        nodes:
          h1: {kind: host, interfaces: {eth0: "0x01"}}
          h2: {kind: host, interfaces: {eth0: "0x02"}}
        links:
          - {endpoints: [h1:eth0, h2:eth0], rate: 1Mbps, delay: 1ms, queue: \(queue)}
        flows:
          - {name: bulk, from: h1, to: h2, rate: 2000pps, size: 1000, stop: 2ms}
          - {name: urgent, from: h1, to: h2, rate: 1pps, size: 125, start: 1750us, stop: 2ms, contract: {type: lbf, \(window)}}
        """
    }

    func testFIFODeliversTheUrgentPacketLate() throws {
        // Link: b0 0–8, b1 8–16, b2 16–24, b3 24–32, urgent 32–33 ms; it arrives at 34 ms.
        let (bulk, urgent) = try run(queue: "fifo")
        XCTAssertEqual(urgent.latency?.min, 32_250_000)
        XCTAssertEqual([urgent.early, urgent.onTime, urgent.late, urgent.byDeadline], [0, 0, 1, 0])
        XCTAssertEqual(bulk.latency?.min, 9_000_000)
        XCTAssertEqual(bulk.latency?.max, 31_500_000)
    }

    func testStrictPriorityDeliversItEarlyButByTheDeadline() throws {
        // b0 0–8, urgent 8–9 (arrives 10 ms: 8.25 ms after it was sent, before the 12 ms
        // window opens), b1 9–17, b2 17–25, b3 25–33.
        let (bulk, urgent) = try run(queue: "priority")
        XCTAssertEqual(urgent.latency?.min, 8_250_000)
        XCTAssertEqual([urgent.early, urgent.onTime, urgent.late, urgent.byDeadline], [1, 0, 0, 1])
        XCTAssertEqual(bulk.latency?.max, 32_500_000, "b3 waits for the urgent packet: 34 − 1.5 ms")
        XCTAssertEqual(bulk.drops.count, 0)
    }

    func testLBFHoldsItIntoTheWindow() throws {
        // lmin 11 ms: eligible at 12.75 ms, so at 8 ms b1 goes (8–16); at 16 ms the urgent
        // packet's deadline (20.75 ms) beats the bulk's (none): 16–17, arriving at 18 ms,
        // 16.25 ms after it was sent. b2 17–25, b3 25–33.
        let (bulk, urgent) = try run(queue: "lbf")
        XCTAssertEqual(urgent.latency?.min, 16_250_000)
        XCTAssertEqual([urgent.early, urgent.onTime, urgent.late, urgent.byDeadline], [0, 1, 0, 1])
        XCTAssertEqual(bulk.latency?.max, 32_500_000)
    }

    func testEarlyDropAblation() throws {
        // Window [0, 5 ms]: deadline at h1 1.75 + 4 = 5.75 ms, but the link is busy until 8 ms.
        let dropping = try run(queue: "lbf", window: "min: 0ms, max: 5ms")
        XCTAssertEqual(dropping.urgent.delivered, 0)
        XCTAssertEqual(dropping.urgent.drops.map(\.reason), ["late"])
        XCTAssertEqual(dropping.bulk.latency?.max, 31_500_000, "the bulk leaves as under FIFO: the urgent packet took no link time")
        // Without early drop its passed deadline is the earliest: 8–9 ms, arriving at 10 ms.
        let keeping = try run(queue: "{discipline: lbf, early-drop: false}", window: "min: 0ms, max: 5ms")
        XCTAssertEqual(keeping.urgent.latency?.min, 8_250_000)
        XCTAssertEqual([keeping.urgent.late, keeping.urgent.byDeadline], [1, 0])
        XCTAssertTrue(keeping.urgent.drops.isEmpty)
        XCTAssertEqual(keeping.bulk.latency?.max, 32_500_000, "the late packet delays the bulk behind it")
    }

    func testQueueSpecsParseAndWriteBack() throws {
        let topology = try parse("""
        duration: 10ms
        nodes:
          a: {kind: host, interfaces: {eth0: "0x01", eth1: "0x03"}}
          b: {kind: host, interfaces: {eth0: "0x02", eth1: "0x04"}}
        links:
          - {endpoints: [a:eth0, b:eth0], rate: 1Mbps, delay: 1ms, queue: priority}
          - {endpoints: [a:eth1, b:eth1], rate: 1Mbps, delay: 1ms, queue: {discipline: lbf, limit: 5, early-drop: false}}
        """)
        XCTAssertEqual(topology.links[0].queue, QueueSpec(discipline: .priority))
        XCTAssertEqual(topology.links[1].queue, QueueSpec(discipline: .lbf, limits: QueueLimits(packets: 5), earlyDrop: false))
        XCTAssertEqual(TopologyWriter.queueText(topology.links[1].queue), "{discipline: lbf, limit: 5, early-drop: false}")
        XCTAssertEqual(TopologyWriter.queueText(topology.links[0].queue), "{discipline: priority, limit: 1000}")
        XCTAssertEqual(try parse(TopologyWriter.yaml(topology)).links.map(\.queue), topology.links.map(\.queue))
    }

    func testBothJudgementsOfAHandBuiltFlow() throws {
        var statistics = FlowStatistics(window: DelayWindow(min: 10_000_000, max: 25_000_000))
        for milliseconds: Int64 in [5, 10, 20, 25, 30] {
            statistics.sent(bytes: 100)
            statistics.delivered(latency: milliseconds * 1_000_000, bytes: 100, trimmed: false)
        }
        statistics.sent(bytes: 100)
        XCTAssertEqual([statistics.early, statistics.onTime, statistics.late, statistics.byDeadline], [1, 3, 1, 4])
        var none = FlowStatistics(window: nil)
        none.delivered(latency: 1, bytes: 1, trimmed: false)
        XCTAssertEqual(none.byDeadline, 0, "no window, no judgement")

        // Both land in the files.
        let results = try emulate(chain(flows: """
          - {name: p, from: h1, to: h2, rate: 1pps, size: 1000, stop: 1ms, window: {min: 3ms, max: 20ms}}
        """, duration: "20ms"))
        XCTAssertEqual([results.flows[0].early, results.flows[0].onTime, results.flows[0].byDeadline], [1, 0, 1])
        let csv = try XCTUnwrap(results.files.first { $0.name == "flows.csv" }.map { String(decoding: $0.contents, as: UTF8.self) })
        let lines = csv.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        let column = try XCTUnwrap(lines[0].firstIndex(of: "by_deadline"))
        XCTAssertEqual(lines[0][column - 3 ..< column + 1], ["early", "on_time", "late", "by_deadline"])
        XCTAssertEqual(lines[1][column - 3 ..< column + 1], ["1", "0", "0", "1"])
        let json = try XCTUnwrap(results.files.first { $0.name == "results.json" }.map { String(decoding: $0.contents, as: UTF8.self) })
        XCTAssertTrue(json.contains("\"by_deadline\": 1"), json)
    }

    /// The demo's surgery traffic under the four variants: orderings, not timings.
    func testTheDemoBaselinesOrderAsTheStorySays() throws {
        let topology = try TopologyParser.parse(yaml: BuiltInNetwork.demo, file: "demo.yaml")
        let baselines = try QueueBaselines(topology: topology)
        XCTAssertEqual(baselines.contracted, "surgery-lbf")
        XCTAssertEqual(baselines.bestEffortTwin, "surgery-best-effort")
        XCTAssertEqual(baselines.flowNames, ["surgery-lbf", "surgery-best-effort", "backup"], "the flows the changed queues carry")
        func surgery(_ variant: QueueBaselines.Variant) throws -> FlowResult {
            try XCTUnwrap(baselines.flow("surgery-lbf", variant))
        }
        let fifo = try surgery(.fifo), priority = try surgery(.priority), lbf = try surgery(.lbf)
        XCTAssertEqual(Set([fifo.sent, priority.sent, lbf.sent]).count, 1, "the same traffic in every variant")
        XCTAssertLessThanOrEqual(try XCTUnwrap(priority.latency?.p99), try XCTUnwrap(fifo.latency?.p99))
        XCTAssertGreaterThan(priority.byDeadline, fifo.byDeadline)
        XCTAssertGreaterThan(lbf.byDeadline, fifo.byDeadline)
        XCTAssertGreaterThan(lbf.onTime, priority.onTime, "LBF's hold puts packets in the window; priority delivers them early")
        XCTAssertEqual(priority.late, 0)
        XCTAssertEqual(lbf.late, 0)
        for run in baselines.runs {
            for flow in run.results.flows where flow.window != nil {
                XCTAssertEqual(flow.byDeadline, flow.early + flow.onTime, "\(run.variant) \(flow.name)")
            }
        }
        // Each variant's queues are what it says, on the links the file writes as LBF only.
        let written = topology.links.map(\.queue.discipline)
        XCTAssertEqual(baselines.run(.priority).topology.links.map(\.queue.discipline),
                       written.map { $0 == .lbf ? .priority : $0 })
        XCTAssertTrue(baselines.run(.lbfWithoutEarlyDrop).topology.links.filter { $0.queue.discipline == .lbf }
            .allSatisfy { !$0.queue.earlyDrop })
        XCTAssertEqual(baselines.findings.count, 5)
        XCTAssertTrue(baselines.markdown(source: "x").contains("| LBF | surgery-lbf | \(lbf.sent) | \(lbf.delivered) |"))
    }
}

extension QueueBaselineTests {
    /// The comparison's pictures: the urgent flow's CDF under every variant on one chart (its
    /// window shaded), throughput per shown flow, the bottleneck's queue depth, the topology.
    func testBaselinePlotsCompareEveryVariantOnOneChart() throws {
        let baselines = try QueueBaselines(topology: parse(Self.yaml(queue: "lbf")))
        XCTAssertEqual(baselines.plots.map(\.name), ["cdf-urgent.svg", "throughput-bulk.svg", "throughput-urgent.svg", "queue-depth-bottleneck.svg",
                                                    "topology.svg"])
        let cdf = try XCTUnwrap(baselines.plots.first?.svg)
        for variant in QueueBaselines.Variant.allCases {
            XCTAssertTrue(cdf.contains("<tspan>\(variant.rawValue)</tspan>"), "legend names \(variant.rawValue)")
            XCTAssertTrue(cdf.contains("data-series=\"\(variant.rawValue)\""), "a curve for \(variant.rawValue)")
        }
        // x axis 5–35 ms over 460 px: strict priority's packet arrives at 8.25 ms, the window is 12–20 ms.
        XCTAssertTrue(cdf.contains("data-series=\"strict priority\" fill=\"none\" stroke=\"#d55e00\" stroke-width=\"2\" stroke-dasharray=\"6 3\" "
                                   + "points=\"119.83,390.00 119.83,390.00 119.83,40.00 530.00,40.00\""), cdf)
        XCTAssertTrue(cdf.contains("<rect x=\"177.33\" y=\"40.00\" width=\"122.67\" height=\"350.00\" fill=\"#2ca02c\""), cdf)
        XCTAssertEqual(cdf, try QueueBaselines(topology: parse(Self.yaml(queue: "lbf"))).plots.first?.svg, "same run, same bytes")
    }
}

extension QueueBaselineTests {
    /// flows.csv: `drops` is the total, then one column per reason any flow saw, by name.
    /// Queue limit 2 with b0 on the wire: b1 and b2 wait, b3 finds the queue full. The urgent
    /// packet comes at 8.5 ms, when b1 is on the wire (8–16 ms) and only b2 waits; its deadline
    /// at h1, 8.5 + 5 − 1 ms, is out of reach, so it is dropped late.
    func testFlowsCSVHasAColumnPerDropReason() throws {
        let results = try emulate(Self.yaml(queue: "{discipline: lbf, limit: 2}", window: "min: 0ms, max: 5ms")
            .replacingOccurrences(of: "start: 1750us, stop: 2ms", with: "start: 8500us, stop: 9ms"))
        let csv = try XCTUnwrap(results.files.first { $0.name == "flows.csv" }.map { String(decoding: $0.contents, as: UTF8.self) })
        let lines = csv.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        let drops = try XCTUnwrap(lines[0].firstIndex(of: "drops"))
        XCTAssertEqual(Array(lines[0][drops..<drops + 4]), ["drops", "drops_late", "drops_queue-full", "latency_min_ns"])
        XCTAssertEqual(lines[1][0], "bulk")
        XCTAssertEqual(Array(lines[1][drops..<drops + 3]), ["1", "0", "1"])
        XCTAssertEqual(lines[2][0], "urgent")
        XCTAssertEqual(Array(lines[2][drops..<drops + 3]), ["1", "1", "0"])
        XCTAssertEqual(lines[2][try XCTUnwrap(lines[0].firstIndex(of: "late"))], "0", "dropped late is not delivered late")
        XCTAssertEqual(results.flows.map { $0.drops.map(\.reason) }, [["queue-full"], ["late"]])
    }
}
