import NewIPWire

/// A New IP router: a `ForwardingEngine` and one `EgressQueue` per interface.
///
/// `receive` runs the arrival pipeline and queues a forwarded packet; `transmit` takes the
/// next packet off an interface's queue and runs the departure step on it (a max-delay
/// packet found late is dropped and the next one tried); `nextTransmitTime` tells the driver
/// when to call `transmit` again. Drops are counted per reason, the queues' own
/// (`queueFull`, `late`) included in `drops`.
///
/// Not generic over the queue: called from another module (`NodeCore`), a generic router ran
/// unspecialised, looking up its array's type metadata and reaching its queues through
/// witness tables on every packet (a tenth of the emulator's instructions per event).
/// `EgressQueue` already holds every discipline.
public struct Router {
    public var engine: ForwardingEngine
    /// One queue per interface, indexed as `NextHop.interface`.
    public private(set) var queues: [EgressQueue]
    /// Propagation delay of each interface's link, charged to contracts on departure.
    public var linkDelays: [Nanoseconds]

    public init(engine: ForwardingEngine, queues: [EgressQueue], linkDelays: [Nanoseconds]? = nil) {
        precondition(linkDelays == nil || linkDelays!.count == queues.count, "one link delay per queue")
        self.engine = engine
        self.engine.withoutEarlyDrop = queues.map { !$0.earlyDrop }
        self.queues = queues
        self.linkDelays = linkDelays ?? Array(repeating: 0, count: queues.count)
    }

    /// A router with a fresh engine over `table`.
    public init(table: ForwardingTable, queues: [EgressQueue], linkDelays: [Nanoseconds]? = nil,
                pingHops: PingHopPolicy = .counting(limit: 64)) {
        self.init(engine: ForwardingEngine(table: table, pingHops: pingHops), queues: queues, linkDelays: linkDelays)
    }

    /// Drops by reason: the engine's and the queues'.
    public var drops: DropCounters { queues.reduce(engine.drops) { $0 + $1.drops } }

    /// Runs the arrival pipeline and puts a forwarded packet in its egress queue. Pass the
    /// buffer with `consume` (or as a temporary): a buffer still held elsewhere is copied on
    /// its first rewrite.
    public mutating func receive(_ packet: consuming PacketBuffer, dialect: PacketDialect,
                                 ingress: Int, now: Nanoseconds) -> RouterDecision {
        switch engine.process(&packet, dialect: dialect, ingress: ingress, now: now) {
        case .drop(let reason):
            return .drop(reason, consume packet)
        case .deliver:
            return .deliver(consume packet)
        case .forward(let egress, let earliest, let deadline):
            switch queues[egress].enqueue(consume packet, now: now) {
            case .accepted: return .forward(egress: egress, earliestDeparture: earliest, deadline: deadline)
            case .dropped(let reason, let refused): return .drop(reason, refused)
            }
        }
    }

    /// Queues a packet the node sends to the neighbour on `interface` (link-scoped control
    /// traffic, such as routing hellos), without a route lookup or any contract.
    public mutating func enqueue(_ packet: consuming PacketBuffer, on interface: Int, now: Nanoseconds) -> RouterDecision {
        packet.metadata = PacketMetadata(arrival: now, ingress: -1, contracts: ContractLocations())
        switch queues[interface].enqueue(consume packet, now: now) {
        case .accepted: return .forward(egress: interface, earliestDeparture: now, deadline: .max)
        case .dropped(let reason, let refused): return .drop(reason, refused)
        }
    }

    /// The next packet to put on `interface`'s link at `now`, its contracts charged with the
    /// time spent here and the link delay.
    /// Packets dropped on the way (late in the queue, past their max delay on departure) are
    /// counted and handed to `discarded`.
    public mutating func transmit(on interface: Int, now: Nanoseconds,
                                  discarded: (consuming PacketBuffer, DropReason) -> Void = { _, _ in }) -> PacketBuffer? {
        while var packet = queues[interface].dequeue(now: now, discarded: discarded) {
            if engine.depart(&packet, now: now, linkDelay: linkDelays[interface]) { return packet }
            discarded(packet, .maxDelayExceeded)
        }
        return nil
    }

    /// When to call `transmit(on:now:)` next; `nil` when the queue is empty.
    public func nextTransmitTime(on interface: Int) -> Nanoseconds? { queues[interface].nextEligibleTime }
}

/// What `Router.process` decided; the packet stays with the caller.
public enum ForwardingDecision: Hashable, Sendable {
    case forward(egress: Int, earliestDeparture: Nanoseconds, deadline: Nanoseconds)
    case deliver
    case drop(DropReason)
}

/// What `Router.receive` did with a packet.
public enum RouterDecision: Sendable {
    /// The packet waits in the egress queue, to leave within the window.
    case forward(egress: Int, earliestDeparture: Nanoseconds, deadline: Nanoseconds)
    /// The packet is for this node.
    case deliver(PacketBuffer)
    /// The packet was dropped; its buffer comes back for reuse.
    case drop(DropReason, PacketBuffer)
}
