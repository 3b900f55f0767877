import NewIPDataPlane
import NewIPTopology
import XCTest

/// Routing searches shortest paths and inserts routes on several threads: every node's routes,
/// in the order they are installed, and every node's table are the same as on one thread.
final class RoutingThreadsTests: XCTestCase {
    func testRoutesOnThreeThreadsEqualRoutesOnOne() throws {
        for routing in [Topology.Routing.shortestDelay, .shortestDelayToHosts] {
            var options = TopologyGenerator.Options()
            options.routing = routing
            // 70 destinations with routers, 10 without: several batches of 12 and a short last one.
            let topology = try TopologyGenerator.scaleFree(routers: 60, hosts: 10, options: options)
            let one = RoutingTables.routes(for: topology, threads: 1)
            let three = RoutingTables.routes(for: topology, threads: 3)
            XCTAssertEqual(one.count, 70)
            XCTAssertEqual(three.count, 70)
            for (node, (a, b)) in zip(one, three).enumerated() {
                XCTAssertEqual(a.map(\.prefix), b.map(\.prefix), "\(routing) node \(node)")
                XCTAssertEqual(a.map(\.route), b.map(\.route), "\(routing) node \(node)")
            }
            // Every router reaches every host: the comparison covers real routes.
            let hosts = topology.nodes.indices.filter { topology.nodes[$0].kind == .host }
            XCTAssertEqual(hosts.count, 10)
            let tables = RoutingTables.tables(for: topology, threads: 3)
            let tablesOnOne = RoutingTables.tables(for: topology, threads: 1)
            for (node, (a, b)) in zip(tablesOnOne, tables).enumerated() {
                XCTAssertEqual(a.entries.map(\.prefix), b.entries.map(\.prefix), "\(routing) node \(node)")
                XCTAssertEqual(a.entries.map(\.route), b.entries.map(\.route), "\(routing) node \(node)")
            }
            // Every node's table holds the last route `routes(for:)` lists for each prefix.
            for (node, list) in one.enumerated() {
                let last = Dictionary(list.map { ($0.prefix, $0.route) }, uniquingKeysWith: { _, later in later })
                XCTAssertEqual(tables[node].count, last.count, "\(routing) node \(node)")
                for (prefix, route) in last { XCTAssertEqual(tables[node].route(for: prefix), route, "\(routing) node \(node) \(prefix)") }
            }
            for host in hosts {
                for address in topology.nodes[host].interfaces.map(\.address) {
                    XCTAssertNotNil(tables[0].lookup(address), "\(routing) router 0 to \(topology.nodes[host].name)")
                }
            }
        }
    }
}
