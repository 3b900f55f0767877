import NewIPControl
import NewIPDataPlane
@testable import NewIPEmulator
import NewIPRandom
import NewIPTopology
import NewIPWire
import XCTest

/// `routing: dynamic`: the routing protocol runs on every node in virtual time and must end
/// with the tables the offline shortest-delay computation gives.
final class DynamicRoutingTests: XCTestCase {
    private static let ms: Nanoseconds = 1_000_000

    /// `topology` without flows, run with dynamic routing for `duration`.
    private func converge(_ topology: Topology, duration: Nanoseconds) -> (Topology, EmulationResults) {
        var topology = topology
        topology.flows = []
        topology.routing = .dynamic
        topology.duration = duration
        return (topology, try! Emulation(topology: topology).run())
    }

    /// Every node's table holds exactly the oracle's prefixes with the oracle's delay and hops;
    /// a next hop differs only where the neighbour it names offers an equally short path.
    private func assertMatchesOracle(_ topology: Topology, _ results: EmulationResults, file: StaticString = #filePath, line: UInt = #line) {
        var oracleTopology = topology
        oracleTopology.routing = .shortestDelay
        let oracle = RoutingTables.routes(for: oracleTopology).map { Dictionary($0.map { ($0.prefix, $0.route) }, uniquingKeysWith: { $1 }) }
        var peers = topology.nodes.map { Array(repeating: (node: -1, delay: Nanoseconds(0)), count: $0.interfaces.count) }
        for link in topology.links {
            let (a, b) = link.endpoints
            peers[a.node][a.interface] = (b.node, link.delay)
            peers[b.node][b.interface] = (a.node, link.delay)
        }
        let tables = results.routing!.tables
        var mismatches: [String] = []
        var ties = 0
        for (node, table) in tables.enumerated() {
            let name = topology.nodes[node].name
            let live = Dictionary(table.map { ($0.prefix, $0.route) }, uniquingKeysWith: { $1 })
            if Set(live.keys) != Set(oracle[node].keys) {
                mismatches.append("\(name): prefixes \(live.keys.sorted()) ≠ oracle \(oracle[node].keys.sorted())")
                continue
            }
            for (prefix, expected) in oracle[node] where !expected.nextHop.isLocal {
                let route = live[prefix]!
                guard route.toDelay == expected.toDelay, route.toHops == expected.toHops else {
                    mismatches.append("\(name) → \(prefix): \(route.toDelay) ns/\(route.toHops) ≠ oracle \(expected.toDelay) ns/\(expected.toHops)")
                    continue
                }
                guard route.nextHop != expected.nextHop else { continue }
                let via = Int(route.nextHop.neighbour.rawValue)
                let link = peers[node][route.nextHop.interface]
                let onward = oracle[via][prefix]!
                let rest = onward.nextHop.isLocal ? (delay: Nanoseconds(0), hops: 0) : (delay: onward.toDelay, hops: onward.toHops)
                if link.node == via, rest.delay + link.delay == route.toDelay, rest.hops + 1 == route.toHops {
                    ties += 1
                } else {
                    mismatches.append("\(name) → \(prefix): next hop \(route.nextHop) is no shortest path")
                }
            }
        }
        XCTAssertEqual(mismatches, [], file: file, line: line)
        XCTAssertGreaterThan(tables.map(\.count).reduce(0, +), topology.nodes.count, file: file, line: line)
    }

    /// Link delays of 1…9 ms drawn from `seed`, so shortest paths are not simply the fewest hops.
    private func varyDelays(_ topology: inout Topology, seed: UInt64) {
        var random = RandomStream(seed: seed, name: "test/delays")
        for index in topology.links.indices { topology.links[index].delay = Nanoseconds(random.nextInt(in: 1...9)) * Self.ms }
    }

    func testAChainConvergesToTheShortestDelayTables() throws {
        var topology = try TopologyGenerator.chain(routers: 5)
        varyDelays(&topology, seed: 1)
        let (dynamic, results) = converge(topology, duration: 4_000 * Self.ms)
        assertMatchesOracle(dynamic, results)
        XCTAssertEqual(results.routing!.counters.map(\.badTimestamps).reduce(0, +), 0)
    }

    func testAThreeByThreeGridConvergesToTheShortestDelayTables() throws {
        var topology = try TopologyGenerator.grid(side: 3, flows: 1)
        // Row by row, then the columns' links: the middle row is slow, the edges fast.
        for (index, delay) in [1, 2, 1, 2, 4, 9, 9, 9, 4, 1, 1, 1].enumerated() { topology.links[index].delay = Nanoseconds(delay) * Self.ms }
        let (dynamic, results) = converge(topology, duration: 5_000 * Self.ms)
        assertMatchesOracle(dynamic, results)
    }

    func testAFatTreeConvergesToTheShortestDelayTables() throws {
        let (dynamic, results) = converge(try TopologyGenerator.fatTree(k: 4), duration: 5_000 * Self.ms)
        assertMatchesOracle(dynamic, results)
    }

    func testAScaleFreeGraphConvergesToTheShortestDelayTables() throws {
        var topology = try TopologyGenerator.scaleFree(routers: 30, hosts: 4)
        varyDelays(&topology, seed: 3)
        let (dynamic, results) = converge(topology, duration: 8_000 * Self.ms)
        assertMatchesOracle(dynamic, results)
    }

    func testTheSameSeedGivesTheSameRoutingEventsAndFiles() throws {
        var topology = try TopologyGenerator.scaleFree(routers: 12, hosts: 2)
        varyDelays(&topology, seed: 5)
        topology.routing = .dynamic
        topology.duration = 2_000 * Self.ms
        let first = try Emulation(topology: topology).run()
        let second = try Emulation(topology: topology).run()
        XCTAssertEqual(first.routing!.events, second.routing!.events)
        XCTAssertFalse(first.routing!.events.isEmpty)
        XCTAssertEqual(first.files.map(\.name), second.files.map(\.name))
        XCTAssertEqual(first.files.map(\.contents), second.files.map(\.contents))
        XCTAssertTrue(first.files.contains { $0.name == "routing-events.csv" })
    }
}
