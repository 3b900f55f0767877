import Foundation
import XCTest

/// `nip log ...` run as a user would: a log folder, a served log read over HTTP, witnesses, and
/// a writer killed with SIGKILL mid-append.
extension NipCommandTests {
    /// A fresh scratch folder, removed when the test ends.
    func logScratch() throws -> String {
        let folder = NSTemporaryDirectory() + "nip-log-cmd-\(getpid())-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: folder) }
        return folder
    }

    /// `run` with the exit status checked.
    @discardableResult
    func runNip(_ arguments: [String], input: String? = nil, status: Int32 = 0, file: StaticString = #filePath,
                line: UInt = #line) throws -> (status: Int32, standardOutput: String, standardError: String) {
        let result = try run(arguments, input: input)
        XCTAssertEqual(result.status, status, "nip \(arguments.joined(separator: " ")): \(result.standardError)", file: file, line: line)
        return (result.status, result.standardOutput, result.standardError)
    }

    /// Starts `nip arguments` and returns at once, for a server to query or a writer to kill;
    /// `run` waits for the exit instead. The binary is the one built beside the test bundle.
    func startNip(_ arguments: [String], input: FileHandle? = nil, output: Pipe) throws -> Process {
        var products = Bundle(for: NipCommandTests.self).bundleURL
        if products.pathExtension == "xctest" { products.deleteLastPathComponent() }
        let process = Process()
        process.executableURL = products.appendingPathComponent("nip")
        process.arguments = arguments
        if let input { process.standardInput = input }
        process.standardOutput = output
        try process.run()
        return process
    }

    /// The entries of a log folder's bundles, read straight from the tlog-tiles files.
    func logEntries(_ log: String, size: Int) throws -> [String] {
        var result: [String] = []
        for index in 0 ..< (size + 255) / 256 {
            let width = min(256, size - index * 256)
            let name = String(format: "%03d", index) + (width < 256 ? ".p/\(width)" : "")
            var path = log + "/tile/entries/" + name
            if !FileManager.default.fileExists(atPath: path) { path = log + "/tile/entries/" + String(format: "%03d", index) }
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
            var offset = 0
            while offset < bytes.count, result.count < size {
                let length = Int(bytes[offset]) << 8 | Int(bytes[offset + 1])
                result.append(String(decoding: bytes[offset + 2 ..< offset + 2 + length], as: UTF8.self))
                offset += 2 + length
            }
        }
        return result
    }

    func logSize(_ log: String) throws -> Int {
        let lines = try String(contentsOfFile: log + "/checkpoint", encoding: .utf8).split(separator: "\n")
        return Int(lines[1])!
    }

    func testInitAppendProveConsistencyAndVerify() throws {
        let folder = try logScratch()
        let log = folder + "/log"
        let key = try runNip(["log", "init", log, "--origin", "test.example/log"]).standardOutput.trimmingCharacters(in: .newlines)
        XCTAssertTrue(key.hasPrefix("test.example/log+"), key)
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: log + "/log.key")[.posixPermissions] as? Int, 0o600)
        let again = try runNip(["log", "init", log, "--origin", "test.example/log"], status: 1)
        XCTAssertTrue(again.standardError.contains("\(log) already holds a log"), again.standardError)

        let appended = try runNip(["log", "append", log], input: (0..<300).map { "line \($0)" }.joined(separator: "\n"))
        XCTAssertEqual(appended.standardOutput, (0..<300).map { "\($0)\n" }.joined())
        try "from a file".write(toFile: folder + "/one.txt", atomically: true, encoding: .utf8)
        XCTAssertEqual(try runNip(["log", "append", log, "--file", folder + "/one.txt"]).standardOutput, "300\n")
        XCTAssertEqual(try logEntries(log, size: 301).suffix(2), ["line 299", "from a file"])

        let checkpoint = try runNip(["log", "checkpoint", log]).standardOutput
        XCTAssertTrue(checkpoint.hasPrefix("test.example/log\n301\n"), checkpoint)
        XCTAssertTrue(checkpoint.contains("\n\n— test.example/log "), checkpoint)

        let proof = try runNip(["log", "prove", log, "--entry", "299"])
        let lines = proof.standardOutput.split(separator: "\n")
        XCTAssertEqual(Array(lines.prefix(3)), ["tlog inclusion proof", "index 299", "size 301"])
        XCTAssertEqual(lines[3], "root " + checkpoint.split(separator: "\n")[2])
        XCTAssertEqual(lines.count, 4 + 6)  // RFC 9162 PATH(299, D[0:301]) has 6 hashes
        XCTAssertTrue(proof.standardError.contains("verified: entry 299 is in the tree of size 301"), proof.standardError)
        let consistency = try runNip(["log", "consistency", log, "100", "301"])
        XCTAssertTrue(consistency.standardOutput.hasPrefix("tlog consistency proof\nold 100 "), consistency.standardOutput)
        XCTAssertTrue(try runNip(["log", "verify", log]).standardOutput.hasPrefix("ok: test.example/log has 301 entries, root "))

        let past = try runNip(["log", "prove", log, "--entry", "301"], status: 1)
        XCTAssertTrue(past.standardError.contains("entry 301 is not in the tree of size 301"), past.standardError)
        let backwards = try runNip(["log", "consistency", log, "200", "100"], status: 1)
        XCTAssertTrue(backwards.standardError.contains("sizes 200 and 100 must satisfy"), backwards.standardError)

        // A flipped bit in a bundle is named with its file.
        let bundle = URL(fileURLWithPath: log + "/tile/entries/000")
        var data = try Data(contentsOf: bundle)
        data[2] ^= 0x20
        try data.write(to: bundle)
        let damaged = try runNip(["log", "verify", log], status: 1)
        XCTAssertTrue(damaged.standardError.contains("\(log)/tile/0/000: hash 0 (byte offset 0) is not the hash of entry 0 of \(log)/tile/entries/000"), damaged.standardError)
    }

    func testServedLogVerifiesOverHTTPAndWitnessesCosign() throws {
        let folder = try logScratch()
        let log = folder + "/log"
        let key = try runNip(["log", "init", log, "--origin", "test.example/served"]).standardOutput.trimmingCharacters(in: .newlines)
        try runNip(["log", "append", log], input: (0..<600).map { "e\($0)\n" }.joined())

        let output = Pipe()
        let server = try startNip(["log", "serve", log, "--listen", "127.0.0.1:0"], output: output)
        defer { server.terminate(); server.waitUntilExit() }
        var banner = Data()
        while !banner.contains(0x0A) {
            let chunk = output.fileHandleForReading.availableData
            guard !chunk.isEmpty else { return XCTFail("nip log serve exited") }
            banner.append(chunk)
        }
        let url = String(decoding: banner, as: UTF8.self).split(separator: " ").last!.trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertTrue(url.hasPrefix("http://127.0.0.1:"), url)

        XCTAssertTrue(try runNip(["log", "verify", url, "--key", key]).standardOutput.hasPrefix("ok: test.example/served has 600 entries"))
        XCTAssertEqual(try runNip(["log", "prove", url, "--key", key, "--entry", "517"]).standardOutput,
                       try runNip(["log", "prove", log, "--entry", "517"]).standardOutput)
        let needsKey = try runNip(["log", "verify", url], status: 64)
        XCTAssertTrue(needsKey.standardError.contains("--key is required"), needsKey.standardError)
        let stranger = "test.example/served+00000000+AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
        XCTAssertTrue(try runNip(["log", "verify", url, "--key", stranger], status: 1).standardError.contains("key hash 00000000 does not match"))

        // Two witnesses: the second cosigns the first one's output; a client then requires both.
        let first = try runNip(["log", "witness", "--log", url, "--key", key, "--state", folder + "/w1", "--name", "w1.example"])
        let w1 = first.standardError.replacingOccurrences(of: "witness key: ", with: "").trimmingCharacters(in: .newlines)
        try first.standardOutput.write(toFile: folder + "/cosigned-1", atomically: true, encoding: .utf8)
        let second = try runNip(["log", "witness", "--log", url, "--key", key, "--state", folder + "/w2", "--name", "w2.example",
                              "--checkpoint", folder + "/cosigned-1"])
        let w2 = second.standardError.replacingOccurrences(of: "witness key: ", with: "").trimmingCharacters(in: .newlines)
        try second.standardOutput.write(toFile: folder + "/cosigned-2", atomically: true, encoding: .utf8)
        XCTAssertEqual(second.standardOutput.components(separatedBy: "\n— ").count, 4)  // log, w1, w2
        let both = try runNip(["log", "verify", url, "--key", key, "--witness", w1, "--witness", w2, "--min-witnesses", "2",
                            "--checkpoint", folder + "/cosigned-2"])
        XCTAssertTrue(both.standardOutput.hasSuffix("cosigned by w1.example, w2.example\n"), both.standardOutput)
        let short = try runNip(["log", "verify", url, "--key", key, "--witness", w1, "--witness", w2, "--min-witnesses", "2",
                             "--checkpoint", folder + "/cosigned-1"], status: 1)
        XCTAssertTrue(short.standardError.contains("1 valid witness cosignatures, 2 required"), short.standardError)

        // The log grows; the witness follows. Shown the old, smaller checkpoint again, it refuses.
        let old = folder + "/old-checkpoint", fork = folder + "/fork"
        try FileManager.default.copyItem(atPath: log + "/checkpoint", toPath: old)
        try FileManager.default.copyItem(atPath: log, toPath: fork)
        try runNip(["log", "append", log], input: "one more\n")
        let grown = try runNip(["log", "witness", "--log", url, "--key", key, "--state", folder + "/w1", "--name", "w1.example"])
        XCTAssertTrue(grown.standardOutput.hasPrefix("test.example/served\n601\n"), grown.standardOutput)
        let rollback = try runNip(["log", "witness", "--log", url, "--key", key, "--state", folder + "/w1", "--name", "w1.example",
                                "--checkpoint", old], status: 1)
        XCTAssertTrue(rollback.standardError.contains("rollback: the log shows a tree of size 600, smaller than size 601 already cosigned"), rollback.standardError)
        // A split view: the same key signs another history (the folder copied at 600, grown apart).
        try runNip(["log", "append", fork], input: "something else\nand more\n")
        let split = try runNip(["log", "witness", "--log", fork, "--key", key, "--state", folder + "/w1", "--name", "w1.example"], status: 1)
        XCTAssertTrue(split.standardError.contains("split view: the log's tree of size 602 does not extend the cosigned tree of size 601"), split.standardError)
        // A key the checkpoint is not signed by: another log of the same name.
        let otherKey = try runNip(["log", "init", folder + "/other", "--origin", "test.example/served"]).standardOutput.trimmingCharacters(in: .newlines)
        let unknown = try runNip(["log", "verify", url, "--key", otherKey], status: 1)
        XCTAssertTrue(unknown.standardError.contains("\(url)/checkpoint: no signature by the log key \(otherKey.split(separator: "+").prefix(2).joined(separator: "+"))"), unknown.standardError)

        // A damaged tile is found by the outside verifier, named by its URL.
        let tile = URL(fileURLWithPath: log + "/tile/0/001")
        var data = try Data(contentsOf: tile)
        data[32 * 3] ^= 1
        try data.write(to: tile)
        let damaged = try runNip(["log", "verify", url, "--key", key], status: 1)
        XCTAssertTrue(damaged.standardError.contains("\(url)/tile/0/001: hash 3 (byte offset 96) is not the hash of entry 259 of \(url)/tile/entries/001"), damaged.standardError)
        // Nothing but the tlog-tiles names is served: not the key.
        XCTAssertTrue(try runNip(["log", "verify", url + "/log.key", "--key", key], status: 1).standardError.contains("not found"))
    }

    func testKilledWriterLosesNoAcknowledgedEntry() throws {
        let folder = try logScratch()
        let log = folder + "/log"
        try runNip(["log", "init", log, "--origin", "test.example/crash"])
        var acknowledged: [Int: String] = [:]
        for round in 0..<4 {
            let start = try logSize(log)
            let input = folder + "/input-\(round)"
            try (0..<50_000).map { "r\(round)-\($0)\n" }.joined().write(toFile: input, atomically: true, encoding: .utf8)
            let output = Pipe()
            let writer = try startNip(["log", "append", log, "--batch", "\(7 + round * 20)"],
                                      input: FileHandle(forReadingAtPath: input), output: output)
            var printed = Data()
            while printed.filter({ $0 == 0x0A }).count < 40 + round * 90 {
                let chunk = output.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                printed.append(chunk)
            }
            usleep(UInt32(round * 3_000))
            kill(writer.processIdentifier, SIGKILL)
            printed.append(output.fileHandleForReading.readDataToEndOfFile())
            writer.waitUntilExit()
            XCTAssertEqual(writer.terminationReason, .uncaughtSignal)
            // Only whole lines count: the kill may cut one.
            let indices = String(decoding: printed, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).dropLast().map { Int($0)! }
            XCTAssertEqual(indices, Array(start ..< start + indices.count))
            for index in indices { acknowledged[index] = "r\(round)-\(index - start)" }
        }
        // Reopened: consistent, and every acknowledged entry is there as written.
        XCTAssertTrue(try runNip(["log", "verify", log]).standardOutput.hasPrefix("ok: test.example/crash has "))
        let size = try logSize(log)
        let stored = try logEntries(log, size: size)
        XCTAssertGreaterThan(acknowledged.count, 400)
        for (index, entry) in acknowledged { XCTAssertEqual(stored[index], entry, "entry \(index)") }
        XCTAssertEqual(try runNip(["log", "append", log], input: "after\n").standardOutput, "\(size)\n")
    }
}
