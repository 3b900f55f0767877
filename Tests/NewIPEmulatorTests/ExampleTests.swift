import Foundation
@testable import NewIPEmulator
import NewIPTopology
import XCTest

/// Every topology in Examples/ parses and runs, and delivers traffic.
final class ExampleTests: XCTestCase {
    func testExamplesRun() throws {
        let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Examples")
        let files = try FileManager.default.contentsOfDirectory(atPath: examples.path).filter { $0.hasSuffix(".yaml") }.sorted()
        XCTAssertTrue(Set(files).isSuperset(of: ["chain.yaml", "demo.yaml", "lbf-dumbbell.yaml", "manynets-gateway.yaml",
                                                 "manynets-static.yaml", "qualitative-trimming.yaml"]), "\(files)")
        for file in files {
            let topology = try TopologyParser.load(path: examples.appendingPathComponent(file).path)
            let results = try Emulation(topology: topology).run()
            // The governance examples refuse some flows whole, on purpose (testGovernanceExample,
            // GovernanceSelfCertifyingTests.testTheExample).
            XCTAssertTrue(results.flows.allSatisfy { $0.delivered > 0 || file.hasPrefix("governance") }, file)
        }
    }

    /// Examples/neighbours.yaml, worked by hand: r1's hellos (24 bytes, 192 ns at 1 Gbps, every
    /// 300 ms from 0) reach the hosts 1.000192 ms after they leave. h1 and h2 form 0xDE07 and
    /// 0xDE08 from the first and take them when their checks end unanswered 1 s later; h3's
    /// suffix 3 makes r1's own 0xDE03, which r1 defends: its answer to h3's 14-byte check is
    /// back at 1.000192 + 1.000112 + 1.000192 ms. h1's flow (100 packets a second from 0 to
    /// 1.5 s): the 101 sent before 1.001000192 s find no address, the 49 after arrive. The link
    /// to h2 is down from 1.5 s: the last hello h2 hears left at 1.2 s and holds 900 ms (stale
    /// at 2.101000192 s), and 4 probes 1 s apart go unanswered (down at 6.101000192 s).
    func testNeighboursExample() throws {
        let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Examples")
        let results = try Emulation(topology: TopologyParser.load(path: examples.appendingPathComponent("neighbours.yaml").path)).run()
        let flow = try XCTUnwrap(results.flows.first)
        XCTAssertEqual([flow.sent, flow.delivered], [150, 49])
        XCTAssertEqual(flow.drops.map { "\($0.reason)=\($0.count)" }, ["no-address=101"])
        let neighbours = try XCTUnwrap(results.neighbours)
        XCTAssertEqual(neighbours.events.map { event -> String in
            let node = results.nodes[event.node].name
            return switch event.kind {
            case .state(let neighbour, let from, let to): "\(event.time) \(node) \(neighbour) \(from?.rawValue ?? "new")>\(to.rawValue)"
            case .configured(let address, _): "\(event.time) \(node) configured \(address)"
            case .refused(let address, _): "\(event.time) \(node) refused \(address.map(String.init(describing:)) ?? "-")"
            }
        }, ["1000192 h1 0xDE01 new>reachable", "1000192 h2 0xDE02 new>reachable", "1000192 h3 0xDE03 new>reachable",
            "3000496 h3 refused 0xDE03", "1001000192 h1 configured 0xDE07", "1001000192 h2 configured 0xDE08",
            "2101000192 h2 0xDE02 reachable>stale", "6101000192 h2 0xDE02 stale>down"])
        XCTAssertEqual(neighbours.nodes.map { node in node.interfaces.map { "\(node.name):\($0.name) \($0.address.map(String.init(describing:)) ?? "-")" } },
                       [["r1:eth0 0xDE01", "r1:eth1 0xDE02", "r1:eth2 0xDE03"], ["h1:eth0 0xDE07"], ["h2:eth0 0xDE08"], ["h3:eth0 -"]])
    }

    /// Examples/governance.yaml, worked by hand: every flow sends 10 packets a second for 4 s
    /// (40, at 0, 100 ms, …, 3.9 s). Open domain `commons`: a1 and a2 seal (proven), a3 sends
    /// plain packets and `as` claims a1's address with no authenticator — all delivered, the
    /// last two unproven. Registered domain `campus`: b1 proven; b3 holds no key
    /// (unauthenticated), bs claims b1's address with an authenticator it cannot make valid
    /// (bad-mac); b2 is revoked at 2 s, a checkpoint instant (interval 1 s), so rb refuses it
    /// from 2 s on: its packet sent at 2 s is the first refused, when it reaches rb 16 µs
    /// (200 bytes at 100 Mbps) + 1 ms later; the 20 sent before 2 s were delivered. `spoofer`
    /// (host sp) claims b1's address with no authenticator: every packet refused at rb,
    /// `unauthenticated`.
    ///
    /// Border policy at rb (from 50 ms, 40 packets each): b1-archive is campus's and proven,
    /// so the first rule permits it until the change at 2 s, whose one rule denies it: 20
    /// delivered (16 µs + 1 ms, then 1.6 µs + 1 ms twice: 3.0192 ms), 20 `policy`. Every other
    /// packet rb forwards goes to the server: no rule matches (40 before 2 s, b1's and b2's; 20
    /// after, b1's). Path constraints: a1-archive avoids campus (rb), so ra → core → rc
    /// (16 µs + 1 ms, 1.6 µs + 2 ms, 1.6 µs + 4 ms, 1.6 µs + 1 ms: 8.0208 ms) instead of the
    /// 7 ms way through rb; a2-archive may cross only commons, and core is in no domain: ra
    /// drops all 40 as `path-constraint` (after proving them: ra proves 4 × 40).
    func testGovernanceExample() throws {
        let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Examples")
        let results = try Emulation(topology: TopologyParser.load(path: examples.appendingPathComponent("governance.yaml").path)).run()
        XCTAssertEqual(results.flows.map { flow in
            ([flow.name, "\(flow.delivered)/\(flow.sent)"] + flow.drops.map { "\($0.reason)=\($0.count)" }).joined(separator: " ")
        }, ["a1 40/40", "a2 40/40", "a3 40/40", "as 40/40", "b1 40/40", "b2 20/40 revoked=20", "b3 0/40 unauthenticated=40",
            "bs 0/40 bad-mac=40", "spoofer 0/40 unauthenticated=40", "b1-archive 20/40 policy=20", "a1-archive 40/40",
            "a2-archive 0/40 path-constraint=40"])
        let latency = { (name: String) in results.flows.first { $0.name == name }?.latency.map { [$0.min, $0.max] } }
        XCTAssertEqual(latency("b1-archive"), [3_019_200, 3_019_200])
        XCTAssertEqual(latency("a1-archive"), [8_020_800, 8_020_800])
        let governance = try XCTUnwrap(results.governance)
        XCTAssertEqual(governance.domains.map { domain in
            domain.firstHops.map { hop in
                ([domain.name, domain.admission.rawValue, hop.name, "proven=\(hop.proven)", "unproven=\(hop.unproven)"]
                    + hop.drops.map { "\($0.reason)=\($0.count)" }).joined(separator: " ")
            }.joined()
        }, ["commons open ra proven=160 unproven=80",
            "campus registered rb proven=100 unproven=0 bad-mac=40 revoked=20 unauthenticated=80"])
        let campus = try XCTUnwrap(governance.domains.last)
        XCTAssertEqual(campus.policies.map(\.from), [0, 2_000_000_000])
        XCTAssertEqual(campus.policies.map { $0.rules.map(\.matched) + [$0.defaultPermits] }, [[20, 0, 40], [20, 20]])
        // The spoofer's packets reached rb only, carrying b1's address, and rb refused them all.
        let spoofer = try XCTUnwrap(governance.exposure.flows.first { $0.name == "spoofer" })
        XCTAssertEqual(spoofer.observers.map { [$0.node, $0.sources.joined(), $0.proof, $0.block] + $0.refused.map { "\($0.reason)=\($0.count)" } },
                       [["rb", "0x21", "unproven", "address", "unauthenticated=40"]])
        let revocation = try XCTUnwrap(governance.domains.last?.revocations.first)
        XCTAssertEqual([revocation.scheduled, revocation.enforced, revocation.firstDrop, revocation.timeToFirstDrop],
                       [2_000_000_000, 2_000_000_000, 2_001_016_000, 1_016_000])
        XCTAssertEqual(revocation.revokedDrops, 20)
        XCTAssertEqual(revocation.deliveredAfterScheduled, 0)
    }
}
