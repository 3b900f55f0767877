import Foundation
import NipTestSupport
import XCTest

/// `nip route-flaps`: one run per damping variant and seed, JSON and a chart.
final class RouteFlapsCommandTests: XCTestCase {
    func testItWritesTheFlapsOfEveryVariantAndTheChart() throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("nip-flaps-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        // The example, cut to 1 s of load.
        let example = try String(contentsOf: NipRunner.packageRoot.appendingPathComponent("Examples/route-flaps.yaml"), encoding: .utf8)
        try example.replacingOccurrences(of: "duration: 62s", with: "duration: 3s")
            .write(to: scratch.appendingPathComponent("flaps.yaml"), atomically: true, encoding: .utf8)
        let run = try NipRunner.run(["route-flaps", "flaps.yaml", "--router", "a", "--seeds", "1..2", "--json", "flaps.json", "--svg", "flaps.svg"],
                                    in: scratch)
        XCTAssertEqual(run.status, 0, run.standardError)
        XCTAssertEqual(run.standardOutput.split(separator: "\n").map { String($0.prefix { $0 != ":" }) },
                       ["undamped", "hysteresis 1 s", "RFC 9616 smoothing", "both (default)", "both + route hold 10 s"])
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: scratch.appendingPathComponent("flaps.json"))) as! [String: Any]
        let variants = json["variants"] as! [[String: Any]]
        XCTAssertEqual(variants.map { ($0["runs"] as! [[String: Any]]).map { $0["seed"] as! Int } }, Array(repeating: [1, 2], count: 5))
        XCTAssertEqual(json["window_ns"] as! [Int], [2_000_000_000, 3_000_000_000])
        let svg = try String(contentsOf: scratch.appendingPathComponent("flaps.svg"), encoding: .utf8)
        XCTAssertTrue(svg.contains("<tspan>undamped</tspan>") && svg.contains("<tspan>both (default)</tspan>"))
    }

    func testATopologyWithoutDynamicRoutingIsRefusedWithTheFix() throws {
        let run = try NipRunner.run(["route-flaps", "Examples/chain.yaml", "--router", "r1", "--json", "/dev/null"])
        XCTAssertNotEqual(run.status, 0)
        XCTAssertTrue(run.standardError.contains("Examples/chain.yaml: the topology's routing is `shortest-delay`: write `routing: dynamic`"),
                      run.standardError)
    }
}
