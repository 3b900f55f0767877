import Foundation
import NewIPRuntime
import NewIPSecurity
import NewIPTopology
import NewIPWire
import XCTest

/// An open self-certifying domain and a registered domain whose first-hop secret rotates,
/// on real nodes (`nip run`) against the emulator: the same deliveries and drop reasons.
///
/// - commons: `nip up` makes each member's device key and derives its address under its
///   written address's first 16 bits; the registrar enrols the keys without tokens; h3, a
///   `spoofer: true` node, sends from h1's address with its own key and source key, and the
///   first hop refuses it as `spoofed-source`;
/// - campus: the secret rotates every second of the wall clock (window 200 ms); b1 and b2
///   fetch each epoch's key from the registrar (`POST /source-key`) ahead of its boundary, so
///   a 3 s run crosses at least two rotations without losing a packet.
final class GovernanceSelfCertifyingRealTests: NodeProcessTestCase {
    static let topology = """
        name: governance-sc-real
        seed: 1
        duration: 3s
        nodes:
          h1: {kind: host, interfaces: {eth0: "0xFE01000000000001"}}
          h2: {kind: host, interfaces: {eth0: "0xFE01000000000002"}}
          h3: {kind: host, interfaces: {eth0: "0xFE02000000000003"}}
          b1: {kind: host, interfaces: {eth0: "0x21"}}
          b2: {kind: host, interfaces: {eth0: "0x22"}}
          ra: {kind: router, interfaces: {eth0: "0x41", eth1: "0x42", eth2: "0x43", eth3: "0x44"}}
          rb: {kind: router, interfaces: {eth0: "0x51", eth1: "0x52", eth2: "0x53"}}
          core: {kind: router, interfaces: {eth0: "0x61", eth1: "0x62", eth2: "0x63"}}
          server: {kind: host, interfaces: {eth0: "0x70"}}
        links:
          - {endpoints: [h1:eth0, ra:eth0], rate: 100Mbps, delay: 1ms}
          - {endpoints: [h2:eth0, ra:eth1], rate: 100Mbps, delay: 1ms}
          - {endpoints: [h3:eth0, ra:eth2], rate: 100Mbps, delay: 1ms}
          - {endpoints: [b1:eth0, rb:eth0], rate: 100Mbps, delay: 1ms}
          - {endpoints: [b2:eth0, rb:eth1], rate: 100Mbps, delay: 1ms}
          - {endpoints: [ra:eth3, core:eth0], rate: 1Gbps, delay: 2ms}
          - {endpoints: [rb:eth2, core:eth1], rate: 1Gbps, delay: 2ms}
          - {endpoints: [core:eth2, server:eth0], rate: 1Gbps, delay: 1ms}
        domains:
          - {name: commons, admission: open, self-certifying: 16, members: [h1, h2, h3], spoofers: {h3: h1}}
          - {name: campus, admission: registered, key-epoch: 1s, window: 200ms, members: [b1, b2]}
        flows:
          - {name: h1, from: h1, to: server, rate: 10pps, size: 200}
          - {name: h2, from: h2, to: server, rate: 10pps, size: 200}
          - {name: h3, from: h3, to: server, rate: 10pps, size: 200}
          - {name: b1, from: b1, to: server, rate: 10pps, size: 200}
          - {name: b2, from: b2, to: server, rate: 10pps, size: 200}
        """

    func testSelfCertifyingAndRotatingDomainsOnRealNodesMatchTheEmulator() throws {
        let topology = folder.appendingPathComponent("governance-sc-real.yaml").path
        try Self.topology.write(toFile: topology, atomically: true, encoding: .utf8)
        let emulated = folder.appendingPathComponent("emulated").path, real = folder.appendingPathComponent("real").path
        let state = folder.appendingPathComponent("state").path
        let emulate = try run(["emulate", topology, "--out", emulated, "--quiet"])
        XCTAssertEqual(emulate.status, 0, emulate.error)
        let slot = Int(getpid() % 100)
        let realRun = try run(["run", topology, "--out", real, "--state", state, "--drain", "300ms",
                               "--base-port", "\(36000 + 25 * slot)", "--control-port", "\(38600 + 30 * slot)", "--timeout", "10"])
        XCTAssertEqual(realRun.status, 0, realRun.error)

        // h1's address is its key's, under the written first 16 bits; the node files carry it.
        let key = try KeyFile.read("\(state)/domains/commons/h1.key")
        let (address, _) = try XCTUnwrap(SelfCertifyingAddress.generate(prefix: FrameworkAddress("0xFE01000000000001")!, prefixLength: 16,
                                                                        publicKey: key.publicKey))
        XCTAssertNotEqual(address, FrameworkAddress("0xFE01000000000001"))
        let h1 = try String(contentsOfFile: "\(state)/h1.yaml", encoding: .utf8)
        XCTAssertTrue(h1.contains("\"\(address)\"") && h1.contains("self-certifying: 16"), h1)
        let ra = try String(contentsOfFile: "\(state)/ra.yaml", encoding: .utf8)
        XCTAssertTrue(ra.contains("admission: open") && ra.contains("self-certifying: 16") && ra.contains("{prefix: \"\(address)/64\", via: eth0"), ra)
        let rb = try String(contentsOfFile: "\(state)/rb.yaml", encoding: .utf8)
        XCTAssertTrue(rb.contains("key-epoch: 1s"), rb)
        let b1 = try String(contentsOfFile: "\(state)/b1.yaml", encoding: .utf8)
        XCTAssertTrue(b1.contains("key-epoch: 1s") && b1.contains("identity: ") && b1.contains("registrar: "), b1)

        let (a, b) = (try runFlows(emulated), try runFlows(real))
        XCTAssertEqual(a["h1"], RunFlow(sent: 30, delivered: 30, drops: [:]))
        XCTAssertEqual(a["h3"], RunFlow(sent: 30, delivered: 0, drops: ["spoofed-source": 30]))
        XCTAssertEqual(a["b1"], RunFlow(sent: 30, delivered: 30, drops: [:]))
        for name in ["h1", "h2", "h3", "b1", "b2"] { XCTAssertEqual(b[name], a[name], "flow \(name): real vs emulated") }
    }
}
