import NewIPDataPlane
import NewIPJSON
import NewIPTopology

/// gLBF's published validation (network2030/glbf-validation, the HiPNET 2021 scenario) against
/// this project's damper: nine packets — three each of 900, 1,000 and 1,100 bytes — leave one
/// sender back to back onto a 30 Mbps link and cross one more 30 Mbps hop, under LBF and under
/// LBF with the damper (B = the validation's bound for a 9,000-byte buffer plus one 1,100-byte
/// packet, 2,693,334 ns). The validation keeps every packet of a flow at the same per-hop
/// latency (its script's output: 2,640,000, 2,666,667 and 2,693,334 ns), so the spread within
/// a flow is 0; the table sets our spread beside it.
public struct DamperReproduction: Sendable {
    /// The published per-hop latency of each flow's packets (all equal within a flow).
    public static let published: [(flow: String, size: Int, perHop: Nanoseconds)] = [
        ("f900", 900, 2_640_000), ("f1000", 1000, 2_666_667), ("f1100", 1100, 2_693_334),
    ]
    public static let bound: Nanoseconds = 2_693_334

    public let lbf: EmulationResults
    public let damped: EmulationResults

    public init() throws {
        lbf = try Emulation(topology: TopologyParser.parse(yaml: Self.yaml(damper: nil), file: "glbf-hipnet2021.yaml")).run()
        damped = try Emulation(topology: TopologyParser.parse(yaml: Self.yaml(damper: Self.bound), file: "glbf-hipnet2021.yaml")).run()
    }

    static func yaml(damper: Nanoseconds?) -> String {
        let queue = damper.map { "{discipline: lbf, damper: \($0)ns}" } ?? "lbf"
        var text = """
        name: glbf-hipnet2021
        duration: 40ms
        nodes:
          src: {kind: host, interfaces: {eth0: "0x01"}}
          r1: {kind: router, interfaces: {a: "0x11", b: "0x12"}}
          dst: {kind: host, interfaces: {eth0: "0x02"}}
        links:
          - {endpoints: [src:eth0, r1:a], rate: 30Mbps, delay: 1ms, queue: lbf}
          - {endpoints: [r1:b, dst:eth0], rate: 30Mbps, delay: 1ms, queue: \(queue)}
        flows:

        """
        for (index, flow) in published.enumerated() {
            text += "  - {name: \(flow.flow), from: src, to: dst, rate: 1000kpps, size: \(flow.size), start: \(3 * index)us, "
                + "stop: \(3 * index + 3)us, contract: {type: lbf, min: 0ms, max: 10ms}}\n"
        }
        return text
    }

    /// Max − min one-way delay of a flow's delivered packets.
    static func spread(_ flow: FlowResult?) -> Nanoseconds? { flow?.latency.map { $0.max - $0.min } }

    public var rows: [[String]] {
        Self.published.map { published in
            let plain: FlowResult? = lbf.flows.first { $0.name == published.flow }
            let held: FlowResult? = damped.flows.first { $0.name == published.flow }
            func text(_ value: Nanoseconds?) -> String { value.map(String.init) ?? "-" }
            return [published.flow, "\(published.size)", "\(published.perHop)", "0",
                    text(Self.spread(plain)), text(Self.spread(held)),
                    text(held?.latency?.min) + "–" + text(held?.latency?.max),
                    text(Self.spread(held))]
        }
    }

    public var markdown: String {
        var out = "## gLBF's damper against its published validation\n\n"
        out += "Published: gLBF (draft-ietf-detnet-glbf; validation script network2030/glbf-validation, HiPNET 2021) keeps every "
            + "packet of a flow at the same per-hop latency, so the spread of delays within a flow is 0 ns. Measured here on a "
            + "scenario built from the validation's parameters, not its exact topology and traffic: nine packets, three each of "
            + "900, 1000 and 1100 bytes, back to back onto 30 Mbps links, two hops, LBF window 0–10 ms, under LBF and under LBF "
            + "with this project's damper (`damper: \(Self.bound)ns`, the validation's bound for a 9000-byte buffer plus one "
            + "1100-byte packet). Spreads (max − min) and delays in ns, end to end.\n\n"
        let header = ["flow", "bytes", "published per-hop latency", "published spread", "LBF spread", "damper spread",
                      "damper delays", "difference (damper − published)"]
        out += "| " + header.joined(separator: " | ") + " |\n|---|" + String(repeating: "---:|", count: header.count - 1) + "\n"
        for row in rows { out += "| " + row.joined(separator: " | ") + " |\n" }
        let worst: Nanoseconds = Self.published.compactMap { published -> Nanoseconds? in
            Self.spread(damped.flows.first { $0.name == published.flow })
        }.max() ?? 0
        out += "\n### Verdict\n\n"
        let plainSpreads = Self.published.compactMap { published -> Nanoseconds? in
            Self.spread(lbf.flows.first { $0.name == published.flow })
        }
        out += "- Not reproduced: with the damper the delays within a flow spread over up to \(worst) ns, not 0, and more than "
            + "under LBF alone (\(plainSpreads.min() ?? 0)–\(plainSpreads.max() ?? 0) ns). Two differences from gLBF stand in "
            + "the way, and this run does not separate them: the damper holds a packet until its LBF deadline share minus B, a "
            + "share of the remaining end-to-end budget, where gLBF carries the previous hop's own slack to the next hop; and the "
            + "LBF clause carries the experienced delay in whole milliseconds, so packets that waited different fractions of a "
            + "millisecond upstream get shares up to a millisecond apart.\n"
        return out
    }

    public var json: JSONValue {
        .object([
            ("bound_ns", .integer(Self.bound)),
            ("flows", .array(Self.published.map { published in
                let plain: FlowResult? = lbf.flows.first { $0.name == published.flow }
                let held: FlowResult? = damped.flows.first { $0.name == published.flow }
                let lbfSpread: JSONValue = Self.spread(plain).map { .integer($0) } ?? .null
                let damperSpread: JSONValue = Self.spread(held).map { .integer($0) } ?? .null
                return JSONValue.object([
                    ("name", .string(published.flow)), ("bytes", .int(published.size)),
                    ("published_per_hop_ns", .integer(published.perHop)), ("published_spread_ns", .int(0)),
                    ("lbf_spread_ns", lbfSpread), ("damper_spread_ns", damperSpread),
                ])
            })),
        ])
    }
}
