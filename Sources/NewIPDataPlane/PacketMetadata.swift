import NewIPWire

/// What the router learnt about a packet, kept with its bytes so the queue and the departure
/// step need not parse it again. Offsets count from the packet start as the router left it.
public struct PacketMetadata: Hashable, Sendable {
    public var arrival: Nanoseconds = 0
    public var ingress: Int = -1
    /// Not before this time (LBF's arrival + lmin); the arrival time without LBF.
    public var earliestDeparture: Nanoseconds = 0
    /// Not after this time (LBF's arrival + lmax); `.max` when no contract sets one.
    public var deadline: Nanoseconds = .max
    public var contracts = ContractLocations()

    public init() {}

    /// Metadata of a packet that arrived at `arrival`, to leave at once and without deadline.
    public init(arrival: Nanoseconds, ingress: Int, contracts: ContractLocations) {
        self.arrival = arrival
        self.ingress = ingress
        self.earliestDeparture = arrival
        self.contracts = contracts
    }
}

/// Where the clauses the data plane executes sit in a packet. Each offset points at a
/// clause's 16-bit type, so the `Field` offsets of `MaxDelayContract`, `LatencyBasedContract`
/// and `PingContract` apply from there in both dialects (compact extensions carry clauses in
/// the framework encoding). Only the first clause of each type is executed.
public struct ContractLocations: Hashable, Sendable {
    public var maxDelay: Int?
    public var latencyBased: Int?
    public var ping: Int?
    public var payloadSpec: PayloadSpecLocation?

    public init(maxDelay: Int? = nil, latencyBased: Int? = nil, ping: Int? = nil, payloadSpec: PayloadSpecLocation? = nil) {
        self.maxDelay = maxDelay
        self.latencyBased = latencyBased
        self.ping = ping
        self.payloadSpec = payloadSpec
    }
}

/// A checked payload spec in a packet, and what else trimming must rewrite.
public struct PayloadSpecLocation: Hashable, Sendable {
    /// Offset of the spec's flags byte (the body after the clause type or TLV header).
    public var body: Int
    public var chunkCount: Int
    /// Offset of the first chunk's first byte.
    public var firstChunk: Int
    /// The compact header's total-length field, when present.
    public var totalLengthField: Int?
    /// UDP over compact: where the datagram starts that trimming re-lengths and re-checksums.
    public var udp: Int?

    public init(body: Int, chunkCount: Int, firstChunk: Int, totalLengthField: Int? = nil, udp: Int? = nil) {
        self.body = body
        self.chunkCount = chunkCount
        self.firstChunk = firstChunk
        self.totalLengthField = totalLengthField
        self.udp = udp
    }
}
