import NewIPTopology
import XCTest

/// `nip emulate`'s setup bar: each step's share follows its estimated cost.
final class SetupEstimateTests: XCTestCase {
    func testStepsShareTheRestOfTheBarByCost() {
        // From half-way: costs 1 and 3 take a quarter and three quarters of the other half.
        XCTAssertEqual(SetupEstimate.layout([1, 3], from: 0.5).map { [$0.start, $0.share] }, [[0.5, 0.125], [0.625, 0.375]])
        // Nothing estimated: equal shares.
        XCTAssertEqual(SetupEstimate.layout([0, 0], from: 0.5).map { [$0.start, $0.share] }, [[0.5, 0.25], [0.75, 0.25]])
    }

    func testReadingCostsFollowTheFileSize() {
        let steps = SetupEstimate.reading(fileBytes: 1000)
        XCTAssertEqual(steps.map(\.step), [.reading, .parsing, .building, .checking])
        XCTAssertEqual(steps.map(\.cost), [5_000, 48_000, 67_000, 18_000])
        XCTAssertEqual(SetupEstimate.guessedRest(fileBytes: 1000), 178_000)
    }

    func testRoutingCostsASearchAndARoutePerDestinationAndNode() throws {
        var options = TopologyGenerator.Options()
        options.routing = .shortestDelayToHosts
        options.flowsPerHost = 3
        var topology = try TopologyGenerator.scaleFree(routers: 60, hosts: 10, options: options)
        // 10 destinations (the hosts) × 70 nodes, 240 + 167 ns each; 30 flows at 7.1 µs.
        XCTAssertEqual(SetupEstimate.routing(topology), 10 * 70 * 407)
        XCTAssertEqual(SetupEstimate.tracing(topology), 30 * 7_100)
        topology.routing = .shortestDelay
        XCTAssertEqual(SetupEstimate.routing(topology), 70 * 70 * 407)
        topology.routing = .static
        XCTAssertEqual(SetupEstimate.routing(topology), 0)
    }
}
