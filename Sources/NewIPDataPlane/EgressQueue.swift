/// The data plane's queues behind one type, so a router can have a FIFO on one interface and
/// an LBF queue on another. Mutations go through the optional in place, never copying a queue.
public struct EgressQueue: QueueDiscipline {
    private var fifo: FIFOQueue?
    private var latency: LatencyQueue?
    private var priority: StrictPriorityQueue?
    public let earlyDrop: Bool

    /// `reserving` packets of storage up front (see `FIFOQueue`), so a real node's steady state
    /// never allocates.
    public init(_ spec: QueueSpec, reserving capacity: Int = 64) {
        earlyDrop = spec.earlyDrop
        switch spec.discipline {
        case .fifo: fifo = FIFOQueue(limits: spec.limits, trims: spec.trims, reserving: capacity)
        case .lbf: latency = LatencyQueue(limits: spec.limits, trims: spec.trims, earlyDrop: spec.earlyDrop, damper: spec.damper,
                                          reserving: capacity)
        case .priority: priority = StrictPriorityQueue(limits: spec.limits, trims: spec.trims, reserving: capacity)
        }
    }

    public var isLatencyBased: Bool { latency != nil }

    public mutating func enqueue(_ packet: consuming PacketBuffer, now: Nanoseconds) -> EnqueueResult {
        if fifo != nil { return fifo!.enqueue(consume packet, now: now) }
        if latency != nil { return latency!.enqueue(consume packet, now: now) }
        return priority!.enqueue(consume packet, now: now)
    }

    public mutating func dequeue(now: Nanoseconds, discarded: (consuming PacketBuffer, DropReason) -> Void) -> PacketBuffer? {
        if fifo != nil { return fifo!.dequeue(now: now, discarded: discarded) }
        if latency != nil { return latency!.dequeue(now: now, discarded: discarded) }
        return priority!.dequeue(now: now, discarded: discarded)
    }

    // Read through the stored optionals in place: binding one (`if let`) would copy a queue.
    public var nextEligibleTime: Nanoseconds? {
        fifo != nil ? fifo!.nextEligibleTime : latency != nil ? latency!.nextEligibleTime : priority!.nextEligibleTime
    }
    public var packetCount: Int { fifo?.packetCount ?? latency?.packetCount ?? priority!.packetCount }
    public var byteCount: Int { fifo?.byteCount ?? latency?.byteCount ?? priority!.byteCount }
    public var drops: DropCounters { fifo?.drops ?? latency?.drops ?? priority!.drops }
    public var trimming: TrimmingCounters { fifo?.trimming ?? latency?.trimming ?? priority!.trimming }
}
