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
