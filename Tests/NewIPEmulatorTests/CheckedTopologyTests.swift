import NewIPEmulator
import NewIPTopology
import XCTest

/// `Emulation(checked:)` takes the parser's checked topology without checking it again: it
/// still refuses node kinds without a behaviour, and routes as `Emulation(topology:)` does.
final class CheckedTopologyTests: XCTestCase {
    func testACheckedTopologyStillNeedsABehaviourForEachKind() throws {
        let checked = try TopologyParser.parseChecked(yaml: chain(flows: "  []"), file: "test.yaml")
        var components = EmulatorComponents.standard
        components.behaviors[.router] = nil
        XCTAssertThrowsError(try Emulation(checked: checked, components: components)) { error in
            XCTAssertEqual((error as? TopologyError)?.description,
                           "test.yaml:9:3: no behaviour is registered for `kind: router` (node `r1`) — use kind router, or register a router behaviour in EmulatorComponents")
        }
    }

    func testACheckedTopologyRunsAsOneCheckedByTheEmulation() throws {
        var checked = try TopologyParser.parseChecked(yaml: chain(flows: """
          - {name: f, from: h1, to: h2, rate: 1kpps, size: 100, stop: 3ms}
        """), file: "test.yaml")
        checked.seed = 9
        XCTAssertEqual(checked.topology.seed, 9)
        let unchecked = try Emulation(checked: checked)
        let rechecked = try Emulation(topology: checked.topology)
        XCTAssertEqual(unchecked.tables.map { $0.entries.map(\.prefix) }, rechecked.tables.map { $0.entries.map(\.prefix) })
        XCTAssertEqual(unchecked.tables.map { $0.entries.map(\.route) }, rechecked.tables.map { $0.entries.map(\.route) })
        // r1 routes h1's and h2's addresses (one each) besides its own two.
        XCTAssertEqual(unchecked.tables[1].count, 4)
        let results = unchecked.run()
        XCTAssertEqual(results.flows[0].delivered, 3)
        XCTAssertEqual(results.flows[0].delivered, rechecked.run().flows[0].delivered)
    }
}
