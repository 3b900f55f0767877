import NewIPDataPlane
@testable import NewIPEmulator
import NewIPTopology
import XCTest

/// Generated topologies have the expected shape, survive YAML and back, and deliver traffic.
final class GeneratorTests: XCTestCase {
    private var options: TopologyGenerator.Options {
        var options = TopologyGenerator.Options()
        options.duration = 20_000_000
        return options
    }

    /// Written as YAML and parsed back, as `nip topology generate` and `nip emulate` would.
    private func roundTrip(_ topology: Topology) throws -> Topology {
        try parse(TopologyWriter.yaml(topology))
    }

    private func counts(_ topology: Topology) -> (routers: Int, hosts: Int, links: Int) {
        (topology.nodes.filter { $0.kind == .router }.count, topology.nodes.filter { $0.kind == .host }.count, topology.links.count)
    }

    func testChain() throws {
        let topology = try roundTrip(TopologyGenerator.chain(routers: 3, options: options))
        XCTAssertTrue(counts(topology) == (3, 2, 4))
        let results = try Emulation(topology: topology).run()
        // 4 hops of 8 µs + 1 ms each.
        XCTAssertEqual(results.flows[0].latency?.max, 4 * 1_008_000)
    }

    func testStar() throws {
        let topology = try roundTrip(TopologyGenerator.star(hosts: 5, options: options))
        XCTAssertTrue(counts(topology) == (1, 5, 5))
        XCTAssertEqual(topology.flows.count, 5)
        let results = try Emulation(topology: topology).run()
        XCTAssertTrue(results.flows.allSatisfy { $0.delivered > 0 && $0.latency?.max == 2_016_000 })
    }

    func testFatTreeFour() throws {
        var generated = try TopologyGenerator.fatTree(k: 4, options: options)
        // Stop sending halfway, so every packet arrives before the end.
        for index in generated.flows.indices { generated.flows[index].stop = 10_000_000 }
        let topology = try roundTrip(generated)
        XCTAssertTrue(counts(topology) == (20, 16, 48))
        let results = try Emulation(topology: topology).run()
        // Across pods: host, edge, aggregation, core, aggregation, edge, host = 6 hops. Ties
        // go to the lowest node index (no ECMP), so all flows share core c0 and the later
        // ones queue behind the first.
        XCTAssertEqual(results.flows[0].latency?.min, 6 * 1_008_000)
        XCTAssertTrue(results.flows.allSatisfy { $0.delivered == $0.sent && $0.latency!.min >= 6 * 1_008_000 })
        XCTAssertEqual(results.nodes.first { $0.name == "c0" }?.forwarded, results.flows.reduce(0) { $0 + $1.sent })
        XCTAssertTrue(results.nodes.filter { $0.kind == .host }.allSatisfy { $0.forwarded == 0 })
    }

    func testScaleFree() throws {
        let generated = try TopologyGenerator.scaleFree(routers: 50, attachments: 2, hosts: 4, options: options)
        let topology = try roundTrip(generated)
        // A triangle, then 47 routers with 2 links each, then one link per host.
        XCTAssertTrue(counts(topology) == (50, 4, 3 + 47 * 2 + 4))
        let degrees = topology.nodes.filter { $0.kind == .router }.map(\.interfaces.count)
        XCTAssertGreaterThan(degrees.max()!, 8, "preferential attachment makes hubs")
        let again = try TopologyGenerator.scaleFree(routers: 50, attachments: 2, hosts: 4, options: options)
        XCTAssertEqual(TopologyWriter.yaml(again), TopologyWriter.yaml(generated))
        let results = try Emulation(topology: topology).run()
        XCTAssertTrue(results.flows.allSatisfy { $0.delivered > 0 })
    }

    /// ns-3's grid: row-major links to the right and lower neighbour, so a router's
    /// interfaces face up, left, right, down in that order (those it has).
    func testGridShapeAndInterfaceOrder() throws {
        let topology = try roundTrip(TopologyGenerator.grid(side: 3, flows: 5))
        XCTAssertTrue(counts(topology) == (9, 0, 12))
        XCTAssertEqual(topology.flows.count, 5)
        XCTAssertEqual(topology.nodes.map(\.interfaces.count), [2, 3, 2, 3, 4, 3, 2, 3, 2])
        func neighbour(_ node: String, _ interface: Int) -> String {
            let index = topology.nodeIndex(named: node)!
            let link = topology.links.first { [$0.endpoints.0, $0.endpoints.1].contains(Topology.InterfaceID(node: index, interface: interface)) }!
            let far = link.endpoints.0.node == index ? link.endpoints.1 : link.endpoints.0
            return topology.nodes[far.node].name
        }
        XCTAssertEqual((0..<4).map { neighbour("r1-1", $0) }, ["r0-1", "r1-0", "r1-2", "r2-1"])
        XCTAssertEqual((0..<2).map { neighbour("r0-0", $0) }, ["r0-1", "r1-0"])
        XCTAssertEqual(topology.links[0].rate, BitRate(bitsPerSecond: 100_000_000))
        XCTAssertEqual(topology.links[0].delay, 1_000_000)
        for flow in topology.flows {
            XCTAssertNotEqual(flow.source.node, flow.destination.node)
            XCTAssertEqual([flow.source.interface, flow.destination.interface], [0, 0])
            XCTAssertEqual(flow.start, 100_000_000)
            XCTAssertEqual(flow.size, .fixed(542))
            XCTAssertEqual(flow.pattern, .constant(.packetsPerSecond(244.140625)))
        }
        let counted = TopologyGenerator.counts(.grid, size: 3, hosts: 0, attachments: 0, flowsPerHost: 0, flows: 5)
        XCTAssertTrue(counted == (9, 12, 5))
        XCTAssertThrowsError(try TopologyGenerator.grid(side: 1, flows: 1))
    }

    func testGridIsDeterministicPerSeed() throws {
        var options = TopologyGenerator.Options.grid
        let first = try TopologyGenerator.grid(side: 8, flows: 40, options: options)
        XCTAssertEqual(TopologyWriter.yaml(try TopologyGenerator.grid(side: 8, flows: 40, options: options)), TopologyWriter.yaml(first))
        options.seed = 2
        let other = try TopologyGenerator.grid(side: 8, flows: 40, options: options)
        XCTAssertNotEqual(other.flows.map { [$0.source.node, $0.destination.node] }, first.flows.map { [$0.source.node, $0.destination.node] })
    }

    /// Unloaded, a packet takes one 542-byte serialisation at 100 Mbps (43.36 µs) plus 1 ms
    /// per hop, and shortest paths in a grid have Manhattan length.
    func testGridLatencyIsManhattanHops() throws {
        var options = TopologyGenerator.Options.grid
        options.duration = 120_000_000
        let topology = try roundTrip(TopologyGenerator.grid(side: 4, flows: 3, options: options))
        let results = try Emulation(topology: topology).run()
        for (flow, result) in zip(topology.flows, results.flows) {
            let (a, b) = (flow.source.node, flow.destination.node)
            let hops = abs(a / 4 - b / 4) + abs(a % 4 - b % 4)
            XCTAssertGreaterThan(result.delivered, 0)
            XCTAssertEqual(result.latency?.min, Nanoseconds(hops) * 1_043_360, "\(flow.name): \(a) → \(b)")
        }
    }

    func testBadParameters() {
        XCTAssertThrowsError(try TopologyGenerator.fatTree(k: 3))
        XCTAssertThrowsError(try TopologyGenerator.chain(routers: 0))
        XCTAssertThrowsError(try TopologyGenerator.scaleFree(routers: 2, attachments: 2))
    }

    func testWriterRoundTripsEveryField() throws {
        let yaml = """
        name: all
        seed: 99
        duration: 1500us
        dialect: framework
        routing: static
        nodes:
          a:
            kind: host
            interfaces:
              eth0: {address: "10.0.0.1", capture: true}
            routes:
              default: eth0
          b:
            kind: router
            interfaces:
              eth0: "2001:db8::1"
              eth1: "7"
            routes:
              "10.0.0.0/8": eth0
              "0xDE/8": eth1
              "9": eth1
          c:
            kind: host
            interfaces:
              eth0: "0xDE01"
        links:
          - {endpoints: [a:eth0, b:eth0], rate: 2.5Gbps, delay: 10us, loss: 0.25, mtu: 9000, queue: {discipline: lbf, limit: 10, bytes: 4kB, trim: true}, faults: {drop: 0.5, corrupt: 0.125}}
          - {endpoints: [b:eth1, c:eth0], rate: 64kbps, delay: 0}
        flows:
          - {name: x, from: a, to: c, pattern: onoff, rate: 1.5Mbps, on: 1ms, off: 250us, size: "100..200", start: 1us, stop: 1ms, contract: {type: lbf, min: 1ms, max: 5ms}}
          - {name: y, from: c, to: "a:eth0", pattern: poisson, rate: 250pps, chunks: [{significance: 0, bytes: 10}, {significance: 3, bytes: 20}], contract: {type: mdf, max: 2ms}}
        """
        let first = try parse(yaml)
        let written = TopologyWriter.yaml(first)
        let second = try parse(written)
        XCTAssertEqual(TopologyWriter.yaml(second), written)
        XCTAssertEqual(second.links[0].queue.limits, QueueLimits(packets: 10, bytes: 4000))
        XCTAssertEqual(second.flows[0].pattern, .onOff(.bitsPerSecond(1_500_000), on: 1_000_000, off: 250_000))
        XCTAssertEqual(second.flows[1].size, .fixed(first.flows[1].size.smallest))
        XCTAssertEqual(second.nodes[1].routes.count, 3)
        XCTAssertEqual(second.nodes[0].routes.count, 3, "default is one prefix per family")
    }

    /// The size estimate `nip topology generate` refuses by needs the exact counts (the
    /// scale-free link count is m per router: within m(m+1)/2 of the real one).
    func testCountsWithoutBuildingMatchTheGenerators() throws {
        let cases: [(TopologyGenerator.Shape, Topology)] = [
            (.chain, try TopologyGenerator.chain(routers: 5)), (.star, try TopologyGenerator.star(hosts: 7)),
            (.fatTree, try TopologyGenerator.fatTree(k: 6)),
        ]
        for (shape, topology) in cases {
            let size = Double(shape == .chain ? 5 : shape == .star ? 7 : 6)
            let counts = TopologyGenerator.counts(shape, size: size, hosts: 2, attachments: 2, flowsPerHost: 1)
            XCTAssertEqual(counts.nodes, Double(topology.nodes.count), "\(shape)")
            XCTAssertEqual(counts.links, Double(topology.links.count), "\(shape)")
            XCTAssertEqual(counts.flows, Double(topology.flows.count), "\(shape)")
        }
        let scaleFree = try TopologyGenerator.scaleFree(routers: 50, attachments: 3, hosts: 10)
        let counts = TopologyGenerator.counts(.scaleFree, size: 50, hosts: 10, attachments: 3, flowsPerHost: 1)
        XCTAssertEqual(counts.nodes, Double(scaleFree.nodes.count))
        XCTAssertEqual(counts.links, Double(scaleFree.links.count + 3 * 4 / 2))
        XCTAssertTrue(TopologyGenerator.estimate(nodes: counts.nodes, links: counts.links, flows: counts.flows).excess == nil)
    }

    func testTheEstimateOfAWrittenTopologyIsCloseToItsSize() throws {
        let topology = try TopologyGenerator.fatTree(k: 8)
        let bytes = Double(TopologyWriter.yaml(topology).utf8.count)
        let estimate = TopologyGenerator.estimate(nodes: Double(topology.nodes.count), links: Double(topology.links.count),
                                                  flows: Double(topology.flows.count))
        XCTAssertGreaterThan(estimate.outputBytes, bytes * 0.7)
        XCTAssertLessThan(estimate.outputBytes, bytes * 1.5)
    }
}
