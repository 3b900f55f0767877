import Foundation
import XCTest

/// Runs the built `nip` binary as a user would, in a chosen folder, and collects its exit
/// status and output: shared by every test target that runs the CLI.
public enum NipRunner {
    public static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    public struct Missing: Error, CustomStringConvertible { public var description: String }

    /// The `nip` next to the test bundle (both are products of the same build).
    public static var nip: URL {
        get throws {
            // On Linux the test bundle is the products folder itself; elsewhere a .xctest inside it.
            var products = Bundle(for: Marker.self).bundleURL
            if products.pathExtension == "xctest" { products.deleteLastPathComponent() }
            let candidate = products.appendingPathComponent("nip")
            guard FileManager.default.isExecutableFile(atPath: candidate.path) else {
                throw Missing(description: "nip binary not built next to the tests at \(candidate.path)")
            }
            return candidate
        }
    }

    private final class Marker {}

    public struct Run {
        public var status: Int32
        public var standardOutput: String
        public var standardError: String
    }

    /// Runs `nip arguments` in `directory` with `input` on standard input; output goes through
    /// files so a chatty command never blocks on a full pipe. Killed after `timeout` seconds.
    /// `unprivileged` runs it as user nobody (through setpriv), for permission checks
    /// that root would pass.
    public static func run(_ arguments: [String], input: String? = nil, in directory: URL = packageRoot,
                    timeout: Double = 120, unprivileged: Bool = false) throws -> Run {
        if unprivileged && getuid() == 0 {
            return try run(program: URL(fileURLWithPath: "/usr/bin/setpriv"),
                           ["--reuid=65534", "--regid=65534", "--clear-groups", try nip.path] + arguments,
                           input: input, in: directory, timeout: timeout)
        }
        return try run(program: try nip, arguments, input: input, in: directory, timeout: timeout)
    }

    /// Runs any program (nip, tshark) the same way.
    public static func run(program: URL, _ arguments: [String], input: String? = nil, in directory: URL = packageRoot,
                    timeout: Double = 120) throws -> Run {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("nip-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outURL = scratch.appendingPathComponent("out"), errURL = scratch.appendingPathComponent("err")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let process = Process()
        process.executableURL = program
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.standardOutput = try FileHandle(forWritingTo: outURL)
        process.standardError = try FileHandle(forWritingTo: errURL)
        let standardInput = Pipe()
        process.standardInput = standardInput
        try process.run()
        if let input { standardInput.fileHandleForWriting.write(Data(input.utf8)) }
        try standardInput.fileHandleForWriting.close()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
            XCTFail("\(program.lastPathComponent) \(arguments.joined(separator: " ")) did not finish in \(timeout) s")
        }
        process.waitUntilExit()
        return Run(status: process.terminationStatus,
                   standardOutput: String(decoding: try Data(contentsOf: outURL), as: UTF8.self),
                   standardError: String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
    }
}
