import Foundation
import XCTest

/// `nip compare` on hand-made results folders: the exact table, and the exit status and
/// message when a field is past its tolerance.
extension NipCommandTests {
    /// A folder holding `results.json` with one flow per entry of `flows` (JSON members).
    func resultsFolder(_ flows: [String]) throws -> String {
        let folder = try logScratch()
        try "{\"flows\": [\(flows.joined(separator: ","))]}".write(toFile: folder + "/results.json", atomically: true, encoding: .utf8)
        return folder
    }

    func flowJSON(_ name: String, delivered: Int, drops: String = "", p50: Int, p99: Int) -> String {
        """
        {"name": "\(name)", "from": "h1:eth0", "to": "h2:eth0", "sent": 100, "delivered": \(delivered), "on_time": 0,
         "unaccounted": 0, "drops": {\(drops)}, "latency_ns": {"p50": \(p50), "p99": \(p99)}}
        """
    }

    /// Counts relative to A's, so a drop reason A never saw is past any tolerance.
    func testCompareTableAndAReasonOnlyBSaw() throws {
        let a = try resultsFolder([flowJSON("f", delivered: 100, drops: "\"queue-full\": 4", p50: 2_016_000, p99: 2_016_000)])
        let b = try resultsFolder([flowJSON("f", delivered: 95, drops: "\"late\": 1, \"queue-full\": 5", p50: 2_300_000, p99: 3_100_500)])
        let run = try runNip(["compare", a, b, "--tolerance", "100%"], status: 1)
        XCTAssertEqual(run.standardOutput, """
            flow                 field             A      B      B − A
            f (h1:eth0→h2:eth0)  sent              100    100    0 (+0.0 %)    ok
            f (h1:eth0→h2:eth0)  delivered         100    95     -5 (-5.0 %)   ok
            f (h1:eth0→h2:eth0)  on_time           0      0      0             ok
            f (h1:eth0→h2:eth0)  unaccounted       0      0      0             ok
            f (h1:eth0→h2:eth0)  drops.queue-full  4      5      +1 (+25.0 %)  ok
            f (h1:eth0→h2:eth0)  drops.late        0      1      +1            PAST
            f (h1:eth0→h2:eth0)  p50 ms            2.016  2.300  +0.284        ok
            f (h1:eth0→h2:eth0)  p99 ms            2.016  3.100  +1.085        ok

            """)
        XCTAssertEqual(run.standardError, """
            Error: \(a) and \(b) differ past the tolerance:
              flow f (h1:eth0→h2:eth0), drops.late: 0 vs 1, past --tolerance 100%

            """)
    }

    func testComparePastTolerance() throws {
        let a = try resultsFolder([flowJSON("f", delivered: 100, p50: 2_016_000, p99: 2_016_000),
                                   flowJSON("only-a", delivered: 1, p50: 1, p99: 1)])
        let b = try resultsFolder([flowJSON("f", delivered: 85, p50: 2_016_000, p99: 4_100_000)])
        let run = try runNip(["compare", a, b, "--markdown"], status: 1)
        XCTAssertEqual(run.standardOutput, """
            | flow | field | A | B | B − A |
            |---|---|---|---|---|
            | f (h1:eth0→h2:eth0) | sent | 100 | 100 | 0 (+0.0 %) |
            | f (h1:eth0→h2:eth0) | delivered | 100 | 85 | -15 (-15.0 %) |
            | f (h1:eth0→h2:eth0) | on_time | 0 | 0 | 0 |
            | f (h1:eth0→h2:eth0) | unaccounted | 0 | 0 | 0 |
            | f (h1:eth0→h2:eth0) | p50 ms | 2.016 | 2.016 | +0.000 |
            | f (h1:eth0→h2:eth0) | p99 ms | 2.016 | 4.100 | +2.084 |
            | only-a | missing from \(b)/results.json | | | |

            """)
        XCTAssertEqual(run.standardError, """
            Error: \(a) and \(b) differ past the tolerance:
              flow f (h1:eth0→h2:eth0), delivered: 100 vs 85, past --tolerance 10%
              flow f (h1:eth0→h2:eth0), p99 ms: 2.016 vs 4.100, past --latency-tolerance 2ms
              flow only-a: missing from \(b)/results.json

            """)
        let relative = try runNip(["compare", a, b, "--tolerance", "20%", "--latency-tolerance", "150%"], status: 1)
        XCTAssertEqual(relative.standardError, """
            Error: \(a) and \(b) differ past the tolerance:
              flow only-a: missing from \(b)/results.json

            """)
    }

    func testCompareNamesAMissingFile() throws {
        let a = try logScratch()
        let run = try runNip(["compare", a, a], status: 1)
        XCTAssertTrue(run.standardError.hasPrefix("Error: \(a)/results.json: cannot read it"), run.standardError)
        let bad = try runNip(["compare", try resultsFolder([]), a, "--tolerance", "ten"], status: 1)
        XCTAssertTrue(bad.standardError.contains("--tolerance: `ten` is not a percentage"), bad.standardError)
    }

    /// A results file that is not JSON, or a flow with a missing or mistyped field: the file,
    /// the place and the field are named.
    func testCompareNamesABrokenField() throws {
        let good = try resultsFolder([flowJSON("f", delivered: 100, p50: 1, p99: 1)])
        let mistyped = try resultsFolder([flowJSON("f", delivered: 100, p50: 1, p99: 1),
                                          flowJSON("g", delivered: 100, p50: 1, p99: 1).replacingOccurrences(of: #""sent": 100"#, with: #""sent": "100""#)])
        var run = try runNip(["compare", good, mistyped], status: 1)
        XCTAssertEqual(run.standardError, """
            Error: \(mistyped)/results.json: `flows[1].sent` is a string ("100"), not an integer; give a folder written by `nip emulate` or `nip run`

            """)
        let noLatency = try resultsFolder([flowJSON("f", delivered: 100, p50: 1, p99: 1).replacingOccurrences(of: #""p99": 1"#, with: #""p99": 1.5"#)])
        run = try runNip(["compare", good, noLatency], status: 1)
        XCTAssertTrue(run.standardError.contains("`flows[0].latency_ns.p99` is a number with a fraction (1.5), not an integer"), run.standardError)
        let cut = try logScratch()
        try "{\"flows\": [\n  {\"name\": \"f\",\n".write(toFile: cut + "/results.json", atomically: true, encoding: .utf8)
        run = try runNip(["compare", cut, good], status: 1)
        XCTAssertTrue(run.standardError.hasPrefix("Error: \(cut)/results.json: not JSON at line 3, column 1: "), run.standardError)
        let noFlows = try logScratch()
        try "{\"nodes\": []}".write(toFile: noFlows + "/results.json", atomically: true, encoding: .utf8)
        run = try runNip(["compare", noFlows, good], status: 1)
        XCTAssertTrue(run.standardError.hasPrefix("Error: \(noFlows)/results.json: `flows` is missing"), run.standardError)
        // A flow with no deliveries has no `latency_ns`; `null` reads the same.
        let none = try resultsFolder([flowJSON("f", delivered: 0, p50: 1, p99: 1).replacingOccurrences(of: #"{"p50": 1, "p99": 1}"#, with: "null")])
        run = try runNip(["compare", none, none], status: 0)
        XCTAssertTrue(run.standardOutput.contains("p50 ms"), run.standardOutput)
    }
}
