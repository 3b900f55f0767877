@testable import NewIPTopology
import XCTest

/// What the topology parser's faster reading must keep: values read as the text written.
final class TopologyReadingTests: XCTestCase {
    /// Words YAML would type as null or booleans stay the names written: the parser composes
    /// with Yams's basic resolver and reads every scalar as text.
    func testWordsYAMLWouldTypeAreReadAsWritten() throws {
        let yaml = pairTopology(replacing: "  a:\n", with: "  null:\n")
            .replacingOccurrences(of: "[a:eth0", with: "[null:eth0")
            .replacingOccurrences(of: "  b:\n", with: "  on:\n")
            .replacingOccurrences(of: "b:eth0]", with: "on:eth0]")
            .replacingOccurrences(of: "{name: f, from: a, to: b", with: "{name: yes, from: null, to: on")
        let topology = try TopologyParser.parse(yaml: yaml, file: "test.yaml")
        XCTAssertEqual(topology.nodes.map(\.name), ["null", "on"])
        XCTAssertEqual(topology.flows.map(\.name), ["yes"])
        XCTAssertEqual(topology.sizeText, "2 nodes, 1 links, 1 flows")
    }

    func testTrimmingSpacesKeepsWhatIsBetweenTheSpaces() {
        XCTAssertEqual("  10 ms ".trimmingSpaces, "10 ms")
        XCTAssertEqual("10ms".trimmingSpaces, "10ms")
        XCTAssertEqual("   ".trimmingSpaces, "")
        XCTAssertEqual("".trimmingSpaces, "")
        XCTAssertEqual(" x".dropFirst(0).trimmingSpaces, "x")
    }
}
