import HeapModule

/// The latency-based forwarding queue: a packet waits until its earliest departure, then
/// the eligible packet with the earliest deadline leaves first; a packet still queued past
/// its deadline is dropped (`late`), since it would arrive too late to be of use. Without
/// early drop (`earlyDrop: false`, the ablation) such a packet is sent anyway: its deadline
/// has passed, so it is the earliest and goes first.
///
/// Two heaps: packets not yet eligible ordered by earliest departure, eligible ones by
/// deadline; ties go to the packet enqueued first, so the order is deterministic. Windows
/// come from `PacketMetadata` (the router sets them; without LBF they are "now" and "no
/// deadline", and the queue behaves as a FIFO).
public struct LatencyQueue: QueueDiscipline {
    public var limits: QueueLimits
    /// Whether a packet that would overflow the byte limit first makes room by qualitative
    /// trimming (the arriving packet, then queued ones in storage order).
    public var trims: Bool
    /// Whether a packet still queued past its deadline is dropped (`late`) instead of sent.
    public var earlyDrop: Bool
    private var waiting: Heap<Entry>
    private var eligible: Heap<Entry>
    private var store = SlotStore()
    private var sequence: UInt64 = 0
    public private(set) var byteCount = 0
    public private(set) var drops = DropCounters()
    public private(set) var trimming = TrimmingCounters()
    private var lastTime: Nanoseconds = .min

    private struct Entry: Comparable {
        var key: Nanoseconds
        var sequence: UInt64
        var slot: Int

        static func < (lhs: Entry, rhs: Entry) -> Bool { (lhs.key, lhs.sequence) < (rhs.key, rhs.sequence) }
    }

    /// `reserving` packets of storage up front, so enqueueing that many never allocates.
    public init(limits: QueueLimits, trims: Bool = false, earlyDrop: Bool = true, reserving capacity: Int = 64) {
        self.limits = limits
        self.trims = trims
        self.earlyDrop = earlyDrop
        let capacity = Swift.max(capacity, limits.packets ?? 0)
        waiting = Heap(minimumCapacity: capacity)
        eligible = Heap(minimumCapacity: capacity)
        store.reserve(capacity)
    }

    public var packetCount: Int { waiting.count + eligible.count }

    public var nextEligibleTime: Nanoseconds? {
        eligible.isEmpty ? waiting.min?.key : lastTime
    }

    public mutating func enqueue(_ packet: consuming PacketBuffer, now: Nanoseconds) -> EnqueueResult {
        lastTime = Swift.max(lastTime, now)
        guard QueueAdmission.admit(&packet, queued: packetCount, into: &store, limits: limits, trims: trims,
                                   byteCount: &byteCount, drops: &drops, trimming: &trimming) else {
            return .dropped(.queueFull, consume packet)
        }
        let deadline = packet.metadata.deadline
        let earliest = packet.metadata.earliestDeparture
        let slot = store.insert(consume packet)
        sequence += 1
        if earliest <= now {
            eligible.insert(Entry(key: deadline, sequence: sequence, slot: slot))
        } else {
            waiting.insert(Entry(key: earliest, sequence: sequence, slot: slot))
        }
        return .accepted
    }

    public mutating func dequeue(now: Nanoseconds, discarded: (consuming PacketBuffer, DropReason) -> Void) -> PacketBuffer? {
        lastTime = Swift.max(lastTime, now)
        while let next = waiting.min, next.key <= now {
            var entry = waiting.removeMin()
            entry.key = store.deadline(of: entry.slot)
            eligible.insert(entry)
        }
        while let entry = eligible.popMin() {
            let packet = store.remove(entry.slot)
            byteCount -= packet.count
            if entry.key >= now || !earlyDrop { return packet }
            drops.record(.late)
            discarded(packet, .late)
        }
        return nil
    }
}
