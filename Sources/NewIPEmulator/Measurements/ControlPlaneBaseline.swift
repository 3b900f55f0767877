import NewIPDataPlane
import NewIPJSON
import NewIPTopology

/// The dynamic routing protocol against the shortest-delay oracle on one small network with a
/// link failure: the paths each finds before and after, what the failure costs the traffic,
/// how long until every lost route is back, and what the protocol's own traffic costs. The
/// oracle computes its tables once from the file (no control traffic, no reaction to the
/// failure); run again with the failed link unusable it gives the paths a perfect, instant
/// reconvergence would reach.
public struct ControlPlaneBaseline: Sendable {
    /// h1 — r1 — r2 — h2 (1, 2, 1 ms) with a backup r1 — r3 — r2 (3 + 3 ms); r1–r2 goes down
    /// at 2 s for the rest of the run. Three flows h1 → h2 of 1,000 packets/s: `before` (1–2 s),
    /// `after` (2.5–4 s, after reconvergence), and `through` (1–4 s, across the failure).
    public static let network = """
        name: backup-path
        seed: 1
        duration: 4s
        routing: dynamic
        nodes:
          h1: {kind: host, interfaces: {eth0: "0x01"}}
          r1: {kind: router, interfaces: {eth0: "0x02", eth1: "0x03", eth2: "0x04"}}
          r2: {kind: router, interfaces: {eth0: "0x05", eth1: "0x06", eth2: "0x07"}}
          r3: {kind: router, interfaces: {eth0: "0x08", eth1: "0x09"}}
          h2: {kind: host, interfaces: {eth0: "0x0A"}}
        links:
          - {endpoints: [h1:eth0, r1:eth0], rate: 100Mbps, delay: 1ms}
          - {endpoints: [r1:eth1, r2:eth0], rate: 100Mbps, delay: 2ms, faults: {down: [2s, 4s]}}
          - {endpoints: [r1:eth2, r3:eth0], rate: 100Mbps, delay: 3ms}
          - {endpoints: [r3:eth1, r2:eth1], rate: 100Mbps, delay: 3ms}
          - {endpoints: [r2:eth2, h2:eth0], rate: 100Mbps, delay: 1ms}
        flows:
          - {name: before, from: h1, to: h2, rate: 1kpps, size: 100, start: 1s, stop: 2s}
          - {name: after, from: h1, to: h2, rate: 1kpps, size: 100, start: 2500ms}
          - {name: through, from: h1, to: h2, rate: 1kpps, size: 100, start: 1s}

        """

    public struct Outcome: Sendable {
        public var name: String
        public var meaning: String
        public var flows: [FlowResult]
        /// From the failure until every (node, prefix) that lost its route had one again;
        /// `nil` when routes never came back (or the routing does not react).
        public var reroute: Nanoseconds?
        /// Routing bytes per second per link direction (mean over the directions), and that
        /// over the links' rate.
        public var controlBytesPerSecond: Double
        public var controlShare: Double

        public func flow(_ name: String) -> FlowResult? { flows.first { $0.name == name } }
    }

    public let failedLink: String
    public let failure: Nanoseconds
    public let outcomes: [Outcome]

    public init() throws {
        let topology = try TopologyParser.parse(yaml: Self.network, file: "control-plane.yaml")
        let failed = topology.links.firstIndex { !$0.faults.down.isEmpty }!
        let failure = topology.links[failed].faults.down[0].lowerBound
        self.failure = failure
        failedLink = topology.name(of: topology.links[failed].endpoints.0) + "–" + topology.name(of: topology.links[failed].endpoints.1)
        var oracle = topology
        oracle.routing = .shortestDelay
        // The oracle with the failure known: the link so slow no shortest path takes it.
        var informed = oracle
        informed.links[failed].faults.down = []
        informed.links[failed].delay = topology.duration * 10
        let dynamic = try Emulation(topology: topology).run()
        let rate = Double(topology.links[0].rate.bitsPerSecond)
        func outcome(_ name: String, _ meaning: String, _ results: EmulationResults) -> Outcome {
            let control = results.routing?.controlBytes ?? []
            let perSecond = control.isEmpty ? 0 : Double(control.reduce(0, +)) / Double(control.count) / (Double(topology.duration) / 1e9)
            return Outcome(name: name, meaning: meaning, flows: results.flows, reroute: results.routing.flatMap { Self.reroute($0, after: failure) },
                           controlBytesPerSecond: perSecond, controlShare: perSecond * 8 / rate)
        }
        outcomes = [
            outcome("shortest-delay oracle", "tables computed once from the file; no control traffic, no reaction to the failure",
                    try Emulation(topology: oracle).run()),
            outcome("oracle, failure known", "the same with the failed link unusable from the start: the paths of a perfect, instant reconvergence",
                    try Emulation(topology: informed).run()),
            outcome("dynamic", "the delay-vector protocol on every node, in virtual time", dynamic),
        ]
    }

    /// The latest time after `failure` at which a (node, prefix) that lost its route then had
    /// one again, less `failure`; `nil` when one never came back.
    static func reroute(_ routing: RoutingResult, after failure: Nanoseconds) -> Nanoseconds? {
        var lost: [String: Nanoseconds?] = [:]
        for event in routing.events where event.time >= failure {
            let key = "\(event.node) \(event.prefix)"
            if event.new == nil { lost[key] = .some(nil) } else if let entry = lost[key], entry == nil { lost[key] = event.time }
        }
        guard !lost.isEmpty else { return 0 }
        var latest: Nanoseconds = failure
        for back in lost.values {
            guard let back else { return nil }
            latest = max(latest, back)
        }
        return latest - failure
    }
}

extension ControlPlaneBaseline {
    public static let header = ["routing", "`before` p50 ms", "`after` p50 ms", "`through` delivered", "`through` dropped",
                                "every route back after", "control B/s per link direction"]

    public var rows: [[String]] {
        outcomes.map { outcome in
            let through = outcome.flow("through")
            return [outcome.name, QueueBaselines.milliseconds(outcome.flow("before")?.latency?.p50),
                    QueueBaselines.milliseconds(outcome.flow("after")?.latency?.p50),
                    through.map { "\($0.delivered) of \($0.sent)" } ?? "-",
                    through.map { QueueBaselines.dropSummary($0.drops) } ?? "-",
                    outcome.reroute.map { QueueBaselines.milliseconds($0) + " ms" } ?? (outcome.name == "dynamic" ? "never" : "static tables"),
                    "\(Int(outcome.controlBytesPerSecond.rounded())) (\(Self.percent(outcome.controlShare)))"]
        }
    }

    /// The verdict, every number from the runs.
    public var findings: [String] {
        guard outcomes.count == 3 else { return [] }
        let (oracle, informed, dynamic) = (outcomes[0], outcomes[1], outcomes[2])
        func p50(_ outcome: Outcome, _ flow: String) -> String { QueueBaselines.milliseconds(outcome.flow(flow)?.latency?.p50) }
        // The same path: the same fastest delivery (the protocol's own packets delay a few).
        func same(_ a: Outcome, _ b: Outcome, _ flow: String) -> Bool {
            a.flow(flow)?.latency != nil && a.flow(flow)?.latency?.min == b.flow(flow)?.latency?.min
        }
        func lost(_ outcome: Outcome) -> Int { outcome.flow("through").map { $0.sent - $0.delivered } ?? 0 }
        var out: [String] = []
        out.append("Paths: before the failure the protocol's `before` packets take \(p50(dynamic, "before")) ms (p50) against the oracle's "
                   + "\(p50(oracle, "before")) ms" + (same(dynamic, oracle, "before") ? ", the same path (the same fastest delivery)" : "")
                   + "; after it, \(p50(dynamic, "after")) ms against \(p50(informed, "after")) ms for the oracle that knows the failure"
                   + (same(dynamic, informed, "after") ? ", the same path." : "."))
        out.append("The failure of `\(failedLink)` at \(Self.seconds(failure)) costs the `through` flow \(lost(dynamic)) packets "
                   + "under the protocol (every lost route back after "
                   + (dynamic.reroute.map { QueueBaselines.milliseconds($0) + " ms" } ?? "never") + "), \(lost(oracle)) under the oracle, "
                   + "whose tables keep sending into the dead link for the rest of the run, and \(lost(informed)) with the failure known.")
        out.append("The protocol's own traffic: \(Int(dynamic.controlBytesPerSecond.rounded())) bytes/s per link direction on average over "
                   + "the run, \(Self.percent(dynamic.controlShare)) of a link's rate; the oracle sends none.")
        out.append("Where New IP does not win: the oracle pays no control traffic, and an instant reconvergence would lose "
                   + "\(lost(informed)) packets where the protocol loses \(lost(dynamic)). Against OSPF no number here is a measured "
                   + "comparison: both ends see the carrier go at once in this emulation, so detection, which dominates OSPF's "
                   + "convergence when a neighbour fails silently, costs nothing here.")
        return out
    }

    /// A small share with three decimals (`0.083 %`).
    public static func percent(_ share: Double) -> String { DecimalText.fixed(share * 100, digits: 3) + " %" }

    /// `2 s`, `2.5 s`.
    static func seconds(_ time: Nanoseconds) -> String {
        time % 1_000_000_000 == 0 ? "\(time / 1_000_000_000) s" : QueueBaselines.milliseconds(time) + " ms"
    }

    /// Published figures for OSPF, cited as anchors and not measured here.
    public static let anchors = [
        "OSPFv2 (RFC 2328, appendix C.3): HelloInterval 10 s and RouterDeadInterval 40 s by default, so a neighbour that fails "
            + "without a carrier loss (and without BFD) is declared down up to 40 s later.",
        "FRR's OSPF waits 50 ms (its default SPF throttle) before its first route recomputation after a change.",
        "Francois, Filsfils, Evans and Bonaventure, \"Achieving sub-second IGP convergence in large IP networks\" (ACM SIGCOMM "
            + "CCR 35(3), 2005): with tuned timers a link-state IGP converges in well under a second after a link failure.",
    ]

    /// A section of docs/claims.md; `atScale` adds the large run's sentence (from its JSON).
    public func markdown(atScale: String? = nil) -> String {
        var out = "## Control plane: the dynamic protocol against the oracle\n\n"
        out += "Claim: New IP's delay-vector routing (`routing: dynamic`) finds the shortest-delay paths by itself, reroutes "
            + "around a failure quickly and cheaply. Measured on a five-node network (h1 — r1 — r2 — h2 over 1, 2 and 1 ms, a "
            + "backup r1 — r3 — r2 over 3 + 3 ms, 100 Mbps links); `\(failedLink)` goes down at "
            + "\(Self.seconds(failure)) for the rest of the 4 s run; flows of 1,000 packets/s from h1 to h2: "
            + "`before` (1–2 s), `after` (from 2.5 s) and `through` (from 1 s, across the failure).\n\n"
        for outcome in outcomes { out += "- **\(outcome.name)**: \(outcome.meaning).\n" }
        out += "\n" + MarkdownTable.text(header: Self.header, rows: rows) + "\n"
        for finding in findings { out += "- \(finding)\n" }
        if let atScale { out += "- \(atScale)\n" }
        out += "\nPublished OSPF figures, anchors only (not measured here):\n\n"
        for anchor in Self.anchors { out += "- \(anchor)\n" }
        return out
    }
}

extension ControlPlaneBaseline {
    /// The runs behind the section, as JSON (flows in the schema of results.json).
    public var json: JSONValue {
        .object([
            ("failed_link", .string(failedLink)), ("failure_ns", .integer(failure)),
            ("outcomes", .array(outcomes.map { outcome in
                .object([
                    ("name", .string(outcome.name)), ("reroute_ns", outcome.reroute.map { .integer($0) } ?? .null),
                    ("control_bytes_per_s_per_link_direction", .decimal(outcome.controlBytesPerSecond, digits: 3)),
                    ("control_share_of_link_rate", .decimal(outcome.controlShare, digits: 9)),
                    ("flows", .array(outcome.flows.map { $0.json(manyNets: false) })),
                ])
            })),
        ])
    }
}
