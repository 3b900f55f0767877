import NewIPDataPlane
import NewIPTopology

/// The same traffic under four queue disciplines, so LBF is judged against the baselines a
/// network engineer would otherwise configure: every link whose queue the topology writes as
/// `lbf` gets, in turn, a deadline-blind FIFO, deadline-blind strict priority (contract
/// first), LBF as written, and LBF without early drop. Limits and trimming stay as written;
/// every other link, and all traffic, is unchanged.
public struct QueueBaselines: Sendable {
    public enum Variant: String, CaseIterable, Sendable {
        case fifo = "FIFO"
        case priority = "strict priority"
        case lbf = "LBF"
        case lbfWithoutEarlyDrop = "LBF, no early drop"

        /// The queue this variant puts where the topology wrote `spec` (an LBF queue).
        public func queue(replacing spec: QueueSpec) -> QueueSpec {
            var queue = spec
            switch self {
            case .fifo: queue.discipline = .fifo; queue.earlyDrop = false
            case .priority: queue.discipline = .priority; queue.earlyDrop = false
            case .lbf: break
            case .lbfWithoutEarlyDrop: queue.earlyDrop = false
            }
            return queue
        }

        /// What the variant's queues are, as a table's caption says it.
        public var meaning: String {
            switch self {
            case .fifo: "first in, first out; windows ignored, nothing dropped for its deadline"
            case .priority: "packets with a contract first, FIFO within each class; windows ignored"
            case .lbf: "as written: hold until lmin, earliest deadline first, early drop"
            case .lbfWithoutEarlyDrop: "LBF's hold and deadline order, but packets that cannot make it are sent anyway"
            }
        }
    }

    public struct Run: Sendable {
        public var variant: Variant
        public var topology: Topology
        public var results: EmulationResults
    }

    public let topology: Topology
    public let runs: [Run]

    /// `topology` with each variant's queues.
    public static func topology(_ topology: Topology, _ variant: Variant) -> Topology {
        var changed = topology
        for index in changed.links.indices where topology.links[index].queue.discipline == .lbf {
            changed.links[index].queue = variant.queue(replacing: topology.links[index].queue)
        }
        return changed
    }

    /// Runs every variant, recording queue depth; `asWritten`, a finished run of `topology`
    /// itself that recorded it too, stands for the LBF variant instead of running it again.
    public init(topology: Topology, asWritten: EmulationResults? = nil) throws {
        self.topology = topology
        let asWritten = asWritten.flatMap { results in results.links.contains { $0.queueDepth != nil } ? results : nil }
        runs = try Variant.allCases.map { variant in
            let changed = Self.topology(topology, variant)
            if variant == .lbf, let asWritten { return Run(variant: variant, topology: changed, results: asWritten) }
            var emulation = try Emulation(topology: changed)
            emulation.recordsQueueDepth = true
            return Run(variant: variant, topology: changed, results: emulation.run())
        }
    }

    public var events: Int { runs.reduce(0) { $0 + $1.results.events } }

    public func run(_ variant: Variant) -> Run { runs.first { $0.variant == variant }! }

    public func flow(_ name: String, _ variant: Variant) -> FlowResult? {
        run(variant).results.flows.first { $0.name == name }
    }

    /// The flows the table shows: those judged against a window, and those whose deliveries,
    /// drops or delays change from one variant to another (they share a changed queue).
    public var flowNames: [String] {
        topology.flows.filter { flow in
            flow.judgedWindow != nil || Set(Variant.allCases.map { variant -> [Int] in
                guard let result = self.flow(flow.name, variant) else { return [] }
                return [result.delivered, result.drops.reduce(0) { $0 + $1.count }, Int(result.latency?.p50 ?? -1),
                        Int(result.latency?.p99 ?? -1)]
            }).count > 1
        }.map(\.name)
    }

    /// The first flow with an LBF contract (the one LBF serves), and the first judged against a
    /// window without carrying a contract (its best-effort twin), when the topology has them.
    public var contracted: String? {
        topology.flows.first { if case .latencyBased = $0.contract { true } else { false } }?.name
    }
    public var bestEffortTwin: String? {
        topology.flows.first { $0.contract == nil && $0.window != nil }?.name
    }

    public static let header = ["queues", "flow", "sent", "delivered", "on time (window)", "by deadline", "late",
                                "dropped", "p50 ms", "p99 ms"]

    /// One row per variant and flow: counts, the two judgements as shares of the sent packets
    /// (`-` without a window), drops by reason, delays in ms.
    public var rows: [[String]] {
        Variant.allCases.flatMap { variant in
            flowNames.compactMap { name -> [String]? in
                guard let flow = flow(name, variant) else { return nil }
                let judged = flow.window != nil && flow.sent > 0
                return [variant.rawValue, name, "\(flow.sent)", "\(flow.delivered)",
                        judged ? Self.share(flow.onTime, of: flow.sent) : "-",
                        judged ? Self.share(flow.byDeadline, of: flow.sent) : "-",
                        judged ? "\(flow.late)" : "-",
                        flow.drops.isEmpty ? "0" : flow.drops.map { "\($0.count) \($0.reason)" }.joined(separator: ", "),
                        Self.milliseconds(flow.latency?.p50), Self.milliseconds(flow.latency?.p99)]
            }
        }
    }

    /// `count` of `total` as a percentage with one decimal, e.g. `90.9 %`.
    public static func share(_ count: Int, of total: Int) -> String {
        total == 0 ? "-" : percent(Double(count) / Double(total))
    }

    public static func percent(_ value: Double) -> String {
        let tenths = Int((value * 1000).rounded())
        return "\(tenths / 10).\(tenths % 10) %"
    }

    public static func milliseconds(_ value: Nanoseconds?) -> String {
        guard let value else { return "-" }
        let hundredths = (value + 5_000) / 10_000
        return "\(hundredths / 100).\(String(hundredths % 100).leftPadded(to: 2))"
    }

    /// The table as Markdown.
    public var markdownTable: String { MarkdownTable.text(header: Self.header, rows: rows, textColumns: 2) }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String { String(repeating: "0", count: Swift.max(0, width - count)) + self }
}

extension QueueBaselines {
    /// Two shares closer than this (one percentage point) are "as well".
    public static let tolerance = 0.01

    /// What the table says, in sentences whose numbers all come from the runs (and whose
    /// verdicts come from comparing them).
    public var findings: [String] {
        guard let name = contracted, let fifo = flow(name, .fifo), let priority = flow(name, .priority),
              let lbf = flow(name, .lbf), let noEarlyDrop = flow(name, .lbfWithoutEarlyDrop),
              let window = lbf.window else { return [] }
        func ratio(_ count: Int, _ flow: FlowResult) -> Double { flow.sent == 0 ? 0 : Double(count) / Double(flow.sent) }
        func pct(_ count: Int, _ flow: FlowResult) -> String { Self.share(count, of: flow.sent) }
        func ms(_ value: Nanoseconds?) -> String { Self.milliseconds(value) }
        func points(_ a: Double, _ b: Double) -> String { Self.percent(abs(a - b)).replacingOccurrences(of: " %", with: " points") }
        var out: [String] = []

        // 1. The deadline: what strict priority achieves too.
        let deadlineLBF = ratio(lbf.byDeadline, lbf), deadlinePriority = ratio(priority.byDeadline, priority)
        let deadlineVerdict = abs(deadlineLBF - deadlinePriority) <= Self.tolerance
            ? "strict priority does as well as LBF (within one percentage point)"
            : deadlineLBF > deadlinePriority ? "LBF does better than strict priority by \(points(deadlineLBF, deadlinePriority))"
            : "strict priority does better than LBF by \(points(deadlineLBF, deadlinePriority))"
        out.append("By its deadline alone (delivered within \(ms(window.max)) ms), `\(name)` gets \(pct(priority.byDeadline, priority)) "
                   + "under strict priority and \(pct(lbf.byDeadline, lbf)) under LBF, against \(pct(fifo.byDeadline, fifo)) under FIFO: "
                   + "\(deadlineVerdict). Its losses are \(Self.dropSummary(lbf.drops)) under LBF and "
                   + "\(Self.dropSummary(priority.drops)) under strict priority.")

        // 2. The window: where LBF wins, and what its lower bound is for.
        let windowLBF = ratio(lbf.onTime, lbf), windowPriority = ratio(priority.onTime, priority)
        let windowVerdict = windowLBF > windowPriority + Self.tolerance ? "LBF wins"
            : windowLBF + Self.tolerance < windowPriority ? "LBF loses" : "LBF does no better"
        out.append("Judged by the whole window (\(ms(window.min))–\(ms(window.max)) ms), \(windowVerdict): "
                   + "\(pct(lbf.onTime, lbf)) on time against \(pct(priority.onTime, priority)) under strict priority, which "
                   + "delivers \(pct(priority.early, priority)) of the packets before the window opens (p50 \(ms(priority.latency?.p50)) ms). "
                   + "That is what LBF's lower bound is for: it holds packets back until the window opens (p50 "
                   + "\(ms(lbf.latency?.p50)) ms), which only a receiver that must not get data early needs; one that buffers "
                   + "until \(ms(window.min)) ms gets the same deliveries from strict priority. Holding back "
                   + (lbf.jitter < priority.jitter ? "lowers" : "does not lower")
                   + " the jitter here: \(ms(Nanoseconds(lbf.jitter))) ms under LBF against \(ms(Nanoseconds(priority.jitter))) ms.")

        // 3. The best-effort twin, judged fairly.
        if let twinName = bestEffortTwin, let twin = flow(twinName, .lbf), let twinFIFO = flow(twinName, .fifo) {
            out.append("`\(twinName)` (no contract, judged against the same window) meets the deadline "
                       + "\(pct(twin.byDeadline, twin)) of the time beside LBF but is on time in the window only "
                       + "\(pct(twin.onTime, twin)): \(twin.early) of its packets arrive before the window opens. "
                       + "The fair best-effort baseline for `\(name)` is the same flow under FIFO: \(pct(fifo.byDeadline, fifo)) by deadline "
                       + "(\(pct(twinFIFO.byDeadline, twinFIFO)) for `\(twinName)`).")
        }

        // 4. What serving the contract first costs the rest.
        let others = flowNames.filter { $0 != name }.compactMap { other -> String? in
            guard let f = flow(other, .fifo), let p = flow(other, .priority), let l = flow(other, .lbf) else { return nil }
            if f.window != nil {
                return "`\(other)` by deadline \(pct(f.byDeadline, f)) / \(pct(p.byDeadline, p)) / \(pct(l.byDeadline, l))"
            }
            return "`\(other)` p99 \(ms(f.latency?.p99)) / \(ms(p.latency?.p99)) / \(ms(l.latency?.p99)) ms, "
                + "delivered \(f.delivered) / \(p.delivered) / \(l.delivered)"
        }
        if !others.isEmpty {
            out.append("The traffic sharing those queues, under FIFO / strict priority / LBF: " + others.joined(separator: "; ") + ".")
        }

        // 5. Early drop.
        let early = (lbf.drops.first { $0.reason == "cannot-make-deadline" }?.count ?? 0)
            + (lbf.drops.first { $0.reason == "late" }?.count ?? 0)
        if early == 0 && noEarlyDrop.late == 0 {
            out.append("Early drop never fired here: no `\(name)` packet was dropped as cannot-make-deadline or late, and without "
                       + "early drop none arrives late (\(pct(noEarlyDrop.byDeadline, noEarlyDrop)) by deadline), so the ablation changes "
                       + "nothing in this network; the packets LBF loses are tail drops in a queue full of other traffic.")
        } else {
            out.append("Early drop discarded \(early) `\(name)` packets that could not make their deadline; without it "
                       + "\(noEarlyDrop.late) arrive late and \(pct(noEarlyDrop.byDeadline, noEarlyDrop)) meet the deadline "
                       + "(\(pct(lbf.byDeadline, lbf)) with it).")
        }
        return out
    }

    /// `79 queue-full`, `none`, or several reasons joined.
    static func dropSummary(_ drops: [(reason: String, count: Int)]) -> String {
        drops.isEmpty ? "none" : drops.map { "\($0.count) \($0.reason)" }.joined(separator: ", ")
    }
}

extension QueueBaselines {
    /// A section of docs/claims.md: the variants, the table and the findings, all from the runs.
    public func markdown(source: String) -> String {
        var out = "## Latency-based forwarding against fair baselines\n\n"
        out += "Published claim: LBF's contract delivers time-critical traffic (remote surgery) on time where best effort does not.\n"
        // The authors' own evaluation cannot be rerun: say so rather than imply a reproduction.
        out += "LBF's authors (Clemm and Eckert, \"High-Precision Latency Forwarding over Packet-Programmable Networks\", NOMS 2020) "
            + "evaluate it on their own simulated network, whose scenario and results are not published as data; this section "
            + "therefore sets no figure of theirs beside ours and tests the claim itself on the demo network, against the baselines "
            + "below. The gLBF section further down reproduces a published validation figure for figure.\n"
        out += "Measured on \(source) (`\(topology.name)`, seed \(topology.seed), \(topology.duration / 1_000_000) ms of "
            + "virtual time): the same traffic with every queue the file writes as `lbf` replaced, limits unchanged. "
            + "Two judgements per flow with a window, as shares of the packets sent: *on time* is arrival within the window "
            + "[min, max] (LBF's promise); *by deadline* is arrival no later than max (what a receiver with a playout buffer needs). "
            + "Delays in ms.\n\n"
        for variant in Variant.allCases { out += "- **\(variant.rawValue)**: \(variant.meaning).\n" }
        out += "\n" + markdownTable + "\n### Verdict\n\n"
        for finding in findings { out += "- \(finding)\n" }
        return out
    }
}
