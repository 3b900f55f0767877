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

    /// Every other generated table of BENCHMARKS.md, by the command that renders it from the
    /// committed JSON.
    func testEveryOtherGeneratedTableIsWhatItsJSONGives() throws {
        let security = ["scripts/security-bench-table.py", "--publish", "security-cpu", "--key", "cpu_ns_per_op", "--labels",
                        "before: the secret copied out of the array", "after: the key used where it lies",
                        "--before"] + (1...5).map { "docs/security-cpu/before-\($0).json" }
            + ["--after"] + (1...5).map { "docs/security-cpu/after-\($0).json" }
        for command in [
            ["scripts/grid-vs-ns3-table.py", "docs/grid-vs-ns3.json"],
            ["scripts/grid-vs-ns3-table.py", "docs/grid-vs-ns3-before.json"],
            ["scripts/emulator-speed-table.py", "docs/emulator-speed.json"],
            ["scripts/routing-reconvergence-table.py", "every address=docs/routing-reconvergence-before.json",
             "router blocks=docs/routing-reconvergence.json"],
            ["scripts/route-flaps-table.py", "docs/route-flaps.json"],
            ["scripts/route-aggregation-table.py", "docs/route-aggregation.json", "docs/emulator-scale.json"],
            ["scripts/sweep-threads-table.py", "docs/sweep-threads.json"],
            security,
        ] {
            let check = try NipRunner.run(program: python(), [command[0], "--check"] + command.dropFirst())
            XCTAssertEqual(check.status, 0, "\(command.joined(separator: " ")): \(check.standardError)")
            XCTAssertTrue(check.standardOutput.contains("table matches"), check.standardOutput)
        }
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

        // The same for another table: one flap count changed.
        var flaps = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: root.appendingPathComponent("docs/route-flaps.json")))
                                  as? [String: Any])
        var variants = try XCTUnwrap(flaps["variants"] as? [[String: Any]])
        var perMinute = try XCTUnwrap(variants[0]["flaps_per_minute"] as? [String: Any])
        perMinute["mean"] = (perMinute["mean"] as? Double ?? 0) + 1
        variants[0]["flaps_per_minute"] = perMinute
        flaps["variants"] = variants
        try JSONSerialization.data(withJSONObject: flaps).write(to: altered)
        let flapCheck = try NipRunner.run(program: python(), ["scripts/route-flaps-table.py", "--check", altered.path])
        XCTAssertEqual(flapCheck.status, 1)
        XCTAssertTrue(flapCheck.standardError.contains("BENCHMARKS.md's route-flaps table is not what its JSON gives"), flapCheck.standardError)
    }
}
