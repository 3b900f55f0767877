import Foundation
@testable import NewIPEmulator
import NewIPSecurity
import NewIPTopology
import NewIPWire
import XCTest

/// An open domain that runs self-certifying addresses, and first-hop secrets that rotate
/// (docs/topology.md, *Governance*): h1…h3 linked to the first hop r1 (100 Mbps, 1 ms), r1
/// to srv, 10 packets a second from each host.
final class GovernanceSelfCertifyingTests: XCTestCase {
    func topology(_ domain: String, senders: [String] = ["h1", "h2", "h3"], duration: String = "1s") -> String {
        """
        name: sc
        duration: \(duration)
        nodes:
          h1: {kind: host, interfaces: {eth0: "0xFE01000000000001"}}
          h2: {kind: host, interfaces: {eth0: "0xFE01000000000002"}}
          h3: {kind: host, interfaces: {eth0: "0xFE02000000000003"}}
          r1: {kind: router, interfaces: {eth0: "0x11", eth1: "0x12", eth2: "0x13", eth3: "0x14"}}
          srv: {kind: host, interfaces: {eth0: "0x20"}}
        links:
          - {endpoints: [h1:eth0, r1:eth0], rate: 100Mbps, delay: 1ms}
          - {endpoints: [h2:eth0, r1:eth1], rate: 100Mbps, delay: 1ms}
          - {endpoints: [h3:eth0, r1:eth2], rate: 100Mbps, delay: 1ms}
          - {endpoints: [r1:eth3, srv:eth0], rate: 100Mbps, delay: 1ms}
        domains:
          - \(domain)
        flows:
        \(senders.map { "  - {name: \($0), from: \($0), to: srv, rate: 10pps, size: 100}" }.joined(separator: "\n"))

        """
    }

    /// h3 claims h1's address and seals with a key of its own: its packets carry its public
    /// key, whose address is not h1's, so the first hop refuses them as spoofed, with no
    /// registrar or certificate involved. The honest hosts' addresses come from their keys.
    func testAForgerIsRefusedAsSpoofedAndHonestHostsPass() throws {
        let yaml = topology("{name: commons, admission: open, self-certifying: 16, members: [h1, h2, h3], spoofers: {h3: h1}}")
        let results = try emulate(yaml)
        XCTAssertEqual(outcomes(results), ["h1 10/10", "h2 10/10", "h3 0/10 spoofed-source=10"])
        XCTAssertEqual(firstHops(results), ["commons r1 proven=20 unproven=0 spoofed-source=10"])
        let node = try XCTUnwrap(results.nodes.first { $0.name == "r1" })
        XCTAssertEqual(node.drops.map { "\($0.reason)=\($0.count)" }, ["spoofed-source=10"])

        // Each member's address: the written first 16 bits, then the hash of its seeded key.
        let parsed = try TopologyParser.parse(yaml: yaml, file: "sc.yaml")
        let plans = parsed.domainPlans()
        let identities = Governance.identities(parsed, plans: plans)
        let emulation = try Emulation(topology: parsed)
        for name in ["h1", "h2", "h3"] {
            let node = try XCTUnwrap(parsed.nodeIndex(named: name))
            let identity = try XCTUnwrap(identities[node])
            let address = emulation.topology.nodes[node].interfaces[0].address
            XCTAssertEqual(address, identity.address, name)
            XCTAssertTrue(SelfCertifyingAddress.verify(address, prefixLength: 16, publicKey: identity.publicKey, modifier: identity.modifier), name)
            XCTAssertNotEqual(address, parsed.nodes[node].interfaces[0].address, "\(name): not the written address")
            guard case .compact(let compact) = address else { return XCTFail("\(name): not compact") }
            XCTAssertEqual(compact.storage >> 48, name == "h3" ? 0xFE02 : 0xFE01, name)
        }
        // Same seed, same addresses and files.
        XCTAssertEqual(try emulate(yaml).flows.map(\.delivered), results.flows.map(\.delivered))
    }

    /// The exposure report: in a self-certifying domain every node on the path sees the
    /// sender's public key, one stable identity over the whole flow.
    func testTheKeyIsAStableIdentityEveryNodeOnThePathSees() throws {
        let results = try emulate(topology("{name: commons, admission: open, self-certifying: 16, members: [h1, h2, h3], spoofers: {h3: h1}}"))
        let exposure = try XCTUnwrap(results.governance?.exposure)
        let h1 = try XCTUnwrap(exposure.flows.first { $0.name == "h1" })
        XCTAssertEqual(h1.observers.map(\.node), ["r1", "srv"])
        for observer in h1.observers {
            XCTAssertEqual(observer.keys.count, 1, observer.node)
            XCTAssertTrue(observer.stableKey, observer.node)
            XCTAssertEqual(observer.proof, observer.node == "r1" ? "proven" : "sealed")
        }
        // The forger's packets claim h1's address and carry h3's key: r1 links them to h1's
        // flow by the address, and sees a key that is not h1's.
        let h3 = try XCTUnwrap(exposure.flows.first { $0.name == "h3" })
        XCTAssertEqual(h3.observers.map(\.node), ["r1"])
        XCTAssertEqual(h3.observers[0].linkedFlows, ["h1"])
        XCTAssertNotEqual(h3.observers[0].keys, h1.observers[0].keys)
        // Without self-certification no key travels.
        let plain = try emulate(topology("{name: commons, admission: open, members: [h1, h2, h3]}"))
        XCTAssertEqual(plain.governance?.exposure.flows.first?.observers.map { $0.keys.count }, [0, 0])
    }

    /// 3 s across two rotations of 1 s epochs: every honest packet is proven, none lost.
    func testARunAcrossRotationsLosesNoHonestPacket() throws {
        let domain = "{name: campus, admission: registered, key-epoch: 1s, window: 200ms, members: [h1, h2, h3], spoofers: {h3: h1}}"
        let results = try emulate(topology(domain, duration: "3s"))
        XCTAssertEqual(outcomes(results), ["h1 30/30", "h2 30/30", "h3 0/30 bad-mac=30"])
        XCTAssertEqual(firstHops(results), ["campus r1 proven=60 unproven=0 bad-mac=30"])
        // Self-certifying and rotating together.
        let open = try emulate(topology("{name: commons, admission: open, self-certifying: 16, key-epoch: 500ms, window: 200ms, members: [h1, h2, h3], spoofers: {h3: h1}}",
                                        duration: "3s"))
        XCTAssertEqual(outcomes(open), ["h1 30/30", "h2 30/30", "h3 0/30 spoofed-source=30"])
    }

    func testTheWriterWritesTheSettingsBack() throws {
        let yaml = topology("{name: commons, admission: open, self-certifying: 16, key-epoch: 4s, members: [h1, h2, h3]}")
        let written = TopologyWriter.yaml(try TopologyParser.parse(yaml: yaml, file: "sc.yaml"))
        XCTAssertTrue(written.contains(", self-certifying: 16, key-epoch: 4s"), written)
        let again = try TopologyParser.parse(yaml: written, file: "written.yaml")
        XCTAssertEqual(again.domains.first?.selfCertifying, 16)
        XCTAssertEqual(again.domains.first?.keyEpoch, 4_000_000_000)
    }

    /// Examples/governance-self-certifying.yaml: 10 packets a second for 4 s per flow.
    func testTheExample() throws {
        let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Examples")
        let results = try Emulation(topology: TopologyParser.load(path: examples.appendingPathComponent("governance-self-certifying.yaml").path)).run()
        XCTAssertEqual(outcomes(results), ["a1 40/40", "as 40/40", "k1 40/40", "k2 40/40", "ks 0/40 spoofed-source=40", "kn 40/40", "b1 40/40"])
        XCTAssertEqual(firstHops(results), ["commons ra proven=40 unproven=40", "keyed rk proven=80 unproven=40 spoofed-source=40",
                                            "campus rb proven=40 unproven=0"])
        let k1 = try XCTUnwrap(results.governance?.exposure.flows.first { $0.name == "k1" })
        XCTAssertEqual(k1.observers.map(\.node), ["rk", "core", "server"])
        XCTAssertEqual(Set(k1.observers.map(\.keys)).count, 1, "one key, seen at every node")
        XCTAssertTrue(k1.observers.allSatisfy(\.stableKey))
    }

    func testSettingsAreCheckedWithPositions() {
        func refused(_ domain: String) -> [String] { diagnostics(topology(domain, senders: ["h1"])) }
        func check(_ found: [String], key column: Int, _ message: String, file: StaticString = #filePath, line: UInt = #line) {
            XCTAssertEqual(found.count, 1, "\(found)", file: file, line: line)
            XCTAssertEqual(found.first?.hasPrefix("test.yaml:15:\(column): \(message) — "), true, "\(found)", file: file, line: line)
        }
        check(refused("{name: campus, admission: registered, self-certifying: 16, members: [h1]}"), key: 60,
              "self-certifying addresses are the open mode's; a registered domain binds addresses by certificate")
        check(refused("{name: campus, admission: open, key-epoch: 1s, members: [h1]}"), key: 48,
              "key-epoch 1s is shorter than twice the window (2s), so the previous epoch's grace would overlap the next rotation")
        check(refused("{name: commons, admission: open, self-certifying: 64, members: [h1]}"), key: 69,
              "member `h1`'s address 0xFE01000000000001 (64 bits) leaves no self-certifying suffix after a 64-bit prefix")
    }
}
