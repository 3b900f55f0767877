import Foundation
import XCTest

/// `nip demo`'s governance chapter writes the registered domain's decisions to a transparency log
/// in its output folder and reads it back as an outside client: the entries, a checkpoint that is
/// the same bytes for the same seed, and a tampered entry that `nip log verify` refuses.
extension NipCommandTests {
    func testDemoGovernanceLogIsVerifiedByAnOutsideReader() throws {
        let out = try logScratch() + "/demo"
        let log = out + "/governance-log"
        let first = try runNip(["demo", "--seed", "7", "--out", out]).standardOutput
        XCTAssertTrue(first.contains("\n   log: 3 entries, checkpoint verified by an outside reader (tree size 3, root "), first)
        XCTAssertTrue(first.contains("\n   log folder: \(log)/ (`nip log verify \(log) --key town/registrar+"), first)

        XCTAssertEqual(try logSize(log), 3)
        let comparison = try String(contentsOfFile: out + "/baselines/cdf-surgery-lbf.svg", encoding: .utf8)
        XCTAssertTrue(comparison.contains("<tspan>strict priority</tspan>") && comparison.contains("class=\"window\""),
                      "the demo's folder compares the queue disciplines on one chart")
        XCTAssertEqual(try logEntries(log, size: 3), [
            #"{"type": "enrolment", "decision": "granted", "address": "0x01", "host": "h1", "time": 0, "time_ns": 0}"#,
            #"{"type": "enrolment", "decision": "granted", "address": "0x04", "host": "lost", "time": 0, "time_ns": 0}"#,
            #"{"type": "revocation", "address": "0x04", "reason": "scenario", "host": "lost", "time": 1, "time_ns": 1000000000}"#,
        ])

        // Same seed, same log: the key is derived from the seed and Ed25519 signs deterministically.
        // The rerun replaces the folder without --force: the marker lists the log folder.
        let checkpoint = try Data(contentsOf: URL(fileURLWithPath: log + "/checkpoint"))
        let key = try String(contentsOfFile: log + "/log.vkey", encoding: .utf8).trimmingCharacters(in: .newlines)
        let second = try runNip(["demo", "--seed", "7", "--out", out]).standardOutput
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: log + "/checkpoint")), checkpoint)
        XCTAssertEqual(first.split(separator: "\n").filter { $0.hasPrefix("   log") },
                       second.split(separator: "\n").filter { $0.hasPrefix("   log") })

        let verified = try runNip(["log", "verify", log, "--key", key]).standardOutput
        XCTAssertTrue(verified.hasPrefix("ok: town/registrar has 3 entries, root "), verified)

        // The revocation names another address: same length, so only the hashes can tell.
        let bundle = log + "/tile/entries/000.p/3"
        var bytes = try Data(contentsOf: URL(fileURLWithPath: bundle))
        let text = String(decoding: bytes, as: UTF8.self)
        let revocation = try XCTUnwrap(text.range(of: #""revocation", "address": "0x04""#))
        let offset = text.utf8.distance(from: text.startIndex, to: revocation.upperBound) - 2
        XCTAssertEqual(bytes[offset], UInt8(ascii: "4"))
        bytes[offset] = UInt8(ascii: "5")
        try bytes.write(to: URL(fileURLWithPath: bundle))
        let tampered = try runNip(["log", "verify", log, "--key", key], status: 1)
        XCTAssertTrue(tampered.standardError.contains("entry 2"), tampered.standardError)
    }
}
