import NewIPDataPlane
import NewIPTopology

/// What the largest structures of a run take, computed from their capacities (not measured
/// from the process): for sizing runs and for `nip emulate --stats`.
public struct MemoryUse: Sendable, Equatable {
    public var nodes: Int
    public var routes: Int
    /// Every node's forwarding table.
    public var routeBytes: Int
    public var flows: Int
    /// Every flow's statistics at the end of the run (latency histogram, timeline, counters).
    public var flowBytes: Int
    /// One packet of `queuedPacketLength` bytes (the largest any flow sends) held in a queue
    /// or on a link: the `PacketBuffer` and its storage.
    public var queuedPacketBytes: Int
    public var queuedPacketLength: Int

    public var bytesPerRoute: Double { routes == 0 ? 0 : Double(routeBytes) / Double(routes) }
    public var routeBytesPerNode: Double { nodes == 0 ? 0 : Double(routeBytes) / Double(nodes) }
    public var bytesPerFlow: Double { flows == 0 ? 0 : Double(flowBytes) / Double(flows) }
}

extension Emulation {
    /// The memory of the forwarding tables, of `results`' flow statistics and of a queued
    /// packet (the largest any flow sends: storage is sized to each packet, `PacketPool`).
    public func memoryUse(_ results: EmulationResults) -> MemoryUse {
        let largestPacket = topology.flows.map(\.size.largest).max() ?? 0
        return MemoryUse(nodes: topology.nodes.count, routes: tables.reduce(0) { $0 + $1.count },
                         routeBytes: tables.reduce(0) { $0 + $1.memoryBytes }, flows: topology.flows.count,
                         flowBytes: results.flowStatisticsBytes,
                         queuedPacketBytes: PacketPool.queuedBytes(forPacket: largestPacket), queuedPacketLength: largestPacket)
    }
}
