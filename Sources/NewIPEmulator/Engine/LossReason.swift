import NewIPDataPlane

/// Why a packet never reached its destination: a data-plane decision, or something the
/// emulated medium did to it.
public enum LossReason: Hashable, Sendable {
    case dataPlane(DropReason)
    /// The link's random loss.
    case linkLoss
    /// Larger than the link's MTU.
    case tooBig
    /// Dropped by a fault-injection wrapper.
    case faultInjected

    /// The stable name used in every output (kebab case).
    public var name: String {
        switch self {
        case .dataPlane(let reason):
            switch reason {
            case .malformed: "malformed"
            case .noRoute: "no-route"
            case .ttlExpired: "ttl-expired"
            case .maxDelayExceeded: "max-delay-exceeded"
            case .cannotMakeDeadline: "cannot-make-deadline"
            case .queueFull: "queue-full"
            case .late: "late"
            }
        case .linkLoss: "link-loss"
        case .tooBig: "too-big"
        case .faultInjected: "fault-injected"
        }
    }
}

/// Counts per loss reason.
public struct LossCounters: Hashable, Sendable {
    private var counts: [LossReason: Int] = [:]

    public init() {}

    public mutating func record(_ reason: LossReason, count: Int = 1) {
        guard count > 0 else { return }
        counts[reason, default: 0] += count
    }

    /// Adds the data plane's counters.
    public mutating func record(_ drops: DropCounters) {
        for reason in DropReason.allCases { record(.dataPlane(reason), count: drops[reason]) }
    }

    public var total: Int { counts.values.reduce(0, +) }

    /// (reason name, count) sorted by name: the order every output uses.
    public var sorted: [(reason: String, count: Int)] {
        counts.map { ($0.key.name, $0.value) }.sorted { $0.reason < $1.reason }
    }
}
