import Foundation
import NIOCore
import NewIPDataPlane
import NewIPNode
import NewIPTopology
import NewIPWire

/// Runs a topology's `flows:` on running nodes with the wall clock, as the emulator runs them
/// in virtual time: the same send times and sizes (`TrafficSource`) and the same bytes
/// (`PacketTemplate`), handed to the source node's application port; the destination node
/// hands them back through a binding. The probe's `sentAt` is the sender's monotonic clock,
/// read again on arrival, so a latency is the one-way delay through the real nodes (both ends
/// are this process). What is measured stays raw here: the results schema is the `nip` tool's.
public enum FlowDriver {
    /// What one flow did, as its sender and receiver saw it.
    public struct Record: Sendable {
        /// Size of each packet sent, by sequence number.
        public var sent: [Int] = []
        /// Delivered packets, in arrival order.
        public var deliveries: [Delivery] = []
        /// Network-header bytes of the flow's packets as sent.
        public var headerBytes: Int
    }

    public struct Delivery: Sendable {
        public var sequence: UInt32
        /// Arrival minus `sentAt`, ns.
        public var latency: Nanoseconds
        public var bytes: Int
    }

    /// Sends every flow of `topology` from its start to its stop (the times of the file, from
    /// now), waits `drain` for the last packets, and returns one record per flow. `apps` holds
    /// each node's application endpoint by node name.
    /// `events` run at their times after the flows' start (off the sending loop): `nip run`
    /// revokes the file's revocations at their registrars so.
    public static func run(_ topology: Topology, apps: [String: NodeConfig.Endpoint], drain: Nanoseconds,
                           events: [(at: Nanoseconds, action: @Sendable () -> Void)] = []) async throws -> [Record] {
        let flows = topology.flows
        var templates: [PacketTemplate] = []
        // Under domains, as emulated: a sealing member's packets carry the authenticator's room
        // (its node seals it), a spoofer's claim another host's address (its node runs as a
        // `spoofer`, which sends them as they are).
        let origins = topology.flowOrigins()
        for (index, flow) in flows.enumerated() {
            let origin = index < origins.count ? origins[index] : Topology.FlowOrigin()
            // A self-certifying member's node adds its authenticator itself, with its key in it.
            let keyed = origin.domain.map { topology.domains[$0].selfCertifying != nil } ?? false
            do {
                templates.append(try PacketTemplate(flow: flow, in: topology, source: origin.claimed,
                                                    authenticator: origin.carriesAuthenticator && !keyed ? .placeholder : nil))
            } catch {
                throw ToolError("flow \(flow.name): \(error)")
            }
        }
        func app(_ node: Int) throws -> NodeConfig.Endpoint {
            let name = topology.nodes[node].name
            guard let endpoint = apps[name] else { throw ToolError("node \(name) runs no application port, which flows need") }
            return endpoint
        }
        let collector = Collector(templates.map { Record(headerBytes: $0.header.count) })
        let dialect: PacketDialect = topology.dialect == .compact ? .compact : .framework
        // One binding per destination node and kind: probe packets, or UDP on the flows' port.
        var receivers: [NodeConnection] = []
        var bound: Set<[Int]> = []
        for (flow, template) in zip(flows, templates) {
            let node = flow.destination.node, udp = template.udp != nil
            guard bound.insert([node, udp ? 1 : 0]).inserted else { continue }
            let connection: NodeConnection
            do {
                connection = try await NodeConnection.connect(node: try app(node), kind: udp ? AppProtocol.kindUDP : AppProtocol.kindProbe,
                                                              port: udp ? PacketTemplate.udpPort : 0)
            } catch {
                throw ToolError("cannot receive flow \(flow.name) at node \(topology.nodes[node].name): \(error)")
            }
            receivers.append(connection)
            Task {
                for await packet in connection.packets {
                    let now = clock()
                    collector.arrived(packet, at: now, node: node, udp: udp, dialect: dialect, flows: flows)
                }
            }
        }
        var senders: [Int: NodeConnection] = [:]
        for flow in flows where senders[flow.source.node] == nil {
            do { senders[flow.source.node] = try await NodeConnection.connect(node: try app(flow.source.node)) } catch {
                throw ToolError("cannot send flow \(flow.name) from node \(topology.nodes[flow.source.node].name): \(error)")
            }
        }
        var sources = flows.map { TrafficSource(flow: $0, seed: topology.seed) }
        let start = clock()
        for (at, action) in events {
            Task.detached {
                let wait = start + at - clock()
                if wait > 0 { try? await Task.sleep(nanoseconds: UInt64(wait)) }
                action()
            }
        }
        var last: EventLoopFuture<Void>?
        // The flow due next, until every flow has stopped.
        while let (index, time) = sources.indices.compactMap({ index in sources[index].nextSendTime.map { (index, $0) } })
            .min(by: { $0.1 < $1.1 }) {
            let wait = start + time - clock()
            if wait > 0 { try await Task.sleep(nanoseconds: UInt64(wait)) }
            let size = sources[index].nextSize()
            var packet = PacketBuffer(capacity: size + PacketTemplate.headroom, headroom: PacketTemplate.headroom)
            templates[index].write(into: &packet, size: size, probe: Probe(flow: index, sequence: sources[index].sequence, sentAt: clock()))
            last = senders[flows[index].source.node]!.send(packet: packet.withUnsafeBytes { Array($0) })
            collector.sent(flow: index, size: size)
            sources[index].advance(sent: size)
        }
        try await last?.get()
        try await Task.sleep(nanoseconds: UInt64(drain))
        for connection in Array(senders.values) + receivers { await connection.close() }
        return collector.records
    }

    /// The clock the nodes use too (`Node.now`): monotonic, shared by the processes of a host.
    static func clock() -> Nanoseconds { Nanoseconds(truncatingIfNeeded: NIODeadline.now().uptimeNanoseconds) }

    /// The records, written by the sender and the receivers' tasks.
    private final class Collector: @unchecked Sendable {
        private let lock = NSLock()
        private var data: [Record]

        init(_ records: [Record]) { data = records }

        var records: [Record] { lock.withLock { data } }

        func sent(flow: Int, size: Int) { lock.withLock { data[flow].sent.append(size) } }

        /// Records a delivered packet whose probe names a flow to `node`; anything else is not a flow's.
        func arrived(_ packet: [UInt8], at now: Nanoseconds, node: Int, udp: Bool, dialect: PacketDialect, flows: [Topology.Flow]) {
            let probe = packet.withUnsafeBytes { bytes -> Probe? in
                guard let parsed = ParsedPacket(bytes, dialect: dialect) else { return nil }
                return parsed.payload.withUnsafeBytes { Probe($0, at: udp ? UDPHeader.encodedLength : 0) }
            }
            guard let probe, probe.flow >= 0, probe.flow < flows.count, flows[probe.flow].destination.node == node else { return }
            lock.withLock {
                data[probe.flow].deliveries.append(Delivery(sequence: probe.sequence, latency: now - probe.sentAt, bytes: packet.count))
            }
        }
    }
}
