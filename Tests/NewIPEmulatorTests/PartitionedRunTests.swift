import Foundation
import NewIPDataPlane
@testable import NewIPEmulator
import NewIPTopology
import XCTest

/// One run split among partitions (`Emulation.run(threads:)`) writes the same files whatever
/// the number of threads; the tie-break that makes it so, the partitioner and the merge.
final class PartitionedRunTests: XCTestCase {
    static let ms: Nanoseconds = 1_000_000

    /// Every file of the run (results.json, the CSVs, the plots, queue depth) and every capture,
    /// for 1 to 4 threads, equal to the single thread's; the partitions the runs had.
    private func assertSameFilesForEveryThreadCount(_ topology: Topology, file: StaticString = #filePath, line: UInt = #line) throws
        -> [Int] {
        var emulation = try Emulation(topology: topology)
        emulation.recordsQueueDepth = true
        var reference: [(name: String, contents: [UInt8])] = []
        var partitions: [Int] = []
        for threads in 1...4 {
            let results = emulation.run(threads: threads)
            let files = results.files + results.captures.map { ($0.name, $0.bytes) }
            if threads == 1 {
                reference = files
                XCTAssertTrue(files.contains { $0.name == "queue-depth.csv" }, file: file, line: line)
            } else {
                XCTAssertEqual(files.map(\.name), reference.map(\.name), "\(threads) threads", file: file, line: line)
                for (got, expected) in zip(files, reference) where got.contents != expected.contents {
                    XCTFail("\(threads) threads: \(got.name) differs", file: file, line: line)
                }
            }
            partitions.append(results.partitions)
        }
        return partitions
    }

    func testAGridWritesTheSameFilesOnOneToFourThreads() throws {
        var options = TopologyGenerator.Options.grid
        options.duration = 300 * Self.ms
        var topology = try TopologyGenerator.grid(side: 6, flows: 30, options: options)
        topology.nodes[0].interfaces[0].capture = true
        topology.nodes[35].interfaces[1].capture = true
        XCTAssertEqual(try assertSameFilesForEveryThreadCount(topology), [1, 2, 3, 4])
    }

    func testTheExamplesWriteTheSameFilesOnOneToFourThreads() throws {
        let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Examples")
        // Three nodes make at most three partitions.
        let expected = ["lbf-dumbbell.yaml": [1, 2, 3, 4], "chain.yaml": [1, 2, 3, 3], "manynets-static.yaml": [1, 2, 3, 3],
                        "qualitative-trimming.yaml": [1, 2, 3, 3], "demo.yaml": [1, 2, 3, 4]]
        for (name, partitions) in expected.sorted(by: { $0.key < $1.key }) {
            let topology = try TopologyParser.load(path: examples.appendingPathComponent(name).path)
            XCTAssertEqual(try assertSameFilesForEveryThreadCount(topology), partitions, name)
        }
    }

    /// Dynamic routing's driver shares state across nodes: the run keeps one partition, and says why.
    func testDynamicRoutingRunsInOnePartitionAndWritesTheSameFiles() throws {
        let yaml = chain(flows: "  - {name: f, from: h1, to: h2, rate: 1000pps, size: 500}", duration: "200ms")
        let topology = try parse(yaml.replacingOccurrences(of: "seed: 1\n", with: "seed: 1\nrouting: dynamic\n"))
        XCTAssertEqual(try assertSameFilesForEveryThreadCount(topology), [1, 1, 1, 1])
        let results = try Emulation(topology: topology).run(threads: 4)
        XCTAssertEqual(results.onePartitionBecause, "routing: dynamic")
        XCTAssertNil(results.lookahead)
        XCTAssertGreaterThan(results.flows[0].delivered, 0)
    }

    /// Loss on the wire and on receive, a delay schedule, a down period and a crash.
    func testFaultsAndSchedulesWriteTheSameFilesOnOneToFourThreads() throws {
        let topology = try parse("""
        name: faults
        seed: 3
        duration: 60ms
        nodes:
          h1: {kind: host, interfaces: {eth0: {address: "0x01", capture: true}}}
          r1: {kind: router, interfaces: {eth0: "0x11", eth1: "0x12", eth2: "0x13"}}
          r2: {kind: router, interfaces: {eth0: "0x21", eth1: "0x22"}}
          r3: {kind: router, interfaces: {eth0: "0x31", eth1: "0x32", eth2: "0x33"}, faults: {crash: [30ms, 40ms]}}
          r4: {kind: router, interfaces: {eth0: "0x41", eth1: "0x42"}}
          h2: {kind: host, interfaces: {eth0: {address: "0x02", capture: true}}}
        links:
          - {endpoints: [h1:eth0, r1:eth0], rate: 100Mbps, delay: 1ms}
          - {endpoints: [r1:eth1, r2:eth0], rate: 10Mbps, delay: {0s: 3ms, 20ms: 1ms}, loss: 0.05}
          - {endpoints: [r2:eth1, r3:eth0], rate: 10Mbps, delay: 2ms, faults: {drop: 0.05, down: [10ms, 15ms]}}
          - {endpoints: [r1:eth2, r4:eth0], rate: 10Mbps, delay: 2ms}
          - {endpoints: [r4:eth1, r3:eth1], rate: 10Mbps, delay: 2500us}
          - {endpoints: [r3:eth2, h2:eth0], rate: 100Mbps, delay: 1ms}
        flows:
          - {name: there, from: h1, to: h2, pattern: poisson, rate: 2000pps, size: "100..1400"}
          - {name: back, from: h2, to: h1, rate: 1500pps, size: 800}
        """)
        let partitions = try assertSameFilesForEveryThreadCount(topology)
        XCTAssertEqual(partitions, [1, 2, 3, 4])
        let results = try Emulation(topology: topology).run(threads: 2)
        // Weights (1 + links + flows) 4, 4, 3, 4, 3, 4: h1 r1 r2 | r3 r4 h2, cutting r2–r3 and r1–r4.
        XCTAssertEqual(results.lookahead, 2 * Self.ms)
        XCTAssertEqual(results.cutLinks, 2)
        XCTAssertGreaterThan(results.flows[0].drops.reduce(0) { $0 + $1.count }, 0, "the faults lose packets")
    }

    /// hb (node 0) and ha (node 1) each send one 1,000-byte packet at 0 to sink through r over
    /// 1 Gbps, 1 ms links: both finish serialising at 8 µs and reach r at 1.008 ms, their
    /// arrivals scheduled at the same instant. At that tie the lower node's (hb's) runs first,
    /// though ha's flow comes first in the file (the order a global sequence would keep): hb's
    /// packet leaves r at once and reaches sink at 2.016 ms; ha's waits 8 µs behind it: 2.024 ms.
    func testAtATieTheLowerNodesEventRunsFirst() throws {
        let topology = try parse("""
        name: tie
        seed: 1
        duration: 5ms
        nodes:
          hb: {kind: host, interfaces: {eth0: "0x01"}}
          ha: {kind: host, interfaces: {eth0: "0x02"}}
          r: {kind: router, interfaces: {eth0: "0x11", eth1: "0x12", eth2: "0x13"}}
          sink: {kind: host, interfaces: {eth0: "0x03"}}
        links:
          - {endpoints: [hb:eth0, r:eth0], rate: 1Gbps, delay: 1ms}
          - {endpoints: [ha:eth0, r:eth1], rate: 1Gbps, delay: 1ms}
          - {endpoints: [r:eth2, sink:eth0], rate: 1Gbps, delay: 1ms}
        flows:
          - {name: from-ha, from: ha, to: sink, rate: 1000pps, size: 1000, stop: 1ms}
          - {name: from-hb, from: hb, to: sink, rate: 1000pps, size: 1000, stop: 1ms}
        """)
        for threads in [1, 2] {
            let results = try Emulation(topology: topology).run(threads: threads)
            XCTAssertEqual(results.flows.map(\.delivered), [1, 1])
            XCTAssertEqual(results.flows.map { $0.latency?.max }, [2_024_000, 2_016_000], "\(threads) threads")
        }
    }

    /// r0 — r1 ═ r2 — r3 with r1–r2 of delay 0: two equal halves would cut it, so r2 joins r1;
    /// the cut is r2–r3, and its schedule's smallest delay (1 ms) is the lookahead.
    func testTheSplitNeverCutsAZeroDelayLinkAndTheLookaheadIsTheSmallestCutDelay() throws {
        let topology = try parse("""
        name: line
        seed: 1
        duration: 10ms
        nodes:
          r0: {kind: router, interfaces: {eth0: "0x01"}}
          r1: {kind: router, interfaces: {eth0: "0x02", eth1: "0x03"}}
          r2: {kind: router, interfaces: {eth0: "0x04", eth1: "0x05"}}
          r3: {kind: router, interfaces: {eth0: "0x06"}}
        links:
          - {endpoints: [r0:eth0, r1:eth0], rate: 1Gbps, delay: 2ms}
          - {endpoints: [r1:eth1, r2:eth0], rate: 1Gbps, delay: 0ms}
          - {endpoints: [r2:eth1, r3:eth0], rate: 1Gbps, delay: {0s: 3ms, 5ms: 1ms}}
        """)
        let split = Partitioning(topology, parts: 2)
        XCTAssertEqual(split.owner, [0, 0, 0, 1])
        XCTAssertEqual(split.cutLinks, [2])
        XCTAssertEqual(split.lookahead, Self.ms)
        // Weights 2, 3, 3, 2: four groups r0 r1 | (none) | r2 | r3; r2 joins r1, and the empty groups go.
        let four = Partitioning(topology, parts: 4)
        XCTAssertEqual(four.owner, [0, 0, 0, 1])
        XCTAssertEqual(four.count, 2)
        XCTAssertEqual(four.cutLinks, [2])
        XCTAssertEqual(Partitioning(topology, parts: 1).owner, [0, 0, 0, 0])
        XCTAssertNil(Partitioning(topology, parts: 1).lookahead)
    }

    /// The source's partition saw the sends and a drop, the destination's the deliveries and a drop.
    func testMergingAFlowsStatisticsKeepsTheDeliveriesAndAddsTheRest() {
        let window = DelayWindow(min: 0, max: 10)
        var source = FlowStatistics(window: window)
        source.sent(bytes: 100, header: 10)
        source.sent(bytes: 200, header: 10)
        source.sent(bytes: 300, header: 10)
        source.sent(bytes: 150, header: 10)
        source.sent(bytes: 150, header: 10)
        source.dropped(.nodeDown)
        source.inFlight = 1
        var destination = FlowStatistics(window: window)
        destination.delivered(latency: 4, bytes: 100, header: 10, trimmed: false, at: 4)
        destination.delivered(latency: 12, bytes: 200, header: 10, trimmed: true, at: 20)
        destination.dropped(.linkLoss)
        var merged = source
        merged.merge(destination)
        var other = destination
        other.merge(source)
        for flow in [merged, other] {
            XCTAssertEqual([flow.sent, flow.sentBytes, flow.sentHeaderBytes], [5, 900, 50])
            XCTAssertEqual([flow.delivered, flow.deliveredBytes, flow.deliveredHeaderBytes, flow.trimmed], [2, 300, 20, 1])
            XCTAssertEqual([flow.onTime, flow.late, flow.byDeadline], [1, 1, 1])
            XCTAssertEqual([flow.minLatency, flow.maxLatency], [4, 12])
            XCTAssertEqual(flow.jitter, 8)
            XCTAssertEqual(flow.drops.total, 2)
            XCTAssertEqual(flow.inFlight, 1)
            XCTAssertEqual(flow.unaccounted, 0)
        }
    }
}
