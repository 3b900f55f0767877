import Foundation
import XCTest

/// Runs the built `nip` binary as a user would and checks its output and exit status.
final class NipCommandTests: XCTestCase {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// The `nip` next to the test bundle (both are products of the same build).
    var nip: URL {
        get throws {
            // On Linux the test bundle is the products folder itself; elsewhere a .xctest inside it.
            var products = Bundle(for: NipCommandTests.self).bundleURL
            if products.pathExtension == "xctest" { products.deleteLastPathComponent() }
            let candidate = products.appendingPathComponent("nip")
            guard FileManager.default.isExecutableFile(atPath: candidate.path) else {
                struct Missing: Error, CustomStringConvertible { var description: String }
                throw Missing(description: "nip binary not built next to the tests at \(candidate.path)")
            }
            return candidate
        }
    }

    struct Run {
        var status: Int32
        var standardOutput: String
        var standardError: String
    }

    func run(_ arguments: [String], input: String? = nil) throws -> Run {
        let process = Process()
        process.executableURL = try nip
        process.arguments = arguments
        process.currentDirectoryURL = Self.packageRoot
        let output = Pipe(), error = Pipe(), standardInput = Pipe()
        process.standardOutput = output
        process.standardError = error
        process.standardInput = standardInput
        try process.run()
        if let input { standardInput.fileHandleForWriting.write(Data(input.utf8)) }
        try standardInput.fileHandleForWriting.close()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, standardOutput: String(decoding: out, as: UTF8.self),
                   standardError: String(decoding: err, as: UTF8.self))
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

    func testDecodeHexFromStandardInputKeepsGoingPastBadLines() throws {
        let result = try run(["decode", "--hex", "--json", "-"],
                             input: "57001206f23238ad95f31c89c9059886aa\nnot-hex\n5700\n")
        XCTAssertEqual(result.status, 0)
        let records = result.standardOutput.split(separator: "\n")
        XCTAssertEqual(records.count, 3)
        XCTAssertTrue(records[0].contains(#""ok": true"#) && records[0].contains(#""daddr": "f23238ad95""#))
        XCTAssertTrue(records[1].contains(#""ok": false"#) && records[1].contains("-:2: not an even-length hex string"))
        XCTAssertTrue(records[2].contains(#""error": 10"#))
    }

    func testUnreadableAndDamagedFilesFailClearly() throws {
        let missing = try run(["decode", "/nonexistent/capture.pcap"])
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.standardError.contains("cannot read /nonexistent/capture.pcap"))

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
