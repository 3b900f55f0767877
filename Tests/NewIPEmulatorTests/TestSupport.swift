import Foundation
@testable import NewIPEmulator
import NewIPTopology
import XCTest

/// Parses `yaml` as `test.yaml`, failing the test with the diagnostics if it is refused.
func parse(_ yaml: String, file: StaticString = #filePath, line: UInt = #line) throws -> Topology {
    do {
        return try TopologyParser.parse(yaml: yaml, file: "test.yaml")
    } catch {
        XCTFail("refused:\n\(error)", file: file, line: line)
        throw error
    }
}

/// The diagnostics `yaml` is refused with, as printed.
func diagnostics(_ yaml: String) -> [String] {
    do {
        _ = try TopologyParser.parse(yaml: yaml, file: "test.yaml")
        return []
    } catch {
        return error.diagnostics.map(\.description)
    }
}

func emulate(_ yaml: String, seed: UInt64? = nil) throws -> EmulationResults {
    var topology = try parse(yaml)
    if let seed { topology.seed = seed }
    return try Emulation(topology: topology).run()
}

/// h1 — r1 — h2 over 1 Gbps, 1 ms links; `flows` and `link` are appended YAML.
func chain(flows: String, link: String = "", duration: String = "10ms", extraNode: String = "") -> String {
    """
    name: chain
    seed: 1
    duration: \(duration)
    nodes:
      h1:
        kind: host
        interfaces:
          eth0: {address: "0x01", capture: true}
      r1:
        kind: router
        interfaces:
          eth0: "0x02"
          eth1: "0x03"
      h2:
        kind: host
        interfaces:
          eth0: {address: "0x04", capture: true}
    \(extraNode)
    links:
      - endpoints: [h1:eth0, r1:eth0]
        rate: 1Gbps
        delay: 1ms
    \(link)
      - endpoints: [r1:eth1, h2:eth0]
        rate: 1Gbps
        delay: 1ms
    \(link)
    flows:
    \(flows)
    """
}

/// A valid two-node topology (hosts a and b on one 100 Mbps, 2 ms link, one flow), with
/// `old` replaced by `new`: the tests that break one line of a file start from it.
func pairTopology(replacing old: String = "", with new: String = "", file: StaticString = #filePath, line: UInt = #line) -> String {
    let base = """
    name: pair
    duration: 1s
    nodes:
      a:
        kind: host
        interfaces:
          eth0: {address: "0x01"}
      b:
        kind: host
        interfaces:
          eth0: {address: "0x02"}
    links:
      - endpoints: [a:eth0, b:eth0]
        rate: 100Mbps
        delay: 2ms
    flows:
      - {name: f, from: a, to: b, rate: 100pps, size: 500}
    """
    guard !old.isEmpty else { return base }
    XCTAssertTrue(base.contains(old), "base has no `\(old)`", file: file, line: line)
    return base.replacingOccurrences(of: old, with: new)
}


/// A temporary directory removed at the end of the test.
func temporaryDirectory(_ test: XCTestCase) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("newip-emulator-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
    return url
}
