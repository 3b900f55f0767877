import Dispatch
import NewIPDataPlane
import NewIPFiles
import NewIPRandom
import NewIPTopology

/// One run split among partitions that run side by side (conservative parallel discrete-event
/// simulation, windows synchronised at barriers, YAWNS-style). Every partition runs its events
/// before `W + lookahead` on its own thread, where `W` is the earliest pending event of any:
/// a packet leaving a cut link then arrives at `W + lookahead` or later, in a later window, so
/// no partition can receive anything in its past. At the barrier the packets that crossed are
/// handed to their receivers with the keys their senders gave them, so the partitions run
/// exactly the events a single queue runs, each node's in the same order: the results do not
/// depend on the number of partitions.
final class PartitionedRun {
    let topology: Topology
    let partitioning: Partitioning
    let links: [EmulatedLink]
    let partitions: [Simulator]
    private let schedules: FaultSchedules

    /// Splits the run into at most `parts` partitions (`Partitioning`); the arguments are `Simulator`'s.
    init(topology: Topology, behaviours: [any NodeBehavior], templates: [PacketTemplate], governance: Governance? = nil,
         captureFolder: String? = nil, parts: Int = 1) throws(FileProblem) {
        self.topology = topology
        let partitioning = Partitioning(topology, parts: parts)
        self.partitioning = partitioning
        let queues = (0..<partitioning.count).map { _ in EventQueue(nodes: topology.nodes.count) }
        let cut = Set(partitioning.cutLinks)
        var links: [EmulatedLink] = []
        // Asked once: it reads every interface of every node.
        let isManyNets = topology.isManyNets
        for (index, spec) in topology.links.enumerated() {
            let (a, b) = spec.endpoints
            for (from, to) in [(a, b), (b, a)] {
                let random = RandomStream(seed: topology.seed, name: "link/\(topology.name(of: from))>\(topology.name(of: to))")
                let link = EmulatedLink(index: links.count, from: from, to: to, spec: spec, random: random,
                                        events: queues[partitioning.owner[from.node]], crossesPartitions: cut.contains(index))
                if isManyNets {
                    let (network, dialect) = (topology.network(of: from), topology.dialect)
                    link.headerLength = { PacketInspector.headerLength($0, network: network, dialect: dialect) }
                }
                links.append(link)
            }
        }
        self.links = links
        let schedules = FaultSchedules(topology)
        self.schedules = schedules
        var partitions: [Simulator] = []
        for (index, queue) in queues.enumerated() {
            partitions.append(try Simulator(topology: topology, behaviours: behaviours, templates: templates, governance: governance,
                                            captureFolder: captureFolder, links: links, events: queue, schedules: schedules,
                                            owner: partitioning.owner, partition: index))
        }
        self.partitions = partitions
    }

    /// Events processed by `run`, for events-per-second figures.
    var eventCount: Int { partitions.reduce(0) { $0 + $1.eventCount } }

    /// Runs every event before the duration, the partitions side by side on a thread each (as
    /// many at once as there are cores); `progress` hears the virtual time reached now and then
    /// (between windows when there are several partitions), on the calling thread.
    func run(progress: ((Nanoseconds) -> Void)? = nil) {
        let duration = topology.duration
        partitions[0].startDrivers()
        // The setup's events are keyed by one queue, in the order a single partition schedules them.
        let setup = partitions[0].events
        for (index, change) in schedules.changes.enumerated() where change.at < duration {
            let node = change.change.node(in: topology)
            partitions[partitioning.owner[node]].events.insert(.scheduledChange(index), key: setup.nextKey(at: change.at))
        }
        for (index, flow) in topology.flows.enumerated() {
            let partition = partitions[partitioning.owner[flow.source.node]]
            if let time = partition.firstSendTime(of: index), time < duration {
                partition.events.insert(.send(flow: index), key: setup.nextKey(at: time))
            }
        }
        if partitions.count == 1 {
            partitions[0].run(before: duration, progress: progress)
        } else {
            runWindows(progress: progress)
        }
        for link in links { link.handOver(to: partitions[partitioning.owner[link.to.node]].events) }
        for partition in partitions { partition.finish(at: duration) }
    }

    private func runWindows(progress: ((Nanoseconds) -> Void)?) {
        let duration = topology.duration
        // With no cut link the partitions never meet: one window.
        let lookahead = partitioning.lookahead ?? duration
        let crossing = partitioning.cutLinks.flatMap { [links[2 * $0], links[2 * $0 + 1]] }
        let shared = SharedPartitions(partitions)
        while let start = partitions.compactMap(\.events.nextTime).min(), start < duration {
            let end = start < duration - lookahead ? start + lookahead : duration
            DispatchQueue.concurrentPerform(iterations: shared.partitions.count) { index in
                shared.partitions[index].run(before: end)
            }
            for link in crossing { link.handOver(to: partitions[partitioning.owner[link.to.node]].events) }
            progress?(end)
        }
    }

    /// Every flow's statistics: the sending side from the source's partition, the deliveries
    /// from the destination's, the drops from all; packets still on a link counted in flight.
    var flowStatistics: [FlowStatistics] {
        var merged = partitions[0].flowStatistics
        for partition in partitions.dropFirst() {
            for index in merged.indices { merged[index].merge(partition.flowStatistics[index]) }
        }
        for link in links {
            for packet in [link.transmitting].compactMap({ $0 }) + link.propagating.packets {
                if let probe = partitions[0].inspect(packet)?.probe { merged[probe.flow].inFlight += 1 }
            }
        }
        return merged
    }

    /// Every node's statistics, from its partition.
    var nodeStatistics: [NodeStatistics] {
        topology.nodes.indices.map { partitions[partitioning.owner[$0]].nodeStatistics[$0] }
    }

    /// The interfaces' captures in node order.
    var captures: [(name: String, device: CaptureDevice)] {
        partitions.flatMap(\.captures).enumerated().sorted { ($0.element.node, $0.offset) < ($1.element.node, $1.offset) }
            .map { ($0.element.name, $0.element.device) }
    }

    var faults: [(link: Int, device: FaultInjector)] { partitions.flatMap(\.faults) }
}

/// The partitions, handed to the threads of a window. Safe unchecked: during a window each
/// partition is run by one thread alone and touches only its own nodes, queue, pool and
/// statistics and the link halves it owns; the coordinator touches them only between windows,
/// after `concurrentPerform` returned (which orders the memory accesses).
private final class SharedPartitions: @unchecked Sendable {
    let partitions: [Simulator]

    init(_ partitions: [Simulator]) { self.partitions = partitions }
}
