import Foundation
import NipTestSupport
import XCTest

/// Issue 8: commands never destroy what they did not write, say what is wrong and where,
/// and refuse work too big to finish. Each test runs the real `nip` in a scratch folder.
final class SafeByDefaultTests: XCTestCase {
    var scratch: URL!

    override func setUpWithError() throws {
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("nip-safe-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: NipRunner.packageRoot.appendingPathComponent("Examples/chain.yaml"),
                                         to: scratch.appendingPathComponent("base.yaml"))
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: scratch)
    }

    @discardableResult
    func nip(_ arguments: [String], in folder: String = "", input: String? = nil) throws -> NipRunner.Run {
        try NipRunner.run(arguments, input: input, in: folder.isEmpty ? scratch : scratch.appendingPathComponent(folder))
    }

    func write(_ text: String, to name: String) throws {
        let url = scratch.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    func read(_ name: String) throws -> String {
        try String(contentsOf: scratch.appendingPathComponent(name), encoding: .utf8)
    }

    func entries(_ folder: String = "") throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: scratch.appendingPathComponent(folder).path).sorted()
    }

    func assertRefused(_ run: NipRunner.Run, _ message: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(run.status, 1, file: file, line: line)
        XCTAssertEqual(run.standardError, "Error: \(message)\n", file: file, line: line)
    }

    // MARK: Data loss

    func testEmulateNeverEmptiesTheWorkingFolderItsParentOrAFile() throws {
        try write("notes", to: "notes.txt")
        try write("mine", to: "sub/keep.txt")
        let protectedHere = "it is the folder you are in; nip replaces its output folder whole, so choose a new folder (--force does not apply)"
        assertRefused(try nip(["emulate", "base.yaml", "--out", "."]), "--out .: \(protectedHere)")
        assertRefused(try nip(["emulate", "base.yaml", "--out", ".", "--force"]), "--out .: \(protectedHere)")
        assertRefused(try nip(["emulate", "../base.yaml", "--out", "..", "--force"], in: "sub"),
                      "--out ..: it holds the folder you are in; nip replaces its output folder whole, so choose a new folder (--force does not apply)")
        assertRefused(try nip(["demo", "--out", "..", "--force"], in: "sub"),
                      "--out ..: it holds the folder you are in; nip replaces its output folder whole, so choose a new folder (--force does not apply)")
        assertRefused(try nip(["emulate", "base.yaml", "--out", "notes.txt", "--force"]),
                      "--out notes.txt: is a file, not a folder; nip writes a folder of results here, so choose another name")
        XCTAssertEqual(try entries(), ["base.yaml", "notes.txt", "sub"])
        XCTAssertEqual(try read("notes.txt"), "notes")
        XCTAssertEqual(try read("sub/keep.txt"), "mine")
    }

    func testEmulateReplacesOnlyAFolderItWroteUnlessForced() throws {
        XCTAssertEqual(try nip(["emulate", "base.yaml", "--out", "results", "--quiet"]).status, 0)
        XCTAssertEqual(try read("results/.nip-output"), "nip emulate\ncapture-h2-eth0.pcapng\ncdf-ping-like.svg\nflows.csv\nlinks.csv\nnodes.csv\nresults.json\n")
        XCTAssertEqual(try nip(["emulate", "base.yaml", "--out", "results", "--quiet"]).status, 0, "its own folder is replaced")
        try write("analysis", to: "results/my-analysis.txt")
        assertRefused(try nip(["emulate", "base.yaml", "--out", "results", "--quiet"]),
                      "--out results: the folder holds 1 entry nip did not write (my-analysis.txt); choose a new folder or pass --force")
        XCTAssertEqual(try read("results/my-analysis.txt"), "analysis")
        for index in 1...12 { try write("", to: "data/file\(index)") }
        assertRefused(try nip(["emulate", "base.yaml", "--out", "data"]),
                      "--out data: the folder holds 12 entries nip did not write (file1, file10, file11, ...); choose a new folder or pass --force")
        XCTAssertEqual(try entries("data").count, 12)
        XCTAssertEqual(try nip(["emulate", "base.yaml", "--out", "results", "--quiet", "--force"]).status, 0)
        XCTAssertFalse(try entries("results").contains("my-analysis.txt"))
        XCTAssertEqual(try entries().filter { $0.hasPrefix(".") }, [], "no temporary folder is left")
    }

    func testAFolderHoldingTheTopologyIsNeverReplaced() throws {
        try FileManager.default.createDirectory(at: scratch.appendingPathComponent("runs"), withIntermediateDirectories: true)
        try FileManager.default.moveItem(at: scratch.appendingPathComponent("base.yaml"), to: scratch.appendingPathComponent("runs/base.yaml"))
        assertRefused(try nip(["emulate", "runs/base.yaml", "--out", "runs", "--force"]),
                      "--out runs: it holds the input file runs/base.yaml; nip replaces its output folder whole, so choose a new folder (--force does not apply)")
        XCTAssertEqual(try entries("runs"), ["base.yaml"])
    }

    func testAnUnwritablePlaceIsOneLineAndLeavesNothingBehind() throws {
        try write("x", to: "plain")
        assertRefused(try nip(["emulate", "base.yaml", "--out", "plain/results"]), "--out plain/results: plain is a file, not a folder")
        assertRefused(try nip(["claims", "--output", "docs/claims.md"]), "--output docs/claims.md: the folder docs does not exist")
        XCTAssertEqual(try entries(), ["base.yaml", "plain"])
        // sysfs takes no new folders, even from root, whom permissions do not stop.
        let sys = try nip(["emulate", "base.yaml", "--out", "/sys/nip-results"])
        XCTAssertEqual(sys.status, 1)
        XCTAssertTrue(sys.standardError.hasPrefix("Error: --out /sys/nip-results: cannot create files in /sys ("), sys.standardError)
        XCTAssertEqual(sys.standardError.split(separator: "\n").count, 1)
        // A folder this user may not write to (the scratch folder is root's when the tests run as root).
        guard getuid() == 0, FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv") else { return }
        assertRefused(try NipRunner.run(["emulate", "base.yaml", "--out", "results"], in: scratch, unprivileged: true),
                      "--out results: cannot create files in . (permission denied)")
        assertRefused(try NipRunner.run(["claims", "--output", "claims.md"], in: scratch, unprivileged: true),
                      "--output claims.md: cannot create files in . (permission denied)")
        XCTAssertEqual(try entries(), ["base.yaml", "plain"], "no partial file or folder is left")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: "/sys").filter { $0.contains("nip-results") }, [])
    }

    func testSingleFilesAreReplacedOnlyWhenNipGeneratedThem() throws {
        // An earlier run's claims.md: docs/claims.md's title and "Generated by" lines (what
        // `nip claims` writes, NipCommandTests checks) over a stale body. One run of the
        // whole study (slow in a debug build) proves it is regenerated.
        let committed = try String(contentsOf: NipRunner.packageRoot.appendingPathComponent("docs/claims.md"), encoding: .utf8)
        let generatedHeader = committed.split(separator: "\n", maxSplits: 3, omittingEmptySubsequences: false).prefix(3).joined(separator: "\n")
        try write(generatedHeader + "\nan earlier run's numbers\n", to: "claims.md")
        XCTAssertEqual(try nip(["claims", "--output", "claims.md"]).status, 0, "claims.md is regenerated routinely")
        let claims = try read("claims.md")
        XCTAssertTrue(claims.hasPrefix(generatedHeader + "\n"))
        XCTAssertFalse(claims.contains("an earlier run's numbers"))
        try write("my notes", to: "notes.md")
        let foreign = "the file exists and nip did not write it; choose another name or pass --force"
        assertRefused(try nip(["claims", "--output", "notes.md"]), "--output notes.md: \(foreign)")
        assertRefused(try nip(["topology", "generate", "chain", "--size", "2", "--output", "notes.md"]), "--output notes.md: \(foreign)")
        assertRefused(try nip(["bench-node", "--write-config", "notes.md"]), "--write-config notes.md: \(foreign)")
        assertRefused(try nip(["capture", "--node", "h1", "eth0", "--output", "notes.md"]), "--output notes.md: \(foreign)")
        assertRefused(try nip(["listen", "--node", "h1", "--port", "9", "--output", "notes.md"]), "--output notes.md: \(foreign)")
        XCTAssertEqual(try read("notes.md"), "my notes")
        XCTAssertEqual(try nip(["topology", "generate", "chain", "--size", "2", "--output", "t.yaml"]).status, 0)
        XCTAssertEqual(try nip(["topology", "generate", "chain", "--size", "3", "--output", "t.yaml"]).status, 0)
        XCTAssertTrue(try read("t.yaml").hasPrefix("# Generated by nip topology generate chain --size 3 --output t.yaml\nname: chain-3\n"))
        XCTAssertEqual(try nip(["bench-node", "--write-config", "router.yaml"]).status, 0)
        XCTAssertEqual(try nip(["bench-node", "--write-config", "router.yaml"]).status, 0)
        XCTAssertEqual(try nip(["claims", "--output", "notes.md", "--force"]).status, 0)
        XCTAssertEqual(try read("notes.md"), claims, "the same document as claims.md")
        XCTAssertEqual(try entries(), ["base.yaml", "claims.md", "notes.md", "router.yaml", "t.yaml"])
    }

    // MARK: Errors that say what and where

    func testTopologyInputsSayWhyTheyCannotBeRead() throws {
        assertRefused(try nip(["emulate", "missing.yaml"]), "missing.yaml: no such file")
        try FileManager.default.createDirectory(at: scratch.appendingPathComponent("folder.yaml"), withIntermediateDirectories: true)
        assertRefused(try nip(["emulate", "folder.yaml"]), "folder.yaml: is a folder, not a file")
        try Data([0x0A, 0xD4, 0xC3, 0xB2, 0xA1, 0x00]).write(to: scratch.appendingPathComponent("capture.yaml"))
        assertRefused(try nip(["emulate", "capture.yaml"]), "capture.yaml: is a binary file, not UTF-8 text (byte 1 is 0xD4)")
    }

    func testAnUnreadableTopologySaysPermissionDenied() throws {
        try XCTSkipIf(getuid() == 0 && !FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv"),
                      "root reads every file, and there is no setpriv to run nip as another user")
        try FileManager.default.setAttributes([.posixPermissions: 0o000], ofItemAtPath: scratch.appendingPathComponent("base.yaml").path)
        assertRefused(try NipRunner.run(["emulate", "base.yaml"], in: scratch, unprivileged: true),
                      "base.yaml: permission denied: this user may not read it")
    }

    func testQuantitiesSayExactlyWhatIsWrongAndWhere() throws {
        var text = try read("base.yaml")
        text = text.replacingOccurrences(of: "    rate: 1Gbps\n    delay: 1ms\n  - endpoints: [r1:eth1", with: "    rate: 1e30bps\n    delay: 1ms\n  - endpoints: [r1:eth1")
        try write(text.replacingOccurrences(of: "size: 1000", with: "size: 99999999999999999999"), to: "bad.yaml")
        let run = try nip(["emulate", "bad.yaml"])
        XCTAssertEqual(run.status, 1)
        XCTAssertEqual(run.standardError, """
            Error: bad.yaml:23:11: rate: exponent notation is not accepted in `1e30bps` — write the digits out with a unit, e.g. 100Mbps, or use a larger unit
            bad.yaml:\(lineNumber(of: "size:", in: text)):11: size: `99999999999999999999` is too large (at most 9223372036854775807 bytes) — use a smaller value

            """)
    }

    func lineNumber(of prefix: String, in text: String) -> Int {
        (text.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.trimmingCharacters(in: .whitespaces).hasPrefix(prefix) } ?? -1) + 1
    }

    func testAFlowThatCanNeverBeDeliveredIsAWarning() throws {
        var text = try read("base.yaml")
        text = text.replacingOccurrences(of: "dialect: compact\n", with: "dialect: compact\nrouting: static\n")
        try write(text, to: "static.yaml")
        let run = try nip(["emulate", "static.yaml", "--out", "out", "--quiet"])
        XCTAssertEqual(run.status, 0)
        XCTAssertEqual(run.standardError, "warning: static.yaml: flow `ping-like` from h1:eth0 to h2:eth0 can never be delivered: the route ends at h1 (no route to 0x04)\n")
        XCTAssertEqual(try nip(["emulate", "base.yaml", "--out", "out2", "--quiet"]).standardError, "")
    }

    func testDocumentedGeneratorCommandsRunAndMistakesShowTheGeneratorsUsage() throws {
        let run = try nip(["topology", "generate", "fat-tree", "--size", "4", "--output", "fat-tree.yaml"])
        XCTAssertEqual(run.status, 0, run.standardError)
        XCTAssertEqual(run.standardError, "wrote fat-tree.yaml: 36 nodes, 48 links, 16 flows\n")
        XCTAssertEqual(try nip(["emulate", "fat-tree.yaml", "--quiet"]).status, 0)
        let early = try nip(["topology", "generate", "grid", "--side", "3", "--flows", "2", "--duration", "50ms"])
        XCTAssertEqual(early.status, 64)
        XCTAssertTrue(early.standardError.hasPrefix("Error: the flows start at 100ms, not before --duration 50ms ends the run; "
                                                    + "pass a longer --duration or an earlier --flow-start\n"), early.standardError)
        let wrong = try nip(["topology", "generate", "chain", "--size", "0"])
        XCTAssertEqual(wrong.status, 64)
        XCTAssertEqual(wrong.standardError, """
            Error: a chain needs at least 1 router, not 0
            Usage: nip topology generate [<options>] <shape> --size <size>
              See 'nip topology generate --help' for more information.

            """)
        let version = try nip(["--version"])
        XCTAssertEqual(version.status, 0)
        XCTAssertEqual(version.standardOutput, "0.1.0\n")
    }

    // MARK: Memory and size

    func testWorkTooBigToFinishIsRefusedWithTheEstimate() throws {
        let star = try nip(["topology", "generate", "star", "--size", "100000000"])
        XCTAssertEqual(star.status, 64)
        XCTAssertTrue(star.standardError.hasPrefix("Error: a star of size 100000000 has about 100.0 M nodes and 100.0 M links: "
                                                   + "about 38.0 GB of output (limit 2.0 GB), about 220.0 GB of memory (limit 16.0 GB); "
                                                   + "choose a smaller --size or pass --force\n"), star.standardError)
        let text = try read("base.yaml")
        try write(text.replacingOccurrences(of: "rate: 100pps", with: "rate: 100000000Mpps"), to: "flood.yaml")
        assertRefused(try nip(["emulate", "flood.yaml"]),
                      "flood.yaml: the run would take about 500.0 T events (limit 50.0 M), about 103.2 PB of output (limit 2.0 GB); shorten `duration`, lower the flows' rates, capture less, or pass --force")
        try write(text.replacingOccurrences(of: "duration: 1s", with: "duration: 1000000s"), to: "long.yaml")
        assertRefused(try nip(["emulate", "long.yaml"]),
                      "long.yaml: the run would take about 500.0 M events (limit 50.0 M), about 103.2 GB of output (limit 2.0 GB); shorten `duration`, lower the flows' rates, capture less, or pass --force")
        XCTAssertEqual(try entries(), ["base.yaml", "flood.yaml", "long.yaml"], "nothing was written")
    }

    func testProgressLinesWhenStandardErrorIsNotATerminal() throws {
        let text = try String(contentsOf: NipRunner.packageRoot.appendingPathComponent("Examples/lbf-dumbbell.yaml"), encoding: .utf8)
        // Long enough that even a quiet machine's debug build runs for several seconds (an 8 s
        // run finished in under 2 s, before the first progress line was due).
        try write(text.replacingOccurrences(of: "duration: 2s", with: "duration: 40s"), to: "long.yaml")
        let started = Date()
        let run = try nip(["emulate", "long.yaml", "--out", "out"])
        XCTAssertEqual(run.status, 0)
        let lines = run.standardError.split(separator: "\n")
        XCTAssertFalse(lines.isEmpty, "a run of \(Int(Date().timeIntervalSince(started))) s reports progress")
        for line in lines {
            XCTAssertNotNil(line.wholeMatch(of: /progress: \d+ % after \d+ s/), String(line))
        }
    }
}
