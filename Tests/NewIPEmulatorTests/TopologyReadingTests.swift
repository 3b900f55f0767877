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

    /// Flows are read in chunks on several threads: the problems come out as one thread
    /// reports them, in file order, and a quantity remembered by its text (`10xps` twice) is
    /// reported each time it is written.
    func testFlowProblemsAreTheSameOnOneAndThreeThreads() throws {
        let yaml = pairTopology(replacing: "  - {name: f, from: a, to: b, rate: 100pps, size: 500}", with: """
              - {name: f1, from: a, to: b, rate: 100pps, size: 500}
              - {name: f2, from: a, to: x:eth0, rate: 100pps, size: 500}
              - {name: f3, from: a, to: b, rate: 10xps, size: 500}
              - {name: f4, from: b, to: a, rate: 1Mbps, size: 200, colour: red}
              - {name: f5, from: a, to: b, rate: 10xps, size: 500, colour: red}
              - {name: f6, from: b, to: a, rate: 100pps, size: 9..3}
              - {name: f7, from: a, to: b, rate: 100pps, size: 500}
            """)
        // In the order read: flow by flow, each flow's keys before its values.
        let colour = "unknown key `colour` in flow — remove it; flow takes name, from, to, to-address, pattern, rate, on, off, size, chunks, start, stop, contract, window, avoid, only-through"
        let expected = [
            "test.yaml:18:29: `to` names unknown node `x` (did you mean `a`?) — use a node defined under `nodes`",
            "test.yaml:19:38: rate: `10xps` is neither a packet rate nor a bit rate — write e.g. 1000pps or 10Mbps",
            "test.yaml:20:56: \(colour)",
            "test.yaml:21:56: \(colour)",
            "test.yaml:21:38: rate: `10xps` is neither a packet rate nor a bit rate — write e.g. 1000pps or 10Mbps",
            "test.yaml:22:52: size: size range 9..3 runs backwards — write min..max",
        ]
        for threads in [1, 3] {
            let (diagnostics, reported) = try read(yaml, threads: threads)
            XCTAssertEqual(diagnostics, expected, "\(threads) threads")
            // f1, f4 and f7 are kept; f4 (the second) with a problem, which checks do not repeat.
            XCTAssertEqual(reported.filter { if case .flow = $0 { true } else { false } }, [.flow(1)], "\(threads) threads")
        }
    }

    /// The topology read on three threads is the one read on one: the same flows in the same
    /// order, with the same values and the same places in the file.
    func testFlowsReadOnThreeThreadsAreTheFlowsReadOnOne() throws {
        let flows = (1...7).map { "  - {name: f\($0), from: \($0 % 2 == 0 ? "b" : "a"), to: \($0 % 2 == 0 ? "a" : "b"), rate: \($0)0pps, size: \($0)00, stop: \($0)00ms}" }
        let yaml = pairTopology(replacing: "  - {name: f, from: a, to: b, rate: 100pps, size: 500}", with: flows.joined(separator: "\n"))
        let one = try TopologyParser.parse(yaml: yaml, file: "test.yaml", threads: 1)
        let three = try TopologyParser.parse(yaml: yaml, file: "test.yaml", threads: 3)
        XCTAssertEqual(three.flows.map(\.name), ["f1", "f2", "f3", "f4", "f5", "f6", "f7"])
        XCTAssertEqual(three.flows.map(\.stop), [100, 200, 300, 400, 500, 600, 700].map { $0 * 1_000_000 })
        XCTAssertEqual(three.flows.map { $0.positions.element?.line }, Array(17...23))
        XCTAssertEqual(three.flows.map(\.positions), one.flows.map(\.positions))
        XCTAssertEqual(TopologyWriter.yaml(three), TopologyWriter.yaml(one))
    }

    /// What the builder reports, in the order it reports it (a `TopologyError` sorts them).
    private func read(_ yaml: String, threads: Int) throws -> (diagnostics: [String], reported: Set<TopologyProblem.Subject>) {
        let reader = YAMLReader(file: "test.yaml", guide: "docs/topology.md")
        let builder = TopologyBuilder(reader: reader, threads: threads)
        _ = builder.build(try YAMLReader.root(of: yaml, file: "test.yaml", empty: ""), defaultName: "test")
        return (reader.diagnostics.map(\.description), builder.reported)
    }

    func testTrimmingSpacesKeepsWhatIsBetweenTheSpaces() {
        XCTAssertEqual("  10 ms ".trimmingSpaces, "10 ms")
        XCTAssertEqual("10ms".trimmingSpaces, "10ms")
        XCTAssertEqual("   ".trimmingSpaces, "")
        XCTAssertEqual("".trimmingSpaces, "")
        XCTAssertEqual(" x".dropFirst(0).trimmingSpaces, "x")
    }
}
