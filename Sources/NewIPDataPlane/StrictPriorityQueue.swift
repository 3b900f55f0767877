/// Strict priority with two classes, the DiffServ EF-like baseline a network engineer would
/// configure without LBF: packets carrying a contract (an LBF or an MDF clause, as the router
/// found them on arrival) leave before every other packet; within each class first in, first
/// out. Windows are ignored: no packet is held back, none is ordered by its deadline, none is
/// dropped for being late. Tail drop at the limits, which the two classes share (one buffer);
/// optionally trims payloads before dropping.
///
/// Why the contract is the class: neither New IP header has a traffic-class field (the
/// compact header has no DSCP byte; the framework header none either), so the only per-packet
/// marking a router sees is whether the sender attached a contract. Marking by it gives
/// strict priority exactly the knowledge "this flow is urgent" that LBF has, without the
/// window's numbers, so comparing the two isolates what the numbers add.
public struct StrictPriorityQueue: QueueDiscipline {
    public var limits: QueueLimits
    /// Whether a packet that would overflow the byte limit first makes room by qualitative
    /// trimming (the arriving packet, then queued ones: the other class newest first, then
    /// the urgent class newest first — the packets that would wait longest first).
    public var trims: Bool
    private var classes: Classes
    public private(set) var byteCount = 0
    public private(set) var drops = DropCounters()
    public private(set) var trimming = TrimmingCounters()
    private var lastTime: Nanoseconds = .min

    /// `reserving` packets of storage up front in each class (beyond it the storage doubles).
    public init(limits: QueueLimits, trims: Bool = false, reserving capacity: Int = 64) {
        self.limits = limits
        self.trims = trims
        classes = Classes(urgent: PacketRing(reserving: capacity), other: PacketRing(reserving: capacity))
    }

    /// Whether a packet goes in the first class: it carries an LBF or an MDF clause.
    public static func isUrgent(_ metadata: PacketMetadata) -> Bool {
        metadata.contracts.latencyBased != nil || metadata.contracts.maxDelay != nil
    }

    public var packetCount: Int { classes.urgent.count + classes.other.count }

    /// Packets of the first class waiting.
    public var urgentCount: Int { classes.urgent.count }

    public var nextEligibleTime: Nanoseconds? { packetCount == 0 ? nil : lastTime }

    public mutating func enqueue(_ packet: consuming PacketBuffer, now: Nanoseconds) -> EnqueueResult {
        lastTime = Swift.max(lastTime, now)
        guard QueueAdmission.admit(&packet, queued: packetCount, into: &classes, limits: limits, trims: trims,
                                   byteCount: &byteCount, drops: &drops, trimming: &trimming) else {
            return .dropped(.queueFull, consume packet)
        }
        if Self.isUrgent(packet.metadata) {
            classes.urgent.append(consume packet)
        } else {
            classes.other.append(consume packet)
        }
        return .accepted
    }

    public mutating func dequeue(now: Nanoseconds, discarded: (consuming PacketBuffer, DropReason) -> Void) -> PacketBuffer? {
        lastTime = Swift.max(lastTime, now)
        guard let packet = classes.urgent.popFirst() ?? classes.other.popFirst() else { return nil }
        byteCount -= packet.count
        return packet
    }
}

/// The two classes in one store, so admission can trim across both.
private struct Classes: TrimmableStore {
    var urgent: PacketRing
    var other: PacketRing

    mutating func forEachQueued(_ body: (inout PacketBuffer) -> Bool) {
        var stopped = false
        other.forEachQueued { packet in
            let goOn = body(&packet)
            stopped = !goOn
            return goOn
        }
        if !stopped { urgent.forEachQueued(body) }
    }
}
