/// Why a gateway could not translate a packet (the data plane's `GatewayError`, by kind).
public enum TranslationFailure: CaseIterable, Hashable, Sendable {
    case unmapped, badChecksum, notUDP, fragmented, noSourceAddress
    /// The UDP header (or the packet's own header) did not validate.
    case malformed
    /// Translated into a name the gateway itself answers for again.
    case loop

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

    /// The drop this failure is counted as.
    public var dropReason: DropReason {
        switch self {
        case .unmapped: .unmapped
        case .badChecksum: .badChecksum
        case .notUDP: .notUDP
        case .fragmented: .fragmented
        case .noSourceAddress: .noSourceAddress
        case .malformed: .untranslatable
        case .loop: .translationLoop
        }
    }
}

/// What a gateway translated, each way, and what it could not, by reason.
public struct TranslationCounters: Hashable, Sendable {
    /// Compact New IP + UDP to IPv4 or IPv6 + UDP.
    public var compactToIP = 0
    /// IPv4 or IPv6 + UDP to compact New IP + UDP.
    public var ipToCompact = 0
    /// Failures, counted as the drops they are.
    public private(set) var failures = DropCounters()

    public init() {}

    public mutating func record(_ failure: TranslationFailure) { failures.record(failure.dropReason) }
}
