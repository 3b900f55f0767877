import NewIPDataPlane
import NewIPTopology
import NewIPWire

/// A host or router running the data plane's `Router`: LPM, TTL, contracts, egress queues
/// and the departure step. A host is the same pipeline; it only differs in that routing
/// never sends others' traffic through it. The node's own packets enter the pipeline as if
/// from a local interface, so the first hop's queue and contracts apply to them too.
public final class RouterNode: NodeBehavior {
    public private(set) var router: Router<EgressQueue>
    public let dialect: PacketDialect

    public init(_ setup: NodeSetup) {
        router = Router(table: setup.table, queues: setup.queues, linkDelays: setup.linkDelays)
        dialect = setup.dialect
    }

    /// Every interface of a router node is in its one network: `interface` changes nothing.
    public func send(_ packet: consuming PacketBuffer, from interface: Int, context: NodeContext) {
        handle(router.receive(consume packet, dialect: dialect, ingress: -1, now: context.now), context)
    }

    public func receive(_ packet: consuming PacketBuffer, on interface: Int, context: NodeContext) {
        handle(router.receive(consume packet, dialect: dialect, ingress: interface, now: context.now), context)
    }

    public func nextPacket(on interface: Int, context: NodeContext) -> PacketBuffer? {
        router.transmit(on: interface, now: context.now) { packet, reason in context.drop(packet, reason: reason) }
    }

    public func nextTransmitTime(on interface: Int) -> Nanoseconds? { router.nextTransmitTime(on: interface) }

    public func queuedPackets(on interface: Int) -> Int { router.queues[interface].packetCount }

    public func queue(on interface: Int) -> QueueStatistics {
        let queue = router.queues[interface]
        return QueueStatistics(packets: queue.packetCount, bytes: queue.byteCount, drops: queue.drops, trimming: queue.trimming)
    }

    public var drops: DropCounters { router.drops }

    private func handle(_ decision: RouterDecision, _ context: NodeContext) {
        switch decision {
        case .forward(let egress, _, _): context.packetQueued(on: egress)
        case .deliver(let packet): context.deliver(packet)
        case .drop(let reason, let packet): context.drop(packet, reason: reason)
        }
    }
}
