import Foundation
import NewIPRandom
import NipTestSupport
import XCTest

/// Random (seeded) combinations of fast `nip` commands, flags and paths in a scratch folder
/// of files the test made: none of those files may change or vanish, no run may report an
/// error yet exit 0 or die of a signal, and no `nip` may be left running.
final class CommandFuzzTests: XCTestCase {
    func testRandomCommandsNeverDestroyFilesOrHideErrors() throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("nip-fuzz-\(UUID().uuidString)")
        // nip runs in work/, so `..` is still the test's own folder.
        let work = scratch.appendingPathComponent("work")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let root = NipRunner.packageRoot
        let made: [String: Data] = [
            "work/base.yaml": try Data(contentsOf: root.appendingPathComponent("Examples/chain.yaml")),
            "work/notes.txt": Data("my notes\n".utf8),
            "work/hex.txt": Data("57001206f23238ad95f31c89c9059886aa\nzz\n".utf8),
            "work/capture.pcap": try Data(contentsOf: root.appendingPathComponent("Examples/captures/lbf-five-contracts.pcap")),
            "work/binary.yaml": Data([0x00, 0xFF, 0x10]),
            "work/data/a.csv": Data("1,2\n".utf8),
            "work/inputs/topology.yaml": try Data(contentsOf: root.appendingPathComponent("Examples/chain.yaml")),
            "top.txt": Data("above the working folder\n".utf8),
        ]
        for (path, contents) in made {
            let url = scratch.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try contents.write(to: url)
        }
        let inputs = ["base.yaml", "notes.txt", "hex.txt", "capture.pcap", "binary.yaml", "data", "missing.yaml",
                      "inputs/topology.yaml", "../top.txt", "-"]
        let outputs = [".", "..", "data", "inputs", "notes.txt", "../top.txt", "out", "new/deep/out", "missing/claims.md",
                       "/sys/nip-fuzz", "base.yaml", "capture.pcap"]
        // --force only where nothing may be replaced even so: the working folder and its parent
        // (and, below, the folder of the input).
        let protected = [".", "..", scratch.path, work.path]
        var random = SplitMix64(seed: 2030)
        func pick(_ items: [String]) -> String { items[random.below(items.count)] }
        func maybe(_ percent: Int, _ arguments: @autoclosure () -> [String]) -> [String] { random.chance(percent) ? arguments() : [] }

        var statuses: [Int32: Int] = [:]
        for _ in 0..<60 {
            var arguments: [String]
            switch random.below(10) {
            case 0, 1:
                let input = pick(["base.yaml", "inputs/topology.yaml"] + inputs)
                arguments = ["emulate", input, "--quiet"] + maybe(80, ["--out", pick(outputs)]) + maybe(30, ["--seed", "\(random.below(100))"])
            case 2:
                let input = pick(["base.yaml", "inputs/topology.yaml"])
                arguments = ["emulate", input, "--out", pick(protected + (input.hasPrefix("inputs/") ? ["inputs"] : [])), "--force"]
            case 3:
                arguments = ["demo", "--out", pick(protected + ["inputs", "notes.txt", "data", "../top.txt"])]
            case 4:
                arguments = ["topology", "generate", pick(["chain", "star", "fat-tree", "scale-free", "ring"]),
                             "--size", pick(["0", "1", "3", "4", "-2", "100000000", "x"])] + maybe(70, ["--output", pick(outputs)])
            case 5:
                // `--help` for the run that succeeds and writes nothing: bare `claims` computes the
                // whole study (about 10 s in a debug build), and its output is NipCommandTests' to check.
                arguments = ["claims"] + (random.chance(80) ? ["--output", pick(outputs)] : ["--help"])
            case 6:
                arguments = ["decode"] + maybe(40, ["--hex"]) + maybe(30, ["--json"]) + [pick(inputs)]
            case 7:
                arguments = ["bench-node", "--write-config", pick(outputs)]
            case 8:
                arguments = random.chance(50) ? ["capture", "--node", "h1", "eth0", "-o", pick(outputs)]
                    : ["listen", "--node", "h1", "--port", "9", "--output", pick(outputs)]
            default:
                arguments = [pick(["--version", "--help", "emulate", "topology", "--bogus", "decode"])] + maybe(50, [pick(inputs)])
            }
            let run = try NipRunner.run(arguments, input: "5700\n", in: work, timeout: 60)
            let command = "nip " + arguments.joined(separator: " ")
            statuses[run.status, default: 0] += 1
            XCTAssertTrue([0, 1, 64].contains(run.status), "\(command): exit status \(run.status)\n\(run.standardError)")
            if run.standardError.lowercased().contains("error") {
                XCTAssertNotEqual(run.status, 0, "\(command) reported an error but exited 0:\n\(run.standardError)")
            }
            for (path, contents) in made {
                XCTAssertEqual(try? Data(contentsOf: scratch.appendingPathComponent(path)), contents, "\(command) changed or removed \(path)")
            }
        }
        XCTAssertEqual(processes(in: scratch.path), [], "nip processes left running")
        // The mix exercises both sides: commands that ran and commands refused or mistyped.
        XCTAssertGreaterThanOrEqual(statuses[0] ?? 0, 10, "\(statuses)")
        XCTAssertGreaterThanOrEqual(statuses[1] ?? 0, 10, "\(statuses)")
        XCTAssertGreaterThanOrEqual(statuses[64] ?? 0, 1, "\(statuses)")
    }

    /// Processes whose working folder is inside `folder`.
    func processes(in folder: String) -> [String] {
        let ids = (try? FileManager.default.contentsOfDirectory(atPath: "/proc"))?.filter { Int($0) != nil } ?? []
        return ids.compactMap { id in
            guard let cwd = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(id)/cwd"),
                  cwd == folder || cwd.hasPrefix(folder + "/") else { return nil }
            return "\(id) " + ((try? String(contentsOfFile: "/proc/\(id)/cmdline", encoding: .utf8)) ?? "")
        }
    }
}
