import HeapModule

/// Guaranteed latency-based forwarding (gLBF, draft-ietf-detnet-glbf): a damper in front of a
/// first-in, first-out queue. An arriving packet is held for `PacketMetadata.damperHold`, the
/// slack the previous hop recorded, then joins the queue; leaving, it records this hop's slack,
/// `bound` minus the time it spent queued here minus its own serialisation, for the next hop
/// to hold it. So every packet spends exactly `bound` plus the link delay from its release
/// here to its release at the next hop, however long it queued: the spacing of a flow's
/// packets at the first damper is restored at every later one, and a flow keeps one latency.
///
/// One heap ordered by release time (ties in arrival order): released packets leave in the
/// order the damper let them go, which is the queue's FIFO order.
public struct GLBFQueue: QueueDiscipline {
    public var limits: QueueLimits
    /// Whether a packet that would overflow the byte limit first makes room by qualitative
    /// trimming (the arriving packet, then queued ones in storage order).
    public var trims: Bool
    /// The hop's latency bound: the longest a packet waits here plus its serialisation.
    public let bound: Nanoseconds
    /// The link's rate, to charge each packet its serialisation; `nil` where the driver has no
    /// rate (a real node's interface): the slack then covers the wait alone.
    public let bitsPerSecond: Int64?
    private var released: Heap<Entry>
    private var store = SlotStore()
    private var sequence: UInt64 = 0
    public private(set) var byteCount = 0
    public private(set) var drops = DropCounters()
    public private(set) var trimming = TrimmingCounters()

    private struct Entry: Comparable {
        var release: Nanoseconds
        var sequence: UInt64
        var slot: Int

        static func < (lhs: Entry, rhs: Entry) -> Bool { (lhs.release, lhs.sequence) < (rhs.release, rhs.sequence) }
    }

    /// `reserving` packets of storage up front, so enqueueing that many never allocates.
    public init(limits: QueueLimits, bound: Nanoseconds, bitsPerSecond: Int64?, trims: Bool = false, reserving capacity: Int = 64) {
        self.limits = limits
        self.bound = bound
        self.bitsPerSecond = bitsPerSecond
        self.trims = trims
        let capacity = Swift.max(capacity, limits.packets ?? 0)
        released = Heap(minimumCapacity: capacity)
        store.reserve(capacity)
    }

    public var packetCount: Int { released.count }

    /// The head's release time: in the past when it is ready already.
    public var nextEligibleTime: Nanoseconds? { released.min?.release }

    public mutating func enqueue(_ packet: consuming PacketBuffer, now: Nanoseconds) -> EnqueueResult {
        guard QueueAdmission.admit(&packet, queued: packetCount, into: &store, limits: limits, trims: trims,
                                   byteCount: &byteCount, drops: &drops, trimming: &trimming) else {
            return .dropped(.queueFull, consume packet)
        }
        let release = now + Swift.max(packet.metadata.damperHold, 0)
        sequence += 1
        released.insert(Entry(release: release, sequence: sequence, slot: store.insert(consume packet)))
        return .accepted
    }

    public mutating func dequeue(now: Nanoseconds, discarded: (consuming PacketBuffer, DropReason) -> Void) -> PacketBuffer? {
        guard let head = released.min, head.release <= now else { return nil }
        released.removeMin()
        var packet = store.remove(head.slot)
        byteCount -= packet.count
        let serialisation = bitsPerSecond.map { Serialisation.time(bytes: packet.count, bitsPerSecond: $0) } ?? 0
        // A packet that waited past the bound is late already: the next hop cannot give the
        // time back, so it holds it not at all rather than for a negative time.
        packet.metadata.damperHold = Swift.max(bound - (now - head.release) - serialisation, 0)
        return packet
    }
}
