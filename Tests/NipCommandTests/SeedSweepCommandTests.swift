import Foundation
import NipTestSupport
import XCTest

/// `nip emulate --seeds A..B`: one folder per seed and a summary over them, inside the one
/// safe output folder.
final class SeedSweepCommandTests: XCTestCase {
    var scratch: URL!

    override func setUpWithError() throws {
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("nip-seeds-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: scratch)
    }

    func object(_ path: String) throws -> [String: Any]? {
        try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any]
    }

    func testThreeSeedsWriteThreeFoldersAndASummaryWithNThree() throws {
        let out = scratch.appendingPathComponent("X").path
        let run = try NipRunner.run(["emulate", "Examples/chain.yaml", "--seeds", "1..3", "--out", out])
        XCTAssertEqual(run.status, 0, run.standardError)
        XCTAssertTrue(run.standardOutput.contains("95 % CI"), run.standardOutput)
        let entries = try FileManager.default.contentsOfDirectory(atPath: out).sorted()
        XCTAssertEqual(entries, [".nip-output", "seed-1", "seed-2", "seed-3", "summary-delays.svg", "summary-shares.svg", "summary.csv",
                                 "summary.json"])
        for seed in 1...3 {
            let folder = out + "/seed-\(seed)"
            let results = try XCTUnwrap(try object(folder + "/results.json"))
            XCTAssertEqual(results["seed"] as? Int, seed)
            XCTAssertTrue(FileManager.default.fileExists(atPath: folder + "/flows.csv"))
        }
        let summaryText = try String(contentsOfFile: out + "/summary.json", encoding: .utf8)
        let summary = try XCTUnwrap(try object(out + "/summary.json"))
        XCTAssertEqual(summary["seeds"] as? [Int], [1, 2, 3])
        let flows = try XCTUnwrap(summary["flows"] as? [[String: Any]])
        XCTAssertFalse(flows.isEmpty)
        for flow in flows {
            XCTAssertEqual(flow["n"] as? Int, 3)
            let metrics = try XCTUnwrap(flow["metrics"] as? [String: [String: Any]])
            XCTAssertEqual(metrics["delivered_share"]?["n"] as? Int, 3)
        }
        // The same seeds give the same bytes, and nip may replace its own folder.
        let again = try NipRunner.run(["emulate", "Examples/chain.yaml", "--seeds", "1..3", "--out", out, "--quiet"])
        XCTAssertEqual(again.status, 0, again.standardError)
        XCTAssertEqual(try String(contentsOfFile: out + "/summary.json", encoding: .utf8), summaryText)
    }

    /// Every file under `folder`, by its path inside it.
    func contents(of folder: String) throws -> [String: Data] {
        var files: [String: Data] = [:]
        let enumerator = try XCTUnwrap(FileManager.default.enumerator(atPath: folder))
        for case let path as String in enumerator {
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: folder + "/" + path, isDirectory: &isFolder), !isFolder.boolValue {
                files[path] = try Data(contentsOf: URL(fileURLWithPath: folder + "/" + path))
            }
        }
        return files
    }

    func testOneThreadAndThreeThreadsWriteTheSameBytes() throws {
        // Poisson arrivals, a lossy link and a queue that overflows: every seed gives other numbers.
        let topology = scratch.appendingPathComponent("random.yaml").path
        try """
        name: random
        duration: 300ms
        nodes:
          h1: {kind: host, interfaces: {eth0: "0x01"}}
          r1: {kind: router, interfaces: {eth0: "0x02", eth1: "0x03"}}
          h2: {kind: host, interfaces: {eth0: "0x04"}}
        links:
          - {endpoints: [h1:eth0, r1:eth0], rate: 100Mbps, delay: 1ms, loss: 0.01}
          - {endpoints: [r1:eth1, h2:eth0], rate: 10Mbps, delay: 2ms}
        flows:
          - {name: load, from: h1, to: h2, pattern: poisson, rate: 12Mbps, size: 1000}
        """.write(toFile: topology, atomically: true, encoding: .utf8)
        let (one, three) = (scratch.appendingPathComponent("one").path, scratch.appendingPathComponent("three").path)
        for (folder, threads) in [(one, "1"), (three, "3")] {
            let run = try NipRunner.run(["emulate", topology, "--seeds", "4..7", "--threads", threads, "--out", folder, "--quiet"])
            XCTAssertEqual(run.status, 0, run.standardError)
        }
        let (first, second) = (try contents(of: one), try contents(of: three))
        XCTAssertEqual(first.keys.filter { $0.hasSuffix("results.json") }.count, 4)
        XCTAssertNotEqual(first["seed-4/flows.csv"], first["seed-5/flows.csv"], "the seeds should give different runs")
        XCTAssertEqual(first.keys.sorted(), second.keys.sorted())
        for (path, bytes) in first { XCTAssertEqual(bytes, second[path], path) }
    }

    func testBadSeedRangesAndSeedWithSeedsAreRefusedBeforeWriting() throws {
        let out = scratch.appendingPathComponent("refused").path
        for (arguments, message) in [
            (["--seeds", "1..3", "--seed", "4"], "--seed and --seeds cannot be used together"),
            (["--seeds", "5..1"], "--seeds 5..1: the first seed is above the last"),
            (["--seeds", "1..1001"], "more than 1000 seeds"),
            (["--seeds", "seven"], "expected A..B"),
            (["--seeds", "1..3", "--threads", "0"], "--threads 0: give at least 1"),
        ] {
            let run = try NipRunner.run(["emulate", "Examples/chain.yaml", "--out", out] + arguments)
            XCTAssertNotEqual(run.status, 0, arguments.joined(separator: " "))
            XCTAssertTrue(run.standardError.contains(message), run.standardError)
            XCTAssertFalse(FileManager.default.fileExists(atPath: out))
        }
    }
}
