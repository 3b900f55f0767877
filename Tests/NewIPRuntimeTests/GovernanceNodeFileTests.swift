import NewIPDataPlane
import NewIPTopology
import NewIPWire
import XCTest

/// A node file's governance sections, `border:` and `path-routes:`: what `nip up` writes reads
/// back equal, mistakes are named by line, and `POST /policy` bodies are checked the same way.
final class GovernanceNodeFileTests: XCTestCase {
    static let router = """
        name: ra
        role: router
        control: 127.0.0.1:9101
        interfaces:
          - {name: eth0, address: "0x41", udp: {local: 127.0.0.1:7001, peer: 127.0.0.1:7002}}

        """

    func testABorderSectionReadsBackEqual() throws {
        let config = try NodeConfig.parse(yaml: Self.router + """
            border:
              domain: commons
              secret: domains/commons/registrar/first-hop.secret
              window: 500ms
              domains:
                commons: ["0x11", "0x13"]
                campus: ["0x21"]
              policy:
                - {action: permit, from-domain: commons, source: proven}
                - {action: deny, from-domain: campus, to: "0x70", contract: lbf}
                - {action: deny, from-domain: none}
            """, file: "ra.yaml")
        let border = try XCTUnwrap(config.border)
        XCTAssertEqual(border.domain, "commons")
        XCTAssertEqual(border.domains.map(\.name), ["commons", "campus"])
        XCTAssertEqual(border.domains[0].members.map(\.description), ["0x11", "0x13"])
        XCTAssertEqual(border.number(of: "commons"), 1)
        XCTAssertEqual(border.number(of: "campus"), 2)
        XCTAssertNil(border.number(of: "lab"))
        XCTAssertEqual(border.window, 500_000_000)
        XCTAssertEqual(border.policy.map(\.text), [
            "{action: permit, from-domain: commons, source: proven}",
            "{action: deny, from-domain: campus, to: \"0x70/8\", contract: lbf}",
            "{action: deny, from-domain: none}",
        ])
        XCTAssertEqual(try NodeConfig.parse(yaml: config.yaml, file: "written.yaml"), config)
    }

    func testBorderMistakesAreNamedByLine() {
        let yaml = Self.router + """
            border:
              domain: comons
              domains:
                commons: ["0x11"]
                campus: ["0x11", "0x21"]
              policy:
                - {action: deny, from-domain: campos}
            """
        do {
            _ = try NodeConfig.parse(yaml: yaml, file: "ra.yaml")
            XCTFail("parsed")
        } catch {
            XCTAssertEqual(error.description, """
                ra.yaml:7:11: the border's domain `comons` is not among its `domains` (did you mean `commons`?) — add `comons: [its members' addresses]` under `domains`
                ra.yaml:10:14: address 0x11 is listed under `commons` and `campus` — an address belongs to one domain: remove it from one of them
                ra.yaml:12:7: policy rule names domain `campos`, which is not among the border's `domains` (did you mean `campus`?) — name one of commons, campus, or `any` or `none`
                """)
        }
    }

    func testAHostIsNoBorder() {
        let yaml = Self.router.replacingOccurrences(of: "role: router", with: "role: host") + """
            border: {domain: commons, domains: {commons: ["0x11"]}}
            """
        XCTAssertThrowsError(try NodeConfig.parse(yaml: yaml, file: "h.yaml")) { error in
            XCTAssertEqual("\(error)", "h.yaml:6:9: a host is no domain border: it forwards nothing — remove `border:`, or set `role: router`")
        }
    }

    func testPolicyBodiesAreCheckedAgainstTheBordersDomains() throws {
        let border = NodeConfig.Border(domain: "commons", domains: [.init(name: "commons", members: []), .init(name: "campus", members: [])],
                                       policy: [])
        let rules = try border.rules(parsing: #"[{"action": "deny", "from-domain": "campus", "to": "0x70"}]"#, source: "POST /policy",
                                     dialect: .compact)
        XCTAssertEqual(rules.map(\.text), [#"{action: deny, from-domain: campus, to: "0x70/8"}"#])
        XCTAssertEqual(try border.rules(parsing: "[]", source: "POST /policy", dialect: .compact).count, 0)
        XCTAssertThrowsError(try border.rules(parsing: "[{action: block}]", source: "POST /policy", dialect: .compact)) { error in
            XCTAssertEqual("\(error)", "POST /policy:1:11: unknown action `block` — use one of permit, deny")
        }
        XCTAssertThrowsError(try border.rules(parsing: "[{action: deny, from-domain: lab}]", source: "POST /policy", dialect: .compact)) { error in
            XCTAssertTrue("\(error)".contains("policy rule names domain `lab`, which is not among the border's `domains`"), "\(error)")
        }
    }

    func testPathRoutesReadBackEqualAndTheirMistakesAreNamed() throws {
        let config = try NodeConfig.parse(yaml: Self.router + """
            path-routes:
              - constraint: {avoid: [3, 2]}
                routes:
                  - {prefix: "0x70", via: eth0, to-delay: 3ms, to-hops: 2}
              - constraint: {only-through: [1]}
                routes: []
            """, file: "ra.yaml")
        XCTAssertEqual(config.pathRoutes.map(\.constraint), [PathConstraintItem(mode: .avoid, domains: [2, 3]),
                                                             PathConstraintItem(mode: .onlyThrough, domains: [1])])
        XCTAssertEqual(config.pathRoutes[0].routes, [NodeConfig.StaticRoute(prefix: .compact(CompactAddressPrefix(exactly: CompactAddress("0x70")!)),
                                                                          interface: "eth0", toDelay: 3_000_000, toHops: 2)])
        XCTAssertEqual(config.pathRoutes[1].routes, [])
        XCTAssertEqual(try NodeConfig.parse(yaml: config.yaml, file: "written.yaml"), config)

        let wrong = Self.router + """
            path-routes:
              - constraint: {avoid: [2], only-through: [1]}
                routes: []
              - constraint: {avoid: [0]}
                routes: []
              - constraint: {avoid: [2]}
                routes: [{prefix: "0x70", via: eth9}]
            """
        XCTAssertThrowsError(try NodeConfig.parse(yaml: wrong, file: "ra.yaml")) { error in
            XCTAssertEqual("\(error)", """
                ra.yaml:7:17: a path constraint is one of `avoid` or `only-through` — write e.g. `{avoid: [2]}` (domain numbers)
                ra.yaml:9:26: domain number `0` is not a whole number in 1…65535 — write a whole number such as 1
                ra.yaml:12:36: no interface `eth9` (did you mean `eth0`?) — route via one of eth0
                """)
        }
    }
}
