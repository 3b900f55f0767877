import Foundation
@testable import NewIPEmulator
import NewIPTopology
import XCTest

/// Every topology in Examples/ parses and runs, and delivers traffic.
final class ExampleTests: XCTestCase {
    func testExamplesRun() throws {
        let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Examples")
        let files = try FileManager.default.contentsOfDirectory(atPath: examples.path).filter { $0.hasSuffix(".yaml") }.sorted()
        XCTAssertTrue(Set(files).isSuperset(of: ["chain.yaml", "demo.yaml", "lbf-dumbbell.yaml", "manynets-gateway.yaml",
                                                 "manynets-static.yaml", "qualitative-trimming.yaml"]), "\(files)")
        for file in files {
            let topology = try TopologyParser.load(path: examples.appendingPathComponent(file).path)
            let results = try Emulation(topology: topology).run()
            XCTAssertTrue(results.flows.allSatisfy { $0.delivered > 0 }, file)
        }
    }
}
