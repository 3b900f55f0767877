import NewIPDataPlane
import NewIPSecurity
import NewIPWire

/// A first-hop router's source authentication: on the interfaces that face hosts, every New IP
/// packet's source authenticator is checked (DRKey-style: the per-source key is derived from
/// the router's epoch secret, so no per-device state) before anything else is done with it.
///
/// The admission mode is the governance question made a setting:
/// - `open`: a packet without an authenticator is forwarded, counted as unproven (the
///   internet's model today); one that carries an authenticator must verify.
/// - `registered`: only packets whose source is proven are forwarded; the domain decides who
///   gets a source key (enrolment), so it decides who may speak.
public struct SourceAuthentication: Sendable {
    public enum Admission: String, Sendable, CaseIterable {
        case open, registered
    }

    public var admission: Admission
    public var verifier: SourceAuthVerifier
    /// The interfaces packets first enter the network by (they face hosts).
    public var firstHopInterfaces: Set<Int>
    /// Added to the node's time to get the authenticator's clock (nanoseconds since the Unix
    /// epoch): the wall-clock offset of a real node's monotonic clock, the start of an emulation.
    public var clockOffset: UInt64
    /// Sources the domain has revoked: refused even with a valid MAC (the first hop can derive
    /// any source's key, so revocation is a list it checks, kept current from the domain's
    /// transparency log).
    public private(set) var revoked: Set<FrameworkAddress> = []
    /// Signed refusal notices back to refused sources (`nil`: refuse silently).
    public var notices: RefusalNotices?

    public init(admission: Admission, verifier: SourceAuthVerifier, firstHopInterfaces: Set<Int>, clockOffset: UInt64 = 0,
                notices: RefusalNotices? = nil) {
        self.admission = admission
        self.verifier = verifier
        self.firstHopInterfaces = firstHopInterfaces
        self.clockOffset = clockOffset
        self.notices = notices
    }

    /// Refuses `source` from now on; `false` when it already was.
    @discardableResult
    public mutating func revoke(_ source: FrameworkAddress) -> Bool { revoked.insert(source).inserted }

    /// Admits `source` again (a revocation withdrawn); `false` when it was not revoked.
    @discardableResult
    public mutating func reinstate(_ source: FrameworkAddress) -> Bool { revoked.remove(source) != nil }

    /// `nil` when the packet may go on (proven, or unproven in the open mode); else why it is dropped.
    mutating func check(_ packet: NewIPPacketView, now: Nanoseconds, counters: inout SourceProofCounters) -> DropReason? {
        if !revoked.isEmpty, let source = packet.source, revoked.contains(source) { return .revoked }
        let verdict = verifier.verify(packet, now: UInt64(clamping: now) &+ clockOffset)
        switch verdict {
        case .valid:
            counters.proven += 1
            return nil
        case .missing:
            guard admission == .open else { return .unauthenticated }
            counters.unproven += 1
            return nil
        case .badMAC: return .badMAC
        case .stale: return .staleTimestamp
        case .replay: return .replay
        case .spoofed: return .spoofedSource
        case .unknownEpoch: return .unknownEpoch
        case .staleEpoch: return .staleEpoch
        case .malformed: return .badAuthenticator
        }
    }
}

/// What a first hop let through, by whether the source was proven (drops are counted by reason).
public struct SourceProofCounters: Hashable, Sendable {
    public var proven = 0
    /// Forwarded without an authenticator (open mode only).
    public var unproven = 0

    public init() {}
}
