@testable import NewIPEmulator
import NewIPTopology
import XCTest

/// The estimates commands refuse work by, against what a run really does.
final class WorkEstimateTests: XCTestCase {
    func testEventsAreEstimatedWithinAFewPercentOfARealRun() throws {
        for pattern in ["constant, rate: 2kpps", "poisson, rate: 2kpps", "onoff, rate: 4kpps, on: 10ms, off: 10ms", "constant, rate: 8Mbps"] {
            let topology = try parse(chain(flows: "  - {name: p, from: h1, to: h2, pattern: \(pattern), size: 500}", duration: "500ms"))
            let emulation = try Emulation(topology: topology)
            let estimate = emulation.workEstimate(streamingCaptures: false)
            let events = Double(emulation.run().events)
            XCTAssertEqual(estimate.events / events, 1, accuracy: 0.05, "\(pattern): estimated \(estimate.events), ran \(events)")
            XCTAssertNil(estimate.excess)
        }
    }

    func testCapturesCountAsOutputAndAsMemoryOnlyWhenKept() throws {
        // The chain captures both hosts' interfaces.
        let topology = try parse(chain(flows: "  - {name: p, from: h1, to: h2, pattern: constant, rate: 1kpps, size: 500}", duration: "1s"))
        let emulation = try Emulation(topology: topology)
        let kept = emulation.workEstimate(streamingCaptures: false), streamed = emulation.workEstimate(streamingCaptures: true)
        let written = Double(emulation.run().captures.reduce(0) { $0 + $1.bytes.count })
        XCTAssertGreaterThan(written, 0)
        XCTAssertEqual(streamed.outputBytes / written, 1, accuracy: 0.05)
        XCTAssertEqual(kept.memoryBytes - streamed.memoryBytes, streamed.outputBytes)
    }

    func testRoutingTablesOfAHugeTopologyAreRefusedBeforeTheyAreBuilt() throws {
        // The hub's prefix holds every host's address: a route per node, the hub's and each host's.
        var star = try TopologyGenerator.star(hosts: 100_000)
        XCTAssertEqual(WorkEstimate(routing: star).excess, "about 2.0 TB of memory (limit 16.0 GB)")
        // Without it, a route per address: the hub has 100,000.
        star.nodes[0].prefix = nil
        XCTAssertEqual(WorkEstimate(routing: star).excess, "about 4.0 TB of memory (limit 16.0 GB)")
        var hostsOnly = star
        hostsOnly.routing = .shortestDelayToHosts
        XCTAssertLessThan(WorkEstimate(routing: hostsOnly).memoryBytes, WorkEstimate(routing: star).memoryBytes / 1.9)
    }

    func testAFlowWithoutARouteIsNamedWithWhereItStops() throws {
        let yaml = chain(flows: "  - {name: p, from: h1, to: h2, pattern: constant, rate: 1kpps, size: 500}")
        XCTAssertEqual(try Emulation(topology: try parse(yaml)).undeliverableFlows(), [])
        var topology = try parse(yaml)
        topology.routing = .static
        XCTAssertEqual(try Emulation(topology: topology).undeliverableFlows(threads: 3).map(\.description),
                       ["flow `p` from h1:eth0 to h2:eth0 can never be delivered: the route ends at h1 (no route to 0x04)"])
    }

    func testQuantitiesReadAsTheyAreMeant() {
        XCTAssertEqual(WorkEstimate.count(512, "B"), "512 B")
        XCTAssertEqual(WorkEstimate.count(38e9, "B"), "38.0 GB")
        XCTAssertEqual(WorkEstimate.count(5e14, "events"), "500.0 T events")
        XCTAssertEqual(WorkEstimate.count(1e24, "events"), "more than 1000 E events")
    }
}
