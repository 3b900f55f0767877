import Foundation
import NewIPCapture
@testable import NewIPEmulator
import NewIPFiles
import NewIPTopology
import XCTest

/// Same topology and seed: the same packets are lost and the output files are identical
/// byte for byte; another seed changes them.
final class DeterminismTests: XCTestCase {
    private let lossyPoisson = chain(flows: """
      - {name: p, from: h1, to: h2, pattern: poisson, rate: 20kpps, size: "200..1400"}
    """, link: """
        loss: 0.05
    """, duration: "50ms")

    func testLossDropsTheSamePacketsEveryRun() throws {
        let first = try emulate(lossyPoisson), second = try emulate(lossyPoisson)
        let lost = first.flows[0].drops.first { $0.reason == "link-loss" }?.count ?? 0
        XCTAssertGreaterThan(lost, 10)
        // The receiver's capture lists exactly which packets arrived, with their times.
        let received = try XCTUnwrap(first.captures.first { $0.name == "h2-eth0" }?.bytes)
        XCTAssertEqual(received, second.captures.first { $0.name == "h2-eth0" }?.bytes)
        var reader = try CaptureReader(received)
        XCTAssertEqual(try reader.readAll().count, first.flows[0].delivered)
    }

    /// A capture streamed to disk as it grows (more than one flush) is byte for byte the one
    /// kept in memory, and the results folder lists it in its marker.
    func testStreamedCapturesEqualTheInMemoryOnesAndStayOutOfMemory() throws {
        let busy = chain(flows: """
          - {name: p, from: h1, to: h2, pattern: poisson, rate: 20kpps, size: "200..1400"}
        """, duration: "200ms")
        var topology = try parse(busy)
        topology.seed = 3
        let emulation = try Emulation(topology: topology)
        let inMemory = emulation.run()
        let directory = try temporaryDirectory(self)
        let out = directory.appendingPathComponent("out").path
        let staging = try OutputDirectory.begin(out, writer: "test")
        let streamed = try emulation.run(streamingCapturesTo: staging.path)
        XCTAssertTrue(streamed.captures.isEmpty, "streamed captures must not also be held in memory")
        try streamed.finish(staging)
        for name in ["h1-eth0", "h2-eth0"] {
            let expected = try XCTUnwrap(inMemory.captures.first { $0.name == name }?.bytes)
            XCTAssertGreaterThan(expected.count, 2 * (1 << 20), "the capture must span several flushes")
            let onDisk = try Data(contentsOf: URL(fileURLWithPath: "\(out)/capture-\(name).pcapng"))
            XCTAssertTrue(Array(onDisk) == expected, name)
        }
        let marker = try String(contentsOfFile: "\(out)/.nip-output", encoding: .utf8)
        XCTAssertEqual(marker.split(separator: "\n").first, "test")
        XCTAssertTrue(marker.contains("capture-h2-eth0.pcapng") && marker.contains("results.json"), marker)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path), ["out"], "no staging folder left behind")
    }

    func testSameSeedWritesIdenticalFilesAndAnotherSeedDoesNot() throws {
        let directory = try temporaryDirectory(self)
        let runs = try [7, 7, 8].map { seed in try emulate(lossyPoisson, seed: UInt64(seed)) }
        for (index, results) in runs.enumerated() {
            try results.write(to: directory.appendingPathComponent("run\(index)").path)
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("run0").path).sorted()
        XCTAssertEqual(names, [".nip-output", "capture-h1-eth0.pcapng", "capture-h2-eth0.pcapng", "cdf-p.svg", "flows.csv", "links.csv",
                               "nodes.csv", "results.json"])
        func contents(_ run: Int, _ name: String) throws -> Data {
            try Data(contentsOf: directory.appendingPathComponent("run\(run)/\(name)"))
        }
        for name in names {
            XCTAssertEqual(try contents(0, name), try contents(1, name), name)
        }
        for name in ["flows.csv", "cdf-p.svg", "capture-h2-eth0.pcapng"] {
            XCTAssertNotEqual(try contents(0, name), try contents(2, name), name)
        }
    }

    func testAddingAFlowDoesNotChangeAnotherFlowsTraffic() throws {
        let alone = try emulate(chain(flows: """
          - {name: p, from: h1, to: h2, pattern: poisson, rate: 1kpps, size: "100..900"}
        """, duration: "100ms"))
        let together = try emulate(chain(flows: """
          - {name: other, from: h2, to: h1, pattern: poisson, rate: 1kpps, size: 500}
          - {name: p, from: h1, to: h2, pattern: poisson, rate: 1kpps, size: "100..900"}
        """, duration: "100ms"))
        let p = together.flows.first { $0.name == "p" }!
        XCTAssertEqual(p.sent, alone.flows[0].sent)
        XCTAssertEqual(p.sentBytes, alone.flows[0].sentBytes)
    }

    func testRewritingReplacesTheDirectoryWholeOnlyWhenForced() throws {
        let directory = try temporaryDirectory(self).appendingPathComponent("out")
        let results = try emulate(lossyPoisson)
        try results.write(to: directory.path)
        try results.write(to: directory.path)
        try Data("stale".utf8).write(to: directory.appendingPathComponent("stale.txt"))
        XCTAssertThrowsError(try results.write(to: directory.path, option: "--out")) { error in
            XCTAssertEqual("\(error)", "--out \(directory.path): the folder holds 1 entry nip did not write (stale.txt); "
                           + "choose a new folder or pass --force")
        }
        try results.write(to: directory.path, force: true)
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory.appendingPathComponent("stale.txt").path))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.deletingLastPathComponent().path)
        XCTAssertEqual(leftovers, ["out"])
    }
}

extension CaptureReader {
    mutating func readAll() throws -> [CapturedPacket] {
        var packets: [CapturedPacket] = []
        while let packet = try next() { packets.append(packet) }
        return packets
    }
}
