import Foundation
import NipTestSupport
import XCTest

/// BENCHMARKS.md's generated tables and README.md's "Performance, measured" block say what their
/// JSON says: the script that renders a table, in its checking mode, finds the table in the
/// document identical to what it would write. README.md carries no run figure typed by hand.
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
        let securityAES = ["scripts/security-bench-table.py", "--publish", "security-aes", "--before"]
            + (1...3).map { "docs/security-aes/before-\($0).json" } + ["--after"] + (1...3).map { "docs/security-aes/after-\($0).json" }
        for command in [
            ["scripts/bench-table.py", "docs/bench.json"],
            ["scripts/bench-anchor-table.py", "docs/bench-anchor.json"],
            ["scripts/performance-table.py", "docs/bench.json", "docs/route-aggregation.json", "docs/bench-node.json"],
            ["scripts/log-bench-table.py", "docs/log-bench.json"],
            ["scripts/log-bench-table.py", "docs/log-bench-earlier.json", "log-bench-earlier"],
            ["scripts/emulator-first-runs-table.py", "docs/emulator-first-runs.json"],
            ["scripts/side-by-side-table.py", "docs/side-by-side.json"],
            ["scripts/emulated-vs-real-table.py", "docs/emulated-vs-real.json"],
            ["scripts/soak-table.py", "docs/soak.json"],
            ["scripts/revocation-table.py", "docs/revocation-times.json"],
            ["scripts/routing-probe-delay-table.py", "docs/routing-probe-delay.json"],
            ["scripts/grid-vs-ns3-table.py", "docs/grid-vs-ns3.json"],
            ["scripts/grid-vs-ns3-table.py", "docs/grid-vs-ns3-before.json"],
            ["scripts/emulator-speed-table.py", "docs/emulator-speed.json"],
            ["scripts/emulator-instructions-table.py", "docs/emulator-instructions.json"],
            ["scripts/routing-reconvergence-table.py", "every address=docs/routing-reconvergence-before.json",
             "router blocks=docs/routing-reconvergence.json"],
            ["scripts/route-flaps-table.py", "docs/route-flaps.json"],
            ["scripts/routing-reconvergence-authentication-table.py", "docs/routing-authentication-bench.json", "docs/routing-authentication.json"],
            ["scripts/route-aggregation-table.py", "docs/route-aggregation.json", "docs/emulator-scale.json"],
            ["scripts/emulator-scale-profile-table.py", "docs/emulator-scale-profile.json"],
            ["scripts/sweep-threads-table.py", "docs/sweep-threads.json"],
            ["scripts/single-run-threads-table.py", "docs/single-run-threads.json"],
            ["scripts/setup-time-table.py", "docs/setup-time.json", "docs/setup-time-routing.json", "docs/setup-time-inserts.json",
             "docs/setup-time-inserts-30k.json", "docs/setup-time-reading.json", "docs/setup-time-overlap-30k.json"],
            security,
            securityAES,
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

        // README.md's block: every run's compact-parse time changed.
        var bench = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: root.appendingPathComponent("docs/bench.json")))
                                  as? [String: Any])
        let benchRuns = try XCTUnwrap(bench["runs"] as? [[[String: Any]]])
        bench["runs"] = benchRuns.map { run in
            run.map { result in
                var result = result
                if result["name"] as? String == "compact-parse" { result["ns_per_op"] = (result["ns_per_op"] as? Double ?? 0) + 1 }
                return result
            }
        }
        try JSONSerialization.data(withJSONObject: bench).write(to: altered)
        let readmeCheck = try NipRunner.run(program: python(), ["scripts/performance-table.py", "--check", altered.path,
                                                                "docs/route-aggregation.json", "docs/bench-node.json"])
        XCTAssertEqual(readmeCheck.status, 1)
        XCTAssertTrue(readmeCheck.standardError.contains("README.md's performance table is not what its JSON gives"), readmeCheck.standardError)
    }

    func testTheReadmeTypesNoRunFigureOutsideItsGeneratedBlocks() throws {
        let readme = try String(contentsOf: NipRunner.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        XCTAssertEqual(Self.typedRunFigures(in: readme, allowing: Self.readmeSettings), [],
                       "README.md: put run figures in a generated block (scripts/performance-table.py)")
    }

    func testBenchmarksTypesNoRunFigureOutsideItsGeneratedTables() throws {
        let benchmarks = try String(contentsOf: NipRunner.packageRoot.appendingPathComponent("BENCHMARKS.md"), encoding: .utf8)
        XCTAssertEqual(Self.typedRunFigures(in: benchmarks, allowing: Self.benchmarksSettings), [],
                       "BENCHMARKS.md: render run figures from JSON (scripts/*-table.py) or point at the table row")
    }

    /// The lint finds a typed figure in any of the units, and none inside a generated block, in
    /// a target or bound, in a grid's dimensions or in an allowed phrase.
    func testTheFigureLintFindsTypedFigures() {
        let text = """
        | header | done | parse 18.7 ns, build 6.3 ns |
        1.17 M events/s at 1,000 routers; 186–246 k packets/s; 10.7 Mpps; 1.85× faster; 11 µs; 12.3 GB
        beyond 2 GB of output is refused; 8 B vs 40 B per packet; a 2 Mbps, 5 ms bottleneck; target ≤ 200 ns, ≥ 5 M events/s
        the 32 × 32 grid
        <!-- performance -->
        | parse | 42.5 ns |
        <!-- /performance -->
        <!-- claims:begin (generated) -->
        saves 24.1 % in 3.2 ns
        <!-- claims:end -->
        """
        XCTAssertEqual(Self.typedRunFigures(in: text, allowing: ["2 GB of output"]), [
            "line 1: 18.7 ns", "line 1: 6.3 ns", "line 2: 1.17 M events/s", "line 2: 246 k packets/s", "line 2: 10.7 Mpps",
            "line 2: 1.85×", "line 2: 11 µs", "line 2: 12.3 GB",
        ])
    }

    /// Limits README.md states in the units of run figures, which are not results.
    static let readmeSettings = ["2 GB of output", "16 GB of memory", "2 GB output", "16 GB memory"]

    /// Figures BENCHMARKS.md states that are not this project's run results: command-line and
    /// scenario settings, design factors, an input's size, published figures of other systems.
    static let benchmarksSettings = [
        "--flow-rate 2000pps", "--flow-rate 100pps", "--flow-rate 10pps", "sending 100 packets/s", "100 packets/s of 1000 bytes",
        "\"control\" 50 packets/s", "grown to 4 × the new largest", "0 to 4 × its", "at 1 ns resolution", "167 MB\nof YAML",
        "cannot beat 2 × on two cores", "2 × interval", "the issue that set the targets reports about 70 ns per header",
        "SCION's router is about 0.2 M packets/s per core",
    ]

    /// Each number followed by a unit of measured speed or size (ns, µs, events/s, packets/s, pps,
    /// MB, GB, kB/s, ×) outside the generated blocks (`<!-- NAME -->` to `<!-- /NAME -->`, the
    /// claims block) and the phrases allowed, as "line N: figure". Targets and bounds (after ≤,
    /// ≥, <, >) and grid dimensions (32 × 32) are not results.
    static func typedRunFigures(in text: String, allowing allowed: [String]) -> [String] {
        // Blank out the generated blocks and the allowed phrases, keeping their newlines so line
        // numbers stay right.
        var kept = text
        let blocks = [#"<!-- ([a-z0-9-]+) -->\n.*?<!-- /\1 -->"#, #"<!-- claims:begin.*?<!-- claims:end -->"#, #"\d+ × \d+"#]
            + allowed.map(NSRegularExpression.escapedPattern(for:))
        for block in blocks {
            let expression = try! NSRegularExpression(pattern: block, options: .dotMatchesLineSeparators)
            for match in expression.matches(in: kept, range: NSRange(kept.startIndex..., in: kept)).reversed() {
                let range = Range(match.range, in: kept)!
                kept.replaceSubrange(range, with: String(kept[range].filter { $0 == "\n" }))
            }
        }
        let figure = try! NSRegularExpression(
            pattern: #"(?<![\d.,])(?<![≤≥<>] )\d[\d,]*(\.\d+)?(\s?[kM])?\s?(ns|µs|events/s|packets/s|Mpps|pps|MB|GB|kB/s|×)(?![\w/])"#)
        return kept.split(separator: "\n", omittingEmptySubsequences: false).enumerated().flatMap { index, line in
            let line = String(line)
            return figure.matches(in: line, range: NSRange(line.startIndex..., in: line)).map {
                "line \(index + 1): \(line[Range($0.range, in: line)!])"
            }
        }
    }
}
