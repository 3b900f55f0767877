/// Why a packet was dropped, wherever it was: the data plane's decisions, what a link did
/// to it, what a gateway could not translate, and a node's own refusals. One vocabulary for
/// every output — `results.json`, the CSV files, `/metrics`, logs and the control API all
/// print `label` — so a drop reads the same emulated and real.
///
/// An open set in one place: a capability that adds a reason (`unauthenticated`, `revoked`,
/// `policy`) adds a static member here, with the next code. Codes index fixed storage, so
/// counting never hashes or allocates.
public struct DropReason: Hashable, Sendable, CustomStringConvertible {
    /// Index into `DropCounters`; stable within a build, never written out.
    public let code: Int

    private init(_ code: Int) { self.code = code }

    /// The stable name every output uses (kebab case).
    public var label: String { Self.labels[code] }

    public var description: String { label }

    // The data plane's decisions.
    /// The header (or an extension, clause or payload spec in it) did not validate.
    public static let malformed = DropReason(0)
    /// No route matches the destination.
    public static let noRoute = DropReason(1)
    /// The compact TTL, the IP hop limit, or the ping clause's hop limit ran out.
    public static let ttlExpired = DropReason(2)
    /// Max-delay forwarding: the experienced delay exceeds the allowed maximum.
    public static let maxDelayExceeded = DropReason(3)
    /// Latency-based forwarding: the packet can no longer reach its destination in time.
    public static let cannotMakeDeadline = DropReason(4)
    /// The egress queue was full (after trimming, when it trims).
    public static let queueFull = DropReason(5)
    /// Latency-based forwarding: the deadline passed while the packet waited in the queue.
    public static let late = DropReason(6)

    // What a link or device did.
    /// The link's random loss.
    public static let linkLoss = DropReason(7)
    /// Larger than the link's MTU.
    public static let tooBig = DropReason(8)
    /// Dropped by a fault-injection wrapper.
    public static let faultInjected = DropReason(9)
    /// The device would not take the frame (its queue full): lost on the way out.
    public static let linkRefused = DropReason(10)
    /// Larger than a packet buffer, or from a sender that is not the link's peer.
    public static let badFrame = DropReason(11)

    // A node's own refusals.
    /// A host got a packet for someone else from the network.
    public static let notForwarding = DropReason(12)
    /// Delivered here, but no application listens on its port.
    public static let noListener = DropReason(13)
    /// IP multicast on a gateway's IP side: nothing to translate it to.
    public static let multicast = DropReason(14)

    // What a gateway could not translate (`TranslationFailure`).
    /// The mapping has no name for the source or the destination in the other network.
    public static let unmapped = DropReason(15)
    /// The UDP checksum did not verify.
    public static let badChecksum = DropReason(16)
    /// Not UDP: only UDP is translated.
    public static let notUDP = DropReason(17)
    /// An IPv4 fragment.
    public static let fragmented = DropReason(18)
    /// A compact packet without a source address.
    public static let noSourceAddress = DropReason(19)
    /// The UDP header (or the packet's own header) did not validate for translation.
    public static let untranslatable = DropReason(20)
    /// Translated into a name the gateway itself answers for again.
    public static let translationLoop = DropReason(21)

    // First-hop source authentication (NewIPNode's `SourceAuthentication`).
    /// A registered domain's first hop: the packet carries no source authenticator.
    public static let unauthenticated = DropReason(22)
    /// The authenticator's MAC does not match: a covered byte changed, or the sender does not hold the source key.
    public static let badMAC = DropReason(23)
    /// The authenticator's timestamp is outside the acceptance window.
    public static let staleTimestamp = DropReason(24)
    /// A packet with the same MAC was accepted within the window.
    public static let replay = DropReason(25)
    /// The source address is not the self-certifying address of the key the packet carries.
    public static let spoofedSource = DropReason(26)
    /// The authenticator names a key epoch the first hop holds no secret for.
    public static let unknownEpoch = DropReason(27)
    /// The authenticator is damaged, or an authenticated packet names no source.
    public static let badAuthenticator = DropReason(28)
    /// The source's enrolment was revoked by its domain.
    public static let revoked = DropReason(29)

    // A real node's application port.
    /// An application handed the node a packet whose source address is not one of the node's own.
    public static let foreignSource = DropReason(30)

    // Domain borders and senders' path choices (NewIPNode's `BorderPolicy`, `PathConstraintRouting`).
    /// A domain's border policy denied the packet (a rule with `action: deny` matched first).
    public static let policy = DropReason(31)
    /// The packet asks to avoid, or to cross only, some domains, and this router has no way
    /// on that honours it.
    public static let pathConstraint = DropReason(32)

    // The emulator's node faults.
    /// The node was crashed (`faults: {crash: …}`): what it held, and what reached it, is lost.
    public static let nodeDown = DropReason(33)

    // First-hop source authentication, continued.
    /// The authenticator names a past key epoch whose grace is over: the source key was rotated away.
    public static let staleEpoch = DropReason(34)

    // Address autoconfiguration (NewIPNode's `NeighbourDiscovery`).
    /// The node sent from an interface whose address autoconfiguration has not formed yet.
    public static let noAddress = DropReason(35)

    private static let labels = [
        "malformed", "no-route", "ttl-expired", "max-delay-exceeded", "cannot-make-deadline", "queue-full", "late",
        "link-loss", "too-big", "fault-injected", "link-refused", "bad-frame",
        "not-forwarding", "no-listener", "multicast",
        "unmapped", "bad-checksum", "not-udp", "fragmented", "no-source-address", "untranslatable", "translation-loop",
        "unauthenticated", "bad-mac", "stale-timestamp", "replay", "spoofed-source", "unknown-epoch", "bad-authenticator",
        "revoked", "foreign-source", "policy", "path-constraint", "node-down",
        "stale-epoch", "no-address",
    ]

    /// Every reason, in code order.
    public static let all: [DropReason] = labels.indices.map(DropReason.init)

    /// The reason printed as `label`, if there is one.
    public init?(label: String) {
        guard let code = Self.labels.firstIndex(of: label) else { return nil }
        self.init(code)
    }
}

/// A count per drop reason, in fixed storage so counting never allocates.
public struct DropCounters: Hashable, Sendable {
    private var counts: [Int] = Array(repeating: 0, count: DropReason.all.count)

    public init() {}

    public subscript(reason: DropReason) -> Int { counts[reason.code] }

    public mutating func record(_ reason: DropReason, count: Int = 1) { counts[reason.code] &+= count }

    public var total: Int { counts.reduce(0, +) }

    /// (label, count) of every reason that happened, sorted by label: the order every output uses.
    public var sorted: [(reason: String, count: Int)] {
        DropReason.all.filter { counts[$0.code] > 0 }.map { ($0.label, counts[$0.code]) }.sorted { $0.reason < $1.reason }
    }

    /// Counts of both, reason by reason.
    public static func + (lhs: DropCounters, rhs: DropCounters) -> DropCounters {
        var sum = lhs
        for index in sum.counts.indices { sum.counts[index] &+= rhs.counts[index] }
        return sum
    }

    public static func += (lhs: inout DropCounters, rhs: DropCounters) { lhs = lhs + rhs }
}
