import NewIPDataPlane
import NewIPJSON
import NewIPTopology
import NewIPWire

/// Qualitative trimming against the best way to get its effect without New IP: layered video
/// sent as two flows in two priority classes (base layer in the high class, enhancement layers
/// in the low one) through the same bottleneck under strict priority, without trimming. The
/// same frames, at the same rate, judged by one rule: the share of base-layer bytes delivered,
/// and the payload bytes of every layer delivered (useful bytes).
///
/// The high class is marked the only way a New IP router can tell classes apart, by a contract
/// (`StrictPriorityQueue`): a max-delay contract longer than the run, which never drops; its
/// clause costs a few header bytes that a DSCP mark in IP would not.
public struct TrimmingBaseline: Sendable {
    public struct Outcome: Sendable {
        public var name: String
        public var meaning: String
        /// Frames sent (one layered packet each, or one packet per class).
        public var frames: Int
        /// Payload bytes per layer (index = significance) sent and delivered.
        public var sentBytes: [Int]
        public var deliveredBytes: [Int]
        /// Packets and bytes (headers included) the bottleneck carried for the video.
        public var packetsSent: Int
        public var wireBytesSent: Int

        public var baseShare: Double { sentBytes.first.map { $0 == 0 ? 0 : Double(deliveredBytes.first ?? 0) / Double($0) } ?? 0 }
        public var useful: Int { deliveredBytes.reduce(0, +) }
    }

    /// The layered flow (the first whose chunks have more than one significance).
    public let flow: String
    /// The links whose queue trims.
    public let bottlenecks: [String]
    public let duration: Nanoseconds
    /// Trimming (as written), whole-packet drop (trimming off), priority classes.
    public let outcomes: [Outcome]

    /// `asWritten` and `wholeDrop` are runs of `topology` as written and with no queue
    /// trimming; `nil` when the topology has no layered flow or no trimming queue.
    public init?(topology: Topology, asWritten: EmulationResults, wholeDrop: EmulationResults) throws {
        guard let index = topology.flows.firstIndex(where: { Set($0.chunks.map(\.significance)).count > 1 }),
              topology.links.contains(where: { $0.queue.trims }) else { return nil }
        let video = topology.flows[index]
        flow = video.name
        duration = topology.duration
        bottlenecks = topology.links.filter { $0.queue.trims }.map { topology.name(of: $0.endpoints.0) + "–" + topology.name(of: $0.endpoints.1) }
        let layers = Int(video.chunks.map(\.significance).max()!) + 1
        func perLayer(_ chunks: [PayloadSpec.Chunk]) -> [Int] {
            var bytes = [Int](repeating: 0, count: layers)
            for chunk in chunks { bytes[Int(chunk.significance)] += Int(chunk.length) }
            return bytes
        }
        func outcome(_ name: String, _ meaning: String, _ results: EmulationResults, flows: [(String, [PayloadSpec.Chunk])]) -> Outcome? {
            var sent = [Int](repeating: 0, count: layers), delivered = sent, frames = 0, packets = 0, wire = 0
            for (flowName, chunks) in flows {
                guard let result = results.flows.first(where: { $0.name == flowName }) else { return nil }
                frames = max(frames, result.sent)
                packets += result.sent
                wire += result.sentBytes
                for (level, bytes) in perLayer(chunks).enumerated() { sent[level] += bytes * result.sent }
                for (level, bytes) in result.significanceBytes.enumerated() where level < layers { delivered[level] += bytes }
            }
            return Outcome(name: name, meaning: meaning, frames: frames, sentBytes: sent, deliveredBytes: delivered,
                           packetsSent: packets, wireBytesSent: wire)
        }
        // The same frames in two flows: the base layer, and the enhancement layers.
        let base = video.chunks.filter { $0.significance == 0 }, enhancement = video.chunks.filter { $0.significance != 0 }
        var classes = topology
        var baseFlow = video, enhancementFlow = video
        baseFlow.name = video.name + "-base"
        baseFlow.chunks = base
        // Longer than the run (the clause holds at most 65,535 ms), so it never drops.
        baseFlow.contract = .maxDelay(min(topology.duration + 1_000_000_000, 65_000_000_000))
        enhancementFlow.name = video.name + "-enhancement"
        enhancementFlow.chunks = enhancement
        enhancementFlow.contract = nil
        let framesPerSecond = Self.packetsPerSecond(video)
        for (flowIndex, var split) in [baseFlow, enhancementFlow].enumerated() {
            split.pattern = Self.pattern(video.pattern, packetsPerSecond: framesPerSecond)
            if let template = try? PacketTemplate(flow: split, in: classes) { split.size = .fixed(template.minimumSize(chunks: split.chunks)) }
            if flowIndex == 0 { baseFlow = split } else { enhancementFlow = split }
        }
        classes.flows[index] = baseFlow
        classes.flows.insert(enhancementFlow, at: index + 1)
        for link in classes.links.indices where classes.links[link].queue.trims {
            classes.links[link].queue.discipline = .priority
            classes.links[link].queue.trims = false
            classes.links[link].queue.earlyDrop = false
        }
        let priority = try Emulation(topology: classes).run()
        outcomes = [
            outcome("New IP trimming", "one packet per frame, all layers; the full queue trims enhancement layers", asWritten,
                    flows: [(video.name, video.chunks)]),
            outcome("whole-packet drop", "the same packets, the queue drops whole packets (trimming off)", wholeDrop,
                    flows: [(video.name, video.chunks)]),
            outcome("two priority classes", "base layer and enhancement layers as two flows, base in the high class, strict priority, no trimming",
                    priority, flows: [(baseFlow.name, base), (enhancementFlow.name, enhancement)]),
        ].compactMap { $0 }
    }

    /// The flow's packets per second (a bit rate counts whole packets of its size).
    static func packetsPerSecond(_ flow: Topology.Flow) -> Double {
        let rate: TrafficRate
        switch flow.pattern {
        case .constant(let r), .poisson(let r), .onOff(let r, _, _): rate = r
        }
        switch rate {
        case .packetsPerSecond(let pps): return pps
        case .bitsPerSecond(let bps): return Double(bps) / Double(8 * flow.size.largest)
        }
    }

    static func pattern(_ pattern: TrafficPattern, packetsPerSecond: Double) -> TrafficPattern {
        switch pattern {
        case .constant: .constant(.packetsPerSecond(packetsPerSecond))
        case .poisson: .poisson(.packetsPerSecond(packetsPerSecond))
        case .onOff(_, let on, let off): .onOff(.packetsPerSecond(packetsPerSecond), on: on, off: off)
        }
    }

    public func outcome(_ name: String) -> Outcome? { outcomes.first { $0.name == name } }
}

extension TrimmingBaseline {
    /// Megabits per second of `bytes` over the run.
    func rate(_ bytes: Int) -> String {
        let hundredths = Int((Double(bytes * 8) / Double(duration) * 1_000 * 100).rounded())
        return "\(hundredths / 100).\(hundredths % 100 < 10 ? "0" : "")\(hundredths % 100)"
    }

    public static let header = ["delivery", "frames", "base layer delivered", "useful payload Mbit/s", "payload kB by layer",
                                "packets sent", "bytes sent"]

    public var rows: [[String]] {
        outcomes.map { outcome in
            [outcome.name, "\(outcome.frames)", QueueBaselines.percent(outcome.baseShare), rate(outcome.useful),
             outcome.deliveredBytes.map { String($0 / 1000) }.joined(separator: " / "), "\(outcome.packetsSent)", "\(outcome.wireBytesSent)"]
        }
    }

    /// The verdict, every number from the runs.
    public var findings: [String] {
        guard let trimming = outcome("New IP trimming"), let drop = outcome("whole-packet drop"),
              let classes = outcome("two priority classes") else { return [] }
        func points(_ a: Double, _ b: Double) -> String { QueueBaselines.percent(abs(a - b)).replacingOccurrences(of: " %", with: " points") }
        var out: [String] = []
        let baseVerdict = abs(trimming.baseShare - classes.baseShare) <= QueueBaselines.tolerance
            ? "two priority classes protect it as well as trimming (within one percentage point)"
            : trimming.baseShare > classes.baseShare ? "trimming protects it better, by \(points(trimming.baseShare, classes.baseShare))"
            : "two priority classes protect it better, by \(points(trimming.baseShare, classes.baseShare))"
        out.append("Base layer: trimming delivers \(QueueBaselines.percent(trimming.baseShare)) of its bytes, two priority classes "
                   + "\(QueueBaselines.percent(classes.baseShare)), whole-packet drop \(QueueBaselines.percent(drop.baseShare)): \(baseVerdict).")
        let most = [trimming, drop, classes].max { $0.useful < $1.useful }!
        let usefulVerdict = most.name == trimming.name ? "trimming delivers the most" : "\(most.name) delivers the most"
        out.append("Useful payload (every layer's bytes that arrived): \(rate(trimming.useful)) Mbit/s with trimming, "
                   + "\(rate(classes.useful)) with two priority classes, \(rate(drop.useful)) with whole-packet drop: \(usefulVerdict). "
                   + "The classes send \(classes.packetsSent) packets for \(classes.frames) frames (a header per class) against "
                   + "\(trimming.packetsSent), \(classes.wireBytesSent - trimming.wireBytesSent) more bytes offered to the same link.")
        var concessions: [String] = []
        if classes.baseShare + QueueBaselines.tolerance >= trimming.baseShare {
            concessions.append("plain priority classes protect the base layer at least as well as trimming (\(QueueBaselines.percent(classes.baseShare)) "
                               + "against \(QueueBaselines.percent(trimming.baseShare)))")
        }
        if classes.useful >= trimming.useful {
            concessions.append("the classes also deliver at least as many useful bytes (\(rate(classes.useful)) against \(rate(trimming.useful)) Mbit/s)")
        }
        if drop.useful > trimming.useful {
            concessions.append("counted in useful bytes alone, dropping whole packets delivers more (\(rate(drop.useful)) against "
                               + "\(rate(trimming.useful)) Mbit/s: a trimmed packet still spends its header and the bytes of the layers it "
                               + "keeps on the link), though \(QueueBaselines.percent(drop.baseShare)) of the base layer against "
                               + "\(QueueBaselines.percent(trimming.baseShare))")
        }
        out.append(concessions.isEmpty
            ? "Where New IP does not win: nowhere in this run; what it needs that the classes do not is a payload spec in every "
                + "packet and routers that trim, where the classes need only a mark the network already honours and a second flow."
            : "Where New IP does not win: " + concessions.joined(separator: "; ") + ". Trimming's advantage is what a single flow "
                + "gets without the network configuring classes for it.")
        return out
    }

    /// A section of docs/claims.md.
    public func markdown(source: String) -> String {
        var out = "## Qualitative trimming against priority classes\n\n"
        out += "Published claim: under overload, trimming the less significant parts of a packet keeps what matters flowing where "
            + "dropping whole packets does not. Measured on \(source): the layered flow `\(flow)` through the trimming queue of "
            + bottlenecks.map { "`\($0)`" }.joined(separator: ", ") + ", three ways; the best non-New-IP way to get the effect is to "
            + "send the base layer and the enhancement layers as two flows and put the base layer in a higher priority class "
            + "(strict priority, same buffer, no trimming; the class marked by a max-delay contract that never fires). Judged by the "
            + "same rule: base-layer bytes delivered, and payload bytes of every layer delivered.\n\n"
        for outcome in outcomes { out += "- **\(outcome.name)**: \(outcome.meaning).\n" }
        out += "\n" + MarkdownTable.text(header: Self.header, rows: rows) + "\n"
        for finding in findings { out += "- \(finding)\n" }
        return out
    }
}

extension TrimmingBaseline {
    /// The runs behind the section, as JSON (flows in the schema of results.json).
    public var json: JSONValue {
        .object([
            ("flow", .string(flow)), ("bottlenecks", .array(bottlenecks.map { .string($0) })),
            ("outcomes", .array(outcomes.map { outcome in
                .object([
                    ("name", .string(outcome.name)), ("frames", .int(outcome.frames)),
                    ("payload_bytes_sent_by_layer", .array(outcome.sentBytes.map { .int($0) })),
                    ("payload_bytes_delivered_by_layer", .array(outcome.deliveredBytes.map { .int($0) })),
                    ("base_layer_share", .decimal(outcome.baseShare, digits: 6)), ("useful_bytes", .int(outcome.useful)),
                    ("packets_sent", .int(outcome.packetsSent)), ("bytes_sent", .int(outcome.wireBytesSent)),
                ])
            })),
        ])
    }
}
