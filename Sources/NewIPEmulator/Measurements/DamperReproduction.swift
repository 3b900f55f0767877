import NewIPDataPlane
import NewIPJSON
import NewIPTopology

/// gLBF's published validation (network2030/glbf-validation, the HiPNET 2021 script, its
/// Test 3) run in the emulator under LBF and under gLBF. Three flows, of 900, 1,000 and
/// 1,100-byte packets, each 10 Mbps in bursts of three packets sent at once, share Router 1's
/// queue onto a 30 Mbps link for 1 s at nanosecond resolution; Router 4 damps each packet
/// before its own queue. The script's bound for that hop is the queue's largest backlog (the
/// three bursts, 9,000 bytes) plus one 1,100-byte packet in transit at 30 Mbps, rounded up:
/// 2,693,334 ns, and it reports every packet reaching Router 4's damper output that long after
/// it entered Router 1's queue. Here the sending host's egress queue is Router 1's, the link
/// has no propagation delay, and the receiving host is Router 4: its damper delivers.
public struct DamperReproduction: Sendable {
    /// The validation's flows: name, packet size, burst period (three packets at 10 Mbps).
    public static let flows: [(name: String, size: Int, period: Nanoseconds)] = [
        ("f900", 900, 2_160_000), ("f1000", 1000, 2_400_000), ("f1100", 1100, 2_640_000),
    ]
    /// The per-hop latency the validation reports for every packet of the three flows (its
    /// Test 3 and Test 4 text: 2693334).
    public static let published: Nanoseconds = 2_693_334
    /// The hop's bound by the script's formula: (9,000 + 1,100) bytes at 30 Mbps, rounded up.
    public static let bound = BitRate(bitsPerSecond: 30_000_000).serialisation(bytes: 3 * (900 + 1000 + 1100) + 1100)

    public let lbf: EmulationResults
    public let glbf: EmulationResults

    public init() throws {
        lbf = try Emulation(topology: TopologyParser.parse(yaml: Self.yaml(queue: "lbf"), file: "glbf-hipnet2021.yaml")).run()
        glbf = try Emulation(topology: TopologyParser.parse(yaml: Self.yaml(queue: "{discipline: glbf, bound: \(Self.bound)ns}"),
                                                           file: "glbf-hipnet2021.yaml")).run()
    }

    /// Bursts of three: 1 ns apart (the emulator sends one packet at a time), then silent for
    /// the rest of the period, sent for 1 s as in the script; the run lasts 10 ms longer so
    /// the last bursts arrive. The window (0–10 ms) is wide enough never to drop.
    static func yaml(queue: String) -> String {
        var text = """
        name: glbf-hipnet2021
        duration: 1010ms
        nodes:
          router1: {kind: host, interfaces: {eth0: "0x01"}}
          router4: {kind: host, interfaces: {eth0: "0x02"}}
        links:
          - {endpoints: [router1:eth0, router4:eth0], rate: 30Mbps, delay: 0ms, queue: \(queue)}
        flows:

        """
        for flow in flows {
            text += "  - {name: \(flow.name), from: router1, to: router4, pattern: onoff, rate: 1000Mpps, on: 3ns, "
                + "off: \(flow.period - 3)ns, stop: 1s, size: \(flow.size), contract: {type: lbf, min: 0ms, max: 10ms}}\n"
        }
        return text
    }

    /// Max − min delay of a flow's delivered packets.
    static func spread(_ flow: FlowResult?) -> Nanoseconds? { flow?.latency.map { $0.max - $0.min } }

    private func results(_ name: String) -> (lbf: FlowResult?, glbf: FlowResult?) {
        (lbf.flows.first { $0.name == name }, glbf.flows.first { $0.name == name })
    }

    /// Per flow: name, bytes, published latency and spread, gLBF's delays and spread, the
    /// difference of its largest delay from the published one, LBF's delays and spread.
    public var rows: [[String]] {
        Self.flows.map { flow in
            let (plain, held) = results(flow.name)
            func text(_ value: Nanoseconds?) -> String { value.map(String.init) ?? "-" }
            func range(_ result: FlowResult?) -> String { text(result?.latency?.min) + "–" + text(result?.latency?.max) }
            return [flow.name, "\(flow.size)", "\(Self.published)", "0", "\(held?.delivered ?? 0) of \(held?.sent ?? 0)",
                    range(held), text(Self.spread(held)), range(plain), text(Self.spread(plain)),
                    text(held?.latency.map { $0.max - Self.published })]
        }
    }

    public var markdown: String {
        var out = "## gLBF against its published validation\n\n"
        out += "Published: gLBF's validation script (network2030/glbf-validation, HiPNET 2021; gLBF is draft-ietf-detnet-glbf) "
            + "sends three flows of 900, 1000 and 1100-byte packets, each 10 Mbps in bursts of three, through one 30 Mbps queue "
            + "for 1 s at nanosecond resolution and reports every packet at the next router's damper output the same "
            + "\(Self.published) ns after it entered the queue: no spread within a flow. Measured here: the same flows and link "
            + "in the emulator, the sending host's queue as the validation's Router 1 and the receiving host's damper as Router "
            + "4's, under `queue: {discipline: glbf, bound: \(Self.bound)ns}` (the script's bound: 9000 bytes of bursts plus one "
            + "1100-byte packet at 30 Mbps) and under `queue: lbf` (window 0–10 ms). Delays in ns, first bit queued to damper "
            + "release (gLBF) or to arrival (LBF).\n\n"
        let header = ["flow", "bytes", "published latency", "published spread", "gLBF delivered", "gLBF delays", "gLBF spread",
                      "LBF delays", "LBF spread", "difference (gLBF max − published)"]
        out += "| " + header.joined(separator: " | ") + " |\n|---|" + String(repeating: "---:|", count: header.count - 1) + "\n"
        for row in rows { out += "| " + row.joined(separator: " | ") + " |\n" }
        let held = Self.flows.map { results($0.name).glbf }
        let spreads = held.map(Self.spread)
        let delays = held.compactMap { $0?.latency }
        let lost = held.reduce(0) { $0 + (($1?.sent ?? 0) - ($1?.delivered ?? 0)) }
        let plainSpreads = Self.flows.compactMap { Self.spread(results($0.name).lbf) }
        let reproduced = lost == 0 && spreads.allSatisfy { $0 == 0 } && delays.allSatisfy { $0.min == Self.published && $0.max == Self.published }
        out += "\n### Verdict\n\n"
        if reproduced {
            out += "- Reproduced: under gLBF every packet of every flow took \(Self.published) ns, the published latency, so the "
                + "spread within a flow is 0 as published; under LBF the same flows spread over "
                + "\(plainSpreads.min() ?? 0)–\(plainSpreads.max() ?? 0) ns.\n"
        } else {
            out += "- Not reproduced: under gLBF the delays ran \(delays.map(\.min).min() ?? 0)–\(delays.map(\.max).max() ?? 0) ns "
                + "with spreads up to \(spreads.compactMap { $0 }.max() ?? 0) ns and \(lost) packets lost, against \(Self.published) "
                + "ns and no spread published.\n"
        }
        out += "- Not run: the validation's Test 4 (three routers' queues feeding a fourth); gLBF's damper time travels in the "
            + "emulator's packet metadata only (docs/wire.md).\n"
        return out
    }

    public var json: JSONValue {
        .object([
            ("bound_ns", .integer(Self.bound)),
            ("published_latency_ns", .integer(Self.published)),
            ("flows", .array(Self.flows.map { flow in
                let (plain, held) = results(flow.name)
                func value(_ number: Nanoseconds?) -> JSONValue { number.map { .integer($0) } ?? .null }
                return JSONValue.object([
                    ("name", .string(flow.name)), ("bytes", .int(flow.size)),
                    ("published_spread_ns", .int(0)),
                    ("glbf_sent", .int(held?.sent ?? 0)), ("glbf_delivered", .int(held?.delivered ?? 0)),
                    ("glbf_min_ns", value(held?.latency?.min)), ("glbf_max_ns", value(held?.latency?.max)),
                    ("glbf_spread_ns", value(Self.spread(held))), ("lbf_spread_ns", value(Self.spread(plain))),
                ])
            })),
        ])
    }
}
