/// The 16-bit type that starts every clause of a framework contract.
///
/// Open: a clause of unknown type is kept as its raw bytes. Because its length is not
/// known, such a clause extends to the payload offset, so it can only be the last clause.
public struct ContractType: RawRepresentable, Hashable, Sendable {
    public var rawValue: UInt16
    @inlinable public init(rawValue: UInt16) { self.rawValue = rawValue }

    /// Max-delay forwarding: drop once the experienced delay exceeds the allowed one.
    public static let maxDelay = ContractType(rawValue: 1)
    /// Latency-based forwarding: an end-to-end delay window and the delay so far.
    public static let latencyBased = ContractType(rawValue: 2)
    /// In-band ping: code, hop count, timestamp.
    public static let ping = ContractType(rawValue: 3)
    /// swift-newip's source authenticator (NewIPSecurity, docs/wire.md), without and with the
    /// sender's public key. Their lengths are fixed, so they may stand anywhere in a contract;
    /// the value layer keeps them as raw bytes (`.unknown`), see `isOpaque`.
    public static let sourceAuthenticator = ContractType(rawValue: 0x0011)
    public static let sourceAuthenticatorWithKey = ContractType(rawValue: 0x0012)

    /// Types whose length is known (`fixedLength`) but whose clause `ContractClause` keeps as
    /// `.unknown` bytes: another module (NewIPSecurity) reads them.
    @inlinable
    public var isOpaque: Bool { rawValue == 0x0011 || rawValue == 0x0012 }

    /// Length of a clause of this type, type field included; `nil` for an unknown type,
    /// whose clause runs to the payload offset.
    @inlinable
    public var fixedLength: Int? {
        switch rawValue {
        case 1: MaxDelayContract.encodedLength
        case 2: LatencyBasedContract.encodedLength
        case 3: PingContract.encodedLength
        case 0x0011: 16
        case 0x0012: 48
        default: nil
        }
    }

    /// `max_delay`, `latency_based`, `ping` as in the shared vectors; `type(N)` otherwise.
    public var name: String {
        switch rawValue {
        case 1: "max_delay"
        case 2: "latency_based"
        case 3: "ping"
        case 0x0011: "source_auth"
        case 0x0012: "source_auth_key"
        default: "type(\(rawValue))"
        }
    }

    public init?(name: String) {
        switch name {
        case "max_delay": self = .maxDelay
        case "latency_based": self = .latencyBased
        case "ping": self = .ping
        case "source_auth": self = .sourceAuthenticator
        case "source_auth_key": self = .sourceAuthenticatorWithKey
        default: return nil
        }
    }
}

extension ContractType: CustomStringConvertible {
    public var description: String { name }
}

/// Max-delay forwarding clause (type 1), 6 bytes.
public struct MaxDelayContract: Hashable, Sendable {
    public var maxAllowedDelay: UInt16
    public var delayExp: UInt16

    @inlinable
    public init(maxAllowedDelay: UInt16, delayExp: UInt16 = 0) {
        self.maxAllowedDelay = maxAllowedDelay
        self.delayExp = delayExp
    }

    public static let encodedLength = 6

    /// Byte offsets of the fields from the start of the clause (the type is at 0).
    public enum Field {
        public static let maxAllowedDelay = 2
        public static let delayExp = 4
    }
}

/// Latency-based forwarding clause (type 2), 12 bytes.
public struct LatencyBasedContract: Hashable, Sendable {
    public var minDelay: UInt16
    public var maxDelay: UInt16
    public var experiencedDelay: UInt16
    public var fibToDelay: UInt16
    public var fibToHops: UInt16

    @inlinable
    public init(minDelay: UInt16, maxDelay: UInt16, experiencedDelay: UInt16 = 0,
                fibToDelay: UInt16 = 0, fibToHops: UInt16 = 0) {
        self.minDelay = minDelay
        self.maxDelay = maxDelay
        self.experiencedDelay = experiencedDelay
        self.fibToDelay = fibToDelay
        self.fibToHops = fibToHops
    }

    public static let encodedLength = 12

    /// Byte offsets of the fields from the start of the clause (the type is at 0).
    public enum Field {
        public static let minDelay = 2
        public static let maxDelay = 4
        public static let experiencedDelay = 6
        public static let fibToDelay = 8
        public static let fibToHops = 10
    }
}

/// Ping clause (type 3), 14 bytes. `code` is kept as sent: values other than request and
/// reply are not refused, so a newer peer's codes survive a round trip.
public struct PingContract: Hashable, Sendable {
    public var code: UInt16
    public var hops: UInt16
    /// Microseconds; the epoch is the sender's choice.
    public var timestamp: UInt64

    @inlinable
    public init(code: UInt16 = PingContract.request, hops: UInt16, timestamp: UInt64) {
        self.code = code
        self.hops = hops
        self.timestamp = timestamp
    }

    public static let request: UInt16 = 0
    public static let reply: UInt16 = 1
    public static let encodedLength = 14

    /// Byte offsets of the fields from the start of the clause (the type is at 0).
    public enum Field {
        public static let code = 2
        public static let hops = 4
        public static let timestamp = 6
    }
}

/// One clause of a framework contract.
///
/// The decoder never produces `.unknown` with a known type number; an `.unknown` clause
/// built with one would decode as that type, and `FrameworkHeader.checkEncodable()` says so.
public enum ContractClause: Hashable, Sendable {
    case maxDelay(MaxDelayContract)
    case latencyBased(LatencyBasedContract)
    case ping(PingContract)
    /// A clause of a type this decoder does not know: its bytes after the type, up to the
    /// payload offset.
    case unknown(type: ContractType, body: [UInt8])

    @inlinable
    public var type: ContractType {
        switch self {
        case .maxDelay: .maxDelay
        case .latencyBased: .latencyBased
        case .ping: .ping
        case .unknown(let type, _): type
        }
    }

    /// Bytes on the wire, type included.
    @inlinable
    public var encodedLength: Int {
        switch self {
        case .maxDelay: MaxDelayContract.encodedLength
        case .latencyBased: LatencyBasedContract.encodedLength
        case .ping: PingContract.encodedLength
        case .unknown(_, let body): 2 + body.count
        }
    }

    /// Writes the clause at `offset`; the caller guarantees `encodedLength` bytes of room.
    @inlinable
    public func encode(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) {
        buffer.storeUInt16BE(type.rawValue, at: offset)
        switch self {
        case .maxDelay(let c):
            buffer.storeUInt16BE(c.maxAllowedDelay, at: offset + MaxDelayContract.Field.maxAllowedDelay)
            buffer.storeUInt16BE(c.delayExp, at: offset + MaxDelayContract.Field.delayExp)
        case .latencyBased(let c):
            buffer.storeUInt16BE(c.minDelay, at: offset + LatencyBasedContract.Field.minDelay)
            buffer.storeUInt16BE(c.maxDelay, at: offset + LatencyBasedContract.Field.maxDelay)
            buffer.storeUInt16BE(c.experiencedDelay, at: offset + LatencyBasedContract.Field.experiencedDelay)
            buffer.storeUInt16BE(c.fibToDelay, at: offset + LatencyBasedContract.Field.fibToDelay)
            buffer.storeUInt16BE(c.fibToHops, at: offset + LatencyBasedContract.Field.fibToHops)
        case .ping(let c):
            buffer.storeUInt16BE(c.code, at: offset + PingContract.Field.code)
            buffer.storeUInt16BE(c.hops, at: offset + PingContract.Field.hops)
            buffer.storeUInt64BE(c.timestamp, at: offset + PingContract.Field.timestamp)
        case .unknown(_, let body):
            for (i, byte) in body.enumerated() { buffer[offset + 2 + i] = byte }
        }
    }

    /// The length of the clause at `offset`, checked against the payload offset `limit` and
    /// the buffer, without building it (no allocation). A known type has its fixed length;
    /// an unknown one runs to `limit`.
    public static func extent(in buffer: UnsafeRawBufferPointer, at offset: Int, limit: Int) throws(WireError) -> Int {
        guard limit - offset >= 2 else {
            throw .malformed(field: "contract", at: offset,
                             reason: "\(limit - offset) byte(s) left before the payload offset \(limit), too few for a clause type")
        }
        guard let raw = buffer.uint16BE(at: offset) else { throw .truncated(at: offset, needed: 2) }
        let type = ContractType(rawValue: raw)
        guard let length = type.fixedLength else {
            guard limit <= buffer.count else { throw .truncated(at: offset, needed: limit - offset) }
            return limit - offset
        }
        guard offset + length <= limit else {
            throw .malformed(field: "\(type.name) clause", at: offset,
                             reason: "needs \(length) bytes but the payload offset \(limit) leaves \(limit - offset)")
        }
        guard offset + length <= buffer.count else { throw .truncated(at: offset, needed: length) }
        return length
    }

    /// Decodes the clause at `offset`, which must end at or before `limit` (the payload offset).
    public static func decode(from buffer: UnsafeRawBufferPointer, at offset: Int, limit: Int) throws(WireError) -> ContractClause {
        let length = try extent(in: buffer, at: offset, limit: limit)
        return ContractClause(unchecked: buffer, at: offset, length: length)
    }

    /// Builds a clause whose extent was checked by `extent(in:at:limit:)`.
    @inlinable
    init(unchecked buffer: UnsafeRawBufferPointer, at offset: Int, length: Int) {
        switch ContractType(rawValue: buffer.uncheckedUInt16BE(at: offset)) {
        case .maxDelay: self = .maxDelay(MaxDelayContract(unchecked: buffer, clause: offset))
        case .latencyBased: self = .latencyBased(LatencyBasedContract(unchecked: buffer, clause: offset))
        case .ping: self = .ping(PingContract(unchecked: buffer, clause: offset))
        case let type:
            self = .unknown(type: type, body: Array(buffer[(offset + 2)..<(offset + length)]))
        }
    }
}

// Reading each clause's fields from the bytes of a clause whose extent was already checked
// (`clause` is the offset of its 16-bit type): one reader per clause, shared by
// `ContractClause`, `FrameworkHeaderView.Clause` and the data plane's in-place rewrites.

extension UnsafeRawBufferPointer {
    @inlinable @inline(__always)
    func uncheckedUInt16BE(at offset: Int) -> UInt16 { UInt16(self[offset]) << 8 | UInt16(self[offset + 1]) }
}

extension MaxDelayContract {
    @inlinable
    public init(unchecked bytes: UnsafeRawBufferPointer, clause: Int) {
        self.init(maxAllowedDelay: bytes.uncheckedUInt16BE(at: clause + Field.maxAllowedDelay),
                  delayExp: bytes.uncheckedUInt16BE(at: clause + Field.delayExp))
    }
}

extension LatencyBasedContract {
    @inlinable
    public init(unchecked bytes: UnsafeRawBufferPointer, clause: Int) {
        self.init(minDelay: bytes.uncheckedUInt16BE(at: clause + Field.minDelay),
                  maxDelay: bytes.uncheckedUInt16BE(at: clause + Field.maxDelay),
                  experiencedDelay: bytes.uncheckedUInt16BE(at: clause + Field.experiencedDelay),
                  fibToDelay: bytes.uncheckedUInt16BE(at: clause + Field.fibToDelay),
                  fibToHops: bytes.uncheckedUInt16BE(at: clause + Field.fibToHops))
    }
}

extension PingContract {
    @inlinable
    public init(unchecked bytes: UnsafeRawBufferPointer, clause: Int) {
        var timestamp: UInt64 = 0
        for i in 0..<8 { timestamp = timestamp << 8 | UInt64(bytes[clause + Field.timestamp + i]) }
        self.init(code: bytes.uncheckedUInt16BE(at: clause + Field.code), hops: bytes.uncheckedUInt16BE(at: clause + Field.hops),
                  timestamp: timestamp)
    }
}
