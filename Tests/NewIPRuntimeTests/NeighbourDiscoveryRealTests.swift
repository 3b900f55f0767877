import Foundation
import NewIPDataPlane
import NewIPNode
import NewIPRuntime
import NewIPSecurity
import NewIPTopology
import NewIPWire
import XCTest

/// Two real node processes on one UDP link on loopback, each with `neighbours:` in its file.
final class NeighbourDiscoveryRealTests: NodeProcessTestCase {
    /// r1 (0x10) and h1 (0x01), hellos every 200 ms held 1 s.
    func pair() -> (r1: NodeConfig, h1: NodeConfig, ports: [Int]) {
        let p = FreePorts.take(4)
        var r1 = NodeConfig(name: "r1", role: .router, interfaces: [
            .init(name: "eth0", address: compact("0x10"), link: .udp(local: .loopback(p[0]), peer: .loopback(p[1])), delay: 1_000_000),
        ], control: .loopback(p[2]))
        var h1 = NodeConfig(name: "h1", role: .host, interfaces: [
            .init(name: "eth0", address: compact("0x01"), link: .udp(local: .loopback(p[1]), peer: .loopback(p[0])), delay: 1_000_000),
        ], control: .loopback(p[3]))
        r1.neighbours = .init(hello: 200_000_000, hold: 1_000_000_000)
        h1.neighbours = .init(hello: 200_000_000, hold: 1_000_000_000)
        return (r1, h1, p)
    }

    func neighbours(_ config: NodeConfig) throws -> [[String: Any]] {
        let response = try ControlClient.request("GET", config.control, "/neighbours")
        XCTAssertEqual(response.status, 200)
        let interfaces = response.json?["interfaces"] as? [[String: Any]] ?? []
        return interfaces.first?["neighbours"] as? [[String: Any]] ?? []
    }

    func testNeighboursLearnEachOtherAndNipNeighboursShowsThemThenAStoppedPeerGoesDown() throws {
        let (r1, h1, p) = pair()
        try startNode(r1)
        let hEntry = try startNode(h1)
        try waitFor { try neighbours(r1).first?["state"] as? String == "reachable" && neighbours(h1).first?["state"] as? String == "reachable" }
        let atR = try neighbours(r1)
        XCTAssertEqual(atR.count, 1)
        XCTAssertEqual(atR[0]["address"] as? String, "0x01")
        // The peer's link-layer address on the UDP underlay: 127.0.0.1 and its port.
        let lladdr = "7f:00:00:01:" + String(format: "%02x:%02x", p[1] >> 8, p[1] & 0xFF)
        XCTAssertEqual(atR[0]["lladdr"] as? String, lladdr)
        XCTAssertLessThan(atR[0]["age_ms"] as? Int ?? .max, 1_000, "confirmed within the hold time")

        let shown = try run(["neighbours", "--control", r1.control.description])
        XCTAssertEqual(shown.status, 0, shown.error)
        let lines = shown.output.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 2, shown.output)
        XCTAssertEqual(lines[0].split(separator: " ", omittingEmptySubsequences: true), ["interface", "neighbour", "state", "link-layer", "age"])
        XCTAssertEqual(Array(lines[1].split(separator: " ", omittingEmptySubsequences: true).prefix(5)),
                       ["eth0", "(0x10)", "0x01", "reachable", Substring(lladdr)])

        // h1 stops: its hellos stop, r1's hold time runs out, its 4 solicitations go unanswered.
        _ = ProcessControl.stopAll([hEntry], grace: 5)
        started.removeAll { $0.name == "h1" }
        try waitFor({ try neighbours(r1).first?["state"] as? String == "down" }, timeout: 15)
        let counters = try XCTUnwrap(ControlClient.request("GET", r1.control, "/neighbours").json?["counters"] as? [String: Int])
        XCTAssertGreaterThanOrEqual(counters["solicitations_sent"] ?? 0, 4)
        XCTAssertGreaterThan(counters["hellos_sent"] ?? 0, 0)
    }

    func testANodeWithoutNeighbourDiscoverySaysSo() throws {
        var (r1, _, _) = pair()
        r1.neighbours = nil
        try startNode(r1)
        let shown = try run(["neighbours", "--control", r1.control.description])
        XCTAssertEqual(shown.status, 1)
        XCTAssertTrue(shown.error.contains("runs no neighbour discovery (its node file has no `neighbours:` section)"), shown.error)
    }
}

/// Address autoconfiguration between two real node processes: r1 offers 0xDE/8 in its hellos,
/// h1 has no address on its interface and the suffix 7.
final class AutoconfigurationRealTests: NodeProcessTestCase {
    func pair(routerAddress: String) -> (r1: NodeConfig, h1: NodeConfig) {
        let p = FreePorts.take(4)
        var r1 = NodeConfig(name: "r1", role: .router, interfaces: [
            .init(name: "eth0", address: compact(routerAddress), link: .udp(local: .loopback(p[0]), peer: .loopback(p[1])), delay: 1_000_000),
        ], control: .loopback(p[2]))
        var h1 = NodeConfig(name: "h1", role: .host, interfaces: [
            .init(name: "eth0", address: nil, link: .udp(local: .loopback(p[1]), peer: .loopback(p[0])), delay: 1_000_000),
        ], control: .loopback(p[3]))
        r1.neighbours = .init(hello: 200_000_000, prefix: CompactAddressPrefix("0xDE/8"))
        h1.neighbours = .init(suffix: 7)
        return (r1, h1)
    }

    func autoconfiguration(_ config: NodeConfig) throws -> [[String: Any]] {
        try ControlClient.request("GET", config.control, "/neighbours").json?["autoconfiguration"] as? [[String: Any]] ?? []
    }

    func testTheHostTakesItsAddressInTheRoutersPrefix() throws {
        let (r1, h1) = pair(routerAddress: "0xDE01")
        try startNode(r1)
        let entry = try startNode(h1)
        try waitFor { try !autoconfiguration(h1).isEmpty }
        let event = try autoconfiguration(h1)[0]
        XCTAssertEqual(event["outcome"] as? String, "configured")
        XCTAssertEqual(event["address"] as? String, "0xDE07")
        XCTAssertEqual(event["router"] as? String, "0xDE01")
        let routes = try XCTUnwrap(ControlClient.request("GET", h1.control, "/routes").value()["routes"]?.arrayValue)
        XCTAssertEqual(routes.map { "\($0["prefix"]?.stringValue ?? "?") \($0["via"]?.stringValue ?? "?")" }.sorted(), ["0x/0 eth0", "0xDE07/16 local"])
        let log = try String(contentsOfFile: entry.log, encoding: .utf8)
        XCTAssertTrue(log.contains("address configured") && log.contains("0xDE07"), log)
    }

    /// h1 has no suffix but `security: {self-certifying: 8, identity: h1.key}`: it forms the
    /// address r1's prefix and the hash of its key make, as the emulator's `suffix: key` does.
    func testASelfCertifyingHostFormsItsAddressFromItsKeyFile() throws {
        var (r1, h1) = pair(routerAddress: "0xDE01")
        let identity = try DeviceIdentity(seed: Array(repeating: 7, count: 32))
        let keyPath = folder.appendingPathComponent("h1.key").path
        try KeyFile.write(identity, to: keyPath)
        h1.neighbours = .init()
        var security = NodeConfig.Security()
        security.selfCertifying = 8
        security.identity = keyPath
        h1.security = security
        try startNode(r1)
        try startNode(h1)
        try waitFor { try !autoconfiguration(h1).isEmpty }
        let expected = try XCTUnwrap(SelfCertifyingAddress.generate(prefix: XCTUnwrap(CompactAddressPrefix("0xDE/8")), publicKey: identity.publicKey))
        let event = try autoconfiguration(h1)[0]
        XCTAssertEqual(event["outcome"] as? String, "configured")
        XCTAssertEqual(event["address"] as? String, expected.address.description)
        XCTAssertEqual(event["router"] as? String, "0xDE01")
    }

    func testATakenAddressIsRefusedWithALogLineAndACounter() throws {
        let (r1, h1) = pair(routerAddress: "0xDE07")
        try startNode(r1)
        let entry = try startNode(h1)
        try waitFor { try !autoconfiguration(h1).isEmpty }
        let event = try autoconfiguration(h1)[0]
        XCTAssertEqual(event["outcome"] as? String, "refused")
        XCTAssertEqual(event["reason"] as? String, "0xDE07 is taken: an advertisement from 0xDE07 answered the duplicate address check")
        let counters = try XCTUnwrap(ControlClient.request("GET", h1.control, "/neighbours").json?["counters"] as? [String: Int])
        XCTAssertEqual(counters["addresses_refused"], 1)
        XCTAssertEqual(counters["addresses_configured"], 0)
        try waitFor { try String(contentsOfFile: entry.log, encoding: .utf8).contains("address refused") }
        XCTAssertTrue(try String(contentsOfFile: entry.log, encoding: .utf8).contains("is taken: an advertisement from 0xDE07"))
    }
}
