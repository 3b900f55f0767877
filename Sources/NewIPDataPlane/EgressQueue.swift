/// The data plane's queues behind one type, so a router can have a FIFO on one interface and
/// an LBF queue on another. Mutations go through the optional in place, never copying a queue.
/// A packet leaving by any queue but `glbf` leaves with no damper hold: only a gLBF hop
/// records a slack for the next one.
public struct EgressQueue: QueueDiscipline {
    private var fifo: FIFOQueue?
    private var latency: LatencyQueue?
    private var priority: StrictPriorityQueue?
    private var glbf: GLBFQueue?
    public let earlyDrop: Bool

    /// `reserving` packets of storage up front (see `FIFOQueue`), so a real node's steady state
    /// never allocates. `linkBitsPerSecond`: the link's rate, which a `glbf` queue charges each
    /// packet's serialisation at (`nil` where there is none to know).
    public init(_ spec: QueueSpec, linkBitsPerSecond: Int64? = nil, reserving capacity: Int = 64) {
        earlyDrop = spec.earlyDrop
        switch spec.discipline {
        case .fifo: fifo = FIFOQueue(limits: spec.limits, trims: spec.trims, reserving: capacity)
        case .lbf: latency = LatencyQueue(limits: spec.limits, trims: spec.trims, earlyDrop: spec.earlyDrop, reserving: capacity)
        case .priority: priority = StrictPriorityQueue(limits: spec.limits, trims: spec.trims, reserving: capacity)
        case .glbf:
            glbf = GLBFQueue(limits: spec.limits, bound: spec.bound ?? 0, bitsPerSecond: linkBitsPerSecond, trims: spec.trims,
                             reserving: capacity)
        }
    }

    public var isLatencyBased: Bool { latency != nil }

    // Always inlined: with the refresh at their end the optimiser stopped inlining them into
    // `Router`, and an outlined dequeue moved each packet out of its ring once more.
    @inline(__always)
    public mutating func enqueue(_ packet: consuming PacketBuffer, now: Nanoseconds) -> EnqueueResult {
        defer { refresh() }
        if fifo != nil { return fifo!.enqueue(consume packet, now: now) }
        if latency != nil { return latency!.enqueue(consume packet, now: now) }
        if glbf != nil { return glbf!.enqueue(consume packet, now: now) }
        return priority!.enqueue(consume packet, now: now)
    }

    @inline(__always)
    public mutating func dequeue(now: Nanoseconds, discarded: (consuming PacketBuffer, DropReason) -> Void) -> PacketBuffer? {
        defer { refresh() }
        if glbf != nil { return glbf!.dequeue(now: now, discarded: discarded) }
        // Bound, not set through `packet?.`: that copies the optional packet out and back.
        guard var packet = fifo != nil ? fifo!.dequeue(now: now, discarded: discarded)
            : latency != nil ? latency!.dequeue(now: now, discarded: discarded) : priority!.dequeue(now: now, discarded: discarded)
        else { return nil }
        packet.metadata.damperHold = 0
        return packet
    }

    /// What the discipline's queue holds, read after every enqueue and dequeue: a driver in
    /// another module reads these fields in place, where a computed property was an opaque
    /// getter that took the whole queue (408 bytes, the four optional disciplines) by a copy
    /// out of the router's array each time the emulator serviced an interface.
    public private(set) var nextEligibleTime: Nanoseconds?
    public private(set) var packetCount = 0

    // Read through the stored optionals in place: binding one (`if let`) would copy a queue.
    private mutating func refresh() {
        nextEligibleTime = fifo != nil ? fifo!.nextEligibleTime : latency != nil ? latency!.nextEligibleTime
            : glbf != nil ? glbf!.nextEligibleTime : priority!.nextEligibleTime
        packetCount = fifo != nil ? fifo!.packetCount : latency != nil ? latency!.packetCount
            : glbf != nil ? glbf!.packetCount : priority!.packetCount
    }

    public var byteCount: Int { fifo?.byteCount ?? latency?.byteCount ?? glbf?.byteCount ?? priority!.byteCount }
    public var drops: DropCounters { fifo?.drops ?? latency?.drops ?? glbf?.drops ?? priority!.drops }
    public var trimming: TrimmingCounters { fifo?.trimming ?? latency?.trimming ?? glbf?.trimming ?? priority!.trimming }
}
