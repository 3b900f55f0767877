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
        // Three nodes make at most three partitions; manynets-static has four.
        let expected = ["lbf-dumbbell.yaml": [1, 2, 3, 4], "chain.yaml": [1, 2, 3, 3], "manynets-static.yaml": [1, 2, 3, 4],
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
        // Weights (1 + links + flows) 4, 4, 3, 4, 3, 4; seeds h2 (farthest from h1) and h1, grown
        // to h1 r1 r4 | r2 r3 h2 (11 each), cutting r1–r2, whose delay falls to 1 ms, and r4–r3.
        let split = Partitioning(topology, parts: 2)
        XCTAssertEqual(split.owner, [0, 0, 1, 1, 0, 1])
        XCTAssertEqual(split.cutLinks, [1, 4])
        XCTAssertEqual(results.lookahead, Self.ms)
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

    /// r0 — r1 ═ r2 — r3 with r1–r2 of delay 0: r1 and r2 are one unit of weight 6 (r0 and r3
    /// weigh 2). In two, the seeds are r3 (farthest from r0) and r0 (farthest from r3); r3's part
    /// takes the unit first: r0 | r1 r2 r3, cutting r0–r1, whose schedule's smallest delay (1 ms)
    /// is the lookahead. Asked for four, there are three units; the regions r0 | r1 r2 | r3 cut
    /// two links, the consecutive runs r0 r1 r2 | r3 one: they win.
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
          - {endpoints: [r0:eth0, r1:eth0], rate: 1Gbps, delay: {0s: 3ms, 5ms: 1ms}}
          - {endpoints: [r1:eth1, r2:eth0], rate: 1Gbps, delay: 0ms}
          - {endpoints: [r2:eth1, r3:eth0], rate: 1Gbps, delay: 2ms}
        """)
        let split = Partitioning(topology, parts: 2)
        XCTAssertEqual(split.owner, [0, 1, 1, 1])
        XCTAssertEqual(split.cutLinks, [0])
        XCTAssertEqual(split.lookahead, Self.ms)
        let four = Partitioning(topology, parts: 4)
        XCTAssertEqual(four.owner, [0, 0, 0, 1])
        XCTAssertEqual(four.count, 2)
        XCTAssertEqual(four.cutLinks, [2])
        XCTAssertEqual(four.lookahead, 2 * Self.ms)
        XCTAssertEqual(Partitioning(topology, parts: 1).owner, [0, 0, 0, 0])
        XCTAssertNil(Partitioning(topology, parts: 1).lookahead)
    }

    /// Routers named in `order`, joined by `links` (1 ms each), interfaces numbered as the links
    /// come; no flows, so a router weighs 1 + its links.
    private func routers(_ order: [String], links: [(String, String)]) throws -> Topology {
        var interfaces: [String: [String]] = [:]
        var linkLines: [String] = []
        var address = 0
        for (a, b) in links {
            var ends: [String] = []
            for node in [a, b] {
                address += 1
                let name = "eth\(interfaces[node, default: []].count)"
                interfaces[node, default: []].append("\(name): \"\(String(format: "0x%02X", address))\"")
                ends.append("\(node):\(name)")
            }
            linkLines.append("  - {endpoints: [\(ends[0]), \(ends[1])], rate: 1Gbps, delay: 1ms}")
        }
        let nodeLines = order.map { "  \($0): {kind: router, interfaces: {\(interfaces[$0]!.joined(separator: ", "))}}" }
        return try parse((["name: graph", "seed: 1", "duration: 10ms", "nodes:"] + nodeLines + ["links:"] + linkLines)
            .joined(separator: "\n"))
    }

    /// Per node, its weight: 1 + its links + the flows it sends or receives.
    private func nodeWeights(_ topology: Topology) -> [Int] {
        var weights = topology.nodes.map { 1 + $0.interfaces.count }
        for flow in topology.flows {
            weights[flow.source.node] += 1
            weights[flow.destination.node] += 1
        }
        return weights
    }

    /// Per partition, the weight of its nodes.
    private func weights(_ split: Partitioning, _ topology: Topology) -> [Int] {
        var weights = Array(repeating: 0, count: split.count)
        for (node, weight) in nodeWeights(topology).enumerated() { weights[split.owner[node]] += weight }
        return weights
    }

    /// Two 4-node cliques a and b joined by a3–b0, numbered alternately (a0 b0 a1 b1 …), so
    /// runs of consecutive nodes would cut the cliques. Weights 4, and 5 for a3 and b0: 17 a side.
    func testTwoCliquesJoinedByOneLinkAreCutAtThatLink() throws {
        let clique = { (c: String) in [(0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3)].map { ("\(c)\($0)", "\(c)\($1)") } }
        let order = (0..<4).flatMap { ["a\($0)", "b\($0)"] }
        let topology = try routers(order, links: clique("a") + clique("b") + [("a3", "b0")])
        let split = Partitioning(topology, parts: 2)
        XCTAssertEqual(split.owner, [0, 1, 0, 1, 0, 1, 0, 1])
        XCTAssertEqual(split.cutLinks, [12])
        XCTAssertEqual(weights(split, topology), [17, 17])
    }

    /// A ring of 8 routers (weight 3 each) numbered 0 2 4 6 1 3 5 7 around it: consecutive runs
    /// 0–3 | 4–7 would cut four links. Seeds 1 and 0 (opposite), grown alternately: arcs
    /// 6 1 3 5 | 4 0 2 7 ... cut at 2 links, 12 each.
    func testARingOfEightInTwoHasTwoCutLinksAndEqualWeights() throws {
        let around = [0, 2, 4, 6, 1, 3, 5, 7]
        let links = around.indices.map { ("r\(around[$0])", "r\(around[($0 + 1) % 8])") }
        let topology = try routers((0..<8).map { "r\($0)" }, links: links)
        let split = Partitioning(topology, parts: 2)
        XCTAssertEqual(split.owner, [0, 1, 0, 1, 0, 1, 1, 0])
        XCTAssertEqual(split.cutLinks.count, 2)
        XCTAssertEqual(weights(split, topology), [12, 12])
    }

    /// A generated scale-free network of 200 routers and 20 hosts with flows: on 2, 3 and 4
    /// partitions no partition weighs more than 3 % over the mean, and fewer links are cut than
    /// by runs of consecutive nodes.
    func testAScaleFreeSplitStaysWithinTheToleranceAndCutsFewerLinksThanConsecutiveRuns() throws {
        let topology = try TopologyGenerator.scaleFree(routers: 200, hosts: 20, options: TopologyGenerator.Options())
        let weight = nodeWeights(topology)
        let total = weight.reduce(0, +)
        // No zero-delay links: a unit per node.
        let graph = PartitionGraph(weight: weight, links: topology.links.map { ($0.endpoints.0.node, $0.endpoints.1.node) })
        for parts in 2...4 {
            let split = Partitioning(topology, parts: parts)
            XCTAssertEqual(split.count, parts)
            let limit = (total * 103 + 100 * parts - 1) / (100 * parts)
            XCTAssertLessThanOrEqual(weights(split, topology).max()!, limit, "\(parts) parts")
            XCTAssertLessThan(split.cutLinks.count, graph.cut(graph.consecutive(parts: parts)), "\(parts) parts")
        }
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
