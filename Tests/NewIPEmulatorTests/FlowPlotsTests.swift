import Foundation
import NewIPEmulator
import NewIPTopology
import XCTest

/// `FlowPlots` picks which flows get a CDF plot; every other file is the same.
final class FlowPlotsTests: XCTestCase {
    func testParsesAllNoneAndCounts() {
        XCTAssertEqual(FlowPlots("all"), .all)
        XCTAssertEqual(FlowPlots("none"), .first(0))
        XCTAssertEqual(FlowPlots("3"), .first(3))
        XCTAssertNil(FlowPlots("-1"))
        XCTAssertNil(FlowPlots("some"))
    }

    /// Examples/lbf-dumbbell.yaml has two flows, control then bulk.
    func testPlotsOnlyTheFirstFlowsAndKeepsEveryOtherFile() throws {
        let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Examples/lbf-dumbbell.yaml")
        let topology = try TopologyParser.load(path: example.path)
        let results = try Emulation(topology: topology).run()
        let plots = { (choice: FlowPlots) in results.files(flowPlots: choice).map(\.name).filter { $0.hasPrefix("cdf-") } }
        XCTAssertEqual(plots(.all), ["cdf-control.svg", "cdf-bulk.svg"])
        XCTAssertEqual(plots(.first(1)), ["cdf-control.svg"])
        XCTAssertEqual(plots(.first(5)), ["cdf-control.svg", "cdf-bulk.svg"])
        XCTAssertEqual(plots(.none), [])
        let others = { (choice: FlowPlots) in
            results.files(flowPlots: choice).filter { !$0.name.hasPrefix("cdf-") }.map { $0.name + String(decoding: $0.contents, as: UTF8.self) }
        }
        XCTAssertEqual(others(.none), others(.all))
        XCTAssertEqual(others(.none).count, 4)
    }
}
