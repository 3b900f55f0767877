/// Why the data plane dropped a packet.
public enum DropReason: Int, CaseIterable, Hashable, Sendable {
    /// The header (or an extension, clause or payload spec in it) did not validate.
    case malformed
    /// No route matches the destination.
    case noRoute
    /// The compact TTL, or the ping clause's hop limit, ran out.
    case ttlExpired
    /// Max-delay forwarding: the experienced delay exceeds the allowed maximum.
    case maxDelayExceeded
    /// Latency-based forwarding: the packet can no longer reach its destination in time.
    case cannotMakeDeadline
    /// The egress queue was full (after trimming, when it trims).
    case queueFull
    /// Latency-based forwarding: the deadline passed while the packet waited in the queue.
    case late
}

extension DropReason: CustomStringConvertible {
    public var description: String {
        switch self {
        case .malformed: "malformed"
        case .noRoute: "no route"
        case .ttlExpired: "TTL expired"
        case .maxDelayExceeded: "max delay exceeded"
        case .cannotMakeDeadline: "cannot make deadline"
        case .queueFull: "queue full"
        case .late: "late"
        }
    }
}

/// A count per drop reason, in fixed storage so counting never allocates.
public struct DropCounters: Hashable, Sendable {
    private var counts: [Int] = Array(repeating: 0, count: DropReason.allCases.count)

    public init() {}

    public subscript(reason: DropReason) -> Int { counts[reason.rawValue] }

    public mutating func record(_ reason: DropReason) { counts[reason.rawValue] += 1 }

    public var total: Int { counts.reduce(0, +) }

    /// Counts of both, reason by reason.
    public static func + (lhs: DropCounters, rhs: DropCounters) -> DropCounters {
        var sum = lhs
        for index in sum.counts.indices { sum.counts[index] += rhs.counts[index] }
        return sum
    }
}
