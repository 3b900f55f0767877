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
            // governance.yaml refuses some flows whole, on purpose (testGovernanceExample).
            XCTAssertTrue(results.flows.allSatisfy { $0.delivered > 0 || file == "governance.yaml" }, file)
        }
    }

    /// Examples/governance.yaml, worked by hand: every flow sends 10 packets a second for 4 s
    /// (40, at 0, 100 ms, …, 3.9 s). Open domain `commons`: a1 and a2 seal (proven), a3 sends
    /// plain packets and `as` claims a1's address with no authenticator — all delivered, the
    /// last two unproven. Registered domain `campus`: b1 proven; b3 holds no key
    /// (unauthenticated), bs claims b1's address with an authenticator it cannot make valid
    /// (bad-mac); b2 is revoked at 2 s, a checkpoint instant (interval 1 s), so rb refuses it
    /// from 2 s on: its packet sent at 2 s is the first refused, when it reaches rb 16 µs
    /// (200 bytes at 100 Mbps) + 1 ms later; the 20 sent before 2 s were delivered.
    func testGovernanceExample() throws {
        let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Examples")
        let results = try Emulation(topology: TopologyParser.load(path: examples.appendingPathComponent("governance.yaml").path)).run()
        XCTAssertEqual(results.flows.map { flow in
            ([flow.name, "\(flow.delivered)/\(flow.sent)"] + flow.drops.map { "\($0.reason)=\($0.count)" }).joined(separator: " ")
        }, ["a1 40/40", "a2 40/40", "a3 40/40", "as 40/40", "b1 40/40", "b2 20/40 revoked=20", "b3 0/40 unauthenticated=40",
            "bs 0/40 bad-mac=40"])
        let governance = try XCTUnwrap(results.governance)
        XCTAssertEqual(governance.domains.map { domain in
            domain.firstHops.map { hop in
                ([domain.name, domain.admission.rawValue, hop.name, "proven=\(hop.proven)", "unproven=\(hop.unproven)"]
                    + hop.drops.map { "\($0.reason)=\($0.count)" }).joined(separator: " ")
            }.joined()
        }, ["commons open ra proven=80 unproven=80",
            "campus registered rb proven=60 unproven=0 bad-mac=40 revoked=20 unauthenticated=40"])
        let revocation = try XCTUnwrap(governance.domains.last?.revocations.first)
        XCTAssertEqual([revocation.scheduled, revocation.enforced, revocation.firstDrop, revocation.timeToFirstDrop],
                       [2_000_000_000, 2_000_000_000, 2_001_016_000, 1_016_000])
        XCTAssertEqual(revocation.revokedDrops, 20)
        XCTAssertEqual(revocation.deliveredAfterScheduled, 0)
    }
}
