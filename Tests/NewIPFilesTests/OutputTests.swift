import Foundation
import NewIPFiles
import XCTest

final class OutputTests: XCTestCase {
    var scratch: String = ""

    override func setUpWithError() throws {
        scratch = NSTemporaryDirectory() + "nip-files-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: scratch)
    }

    func entries(_ folder: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
    }

    func testAFolderNipWroteIsReplacedAndOneItDidNotIsKept() throws {
        let out = scratch + "/out"
        try OutputDirectory.write([("a.csv", [1]), ("b.csv", [2])], to: out, writer: "nip test")
        XCTAssertEqual(try entries(out), [".nip-output", "a.csv", "b.csv"])
        XCTAssertEqual(try String(contentsOfFile: out + "/.nip-output", encoding: .utf8), "nip test\na.csv\nb.csv\n")
        try OutputDirectory.write([("c.csv", [3])], to: out, writer: "nip test")
        XCTAssertEqual(try entries(out), [".nip-output", "c.csv"])

        try Data("mine".utf8).write(to: URL(fileURLWithPath: out + "/notes.txt"))
        XCTAssertThrowsError(try OutputDirectory.write([("c.csv", [3])], to: out, writer: "nip test", option: "--out")) {
            XCTAssertEqual("\($0)", "--out \(out): the folder holds 1 entry nip did not write (notes.txt); choose a new folder or pass --force")
        }
        XCTAssertEqual(try entries(out), [".nip-output", "c.csv", "notes.txt"])
        try OutputDirectory.write([("d.csv", [4])], to: out, writer: "nip test", force: true)
        XCTAssertEqual(try entries(out), [".nip-output", "d.csv"])
        XCTAssertEqual(try entries(scratch), ["out"], "no temporary or old folder is left beside it")
    }

    func testAFolderWithoutAMarkerListsWhatWouldBeLost() throws {
        let folder = scratch + "/data"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for name in ["e", "d", "c", "b", "a"] { _ = FileManager.default.createFile(atPath: "\(folder)/\(name)", contents: Data()) }
        XCTAssertThrowsError(try OutputDirectory.check(folder, option: "--out")) {
            XCTAssertEqual("\($0)", "--out \(folder): the folder holds 5 entries nip did not write (a, b, c, ...); choose a new folder or pass --force")
        }
        // An empty folder holds nothing to lose.
        let empty = scratch + "/empty"
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        try OutputDirectory.write([("x", [1])], to: empty, writer: "nip test")
        XCTAssertEqual(try entries(empty), [".nip-output", "x"])
    }

    func testTheWorkingFolderItsAncestorsAndTheInputsFolderAreNeverReplaced() throws {
        let here = FileManager.default.currentDirectoryPath
        XCTAssertThrowsError(try OutputDirectory.check(".", option: "--out", force: true)) {
            XCTAssertEqual("\($0)", "--out .: it is the folder you are in; nip replaces its output folder whole, so choose a new folder (--force does not apply)")
        }
        XCTAssertThrowsError(try OutputDirectory.check("..", force: true)) {
            XCTAssertEqual("\($0)", "..: it holds the folder you are in; nip replaces its output folder whole, so choose a new folder (--force does not apply)")
        }
        XCTAssertThrowsError(try OutputDirectory.check("/", force: true))
        XCTAssertThrowsError(try OutputDirectory.check(here, force: true))
        let input = scratch + "/sub/base.yaml"
        try FileManager.default.createDirectory(atPath: scratch + "/sub", withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: input, contents: Data("x".utf8))
        XCTAssertThrowsError(try OutputDirectory.check(scratch, force: true, inputs: [input])) {
            XCTAssertEqual("\($0)", "\(self.scratch): it holds the input file \(input); nip replaces its output folder whole, so choose a new folder (--force does not apply)")
        }
        XCTAssertEqual(try String(contentsOfFile: input, encoding: .utf8), "x")
    }

    func testAFileWhereAFolderIsExpectedIsRefusedEvenWithForce() throws {
        let file = scratch + "/existing.txt"
        _ = FileManager.default.createFile(atPath: file, contents: Data("keep".utf8))
        XCTAssertThrowsError(try OutputDirectory.write([("x", [1])], to: file, writer: "nip test", option: "--out", force: true)) {
            XCTAssertEqual("\($0)", "--out \(file): is a file, not a folder; nip writes a folder of results here, so choose another name")
        }
        XCTAssertThrowsError(try OutputDirectory.write([("x", [1])], to: file + "/results", writer: "nip test")) {
            XCTAssertEqual("\($0)", "\(file)/results: \(file) is a file, not a folder")
        }
        XCTAssertEqual(try String(contentsOfFile: file, encoding: .utf8), "keep")
    }

    func testAFailedWriteLeavesNothingBehindAndKeepsTheOldFolder() throws {
        let out = scratch + "/out"
        try OutputDirectory.write([("old.csv", [1])], to: out, writer: "nip test")
        // A name the folder cannot hold fails after the temporary folder exists.
        XCTAssertThrowsError(try OutputDirectory.write([("a.csv", [1]), ("missing/b.csv", [2])], to: out, writer: "nip test")) {
            XCTAssertEqual("\($0)", "\(out): cannot write missing/b.csv (no such file or folder)")
        }
        XCTAssertEqual(try entries(scratch), ["out"])
        XCTAssertEqual(try entries(out), [".nip-output", "old.csv"])
    }

    func testSingleFilesReplaceOnlyWhatNipGenerated() throws {
        let path = scratch + "/claims.md"
        let header = "# Claims checked\n"
        try OutputFile.write(Array("\(header)one\n".utf8), to: path, option: "--output", generatedHeader: header)
        try OutputFile.write(Array("\(header)two\n".utf8), to: path, option: "--output", generatedHeader: header)
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "\(header)two\n")
        let notes = scratch + "/notes.md"
        _ = FileManager.default.createFile(atPath: notes, contents: Data("my notes\n".utf8))
        XCTAssertThrowsError(try OutputFile.write(Array(header.utf8), to: notes, option: "--output", generatedHeader: header)) {
            XCTAssertEqual("\($0)", "--output \(notes): the file exists and nip did not write it; choose another name or pass --force")
        }
        XCTAssertThrowsError(try OutputFile.create(notes)) {
            XCTAssertEqual("\($0)", "\(notes): the file exists and nip did not write it; choose another name or pass --force")
        }
        XCTAssertEqual(try String(contentsOfFile: notes, encoding: .utf8), "my notes\n")
        try OutputFile.write(Array(header.utf8), to: notes, force: true)
        XCTAssertEqual(try String(contentsOfFile: notes, encoding: .utf8), header)
        XCTAssertThrowsError(try OutputFile.write([1], to: scratch, force: true)) {
            XCTAssertEqual("\($0)", "\(self.scratch): is a folder, not a file; name a file to write")
        }
        XCTAssertThrowsError(try OutputFile.write([1], to: scratch + "/docs/claims.md", option: "--output")) {
            XCTAssertEqual("\($0)", "--output \(self.scratch)/docs/claims.md: the folder \(self.scratch)/docs does not exist")
        }
        XCTAssertThrowsError(try OutputFile.write([1], to: "/proc/nip-claims.md")) {
            XCTAssertTrue("\($0)".hasPrefix("/proc/nip-claims.md: "), "\($0)")
        }
        XCTAssertThrowsError(try OutputFile.write([1], to: "", option: "--output")) {
            XCTAssertEqual("\($0)", "--output : the path is empty; name a file to write")
        }
        XCTAssertThrowsError(try OutputDirectory.check("", option: "--out")) {
            XCTAssertEqual("\($0)", "--out : the path is empty; name a folder to write")
        }
        XCTAssertEqual(try entries(scratch), ["claims.md", "notes.md"], "no temporary file is left behind")
    }

    func testInputsSayWhyTheyCannotBeRead() throws {
        XCTAssertThrowsError(try InputFile.text(scratch + "/missing.yaml")) {
            XCTAssertEqual("\($0)", "\(self.scratch)/missing.yaml: no such file")
        }
        XCTAssertThrowsError(try InputFile.text(scratch)) {
            XCTAssertEqual("\($0)", "\(self.scratch): is a folder, not a file")
        }
        let binary = scratch + "/capture.pcap"
        _ = FileManager.default.createFile(atPath: binary, contents: Data([0x41, 0x42, 0xD4, 0xC3, 0xB2, 0xA1]))
        XCTAssertThrowsError(try InputFile.text(binary, option: "--config")) {
            XCTAssertEqual("\($0)", "--config \(binary): is a binary file, not UTF-8 text (byte 2 is 0xD4)")
        }
        XCTAssertEqual(try InputFile.bytes(binary), [0x41, 0x42, 0xD4, 0xC3, 0xB2, 0xA1])
        let text = scratch + "/t.yaml"
        _ = FileManager.default.createFile(atPath: text, contents: Data("µs: 1\n".utf8))
        XCTAssertEqual(try InputFile.text(text), "µs: 1\n")
    }

    func testAnUnreadableFileSaysPermissionDenied() throws {
        try XCTSkipIf(getuid() == 0, "root reads every file; run as another user to check permissions")
        let secret = scratch + "/secret.yaml"
        _ = FileManager.default.createFile(atPath: secret, contents: Data("x".utf8), attributes: [.posixPermissions: 0o000])
        XCTAssertThrowsError(try InputFile.text(secret)) {
            XCTAssertEqual("\($0)", "\(secret): permission denied: this user may not read it")
        }
    }
}
