import NewIPDataPlane
import NewIPTopology

/// What a run measured, per flow, link direction and node, with captures; `files` renders
/// it as the output directory's files.
public struct EmulationResults: Sendable {
    public var name: String
    public var seed: UInt64
    public var duration: Nanoseconds
    public var flows: [FlowResult]
    public var links: [LinkResult]
    public var nodes: [NodeResult]
    /// Discrete events the run processed (for events-per-second figures; not written to files).
    public var events: Int
    /// pcapng files of the interfaces marked `capture`, named `node-interface` (none when
    /// the run streamed them to files).
    public var captures: [(name: String, bytes: [UInt8])]
    /// The topology has plain-IP interfaces or gateways: the files then carry header bytes
    /// and translation counts (other runs' files are unchanged by them).
    public var isManyNets: Bool
    /// What the domains' first hops decided; `nil` without `domains` (the files are then
    /// exactly as before).
    public var governance: GovernanceResult?
    /// What the routing protocol did; `nil` unless `routing: dynamic`.
    public var routing: RoutingResult?
    /// What neighbour discovery did; `nil` without `neighbours:`.
    public var neighbours: NeighbourDiscoveryResult?
    /// Bytes the flows' statistics took at the end of the run (`Emulation.memoryUse`; not
    /// written to files).
    public var flowStatisticsBytes = 0
    /// How the run was split among threads (`Emulation.run(threads:)`; not written to files,
    /// which do not depend on it): partitions, the links cut between them, the lookahead (the
    /// smallest cut delay; `nil` with none cut), and why a run given several threads used one
    /// partition (`nil` otherwise).
    public var partitions = 1
    public var cutLinks = 0
    public var lookahead: Nanoseconds?
    public var onePartitionBecause: String?

    package init(name: String, seed: UInt64, duration: Nanoseconds, flows: [FlowResult], links: [LinkResult], nodes: [NodeResult],
                 events: Int = 0, captures: [(name: String, bytes: [UInt8])] = [], isManyNets: Bool) {
        self.name = name
        self.seed = seed
        self.duration = duration
        self.flows = flows
        self.links = links
        self.nodes = nodes
        self.events = events
        self.captures = captures
        self.isManyNets = isManyNets
    }
}

public struct FlowResult: Sendable {
    public var name: String
    public var from: String
    public var to: String
    public var sent: Int
    public var sentBytes: Int
    public var delivered: Int
    public var deliveredBytes: Int
    /// Network-header bytes (New IP, IPv4 or IPv6; UDP excluded) of the sent packets as
    /// sent, and of the delivered ones as delivered: a gateway on the way makes them differ.
    public var sentHeaderBytes: Int
    public var deliveredHeaderBytes: Int
    /// Payload bytes delivered per significance level (index = level) for a flow with chunks.
    public var significanceBytes: [Int]
    /// The window deliveries were judged against (the contract's, or the flow's `window`).
    public var window: DelayWindow?
    /// Judged against `window` (zero without one): below its min, within, above its max.
    public var early: Int
    public var onTime: Int
    public var late: Int
    /// Judged by the window's max alone (zero without a window): delivered no later than it,
    /// `early + onTime`. `onTime` is the window judgement (LBF's promise: neither early nor
    /// late); this one is a deadline's, which plain priority queueing can also meet.
    public var byDeadline: Int
    /// Delivered with chunks cut out.
    public var trimmed: Int
    /// On a link when the run stopped.
    public var inFlight: Int
    /// Neither delivered, nor dropped, nor on a link: still queued when the run stopped, or
    /// dropped with a probe too damaged to tell its flow.
    public var unaccounted: Int
    public var drops: [(reason: String, count: Int)]
    /// One-way delays of delivered packets; `nil` when none arrived.
    public var latency: LatencySummary?
    /// Mean absolute difference of consecutive one-way delays, ns.
    public var jitter: Double
    /// (delay, deliveries at or below it), ascending.
    public var cdf: [(latency: Nanoseconds, delivered: Int)]
    /// Bytes delivered over virtual time (empty for runs on real nodes).
    public var timeline: DeliveryTimeline
}

public struct LatencySummary: Sendable, Equatable {
    public var min: Nanoseconds
    public var mean: Double
    public var p50: Nanoseconds
    public var p99: Nanoseconds
    public var p999: Nanoseconds
    public var max: Nanoseconds
}

/// One direction of a link.
public struct LinkResult: Sendable {
    public var from: String
    public var to: String
    public var packets: Int
    public var bytes: Int
    public var busyTime: Nanoseconds
    /// Busy time over the run's duration.
    public var utilisation: Double
    /// Packets waiting in the sender's egress queue: time-weighted mean, and maximum.
    public var meanQueue: Double
    public var maxQueue: Int
    /// The medium's losses and the egress queue's drops.
    public var drops: [(reason: String, count: Int)]
    public var trimmedChunks: Int
    public var trimmedBytes: Int
    /// Packets fault injection corrupted and passed on at the receiving end.
    public var corrupted: Int
    /// Network-header bytes of the `packets` (counted in ManyNets runs only).
    public var headerBytes: Int
    /// The sender's egress queue over time; `nil` unless the run recorded it.
    public var queueDepth: QueueDepthSeries?

    public var name: String { "\(from)->\(to)" }

    package init(from: String, to: String, packets: Int, bytes: Int, busyTime: Nanoseconds, utilisation: Double, meanQueue: Double,
                 maxQueue: Int, drops: [(reason: String, count: Int)], trimmedChunks: Int, trimmedBytes: Int, corrupted: Int,
                 headerBytes: Int) {
        self.from = from
        self.to = to
        self.packets = packets
        self.bytes = bytes
        self.busyTime = busyTime
        self.utilisation = utilisation
        self.meanQueue = meanQueue
        self.maxQueue = maxQueue
        self.drops = drops
        self.trimmedChunks = trimmedChunks
        self.trimmedBytes = trimmedBytes
        self.corrupted = corrupted
        self.headerBytes = headerBytes
    }
}

public struct NodeResult: Sendable {
    public var name: String
    public var kind: Topology.NodeKind
    public var received: Int
    public var originated: Int
    public var transmitted: Int
    public var forwarded: Int
    public var delivered: Int
    /// Every drop the node's behaviour decided, its queues' included (a gateway's
    /// translation failures too).
    public var drops: [(reason: String, count: Int)]
    /// A gateway's translations each way and failures by reason; `nil` for other nodes.
    public var translations: TranslationCounters?

    package init(name: String, kind: Topology.NodeKind, received: Int, originated: Int, transmitted: Int, forwarded: Int,
                 delivered: Int, drops: [(reason: String, count: Int)], translations: TranslationCounters?) {
        self.name = name
        self.kind = kind
        self.received = received
        self.originated = originated
        self.transmitted = transmitted
        self.forwarded = forwarded
        self.delivered = delivered
        self.drops = drops
        self.translations = translations
    }
}

extension EmulationResults {
    /// Collects a finished run, its partitions' measurements merged.
    init(_ run: PartitionedRun) {
        let topology = run.topology
        name = topology.name
        seed = topology.seed
        duration = topology.duration
        events = run.eventCount
        let flowStatistics = run.flowStatistics
        let nodeStatistics = run.nodeStatistics
        let faults = run.faults
        // Domains, routing and neighbour discovery run in one partition (`Partitioning`).
        let simulator = run.partitions[0]
        flowStatisticsBytes = flowStatistics.reduce(0) { $0 + $1.memoryBytes }
        partitions = run.partitioning.count
        cutLinks = run.partitioning.cutLinks.count
        lookahead = run.partitioning.lookahead
        onePartitionBecause = run.partitioning.singleReason
        flows = zip(topology.flows, flowStatistics).map { flow, statistics in
            FlowResult(flow, statistics, topology: topology)
        }
        links = run.links.map { link in
            let queue = simulator.behaviours[link.from.node].queue(on: link.from.interface)
            var drops = link.statistics.losses
            drops += link.receiveLosses
            drops += queue.drops
            let busy = link.busyTime(until: topology.duration)
            var result = LinkResult(from: topology.name(of: link.from), to: topology.name(of: link.to),
                                packets: link.statistics.packets, bytes: link.statistics.bytes, busyTime: busy,
                                utilisation: Double(busy) / Double(topology.duration),
                                meanQueue: link.statistics.meanQueue(until: topology.duration),
                                maxQueue: link.statistics.maxQueue, drops: drops.sorted,
                                trimmedChunks: queue.trimming.chunks, trimmedBytes: queue.trimming.bytes,
                                corrupted: faults.first { $0.link == link.index }?.device.corrupted ?? 0,
                                headerBytes: link.statistics.headerBytes)
            result.queueDepth = link.statistics.depth
            return result
        }
        nodes = topology.nodes.enumerated().map { index, node in
            let statistics = nodeStatistics[index]
            var drops = DropCounters()
            drops += simulator.behaviours[index].drops
            drops += statistics.drops
            let translations = simulator.behaviours[index].translations
            drops += translations?.failures ?? DropCounters()
            return NodeResult(name: node.name, kind: node.kind, received: statistics.received,
                              originated: statistics.originated, transmitted: statistics.transmitted,
                              forwarded: statistics.forwarded, delivered: statistics.delivered, drops: drops.sorted,
                              translations: translations)
        }
        captures = run.captures.filter { !$0.device.isStreaming }.map { ($0.name, $0.device.bytes) }
        isManyNets = topology.isManyNets
        governance = simulator.governance.map { GovernanceResult(simulator, $0) }
        routing = simulator.routing.map { RoutingResult($0, simulator) }
        neighbours = simulator.neighbours.map { NeighbourDiscoveryResult($0, simulator) }
    }
}

extension FlowResult {
    package init(_ flow: Topology.Flow, _ statistics: FlowStatistics, topology: Topology) {
        name = flow.name
        from = topology.name(of: flow.source)
        to = topology.name(of: flow.destination)
        sent = statistics.sent
        sentBytes = statistics.sentBytes
        delivered = statistics.delivered
        deliveredBytes = statistics.deliveredBytes
        sentHeaderBytes = statistics.sentHeaderBytes
        deliveredHeaderBytes = statistics.deliveredHeaderBytes
        significanceBytes = statistics.significanceBytes
        window = flow.judgedWindow
        early = statistics.early
        onTime = statistics.onTime
        late = statistics.late
        byDeadline = statistics.byDeadline
        trimmed = statistics.trimmed
        inFlight = statistics.inFlight
        unaccounted = statistics.unaccounted
        drops = statistics.drops.sorted
        latency = statistics.delivered == 0 ? nil : LatencySummary(
            min: statistics.minLatency, mean: statistics.meanLatency,
            p50: statistics.latency(atPercentile: 50), p99: statistics.latency(atPercentile: 99),
            p999: statistics.latency(atPercentile: 99.9), max: statistics.maxLatency)
        jitter = statistics.jitter
        cdf = statistics.cdf
        timeline = statistics.timeline
    }
}
