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
    /// A gateway could not translate it.
    case translation(TranslationFailure)

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
        case .translation(let failure): failure.rawValue
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

/// Why a gateway could not translate a packet (the data plane's `GatewayError`, by kind).
public enum TranslationFailure: String, CaseIterable, Hashable, Sendable {
    /// The mapping has no name for the source or the destination in the other network.
    case unmapped
    /// The UDP checksum did not verify.
    case badChecksum = "bad-checksum"
    /// Not UDP: only UDP is translated.
    case notUDP = "not-udp"
    /// An IPv4 fragment.
    case fragmented
    /// A compact packet without a source address.
    case noSourceAddress = "no-source-address"
    /// The UDP header (or the packet's own header) did not validate.
    case malformed = "untranslatable"
    /// Translated into a name the gateway itself answers for again.
    case loop = "translation-loop"

    public init(_ error: GatewayError) {
        switch error {
        case .unmapped: self = .unmapped
        case .badChecksum: self = .badChecksum
        case .notUDP: self = .notUDP
        case .fragmented: self = .fragmented
        case .noSourceAddress: self = .noSourceAddress
        case .malformed: self = .malformed
        }
    }
}

/// What a gateway translated, each way, and what it could not, by reason.
public struct TranslationCounters: Hashable, Sendable {
    /// Compact New IP + UDP to IPv4 or IPv6 + UDP.
    public var compactToIP = 0
    /// IPv4 or IPv6 + UDP to compact New IP + UDP.
    public var ipToCompact = 0
    public private(set) var failures: [TranslationFailure: Int] = [:]

    public init() {}

    public mutating func record(_ failure: TranslationFailure) { failures[failure, default: 0] += 1 }

    /// (reason, count) sorted by reason.
    public var sortedFailures: [(reason: String, count: Int)] {
        failures.map { ($0.key.rawValue, $0.value) }.sorted { $0.reason < $1.reason }
    }
}
