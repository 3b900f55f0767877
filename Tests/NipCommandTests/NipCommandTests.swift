import Foundation
import NipTestSupport
import XCTest

/// Runs the built `nip` binary as a user would and checks its output and exit status.
final class NipCommandTests: XCTestCase {
    static let packageRoot = NipRunner.packageRoot

    func run(_ arguments: [String], input: String? = nil) throws -> NipRunner.Run {
        try NipRunner.run(arguments, input: input)
    }

    func testDecodeCaptureAsLinesAndJSON() throws {
        let lines = try run(["decode", "Examples/captures/lbf-five-contracts.pcap"])
        XCTAssertEqual(lines.status, 0, lines.standardError)
        XCTAssertEqual(lines.standardOutput.split(separator: "\n").count, 5)
        XCTAssertTrue(lines.standardOutput.hasPrefix("0 framework 10.0.1.2 > 10.0.2.2 unicast latency_based[min_delay 1 max_delay 2"))
        let json = try run(["decode", "--json", "Examples/captures/ipv4-to-ipv6-lbf.pcap"])
        XCTAssertEqual(json.status, 0)
        XCTAssertTrue(json.standardOutput.contains(#""dst": "10::2:2""#))
        XCTAssertTrue(json.standardOutput.contains(#""experienced_delay": 1719"#))
    }

    /// docs/claims.md is exactly what `nip claims` writes today (the codecs' header study and
    /// the emulated LBF baselines), so no number in it is typed by hand or stale.
    func testClaimsDocumentIsWhatNipClaimsWrites() throws {
        let claims = try run(["claims"])
        XCTAssertEqual(claims.status, 0, claims.standardError)
        let committed = try String(contentsOf: Self.packageRoot.appendingPathComponent("docs/claims.md"), encoding: .utf8)
        XCTAssertEqual(committed, claims.standardOutput,
                       "docs/claims.md is stale: run `swift run -c release nip claims --output docs/claims.md`")
    }

    func testDecodeHexKeepsGoingPastHeadersThatDoNotDecodeAndFailsOnLinesThatAreNotHex() throws {
        let result = try run(["decode", "--hex", "--json", "-"],
                             input: "57001206f23238ad95f31c89c9059886aa\nnot-hex\n\n  0x57zz\n5700\n570\n")
        XCTAssertEqual(result.status, 1)
        let records = result.standardOutput.split(separator: "\n")
        XCTAssertEqual(records.count, 2)
        XCTAssertTrue(records[0].contains(#""ok": true"#) && records[0].contains(#""daddr": "f23238ad95""#))
        XCTAssertTrue(records[1].contains(#""ok": false"#) && records[1].contains(#""error": 10"#), "valid hex that does not decode is a record")
        XCTAssertEqual(result.standardError, """
            Error: -:2:1: `n` is not a hex digit
            -:4:7: `z` is not a hex digit
            -:6:3: odd number of hex digits (3): a byte is two digits

            """)
    }

    func testUnreadableAndDamagedFilesFailClearly() throws {
        let missing = try run(["decode", "/nonexistent/capture.pcap"])
        XCTAssertEqual(missing.status, 1)
        XCTAssertEqual(missing.standardError, "Error: /nonexistent/capture.pcap: no such file\n")

        let damaged = FileManager.default.temporaryDirectory.appendingPathComponent("nip-cut-\(getpid()).pcap")
        let capture = try Data(contentsOf: Self.packageRoot.appendingPathComponent("Examples/captures/lbf-five-contracts.pcap"))
        try capture.prefix(200).write(to: damaged)
        defer { try? FileManager.default.removeItem(at: damaged) }
        let result = try run(["decode", damaged.path])
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.standardOutput.split(separator: "\n").count, 1, "the packet before the damage is still decoded")
        XCTAssertTrue(result.standardError.contains("truncated packet data at byte 145 (packet 1)"), result.standardError)
    }

    func testBadFlagsNameTheProblem() throws {
        let result = try run(["decode", "--dialect", "ipv9", "-"])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.standardError.contains("ipv9"), result.standardError)
    }
}
