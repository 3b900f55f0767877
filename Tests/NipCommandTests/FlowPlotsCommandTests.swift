import Foundation
import NipTestSupport
import XCTest

/// `nip emulate --flow-plots`: CDF plots for the first flows only, every flow still in the
/// tables; a bad value is refused before the run.
final class FlowPlotsCommandTests: XCTestCase {
    var scratch: URL!

    override func setUpWithError() throws {
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("nip-flow-plots-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: scratch)
    }

    /// Examples/lbf-dumbbell.yaml has two flows, control then bulk.
    func testFirstFlowOnlyThenNone() throws {
        for (choice, plots) in [("1", ["cdf-control.svg"]), ("none", [])] {
            let out = scratch.appendingPathComponent(choice).path
            let run = try NipRunner.run(["emulate", "Examples/lbf-dumbbell.yaml", "--flow-plots", choice, "--quiet", "--out", out])
            XCTAssertEqual(run.status, 0, run.standardError)
            let files = try FileManager.default.contentsOfDirectory(atPath: out).sorted()
            XCTAssertEqual(files, [".nip-output"] + plots + ["flows.csv", "links.csv", "nodes.csv", "results.json"], choice)
            let flows = try String(contentsOfFile: out + "/flows.csv", encoding: .utf8).split(separator: "\n")
            XCTAssertEqual(flows.dropFirst().map { $0.split(separator: ",").first }, ["control", "bulk"], choice)
        }
    }

    func testRefusesAValueThatIsNotACount() throws {
        let run = try NipRunner.run(["emulate", "Examples/lbf-dumbbell.yaml", "--flow-plots", "some", "--quiet",
                                     "--out", scratch.appendingPathComponent("x").path])
        XCTAssertNotEqual(run.status, 0)
        XCTAssertTrue(run.standardError.contains("--flow-plots some: give all, none or a number of flows, such as 100"), run.standardError)
    }
}
