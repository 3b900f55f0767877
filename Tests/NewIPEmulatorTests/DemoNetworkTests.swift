import Foundation
@testable import NewIPEmulator
import NewIPTopology
import XCTest

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
        // The base layer (300 B, significance 0) is never cut: one per delivered packet.
        XCTAssertEqual(video.significanceBytes.first, video.delivered * 300)
        XCTAssertEqual(videoDropped.significanceBytes, [videoDropped.delivered * 300, videoDropped.delivered * 400, videoDropped.delivered * 500])
        XCTAssertLessThan(video.significanceBytes[2], video.delivered * 500, "enhancement layer 2 is what gets trimmed")

        // ManyNets: readings reach the IPv6 server through the gateway, with 8-byte compact headers
        // in the island and 40-byte IPv6 headers beyond.
        let readings = trimming.flows.filter { $0.name.hasPrefix("reading") }
        XCTAssertFalse(readings.isEmpty)
        XCTAssertTrue(readings.allSatisfy { $0.delivered > 0 })
        let gateway = try XCTUnwrap(trimming.nodes.first { $0.name == "gw" }?.translations)
        XCTAssertEqual(gateway.compactToIP, readings.reduce(0) { $0 + $1.delivered })
        let island = try XCTUnwrap(trimming.links.first { $0.to == "gw:island" })
        let ipv6 = try XCTUnwrap(trimming.links.first { $0.from == "gw:v6" })
        XCTAssertEqual(Double(island.headerBytes) / Double(island.packets), 8)
        XCTAssertEqual(Double(ipv6.headerBytes) / Double(ipv6.packets), 40)
    }
}
