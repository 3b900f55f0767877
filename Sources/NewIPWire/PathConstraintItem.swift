/// A sender's constraint on the domains its packet may cross (docs/wire.md, "Path
/// constraint"): avoid every listed domain, or cross only listed ones. A swift-newip
/// extension, in neither reference implementation; their decoders skip it (compact: an
/// extension item type they do not know; framework: an unknown clause type, which they treat
/// as running to the payload offset).
///
/// Body (the same bytes in both dialects):
///
/// ```
/// mode (1: 1 avoid, 2 only-through) | count (1) | count × domain number (2, big-endian)
/// ```
///
/// Compact: extension item type 4, length 2 + 2 × count. Framework: contract clause type
/// `0x0013` (the 16-bit type, then the body), which must be the contract's last clause (an
/// unknown clause runs to the payload offset), so a framework packet cannot carry it and a
/// payload spec together.
public struct PathConstraintItem: Hashable, Sendable {
    public enum Mode: UInt8, Sendable, CaseIterable {
        /// The packet must not cross any listed domain.
        case avoid = 1
        /// Every router the packet crosses must belong to a listed domain.
        case onlyThrough = 2

        /// As topology files write it.
        public var name: String { self == .avoid ? "avoid" : "only-through" }
    }

    public var mode: Mode
    /// Domain numbers, sorted and without repeats (so equal constraints have equal bytes).
    public private(set) var domains: [UInt16]

    public init(mode: Mode, domains: [UInt16]) {
        self.mode = mode
        self.domains = Array(Set(domains)).sorted()
    }

    /// Compact extension item type.
    public static let extensionType: UInt8 = 4
    /// Framework clause type.
    public static let contractType = ContractType(rawValue: 0x0013)
    /// At most this many domains (the compact item's length byte: 2 + 2 × 126 = 254).
    public static let maximumDomains = 126

    /// mode, count, the numbers.
    public var body: [UInt8] {
        var bytes: [UInt8] = [mode.rawValue, UInt8(domains.count)]
        for domain in domains { bytes += [UInt8(domain >> 8), UInt8(domain & 0xFF)] }
        return bytes
    }

    /// `type 4 | length | body`.
    public var extensionItem: [UInt8] {
        let body = body
        return [Self.extensionType, UInt8(body.count)] + body
    }

    /// The framework clause (type `0x0013`, then the body), kept opaque by the value layer.
    public var clause: ContractClause { .unknown(type: Self.contractType, body: body) }

    /// Reads a body; throws when the mode is unknown or the count disagrees with the length.
    public init(body bytes: UnsafeRawBufferPointer, range: Range<Int>) throws(WireError) {
        guard range.count >= 2 else { throw .truncated(at: range.lowerBound, needed: 2) }
        guard let mode = Mode(rawValue: bytes[range.lowerBound]) else {
            throw .malformed(field: "path constraint mode", at: range.lowerBound,
                             reason: "unknown mode \(bytes[range.lowerBound]) (1 avoid, 2 only-through)")
        }
        let count = Int(bytes[range.lowerBound + 1])
        guard range.count == 2 + 2 * count else {
            throw .malformed(field: "path constraint", at: range.lowerBound + 1,
                             reason: "counts \(count) domain(s) but holds \(range.count - 2) byte(s) for them")
        }
        var domains: [UInt16] = []
        domains.reserveCapacity(count)
        for index in 0..<count {
            let at = range.lowerBound + 2 + 2 * index
            domains.append(UInt16(bytes[at]) << 8 | UInt16(bytes[at + 1]))
        }
        self.init(mode: mode, domains: domains)
    }

    /// The constraint `view` carries: `nil` when it carries none; throws when it is damaged
    /// or there are two.
    public static func find(in view: NewIPPacketView) throws(WireError) -> PathConstraintItem? {
        var found: PathConstraintItem?
        switch view.header {
        case .compact(let compact):
            guard compact.secondBitmap & CompactBitmap.extensions != 0 else { return nil }
            try CompactExtensions.forEachItem(in: compact.bytes, range: compact.extensionRange) { (type, value) throws(WireError) in
                guard type == extensionType else { return }
                guard found == nil else {
                    throw .malformed(field: "path constraint", at: value.lowerBound - 2, reason: "a second one in the packet")
                }
                found = try PathConstraintItem(body: compact.bytes, range: value)
            }
        case .framework(let framework):
            for clause in framework.clauses where clause.type == contractType {
                guard found == nil else {
                    throw .malformed(field: "path constraint", at: clause.range.lowerBound, reason: "a second one in the packet")
                }
                found = try PathConstraintItem(body: framework.bytes, range: (clause.range.lowerBound + 2)..<clause.range.upperBound)
            }
        }
        return found
    }
}
