/// A New IP packet of either dialect, checked and read in place: the one way this package
/// takes a packet apart. `init` validates the header as the dialect's reference decides
/// (`CompactHeaderView`, `FrameworkHeaderView`); the contract is walked on demand, as
/// locations, so forwarding reads it without allocating and a lenient reader can keep what
/// precedes a damaged item. The view does not own the bytes: it must not outlive them.
public struct NewIPPacketView {
    public enum Header {
        case compact(CompactHeaderView)
        case framework(FrameworkHeaderView)
    }

    /// One item of the contract, by location in the view's bytes.
    public enum ContractItem {
        /// A clause in the framework encoding (compact extensions carry the same bytes):
        /// `range` starts at its 16-bit type.
        case clause(ContractType, range: Range<Int>)
        /// The body of a payload spec (after its clause type or item header).
        case payloadSpec(body: Range<Int>)
    }

    public let header: Header

    @inlinable
    public init(_ bytes: UnsafeRawBufferPointer, dialect: PacketDialect) throws(NewIPPacketError) {
        switch dialect {
        case .compact:
            do { header = .compact(try CompactHeaderView(bytes)) } catch { throw .compactHeader(error) }
        case .framework:
            do { header = .framework(try FrameworkHeaderView(bytes)) } catch { throw .wire(error) }
        }
    }

    @inlinable public var bytes: UnsafeRawBufferPointer {
        switch header {
        case .compact(let view): view.bytes
        case .framework(let view): view.bytes
        }
    }

    @inlinable public var dialect: PacketDialect {
        switch header {
        case .compact: .compact
        case .framework: .framework
        }
    }

    @inlinable public var destination: FrameworkAddress {
        switch header {
        case .compact(let view): .compact(view.destination)
        case .framework(let view): view.destination
        }
    }

    /// Optional in the compact dialect.
    @inlinable public var source: FrameworkAddress? {
        switch header {
        case .compact(let view): view.source.map(FrameworkAddress.compact)
        case .framework(let view): view.source
        }
    }

    /// The compact TTL byte; the framework header has none (its hops live in a ping clause).
    @inlinable public var ttlOffset: Int? {
        switch header {
        case .compact(let view): view.ttlOffset
        case .framework: nil
        }
    }

    @inlinable public var ttl: UInt8? { ttlOffset.map { bytes[$0] } }

    /// Compact only: the framework header names no upper protocol.
    @inlinable public var nextHeader: NextHeader? {
        switch header {
        case .compact(let view): view.nextHeader
        case .framework: nil
        }
    }

    /// Where the payload starts. A compact header-length field may point past the bytes
    /// (the reference accepts that); `isComplete` says whether it does not.
    @inlinable public var headerLength: Int {
        switch header {
        case .compact(let view): view.headerLength
        case .framework(let view): view.payloadOffset
        }
    }

    /// Whether the whole header lies inside the bytes and leaves a payload byte (compact).
    @inlinable public var isComplete: Bool {
        switch header {
        case .compact(let view): view.isComplete
        case .framework: true
        }
    }

    /// The payload as the header delimits it, clamped to the bytes; link padding after a
    /// compact total length is included (`packetEnd` cuts it).
    @inlinable public var payloadRange: Range<Int> {
        switch header {
        case .compact(let view): view.payloadRange
        case .framework(let view): view.payloadRange
        }
    }

    /// Where the packet ends for a node that needs the whole header and its payload: the
    /// compact total length when present, else the end of the bytes. Throws when a compact
    /// header is incomplete or its total length does not fit.
    @inlinable
    public func packetEnd() throws(WireError) -> Int {
        switch header {
        case .compact(let view): try view.packetEnd()
        case .framework(let view): view.bytes.count
        }
    }

    /// Calls `body` on each contract item in wire order. Compact: the extension items
    /// (clauses and payload spec; pads and unknown items skipped), each checked as it is
    /// reached, so items before a damaged one have been visited when this throws. Framework:
    /// the clauses `init` checked; a payload spec is its clause type `0x0010`.
    @inlinable
    public func forEachContractItem(_ body: (ContractItem) throws(WireError) -> Void) throws(WireError) {
        switch header {
        case .compact(let view):
            guard view.secondBitmap & CompactBitmap.extensions != 0 else { return }
            try CompactExtensions.forEachItem(in: view.bytes, range: view.extensionRange) { (type, value) throws(WireError) in
                switch type {
                case CompactExtensions.clauseType:
                    guard value.count >= 2 else {
                        throw .malformed(field: "extension clause", at: value.lowerBound - 2,
                                         reason: "\(value.count) byte(s), too few for a clause type")
                    }
                    let clauseType = ContractType(rawValue: view.bytes.uncheckedUInt16BE(at: value.lowerBound))
                    if let fixed = clauseType.fixedLength, fixed != value.count {
                        throw .malformed(field: "\(clauseType.name) clause", at: value.lowerBound,
                                         reason: "is \(fixed) bytes, the extension item holds \(value.count)")
                    }
                    try body(.clause(clauseType, range: value))
                case PayloadSpec.extensionType:
                    try body(.payloadSpec(body: value))
                default:
                    break
                }
            }
        case .framework(let view):
            for clause in view.clauses {
                if clause.type == PayloadSpec.contractType {
                    try body(.payloadSpec(body: (clause.range.lowerBound + 2)..<clause.range.upperBound))
                } else {
                    try body(.clause(clause.type, range: clause.range))
                }
            }
        }
    }
}

/// Why a packet was refused, and where (offsets into the bytes given).
public enum NewIPPacketError: Error, Hashable, Sendable {
    /// The compact header, with the reference decoder's error code.
    case compactHeader(CompactHeaderError)
    /// The framework header, or the contract or payload of either dialect.
    case wire(WireError)

    public var offset: Int {
        switch self {
        case .compactHeader(let error): error.offset
        case .wire(let error): error.offset
        }
    }

    /// The error as a `WireError`, for callers that do not need the compact error code.
    public var wireError: WireError {
        switch self {
        case .compactHeader(let error): error.wireError
        case .wire(let error): error
        }
    }
}

extension NewIPPacketError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .compactHeader(let error): error.description
        case .wire(let error): error.description
        }
    }
}
