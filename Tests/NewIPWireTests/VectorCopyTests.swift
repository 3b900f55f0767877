import Foundation
import XCTest

/// The project carries the interoperability vectors verbatim in `Tests/Vectors/` so that a
/// fresh clone tests against them; these checks keep that copy honest.
final class VectorCopyTests: XCTestCase {
    /// Every file of the copy, relative to `Tests/Vectors/`, except the manifest itself.
    private func files(under root: URL) throws -> [String] {
        let enumerator = try XCTUnwrap(FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey]))
        var names: [String] = []
        for case let url as URL in enumerator where try url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile == true {
            let relative = String(url.standardizedFileURL.path.dropFirst(root.standardizedFileURL.path.count + 1))
            if relative != "SHA256SUMS" { names.append(relative) }
        }
        return names.sorted()
    }

    /// `SHA256SUMS` lists exactly the files of the copy, and each file has its listed digest
    /// (checked by coreutils' `sha256sum`, which every Linux has).
    func testCopyMatchesItsManifest() throws {
        let manifest = try String(contentsOf: SharedVectors.root.appendingPathComponent("SHA256SUMS"), encoding: .utf8)
        let listed = manifest.split(separator: "\n").map { String($0.split(separator: " ", omittingEmptySubsequences: true).last!) }
        XCTAssertEqual(listed.sorted(), try files(under: SharedVectors.root), "SHA256SUMS and Tests/Vectors list different files")

        let check = Process()
        check.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        check.arguments = ["sha256sum", "--check", "--quiet", "SHA256SUMS"]
        check.currentDirectoryURL = SharedVectors.root
        let output = Pipe()
        check.standardOutput = output
        check.standardError = output
        try check.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        check.waitUntilExit()
        XCTAssertEqual(check.terminationStatus, 0, "a vector differs from its recorded digest:\n\(text)")
    }

    /// The copy is byte-identical to `../shared/vectors/` when that folder sits beside the clone.
    func testCopyEqualsTheSharedVectors() throws {
        let upstream = SharedVectors.upstream
        guard FileManager.default.fileExists(atPath: upstream.path) else {
            throw XCTSkip("testCopyEqualsTheSharedVectors: \(upstream.path) is absent, so the copy is checked against its manifest only")
        }
        let theirs = try files(under: upstream)
        XCTAssertEqual(theirs, try files(under: SharedVectors.root), "../shared/vectors and Tests/Vectors hold different files")
        for name in theirs {
            let a = try Data(contentsOf: upstream.appendingPathComponent(name))
            let b = try Data(contentsOf: SharedVectors.root.appendingPathComponent(name))
            XCTAssertTrue(a == b, "Tests/Vectors/\(name) differs from ../shared/vectors/\(name): copy it again verbatim and rerun scripts/update-vectors.sh")
        }
    }
}
