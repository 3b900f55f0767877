import NewIPWire

/// What the router learnt about a packet, kept with its bytes so the queue and the departure
/// step need not parse it again. Offsets count from the packet start as the router left it.
/// Stored compactly (32-bit offsets, −1 for none): it travels inside every `PacketBuffer`,
/// whose size each move of a packet copies.
public struct PacketMetadata: Hashable, Sendable {
    public var arrival: Nanoseconds = 0
    @inlinable public var ingress: Int {
        get { Int(storedIngress) }
        set { storedIngress = Int32(newValue) }
    }
    @usableFromInline var storedIngress: Int32 = -1
    /// Not before this time (LBF's arrival + lmin); the arrival time without LBF.
    public var earliestDeparture: Nanoseconds = 0
    /// Not after this time (LBF's arrival + lmax); `.max` when no contract sets one.
    public var deadline: Nanoseconds = .max
    public var contracts = ContractLocations()
    /// gLBF's damper time: how long the next hop's `glbf` queue holds the packet before queueing
    /// it, the slack the last `glbf` queue it left recorded (`GLBFQueue`); 0 after any other
    /// queue. It travels with the packet from hop to hop, in nanoseconds (no wire field: docs/wire.md).
    public var damperHold: Nanoseconds = 0

    public init() {}

    /// Metadata of a packet that arrived at `arrival`, to leave at once and without deadline.
    public init(arrival: Nanoseconds, ingress: Int, contracts: ContractLocations, damperHold: Nanoseconds = 0) {
        self.arrival = arrival
        self.ingress = ingress
        self.earliestDeparture = arrival
        self.contracts = contracts
        self.damperHold = damperHold
    }
}

/// Where the clauses the data plane executes sit in a packet. Each offset points at a
/// clause's 16-bit type, so the `Field` offsets of `MaxDelayContract`, `LatencyBasedContract`
/// and `PingContract` apply from there in both dialects (compact extensions carry clauses in
/// the framework encoding). Only the first clause of each type is executed.
public struct ContractLocations: Hashable, Sendable {
    @inlinable public var maxDelay: Int? {
        get { storedMaxDelay.value }
        set { storedMaxDelay.value = newValue }
    }
    @inlinable public var latencyBased: Int? {
        get { storedLatencyBased.value }
        set { storedLatencyBased.value = newValue }
    }
    @inlinable public var ping: Int? {
        get { storedPing.value }
        set { storedPing.value = newValue }
    }
    public var payloadSpec: PayloadSpecLocation?
    @usableFromInline var storedMaxDelay = PacketOffset()
    @usableFromInline var storedLatencyBased = PacketOffset()
    @usableFromInline var storedPing = PacketOffset()

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
    @inlinable public var body: Int {
        get { Int(storedBody) }
        set { storedBody = Int32(newValue) }
    }
    @inlinable public var chunkCount: Int {
        get { Int(storedChunkCount) }
        set { storedChunkCount = Int32(newValue) }
    }
    /// Offset of the first chunk's first byte.
    @inlinable public var firstChunk: Int {
        get { Int(storedFirstChunk) }
        set { storedFirstChunk = Int32(newValue) }
    }
    /// The compact header's total-length field, when present.
    @inlinable public var totalLengthField: Int? {
        get { storedTotalLengthField.value }
        set { storedTotalLengthField.value = newValue }
    }
    /// UDP over compact: where the datagram starts that trimming re-lengths and re-checksums.
    @inlinable public var udp: Int? {
        get { storedUDP.value }
        set { storedUDP.value = newValue }
    }
    @usableFromInline var storedBody: Int32 = 0
    @usableFromInline var storedChunkCount: Int32 = 0
    @usableFromInline var storedFirstChunk: Int32 = 0
    @usableFromInline var storedTotalLengthField = PacketOffset()
    @usableFromInline var storedUDP = PacketOffset()

    public init(body: Int, chunkCount: Int, firstChunk: Int, totalLengthField: Int? = nil, udp: Int? = nil) {
        self.body = body
        self.chunkCount = chunkCount
        self.firstChunk = firstChunk
        self.totalLengthField = totalLengthField
        self.udp = udp
    }
}

/// An optional offset into a packet in four bytes: −1 stands for none.
@usableFromInline
struct PacketOffset: Hashable, Sendable {
    @usableFromInline var raw: Int32 = -1

    @inlinable init() {}

    @inlinable var value: Int? {
        get { raw < 0 ? nil : Int(raw) }
        set {
            precondition(newValue.map { $0 >= 0 && $0 <= Int(Int32.max) } ?? true, "offset outside a packet")
            raw = newValue.map { Int32($0) } ?? -1
        }
    }
}
