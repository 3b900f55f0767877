/// First in, first out, with tail drop at the limits; optionally trims payloads before
/// dropping. Ignores LBF windows: a packet leaves as soon as it is at the head.
public struct FIFOQueue: QueueDiscipline {
    public var limits: QueueLimits
    /// Whether a packet that would overflow the byte limit first makes room by qualitative
    /// trimming (the arriving packet, then queued ones newest first).
    public var trims: Bool
    private var packets: PacketRing
    public private(set) var byteCount = 0
    public private(set) var drops = DropCounters()
    public private(set) var trimming = TrimmingCounters()
    private var lastTime: Nanoseconds = .min

    /// `reserving` packets of storage up front, so enqueueing that many never allocates (beyond
    /// it the storage doubles, up to the packet limit).
    public init(limits: QueueLimits, trims: Bool = false, reserving capacity: Int = 64) {
        self.limits = limits
        self.trims = trims
        packets = PacketRing(reserving: capacity)
    }

    public var packetCount: Int { packets.count }

    public var nextEligibleTime: Nanoseconds? { packets.isEmpty ? nil : lastTime }

    public mutating func enqueue(_ packet: consuming PacketBuffer, now: Nanoseconds) -> EnqueueResult {
        lastTime = Swift.max(lastTime, now)
        guard QueueAdmission.admit(&packet, queued: packets.count, into: &packets, limits: limits, trims: trims,
                                   byteCount: &byteCount, drops: &drops, trimming: &trimming) else {
            return .dropped(.queueFull, consume packet)
        }
        packets.append(consume packet)
        return .accepted
    }

    public mutating func dequeue(now: Nanoseconds, discarded: (consuming PacketBuffer, DropReason) -> Void) -> PacketBuffer? {
        lastTime = Swift.max(lastTime, now)
        guard let packet = packets.popFirst() else { return nil }
        byteCount -= packet.count
        return packet
    }
}
