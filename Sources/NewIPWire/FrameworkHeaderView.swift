/// A checked, zero-copy view of a Network 2030 framework header (EtherType 0x88B6) over raw
/// bytes starting at the New IP header (after Ethernet).
///
/// ```
///  0        1        2        3        4        5        6
///  +--------+--------+--------+--------+--------+--------+----------+-----------+
///  |shipping|contract|payload | src    | dst    | cast   | src addr | dst addr  |
///  | offset | offset | offset | type   | type   |        | (type)   | (type)    |
///  +--------+--------+--------+--------+--------+--------+----------+-----------+
///  contract offset → clauses (16-bit type first) → payload offset → payload to the end
/// ```
///
/// `init` validates everything once, clause walk included, without allocating; afterwards
/// no accessor can fail or trap. Only the canonical layout is accepted, so that every
/// accepted header re-encodes byte for byte: shipping offset 3; contract offset 0 (no
/// contract) or the end of the shipping spec; payload offset the end of the shipping spec
/// (no contract) or of the last clause. A clause of unknown type runs to the payload offset.
/// The view does not own the bytes: it must not outlive the buffer it was made from.
public struct FrameworkHeaderView {
    /// The bytes the view was made from: the header, then the payload.
    public let bytes: UnsafeRawBufferPointer
    /// Where the destination address starts (the source starts at `Field.source`).
    public let destinationOffset: Int
    /// End of the shipping spec.
    public let shippingEnd: Int
    /// Contract offset as written; 0 when there is no contract.
    public let contractOffset: Int
    /// Start of the payload, which is also the header length.
    public let payloadOffset: Int

    /// Byte offsets of the fixed fields.
    public enum Field {
        public static let shippingOffset = 0
        public static let contractOffset = 1
        public static let payloadOffset = 2
        public static let sourceType = 3
        public static let destinationType = 4
        public static let cast = 5
        public static let source = 6
    }

    /// The only shipping offset accepted: the shipping spec right after the three offset bytes.
    public static let shippingStart = 3

    /// Validates `bytes` as a framework header followed by its payload.
    public init(_ bytes: UnsafeRawBufferPointer) throws(WireError) {
        guard bytes.count >= 3 else { throw .truncated(at: 0, needed: 3) }
        guard bytes[Field.shippingOffset] == FrameworkHeaderView.shippingStart else {
            throw .malformed(field: "shipping offset", at: Field.shippingOffset,
                             reason: "is \(bytes[0]); the shipping spec follows the three offset bytes, so it must be 3")
        }
        guard bytes.count >= Field.source else { throw .truncated(at: Field.sourceType, needed: 3) }
        let sourceType = FrameworkAddressType(rawValue: bytes[Field.sourceType])
        guard sourceType.isKnown else {
            throw .malformed(field: "source address type", at: Field.sourceType, reason: "unknown address type \(sourceType.rawValue)")
        }
        let destinationType = FrameworkAddressType(rawValue: bytes[Field.destinationType])
        guard destinationType.isKnown else {
            throw .malformed(field: "destination address type", at: Field.destinationType,
                             reason: "unknown address type \(destinationType.rawValue)")
        }
        let sourceLength = try FrameworkAddress.length(of: sourceType, in: bytes, at: Field.source, field: "source address")
        let destinationOffset = Field.source + sourceLength
        let destinationLength = try FrameworkAddress.length(of: destinationType, in: bytes, at: destinationOffset,
                                                            field: "destination address")
        let shippingEnd = destinationOffset + destinationLength
        let contractOffset = Int(bytes[Field.contractOffset])
        let payloadOffset = Int(bytes[Field.payloadOffset])
        if contractOffset == 0 {
            guard payloadOffset == shippingEnd else {
                throw .malformed(field: "payload offset", at: Field.payloadOffset, reason: payloadOffset < shippingEnd
                    ? "is \(payloadOffset), inside the shipping spec that ends at \(shippingEnd)"
                    : "is \(payloadOffset) but there is no contract and the shipping spec ends at \(shippingEnd)")
            }
        } else {
            guard contractOffset == shippingEnd else {
                throw .malformed(field: "contract offset", at: Field.contractOffset, reason: contractOffset < shippingEnd
                    ? "is \(contractOffset), inside the shipping spec that ends at \(shippingEnd)"
                    : "is \(contractOffset), leaving a gap after the shipping spec that ends at \(shippingEnd)")
            }
            guard payloadOffset > contractOffset else {
                if payloadOffset == contractOffset {
                    throw .malformed(field: "contract offset", at: Field.contractOffset,
                                     reason: "is \(contractOffset) but the contract is empty (payload offset \(payloadOffset)); no contract is written 0")
                }
                throw .malformed(field: "payload offset", at: Field.payloadOffset,
                                 reason: "is \(payloadOffset), before the contract that starts at \(contractOffset)")
            }
            var offset = contractOffset
            while offset < payloadOffset {
                offset += try ContractClause.extent(in: bytes, at: offset, limit: payloadOffset)
            }
        }
        self.bytes = bytes
        self.destinationOffset = destinationOffset
        self.shippingEnd = shippingEnd
        self.contractOffset = contractOffset
        self.payloadOffset = payloadOffset
    }

    @inlinable public var sourceType: FrameworkAddressType { FrameworkAddressType(rawValue: bytes[Field.sourceType]) }
    @inlinable public var destinationType: FrameworkAddressType { FrameworkAddressType(rawValue: bytes[Field.destinationType]) }
    @inlinable public var cast: AddressCast { AddressCast(rawValue: bytes[Field.cast]) }

    @inlinable public var source: FrameworkAddress { FrameworkAddress(unchecked: sourceType, in: bytes, at: Field.source) }
    @inlinable public var destination: FrameworkAddress {
        FrameworkAddress(unchecked: destinationType, in: bytes, at: destinationOffset)
    }

    @inlinable public var sourceRange: Range<Int> { Field.source..<destinationOffset }
    @inlinable public var destinationRange: Range<Int> { destinationOffset..<shippingEnd }

    @inlinable public var hasContract: Bool { contractOffset != 0 }
    /// The clause bytes; empty (at the end of the shipping spec) when there is no contract.
    @inlinable public var contractRange: Range<Int> { hasContract ? contractOffset..<payloadOffset : shippingEnd..<shippingEnd }
    @inlinable public var payloadRange: Range<Int> { payloadOffset..<bytes.count }
    @inlinable public var payload: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: bytes[payloadRange]) }

    /// The clauses in order, read in place.
    @inlinable public var clauses: Clauses { Clauses(bytes: bytes, range: contractRange) }

    /// The first clause of `type`, if any.
    @inlinable
    public func firstClause(of type: ContractType) -> Clause? {
        for clause in clauses where clause.type == type { return clause }
        return nil
    }

    /// The first latency-based clause, read in place.
    @inlinable public var firstLatencyBased: LatencyBasedContract? { firstClause(of: .latencyBased)?.latencyBased }
    @inlinable public var firstMaxDelay: MaxDelayContract? { firstClause(of: .maxDelay)?.maxDelay }
    @inlinable public var firstPing: PingContract? { firstClause(of: .ping)?.ping }

    /// Calls `body` on each clause in order; stops early when it returns `false`.
    @inlinable
    public func forEachClause<E: Error>(_ body: (Clause) throws(E) -> Bool) throws(E) {
        for clause in clauses { guard try body(clause) else { return } }
    }

    /// The decoded value (allocates the clause array).
    public var header: FrameworkHeader {
        FrameworkHeader(source: source, destination: destination, cast: cast, contracts: clauses.map(\.value))
    }

    /// The clauses of a checked contract region, as a sequence that does not allocate.
    public struct Clauses: Sequence {
        @usableFromInline let bytes: UnsafeRawBufferPointer
        @usableFromInline let range: Range<Int>

        @inlinable
        init(bytes: UnsafeRawBufferPointer, range: Range<Int>) {
            self.bytes = bytes
            self.range = range
        }

        @inlinable
        public func makeIterator() -> Iterator { Iterator(bytes: bytes, offset: range.lowerBound, end: range.upperBound) }

        public struct Iterator: IteratorProtocol {
            @usableFromInline let bytes: UnsafeRawBufferPointer
            @usableFromInline var offset: Int
            @usableFromInline let end: Int

            @inlinable
            init(bytes: UnsafeRawBufferPointer, offset: Int, end: Int) {
                self.bytes = bytes
                self.offset = offset
                self.end = end
            }

            @inlinable
            public mutating func next() -> Clause? {
                guard offset < end else { return nil }
                let type = ContractType(rawValue: UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1]))
                // `min` keeps the walk inside the contract even if the bytes changed after the check.
                let length = Swift.min(type.fixedLength ?? end - offset, end - offset)
                defer { offset += length }
                return Clause(bytes: bytes, range: offset..<(offset + length), type: type)
            }
        }
    }

    /// One clause of a checked contract, read in place.
    public struct Clause {
        @usableFromInline let bytes: UnsafeRawBufferPointer
        /// Where the clause lies in the view's bytes, type included.
        public let range: Range<Int>
        public let type: ContractType

        @inlinable
        init(bytes: UnsafeRawBufferPointer, range: Range<Int>, type: ContractType) {
            self.bytes = bytes
            self.range = range
            self.type = type
        }

        @inlinable
        public var maxDelay: MaxDelayContract? {
            guard type == .maxDelay, range.count == MaxDelayContract.encodedLength else { return nil }
            return MaxDelayContract(unchecked: bytes, clause: range.lowerBound)
        }

        @inlinable
        public var latencyBased: LatencyBasedContract? {
            guard type == .latencyBased, range.count == LatencyBasedContract.encodedLength else { return nil }
            return LatencyBasedContract(unchecked: bytes, clause: range.lowerBound)
        }

        @inlinable
        public var ping: PingContract? {
            guard type == .ping, range.count == PingContract.encodedLength else { return nil }
            return PingContract(unchecked: bytes, clause: range.lowerBound)
        }

        /// The bytes after the type (the body of an unknown clause).
        @inlinable
        public var body: UnsafeRawBufferPointer {
            UnsafeRawBufferPointer(rebasing: bytes[(range.lowerBound + 2)..<range.upperBound])
        }

        /// The decoded value (allocates only for an unknown clause's body).
        @inlinable
        public var value: ContractClause { ContractClause(unchecked: bytes, at: range.lowerBound, length: range.count) }
    }
}

/// A checked framework header over writable bytes, for the per-hop rewrites of the data
/// plane: experienced delay (LBF) and hop count (ping). Layout and length never change.
///
/// Write through the setters only: other writes to `bytes` (a clause type, an offset) void
/// the checks the view relies on.
public struct MutableFrameworkHeaderView {
    public let bytes: UnsafeMutableRawBufferPointer
    /// The read-only view of the same bytes.
    public let view: FrameworkHeaderView

    public init(_ bytes: UnsafeMutableRawBufferPointer) throws(WireError) {
        self.bytes = bytes
        view = try FrameworkHeaderView(UnsafeRawBufferPointer(bytes))
    }

    /// Sets `experienced_delay` of the first latency-based clause; `false` when there is none.
    @inlinable
    @discardableResult
    public func setExperiencedDelay(_ value: UInt16) -> Bool {
        guard let clause = view.firstClause(of: .latencyBased) else { return false }
        setExperiencedDelay(value, in: clause)
        return true
    }

    /// Sets `hops` of the first ping clause; `false` when there is none.
    @inlinable
    @discardableResult
    public func setPingHops(_ value: UInt16) -> Bool {
        guard let clause = view.firstClause(of: .ping) else { return false }
        setPingHops(value, in: clause)
        return true
    }

    /// Sets `experienced_delay` of `clause`, a latency-based clause of this view.
    @inlinable
    public func setExperiencedDelay(_ value: UInt16, in clause: FrameworkHeaderView.Clause) {
        precondition(clause.type == .latencyBased && clause.range.upperBound <= view.payloadOffset, "not a latency-based clause of this header")
        bytes.storeUInt16BE(value, at: clause.range.lowerBound + LatencyBasedContract.Field.experiencedDelay)
    }

    /// Sets `hops` of `clause`, a ping clause of this view.
    @inlinable
    public func setPingHops(_ value: UInt16, in clause: FrameworkHeaderView.Clause) {
        precondition(clause.type == .ping && clause.range.upperBound <= view.payloadOffset, "not a ping clause of this header")
        bytes.storeUInt16BE(value, at: clause.range.lowerBound + PingContract.Field.hops)
    }
}
