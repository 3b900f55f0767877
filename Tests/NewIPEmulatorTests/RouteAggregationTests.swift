import NewIPDataPlane
@testable import NewIPEmulator
import NewIPTopology
import NewIPWire
import XCTest

/// Generated topologies are addressed hierarchically (a prefix per router holding its
/// interfaces and its hosts), and routing installs one route per router prefix: tables grow
/// with routers, not interfaces, and every packet goes exactly as with a route per address.
final class RouteAggregationTests: XCTestCase {
    private func withoutPrefixes(_ topology: Topology) -> Topology {
        var flat = topology
        for index in flat.nodes.indices { flat.nodes[index].prefix = nil }
        return flat
    }

    func testStarHostsLieInsideTheHubPrefixAndSurviveYAML() throws {
        let generated = try TopologyGenerator.star(hosts: 5)
        let topology = try parse(TopologyWriter.yaml(generated))
        let hub = try XCTUnwrap(topology.nodes[0].prefix)
        // 10 slots (5 hub interfaces, 5 hosts) need 4 bits: one-byte values 16…31.
        XCTAssertEqual(hub, CompactAddressPrefix(bits: 0x10 << 56, length: 4))
        XCTAssertEqual(topology.nodes.map(\.prefix), generated.nodes.map(\.prefix))
        let addresses = topology.nodes.flatMap(\.interfaces).map(\.address)
        XCTAssertEqual(addresses, (16..<26).map { .compact(CompactAddress(value: $0)!) })
        XCTAssertTrue(topology.nodes.dropFirst().allSatisfy { $0.prefix == nil })
    }

    /// A 6 × 6 grid: each router holds its own interfaces and one route per other router,
    /// where a route per address needed one per interface of every other router.
    func testGridRoutesScaleWithRouters() throws {
        let topology = try TopologyGenerator.grid(side: 6, flows: 0)
        let interfaces = topology.nodes.reduce(0) { $0 + $1.interfaces.count }
        XCTAssertEqual(interfaces, 2 * 2 * 6 * 5)
        let aggregated = RoutingTables.tables(for: topology)
        let flat = RoutingTables.tables(for: withoutPrefixes(topology))
        for (index, node) in topology.nodes.enumerated() {
            XCTAssertEqual(aggregated[index].count, node.interfaces.count + 35, node.name)
            XCTAssertEqual(flat[index].count, interfaces, node.name)
        }
        // Every address resolves to the same route either way.
        for source in topology.nodes.indices {
            for address in topology.nodes.flatMap(\.interfaces).map(\.address) {
                XCTAssertEqual(aggregated[source].lookup(address), flat[source].lookup(address))
            }
        }
    }

    /// Same files with and without prefixes: on a loaded grid (queues, LBF-free FIFO) and on a
    /// scale-free graph whose hosts sit inside their routers' prefixes.
    func testAggregatedRoutesDeliverExactlyAsRoutesPerAddress() throws {
        var options = TopologyGenerator.Options.grid
        options.duration = 150_000_000
        options.flowRate = .packetsPerSecond(20_000)
        let grid = try TopologyGenerator.grid(side: 5, flows: 12, options: options)
        var small = TopologyGenerator.Options()
        small.duration = 20_000_000
        small.flowsPerHost = 2
        let scaleFree = try TopologyGenerator.scaleFree(routers: 40, hosts: 6, options: small)
        for topology in [grid, scaleFree] {
            let aggregated = try Emulation(topology: topology).run()
            let flat = try Emulation(topology: withoutPrefixes(topology)).run()
            XCTAssertGreaterThan(aggregated.flows.reduce(0) { $0 + $1.delivered }, 100)
            XCTAssertEqual(aggregated.files.map(\.name), flat.files.map(\.name))
            for (a, b) in zip(aggregated.files, flat.files) { XCTAssertTrue(a.contents == b.contents, "\(topology.name): \(a.name)") }
        }
    }

    /// `memoryUse` counts each table's routes once (a 3 × 3 grid: 24 own interfaces and 8 router
    /// prefixes at each of 9 routers), adds up the tables' own sizes and the flows' statistics,
    /// and prices a queued packet as its own storage: the grid's 542-byte packets with 64 bytes
    /// of headroom, rounded up to 608, not a whole 2,048-byte buffer.
    func testMemoryUseCountsRoutesFlowsAndPackets() throws {
        var options = TopologyGenerator.Options.grid
        options.duration = 150_000_000
        let emulation = try Emulation(topology: TopologyGenerator.grid(side: 3, flows: 4, options: options))
        let results = emulation.run()
        let memory = emulation.memoryUse(results)
        XCTAssertEqual(memory.nodes, 9)
        XCTAssertEqual(memory.routes, 24 + 9 * 8)
        XCTAssertEqual(memory.routeBytes, emulation.tables.reduce(0) { $0 + $1.memoryBytes })
        XCTAssertGreaterThan(memory.bytesPerRoute, 16, "a 16-byte slot at most half full, and more")
        XCTAssertEqual(memory.flows, 4)
        XCTAssertEqual(memory.flowBytes, results.flowStatisticsBytes)
        XCTAssertGreaterThan(memory.bytesPerFlow, 0)
        XCTAssertEqual(memory.queuedPacketLength, 542)
        XCTAssertEqual(memory.queuedPacketBytes, MemoryLayout<PacketBuffer>.stride + 32 + 608)
    }

    func testNodePrefixesAreChecked() throws {
        let yaml = """
        name: prefixes
        nodes:
          r1:
            kind: router
            prefix: "0x10/4"
            interfaces: {eth0: "0x10", eth1: "0x21"}
          r2:
            kind: router
            prefix: "0x20/4"
            interfaces: {eth0: "0x20", eth1: "0x11"}
          r3:
            kind: router
            prefix: "0x20/5"
            interfaces: {eth0: "0x22", eth1: "0x23"}
        links:
          - {endpoints: [r1:eth0, r2:eth0], rate: 1Gbps, delay: 1ms}
          - {endpoints: [r1:eth1, r3:eth0], rate: 1Gbps, delay: 1ms}
          - {endpoints: [r2:eth1, r3:eth1], rate: 1Gbps, delay: 1ms}
        """
        let found = diagnostics(yaml).joined(separator: "\n")
        XCTAssertTrue(found.contains("address 0x21 of `r1:eth1` lies in the prefix 0x20/4 of `r2`, which only its own "
                                     + "addresses and hosts linked to it alone may use"), found)
        XCTAssertTrue(found.contains("address 0x11 of `r2:eth1` lies in the prefix 0x10/4 of `r1`"), found)
        XCTAssertTrue(found.contains("prefix 0x20/5 of `r3` lies inside 0x20/4 of `r2`"), found)
        XCTAssertTrue(diagnostics(yaml.replacingOccurrences(of: "0x20/5", with: "0x2")).joined().contains("prefix `0x2` of `r3` is not a compact prefix"))
    }
}
