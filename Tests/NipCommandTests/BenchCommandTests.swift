import Foundation
import NipTestSupport
import XCTest

/// `nip bench --json`: one object per benchmark with the median wall-clock time per operation,
/// the measuring thread's CPU time per operation (never more than the wall clock: it is what
/// time-sharing does not inflate) and the heap allocations per operation.
final class BenchCommandTests: XCTestCase {
    func testJSONCarriesWallAndCPUTimePerOperation() throws {
        let result = try NipRunner.run(["bench", "--filter", "compact-build", "--rounds", "1", "--json"])
        XCTAssertEqual(result.status, 0, result.standardError)
        let lines = result.standardOutput.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, result.standardOutput)
        let value = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        XCTAssertEqual(value["name"] as? String, "compact-build")
        let wall = try XCTUnwrap(value["ns_per_op"] as? Double)
        let cpu = try XCTUnwrap(value["cpu_ns_per_op"] as? Double)
        XCTAssertGreaterThan(cpu, 0)
        // The same round measured both ways (clock granularity aside).
        XCTAssertLessThanOrEqual(cpu, wall * 1.01 + 1, "CPU time above wall time: \(lines[0])")
        XCTAssertEqual(value["mallocs_per_op"] as? Double, 0, "building a compact header allocates nothing")
    }
}
