import Foundation
import XCTest

/// The dependency rule the modules keep (as SwiftNIO's NIOPosix and NIOEmbedded both build
/// on NIOCore and never on each other): the real-node runtime and the emulator are two
/// drivers of the same data plane and topology model, and neither imports the other.
final class ModuleLayoutTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The modules `target` depends on, as `Package.swift` lists them.
    func dependencies(of target: String) throws -> Set<String> {
        let manifest = try String(contentsOf: Self.root.appendingPathComponent("Package.swift"), encoding: .utf8)
        let start = try XCTUnwrap(manifest.range(of: "arget(name: \"\(target)\"") ?? manifest.range(of: "arget(\n            name: \"\(target)\""),
                                  "\(target) is not a target of Package.swift")
        // The target's own call: up to its closing parenthesis.
        var depth = 1, end = start.upperBound
        while depth > 0 && end < manifest.endIndex {
            if manifest[end] == "(" { depth += 1 } else if manifest[end] == ")" { depth -= 1 }
            end = manifest.index(after: end)
        }
        let call = manifest[start.upperBound..<end]
        guard let open = call.range(of: "dependencies: [") else { return [] }
        let list = call[open.upperBound...].prefix { $0 != "]" }
        return Set(list.split(separator: ",").compactMap { item in
            let name = item.trimmingCharacters(in: .whitespacesAndNewlines)
            return name.hasPrefix("\"") ? String(name.dropFirst().dropLast()) : nil
        })
    }

    /// The project modules the sources of `module` import.
    func imports(of module: String) throws -> Set<String> {
        let folder = Self.root.appendingPathComponent("Sources/\(module)")
        let enumerator = try XCTUnwrap(FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil))
        var found: Set<String> = []
        for case let file as URL in enumerator where file.pathExtension == "swift" {
            for line in try String(contentsOf: file, encoding: .utf8).split(separator: "\n") where line.contains("import NewIP") {
                if let name = line.split(separator: " ").last { found.insert(String(name)) }
            }
        }
        return found
    }

    func testRuntimeAndEmulatorNeverDependOnEachOtherAndShareTheTopologyModel() throws {
        let runtime = try dependencies(of: "NewIPRuntime"), emulator = try dependencies(of: "NewIPEmulator")
        XCTAssertFalse(runtime.contains("NewIPEmulator"), "NewIPRuntime depends on NewIPEmulator: \(runtime.sorted())")
        XCTAssertFalse(emulator.contains("NewIPRuntime"), "NewIPEmulator depends on NewIPRuntime: \(emulator.sorted())")
        for shared in ["NewIPTopology", "NewIPNode", "NewIPDataPlane"] {
            XCTAssertTrue(runtime.contains(shared) && emulator.contains(shared), "both drivers build on \(shared)")
        }
        XCTAssertFalse(try imports(of: "NewIPRuntime").contains("NewIPEmulator"))
        XCTAssertFalse(try imports(of: "NewIPEmulator").contains("NewIPRuntime"))
    }

    func testTheCoresImportNoDriver() throws {
        for core in ["NewIPWire", "NewIPDataPlane", "NewIPTopology", "NewIPNode"] {
            let used = try imports(of: core).union(try dependencies(of: core))
            for driver in ["NewIPEmulator", "NewIPRuntime"] {
                XCTAssertFalse(used.contains(driver), "\(core) uses the driver \(driver)")
            }
        }
        XCTAssertEqual(try dependencies(of: "NewIPWire"), [], "the wire formats depend on nothing")
        XCTAssertEqual(try dependencies(of: "NewIPTopology"), ["NewIPWire", "NewIPDataPlane", "NewIPRandom", "NewIPFiles"])
    }
}
