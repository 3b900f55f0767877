import Foundation
import NipTestSupport
import XCTest

/// BENCHMARKS.md's generated tables say what their JSON says: the script that renders a
/// table, in its checking mode, finds the table in the document identical to what it would
/// write.
final class BenchmarkTablesTests: XCTestCase {
    /// python3 from PATH; the test is skipped, by name, when it is not installed.
    func python(_ test: String = #function) throws -> URL {
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(directory)).appendingPathComponent("python3")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        throw XCTSkip("\(test) SKIPPED: python3 is not installed, so the table scripts cannot run")
    }

    func testTheRealNodesTableIsWhatItsJSONGives() throws {
        let check = try NipRunner.run(program: python(), ["scripts/bench-node-table.py", "--check", "docs/bench-node.json"])
        XCTAssertEqual(check.status, 0, check.standardError)
        XCTAssertEqual(check.standardOutput, "BENCHMARKS.md's bench-node table matches docs/bench-node.json\n")
    }

    /// The check fails on a table that differs from its JSON (here: the JSON with one rate changed).
    func testTheCheckFailsWhenTheTableAndTheJSONDisagree() throws {
        let root = NipRunner.packageRoot
        var json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: root.appendingPathComponent("docs/bench-node.json")))
                                 as? [String: Any])
        var runs = try XCTUnwrap(json["router_runs"] as? [[String: Any]])
        runs[0]["packets_per_second"] = (runs[0]["packets_per_second"] as? Double ?? 0) + 12_345
        json["router_runs"] = runs
        let altered = FileManager.default.temporaryDirectory.appendingPathComponent("bench-node-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: altered) }
        try JSONSerialization.data(withJSONObject: json).write(to: altered)
        let check = try NipRunner.run(program: python(), ["scripts/bench-node-table.py", "--check", altered.path])
        XCTAssertEqual(check.status, 1)
        XCTAssertTrue(check.standardError.contains("BENCHMARKS.md's bench-node table is not what its JSON gives"), check.standardError)
    }
}
