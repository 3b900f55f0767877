import Foundation
import NewIPRuntime
import NewIPTopology
import XCTest

/// Node files are read by the topology files' reader: the same `file:line:column` errors,
/// the same "did you mean", and what `nip up` writes reads back equal.
final class NodeFileTests: XCTestCase {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    private func problems(_ yaml: String) -> String {
        do {
            _ = try NodeConfig.parse(yaml: yaml, file: "n.yaml")
            return "parsed"
        } catch {
            return error.description
        }
    }

    func testMisspeltKeysAndWordsAreAnsweredWithTheClosestOne() {
        let yaml = """
        name: h1
        role: hots
        control: 127.0.0.1:9101
        dialect: compat
        interfaces:
          - name: eth0
            adress: "0x01"
            udp: {local: 127.0.0.1:7001, peer: 127.0.0.1:7002}
            queue: {disipline: lbf}
        routes:
          - {prefix: default, via: eht0, to-dealy: 1ms}
        ping-hop: 64
        """
        XCTAssertEqual(problems(yaml), """
        n.yaml:2:7: unknown role `hots` (did you mean `host`?) — use one of host, router, gateway
        n.yaml:4:10: unknown dialect `compat` (did you mean `compact`?) — use one of compact, framework
        n.yaml:7:5: unknown key `adress` in an interface (did you mean `address`?) — rename it to `address`
        n.yaml:9:13: unknown key `disipline` in queue (did you mean `discipline`?) — rename it to `discipline`
        n.yaml:11:28: no interface `eht0` (did you mean `eth0`?) — route via one of eth0
        n.yaml:11:34: unknown key `to-dealy` in a route (did you mean `to-delay`?) — rename it to `to-delay`
        n.yaml:12:1: unknown key `ping-hop` in the node (did you mean `ping-hops`?) — rename it to `ping-hops`
        """)
    }

    func testFileProblemsReadLikeTopologyFileProblems() {
        XCTAssertEqual(problems(""), "n.yaml:1:1: the file is empty — describe the node: name, control and interfaces (see docs/node.md)")
        XCTAssertEqual(problems("name: h1\nname: h2\ncontrol: 127.0.0.1:1\n"),
                       "n.yaml:2:1: `name` is defined twice in the same mapping (first at line 1) — "
                       + "keep one definition (an interface, node or setting is defined once)")
        XCTAssertEqual(problems("- name: h1\n"), "n.yaml:1:1: the node must be a mapping of `key: value` lines — indent `key: value` lines under it")
        XCTAssertEqual(problems("name: h1\ncontrol: 127.0.0.1:1\ninterfaces:\n  - {name: eth0, udp: {local: 127.0.0.1:1, peer: 127.0.0.1:2}}\n"
                                + "  - {name: eth0, udp: {local: 127.0.0.1:3, peer: 127.0.0.1:4}}\n"),
                       "n.yaml:5:12: interface `eth0` is defined twice — give each interface its own name")
        XCTAssertThrowsError(try NodeConfig.load(path: "/nonexistent/n.yaml")) {
            XCTAssertEqual("\($0)", "--config /nonexistent/n.yaml: no such file")
        }
    }

    /// What `nip up` writes for every example topology, over UDP and over veth pairs with
    /// gateways' tun devices, parses back to the same configuration.
    func testEveryExampleTopologysNodeFilesReadBackEqual() throws {
        let examples = Self.packageRoot.appendingPathComponent("Examples")
        let names = try FileManager.default.contentsOfDirectory(atPath: examples.path).filter { $0.hasSuffix(".yaml") }.sorted()
        XCTAssertTrue(Set(names).isSuperset(of: ["chain.yaml", "governance.yaml", "lbf-dumbbell.yaml", "manynets-gateway.yaml"]), "\(names)")
        var files = 0, processes = 0
        for name in names {
            let topology = try TopologyParser.load(path: examples.appendingPathComponent(name).path)
            processes += topology.nodes.count
            for namespaces in [nil, TopologyDeployment.Namespaces(prefix: "nip-t")] {
                for config in TopologyDeployment.configs(for: topology, namespaces: namespaces) {
                    XCTAssertEqual(try NodeConfig.parse(yaml: config.yaml, file: "\(name) \(config.name)"), config, "\(name): \(config.name)")
                    files += 1
                }
            }
        }
        // One node file per node that runs as a process (a ManyNets topology's kernel IP hosts
        // and routers run none), over UDP and over veth pairs.
        XCTAssertGreaterThan(files, names.count * 2)
        XCTAssertLessThanOrEqual(files, 2 * processes)
        // The hand-written node files too: parsed, written and parsed again, nothing changes.
        let nodes = examples.appendingPathComponent("nodes")
        for name in try FileManager.default.contentsOfDirectory(atPath: nodes.path) where name.hasSuffix(".yaml") {
            let config = try NodeConfig.load(path: nodes.appendingPathComponent(name).path)
            XCTAssertEqual(try NodeConfig.parse(yaml: config.yaml), config, name)
        }
    }
}
