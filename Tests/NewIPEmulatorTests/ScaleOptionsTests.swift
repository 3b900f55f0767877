@testable import NewIPEmulator
import NewIPTopology
import XCTest

/// The options that let large topologies fit: flows per host and host-only routing.
final class ScaleOptionsTests: XCTestCase {
    func testFlowsPerHostAndHostOnlyRouting() throws {
        var options = TopologyGenerator.Options()
        options.flowsPerHost = 3
        options.routing = .shortestDelayToHosts
        options.duration = 10_000_000
        let topology = try TopologyGenerator.scaleFree(routers: 20, attachments: 2, hosts: 6, options: options)
        XCTAssertEqual(topology.flows.count, 18)
        XCTAssertEqual(Set(topology.flows.map(\.name)).count, 18, "flow names are unique")
        let emulation = try Emulation(topology: topology)
        for (index, node) in topology.nodes.enumerated() {
            // Its own addresses, plus one route per host interface that is not its own.
            let otherHosts = topology.nodes.enumerated().filter { $0.offset != index && $0.element.kind == .host }.count
            XCTAssertEqual(emulation.tables[index].count, node.interfaces.count + otherHosts, node.name)
        }
        let results = emulation.run()
        XCTAssertTrue(results.flows.allSatisfy { $0.delivered > 0 })

        options.flowsPerHost = 6
        XCTAssertThrowsError(try TopologyGenerator.scaleFree(routers: 20, hosts: 6, options: options))
    }
}
