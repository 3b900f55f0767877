import Foundation
import NewIPRuntime
import NewIPSecurity
import NewIPTopology
import NewIPWire
import XCTest

/// The node file's `routing:` section: read, written back, refused with the place and the fix;
/// and what `nip up` writes for a `routing: dynamic` topology.
final class RoutingNodeFileTests: XCTestCase {
    let head = """
        name: r1
        control: 127.0.0.1:7001
        interfaces:
          - {name: eth0, address: "0x10", udp: {local: "127.0.0.1:7002", peer: "127.0.0.1:7003"}}
          - {name: eth1, address: "0x11", udp: {local: "127.0.0.1:7004", peer: "127.0.0.1:7005"}}

        """
    let key = String(repeating: "ab", count: 32)

    func testReadsAndWritesBack() throws {
        let config = try NodeConfig.parse(yaml: head + """
            routing:
              protocol: delay-vector
              router-id: 7
              prefix: "0xF114/16"
              hello: 50ms
              update: 500ms
              hold-down: 1s
              hysteresis: 0s
              smoothing: 0.5
              max-delay-step: none
              route-hold: 10s
              interfaces:
                - {name: eth0, neighbour: "0x01", key: "\(key)"}
                - {name: eth1, neighbour: "0x21", key-file: keys/eth1.key}

            """)
        let expected = NodeConfig.Routing(routerID: 7, interfaces: [
            .init(name: "eth0", neighbour: compact("0x01"), key: .bytes(Array(repeating: 0xAB, count: 32))),
            .init(name: "eth1", neighbour: compact("0x21"), key: .file("keys/eth1.key")),
        ], hello: 50_000_000, update: 500_000_000, holdDown: 1_000_000_000,
        damping: RoutingDamping(hysteresis: 0, smoothingRetain: 500, maxDelayStep: .max, routeHold: 10_000_000_000),
        prefix: CompactAddressPrefix("0xF114/16"))
        XCTAssertEqual(config.routing, expected)
        XCTAssertEqual(try NodeConfig.parse(yaml: config.yaml), config)
        let plain = try NodeConfig.parse(yaml: head + "routing: {protocol: delay-vector, router-id: 1, interfaces: [{name: eth1, neighbour: \"0x21\", key: \"0x\(key)\"}]}\n")
        XCTAssertEqual(plain.routing, NodeConfig.Routing(routerID: 1, interfaces: [
            .init(name: "eth1", neighbour: compact("0x21"), key: .bytes(Array(repeating: 0xAB, count: 32))),
        ]))
        XCTAssertEqual(try NodeConfig.parse(yaml: plain.yaml), plain)
    }

    func testRefusalsNameThePlaceAndTheFix() {
        let entry = { (fields: String) in "routing:\n  protocol: delay-vector\n  router-id: 1\n  interfaces:\n    - {\(fields)}\n" }
        for (section, expected) in [
            (entry("name: eth9, neighbour: \"0x01\", key: \"\(key)\""),
             "node.yaml:10:14: no interface `eth9` (did you mean `eth0`?) — name one of eth0, eth1"),
            (entry("name: eth0, neighbour: \"0x01\""),
             "node.yaml:10:7: interface `eth0` has no link key: routing updates are authenticated (HMAC-SHA256) — add `key: <hex>`"),
            (entry("name: eth0, neighbour: \"0x01\", key: \"abcd\""),
             "node.yaml:10:44: the key of `eth0` has 2 bytes; HMAC-SHA256 needs at least 16 — write at least 32 hex digits"),
            (entry("name: eth0, neighbour: \"0x01\", key: \"xyz\""),
             "node.yaml:10:44: the key of `eth0` is not hex digits — write the link's key as hex"),
            (entry("name: eth0, neighbour: \"0x01\", key: \"\(key)\", key-file: k"),
             "interface `eth0` has both `key` and `key-file` — keep one of them"),
            (entry("name: eth0, neighbour: \"zz\", key: \"\(key)\""),
             "node.yaml:10:31: `zz` is not a compact address — write hex bytes"),
            ("routing: {protocol: link-state, router-id: 1, interfaces: []}\n", "node.yaml:6:21:"),
            ("routing: {protocol: delay-vector, router-id: -1, interfaces: [{name: eth0, neighbour: \"0x01\", key-file: k}]}\n",
             "node.yaml:6:46: router-id `-1` is not a whole number"),
            ("routing: {protocol: delay-vector, router-id: 1, hello: 0s, interfaces: [{name: eth0, neighbour: \"0x01\", key-file: k}]}\n",
             "node.yaml:6:56: routing hello 0 is outside 1ms…1h"),
            ("routing: {protocol: delay-vector, router-id: 1, hello: 1s, update: 100ms, interfaces: [{name: eth0, neighbour: \"0x01\", key-file: k}]}\n",
             "are more frequent than hellos"),
            ("routing: {protocol: delay-vector, interfaces: []}\n", "node.yaml:6:10:"),
            ("routing: {protocol: delay-vector, router-id: 1, prefix: \"0xZZ/8\", interfaces: [{name: eth0, neighbour: \"0x01\", key-file: k}]}\n",
             "node.yaml:6:57: `0xZZ/8` is no compact prefix — write hex bytes and a bit length"),
        ] {
            XCTAssertThrowsError(try NodeConfig.parse(yaml: head + section)) { error in
                XCTAssertTrue("\(error)".contains(expected), "\(section): \(error)")
            }
        }
    }

    /// `authentication: signature`: the identity key file, the certificate and the registrar to
    /// trust are read and written back; the interfaces carry no link key.
    func testSignedUpdatesReadAndWriteBack() throws {
        let registrar = String(repeating: "cd", count: 32)
        let config = try NodeConfig.parse(yaml: head + """
            routing:
              protocol: delay-vector
              router-id: 2
              authentication: signature
              identity: r1.routing.key
              certificate: "0102ff"
              trust: {registrar-key: "\(registrar)", domain: routing.example}
              interfaces:
                - {name: eth0, neighbour: "0x01"}

            """)
        XCTAssertEqual(config.routing, NodeConfig.Routing(routerID: 2, interfaces: [.init(name: "eth0", neighbour: compact("0x01"), key: nil)],
                                                          signing: .init(identity: "r1.routing.key", certificate: [1, 2, 0xFF],
                                                                         registrarKey: Array(repeating: 0xCD, count: 32),
                                                                         domain: "routing.example")))
        XCTAssertEqual(try NodeConfig.parse(yaml: config.yaml), config)
    }

    func testSignedUpdatesRefusalsNameThePlaceAndTheFix() {
        let trust = "trust: {registrar-key: \"\(String(repeating: "cd", count: 32))\", domain: d}"
        let section = { (fields: String, interface: String) in
            "routing:\n  protocol: delay-vector\n  router-id: 1\n\(fields)  interfaces:\n    - {name: eth0, neighbour: \"0x01\"\(interface)}\n"
        }
        let signed = "  authentication: signature\n  identity: r.key\n  certificate: \"01\"\n  \(trust)\n"
        for (yaml, expected) in [
            (section(signed, ", key: \"\(key)\""), "node.yaml:14:39: interface `eth0` has a link key, but the router signs its updates — remove `key` (`authentication: signature` replaces the links' keys)"),
            (section("  authentication: signature\n  identity: r.key\n", ""), "node.yaml:9:3: signed routing updates need the router's `certificate`, `trust` — add `identity: r1.key`"),
            (section("  authentication: signature\n  identity: r.key\n  certificate: \"zz\"\n  \(trust)\n", ""), "node.yaml:11:16: the routing certificate is not hex digits — write the registrar's certificate for the router's block as hex"),
            (section("  authentication: signature\n  identity: r.key\n  certificate: \"01\"\n  trust: {registrar-key: \"abcd\", domain: d}\n", ""),
             "node.yaml:12:26: the registrar key has 2 bytes; an Ed25519 public key has 32 — write 64 hex digits"),
            (section("  authentication: signature\n  identity: r.key\n  certificate: \"01\"\n  trust: {domain: d}\n", ""), "node.yaml:12:10: routing trust is missing `registrar-key`"),
            (section("  identity: r.key\n", ", key: \"\(key)\""), "node.yaml:9:3: `identity` is for signed updates; this router authenticates with link keys — add `authentication: signature`, or remove `identity`"),
            (section("  authentication: rsa\n", ", key: \"\(key)\""), "node.yaml:9:19: unknown routing authentication `rsa` — use one of hmac, signature"),
        ] {
            XCTAssertThrowsError(try NodeConfig.parse(yaml: head + yaml)) { error in
                XCTAssertTrue("\(error)".contains(expected), "\(yaml): \(error)")
            }
        }
    }

    /// `nip up` on a signed `routing: dynamic` topology: no link keys; per router a private
    /// identity key file and the deployment registrar's certificate for its block and that key.
    func testDeploymentOfASignedTopologyWritesKeysAndCertificates() throws {
        var topology = try TopologyParser.parse(yaml: """
            name: pair
            duration: 1s
            routing: {protocol: dynamic, authentication: signature}
            nodes:
              r1: {kind: router, interfaces: {eth0: "0x10"}}
              r2: {kind: router, interfaces: {eth0: "0x20"}}
            links:
              - {endpoints: [r1:eth0, r2:eth0], rate: 1Gbps, delay: 2ms}

            """, file: "pair.yaml")
        topology.nodes[0].prefix = CompactAddressPrefix("0x10/7")
        var configs = TopologyDeployment.configs(for: topology)
        XCTAssertEqual(configs[0].routing?.interfaces, [.init(name: "eth0", neighbour: compact("0x20"), key: nil)])
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("nip-signed-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try RoutingKeyDeployment.prepare(&configs, folder: folder, unixTime: 1_000_000)
        XCTAssertEqual(RoutingKeyDeployment.files(configs), ["routing-registrar.key", "r1.routing.key", "r2.routing.key"])
        let registrar = try KeyFile.read("\(folder)/routing-registrar.key")
        for (config, block) in zip(configs, [("0x10", 7), ("0x20", 8)]) {
            let signing = try XCTUnwrap(config.routing?.signing)
            XCTAssertEqual(signing.identity, "\(folder)/\(config.name).routing.key")
            XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: signing.identity)[.posixPermissions] as? Int, 0o600)
            let certificate = try AddressCertificate(parsing: signing.certificate)
            XCTAssertEqual(certificate.subjectKey, try KeyFile.read(signing.identity).publicKey)
            XCTAssertEqual(certificate.subject, compact(block.0))
            XCTAssertEqual(certificate.prefixLength, block.1)
            XCTAssertEqual([certificate.notBefore, certificate.notAfter], [1_000_000 - 60, 1_000_000 + 365 * 86_400])
            XCTAssertEqual(certificate.verify(registrarKey: registrar.publicKey, domain: "routing.deployment", now: 1_000_000), .valid)
            XCTAssertEqual(signing.registrarKey, registrar.publicKey)
            XCTAssertEqual(try NodeConfig.parse(yaml: config.yaml), config)
        }
    }

    /// `nip up` on a `routing: dynamic` topology: every node runs the protocol on its links, both
    /// ends of a link share its key, no routes are computed offline, and routers send hellos.
    func testDeploymentOfADynamicTopologyWritesTheSections() throws {
        var topology = try TopologyParser.parse(yaml: """
            name: pair
            duration: 1s
            routing: {protocol: dynamic, route-hold: 5s}
            nodes:
              h1: {kind: host, interfaces: {eth0: "0x01"}}
              r1: {kind: router, interfaces: {eth0: "0x10", eth1: "0x11"}}
              r2: {kind: router, interfaces: {eth0: "0x20"}}
            links:
              - {endpoints: [h1:eth0, r1:eth0], rate: 1Gbps, delay: 1ms}
              - {endpoints: [r1:eth1, r2:eth0], rate: 1Gbps, delay: 2ms}

            """, file: "pair.yaml")
        topology.nodes[1].prefix = CompactAddressPrefix("0x10/7")
        let configs = TopologyDeployment.configs(for: topology, linkKey: { Array(repeating: UInt8($0 + 1), count: 32) })
        XCTAssertEqual(configs.map(\.routing?.routerID), [1, 2, 3])
        XCTAssertEqual(configs.map(\.routing?.prefix), [nil, CompactAddressPrefix("0x10/7"), nil], "r1 announces its block")
        XCTAssertEqual(configs[1].routing?.interfaces, [
            .init(name: "eth0", neighbour: compact("0x01"), key: .bytes(Array(repeating: 1, count: 32))),
            .init(name: "eth1", neighbour: compact("0x20"), key: .bytes(Array(repeating: 2, count: 32))),
        ])
        XCTAssertEqual(configs[2].routing?.interfaces.first?.key, .bytes(Array(repeating: 2, count: 32)), "one key per link")
        XCTAssertEqual(configs[0].routing?.damping, RoutingDamping(routeHold: 5_000_000_000), "the topology's damping")
        XCTAssertEqual(configs.map(\.routes.count), [0, 0, 0], "no routes computed offline")
        XCTAssertEqual(configs.map(\.neighbours), [.init(), .init(hello: 1_000_000_000), .init(hello: 1_000_000_000)])
        for config in configs { XCTAssertEqual(try NodeConfig.parse(yaml: config.yaml), config) }

        // Keys are fresh per deployment, and the node file that holds them is private.
        XCTAssertNotEqual(TopologyDeployment.configs(for: topology)[1].routing?.interfaces[0].key,
                          TopologyDeployment.configs(for: topology)[1].routing?.interfaces[0].key)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("nip-routing-\(UUID().uuidString).yaml").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try TopologyDeployment.write(configs[1], to: path)
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int, 0o600)

        topology.routing = .shortestDelay
        let offline = TopologyDeployment.configs(for: topology)
        XCTAssertEqual(offline.map(\.routing), [nil, nil, nil])
        XCTAssertEqual(offline.map(\.neighbours), [nil, nil, nil])
    }
}
