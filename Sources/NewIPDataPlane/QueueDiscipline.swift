/// An egress queue. Pure: the driver passes the time to every call and asks
/// `nextEligibleTime` when to call `dequeue` again.
public protocol QueueDiscipline {
    /// Takes `packet`, or refuses it and hands it back for reuse. `consuming`, so a caller
    /// that lets go of the buffer passes it on without a copy of its storage.
    mutating func enqueue(_ packet: consuming PacketBuffer, now: Nanoseconds) -> EnqueueResult
    /// The next packet to send at `now`, or `nil` when none may leave yet. Packets the queue
    /// discards on the way (late ones) are counted in `drops` and handed to `discarded`, so
    /// a caller can charge them to their flows.
    mutating func dequeue(now: Nanoseconds, discarded: (consuming PacketBuffer, DropReason) -> Void) -> PacketBuffer?
    /// `nil` when empty; otherwise the time from which `dequeue` returns a packet, at or
    /// before the last time the queue was given when one is ready already.
    var nextEligibleTime: Nanoseconds? { get }
    var packetCount: Int { get }
    /// Bytes of all queued packets.
    var byteCount: Int { get }
    /// Packets this queue dropped, by reason (`queueFull`, `late`).
    var drops: DropCounters { get }
    /// What qualitative trimming removed.
    var trimming: TrimmingCounters { get }
    /// Whether the router drops packets that cannot make their LBF deadline before they
    /// join this queue (`cannot-make-deadline`); `true` unless the queue says otherwise.
    var earlyDrop: Bool { get }
}

extension QueueDiscipline {
    public var earlyDrop: Bool { true }

    /// `dequeue(now:discarded:)` for callers that only need the counts.
    public mutating func dequeue(now: Nanoseconds) -> PacketBuffer? {
        dequeue(now: now) { _, _ in }
    }
}

/// The outcome of `enqueue`.
public enum EnqueueResult: Sendable {
    case accepted
    /// Refused; the buffer comes back so its storage can be reused.
    case dropped(DropReason, PacketBuffer)
}

/// Tail-drop limits: a packet that would take the queue past either is refused. `nil` is
/// no limit.
public struct QueueLimits: Hashable, Sendable {
    public var packets: Int?
    public var bytes: Int?

    public init(packets: Int? = nil, bytes: Int? = nil) {
        self.packets = packets
        self.bytes = bytes
    }
}

/// What qualitative trimming did in one queue.
public struct TrimmingCounters: Hashable, Sendable {
    /// Chunks cut out.
    public var chunks = 0
    /// Payload bytes cut out.
    public var bytes = 0

    public init() {}
}
