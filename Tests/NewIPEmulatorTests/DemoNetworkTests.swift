import Foundation
import XCTest
@testable import NewIPEmulator

/// The built-in network of `nip demo`: the orderings its story claims must hold in the run.
final class DemoNetworkTests: XCTestCase {
    static let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Examples")

    func testEmbeddedCopyMatchesTheExampleFile() throws {
        let file = try String(contentsOf: Self.examples.appendingPathComponent("demo.yaml"), encoding: .utf8)
        XCTAssertEqual(BuiltInNetwork.demo + "\n", file, "run scripts/embed-demo-inputs.py after editing Examples/demo.yaml")
    }

    func testTheStoryHolds() throws {
        let topology = try TopologyParser.parse(yaml: BuiltInNetwork.demo, file: "demo.yaml")
        let trimming = try Emulation(topology: topology).run()
        var noTrim = topology
        for index in noTrim.links.indices { noTrim.links[index].queue.trims = false }
        let wholeDrop = try Emulation(topology: noTrim).run()
        func flow(_ name: String, _ results: EmulationResults) throws -> FlowResult {
            try XCTUnwrap(results.flows.first { $0.name == name })
        }
        let lbf = try flow("surgery-lbf", trimming), plain = try flow("surgery-best-effort", trimming)
        XCTAssertGreaterThan(Double(lbf.onTime) / Double(lbf.sent), Double(plain.onTime) / Double(plain.sent) + 0.5,
                             "LBF's on-time ratio well above best effort's")
        XCTAssertEqual(lbf.late, 0, "LBF drops what it cannot deliver in time instead of delivering it late")
        XCTAssertGreaterThan(plain.late, 0)
        XCTAssertLessThan(lbf.jitter, plain.jitter)

        let video = try flow("video", trimming), videoDropped = try flow("video", wholeDrop)
        XCTAssertEqual(video.sent, videoDropped.sent, "the same video is offered in both runs")
        XCTAssertGreaterThan(video.trimmed, 0)
        XCTAssertEqual(videoDropped.trimmed, 0)
        XCTAssertGreaterThan(video.delivered, videoDropped.delivered, "trimming keeps more base layers than whole-packet drop")
    }
}
