import Foundation
import NipTestSupport
import XCTest

/// The commands README.md and docs/topology.md show run as written (in a copy of the
/// examples, so the repository is untouched). Those needing real processes or a release
/// build (`up`, `ping`, `down`, `neighbours`, `routes`, `bench`, `demo`) are left to their own tests.
final class DocumentedCommandsTests: XCTestCase {
    static let skipped: Set<String> = ["up", "ping", "down", "neighbours", "routes", "bench", "demo"]

    /// `nip` commands in the ```sh blocks of `document`, with the standard input an
    /// `echo … |` before them gives.
    func commands(in document: String) throws -> [(arguments: [String], input: String?)] {
        let text = try String(contentsOf: NipRunner.packageRoot.appendingPathComponent(document), encoding: .utf8)
        var inBlock = false
        var found: [(arguments: [String], input: String?)] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("```") {
                inBlock = line == "```sh"
                continue
            }
            guard inBlock else { continue }
            let command = line.components(separatedBy: "  #")[0]
            for step in command.components(separatedBy: " && ") {
                let piped = step.components(separatedBy: " | ")
                let input = piped.count == 2 ? piped[0].replacingOccurrences(of: "echo ", with: "") + "\n" : nil
                let words = piped.last!.replacingOccurrences(of: "swift run -c release ", with: "").split(separator: " ").map(String.init)
                guard words.first == "nip" else { continue }
                found.append((Array(words.dropFirst()), input?.trimmingCharacters(in: .whitespaces)))
            }
        }
        return found
    }

    func testEveryDocumentedCommandRuns() throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("nip-docs-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        for folder in ["Examples", "docs"] {
            try FileManager.default.copyItem(at: NipRunner.packageRoot.appendingPathComponent(folder), to: scratch.appendingPathComponent(folder))
        }
        var ran = 0
        for document in ["README.md", "docs/topology.md"] {
            for command in try commands(in: document) where !Self.skipped.contains(command.arguments.first ?? "") {
                let run = try NipRunner.run(command.arguments, input: command.input, in: scratch)
                XCTAssertEqual(run.status, 0, "\(document): nip \(command.arguments.joined(separator: " "))\n\(run.standardError)")
                XCTAssertFalse(run.standardError.contains("warning"), "\(document): nip \(command.arguments.joined(separator: " "))\n\(run.standardError)")
                ran += 1
            }
        }
        XCTAssertGreaterThanOrEqual(ran, 9, "the documents' commands were found")
    }
}
