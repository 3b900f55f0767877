/// The decoded fields of a Network 2030 framework header: shipping spec and contract.
///
/// Offsets are not stored: encoding always writes the canonical layout (shipping offset 3,
/// contract right after the shipping spec, payload right after the last clause), the only
/// one `FrameworkHeaderView` accepts, so the payload starts at `encodedLength`.
public struct FrameworkHeader: Hashable, Sendable {
    public var source: FrameworkAddress
    public var destination: FrameworkAddress
    public var cast: AddressCast
    /// In wire order. A clause of unknown type must be last (it runs to the payload offset).
    public var contracts: [ContractClause]

    @inlinable
    public init(source: FrameworkAddress, destination: FrameworkAddress, cast: AddressCast = .unicast,
                contracts: [ContractClause] = []) {
        self.source = source
        self.destination = destination
        self.cast = cast
        self.contracts = contracts
    }

    /// Parses a bare framework header (no Ethernet) at the start of `bytes`; the payload
    /// is `bytes[encodedLength...]`. Validation is `FrameworkHeaderView`'s.
    public init(parsing bytes: UnsafeRawBufferPointer) throws(WireError) {
        self = try FrameworkHeaderView(bytes).header
    }

    /// The offsets are one byte each, so a header cannot be longer.
    public static let maximumLength = 255

    /// End of the shipping spec: offsets, types, cast, both addresses.
    @inlinable
    public var shippingEnd: Int { FrameworkHeaderView.Field.source + source.encodedLength + destination.encodedLength }

    /// Bytes of all clauses.
    @inlinable
    public var contractLength: Int { contracts.reduce(0) { $0 + $1.encodedLength } }

    /// Header length up to the payload offset (equal to it).
    @inlinable
    public var encodedLength: Int { shippingEnd + contractLength }

    /// Writes the header at the start of `buffer` and returns its length. Never fails when
    /// `buffer` has `encodedLength` bytes; traps if the header exceeds `maximumLength`.
    @inlinable
    @discardableResult
    public func encode(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        encode(into: buffer, at: 0)
    }

    /// Writes the header at `offset` and returns its length.
    @inlinable
    @discardableResult
    public func encode(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) -> Int {
        typealias Field = FrameworkHeaderView.Field
        let shippingEnd = shippingEnd
        let length = shippingEnd + contractLength
        precondition(length <= FrameworkHeader.maximumLength, "framework header longer than 255 bytes")
        precondition(offset >= 0 && buffer.count - offset >= length, "buffer too small for the framework header")
        buffer[offset + Field.shippingOffset] = UInt8(FrameworkHeaderView.shippingStart)
        buffer[offset + Field.contractOffset] = contracts.isEmpty ? 0 : UInt8(shippingEnd)
        buffer[offset + Field.payloadOffset] = UInt8(length)
        buffer[offset + Field.sourceType] = source.type.rawValue
        buffer[offset + Field.destinationType] = destination.type.rawValue
        buffer[offset + Field.cast] = cast.rawValue
        source.encode(into: buffer, at: offset + Field.source)
        destination.encode(into: buffer, at: offset + Field.source + source.encodedLength)
        var at = offset + shippingEnd
        for clause in contracts {
            clause.encode(into: buffer, at: at)
            at += clause.encodedLength
        }
        return length
    }

    /// The encoded header.
    public func encoded() -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: encodedLength) { buffer, count in
            count = encode(into: UnsafeMutableRawBufferPointer(buffer))
        }
    }

    /// A complete Ethernet frame: Ethernet header (EtherType 0x88B6), this header, `payload`.
    public func frame(destination: EthernetAddress, source: EthernetAddress, payload: some Collection<UInt8>) -> [UInt8] {
        let headerLength = EthernetFrame.headerLength + encodedLength
        return [UInt8](unsafeUninitializedCapacity: headerLength + payload.count) { buffer, count in
            let raw = UnsafeMutableRawBufferPointer(buffer)
            EthernetFrame(destination: destination, source: source, etherType: .frameworkNewIP).encode(into: raw, at: 0)
            _ = encode(into: raw, at: EthernetFrame.headerLength)
            var at = headerLength
            for byte in payload { raw[at] = byte; at += 1 }
            count = at
        }
    }

    /// Throws when encoding would not decode back to this value: a header longer than
    /// 255 bytes, an unknown clause before another clause (it would swallow the rest), or an
    /// `.unknown` clause carrying a known type number. Offsets are those of the encoding.
    public func checkEncodable() throws(WireError) {
        var at = shippingEnd
        for (index, clause) in contracts.enumerated() {
            if case .unknown(let type, let body) = clause, type.isOpaque {
                // Known length, kept as bytes: anywhere in the contract, at its own length.
                if 2 + body.count != type.fixedLength {
                    throw .malformed(field: "\(type.name) clause", at: at,
                                     reason: "is \(2 + body.count) bytes; type \(type.rawValue) is \(type.fixedLength ?? 0)")
                }
            } else if case .unknown(let type, _) = clause {
                if type.fixedLength != nil {
                    throw .malformed(field: "\(type.name) clause", at: at,
                                     reason: "an unknown clause carries the known type \(type.rawValue) and would decode as it")
                }
                if index != contracts.count - 1 {
                    throw .malformed(field: "contract", at: at,
                                     reason: "a clause of unknown type \(type.rawValue) runs to the payload offset, so it must be the last")
                }
            }
            at += clause.encodedLength
        }
        guard at <= FrameworkHeader.maximumLength else {
            throw .malformed(field: "payload offset", at: FrameworkHeaderView.Field.payloadOffset,
                             reason: "the header would be \(at) bytes; the one-byte offsets allow \(FrameworkHeader.maximumLength)")
        }
    }
}

/// A framework header with its payload, as carried in one frame.
public struct FrameworkPacket: Hashable, Sendable {
    public var header: FrameworkHeader
    public var payload: [UInt8]

    @inlinable
    public init(header: FrameworkHeader, payload: [UInt8]) {
        self.header = header
        self.payload = payload
    }

    /// Parses a bare New IP packet: header, then payload to the end of `bytes`.
    public init(parsing bytes: UnsafeRawBufferPointer) throws(WireError) {
        let view = try FrameworkHeaderView(bytes)
        self.init(header: view.header, payload: Array(view.payload))
    }

    /// Parses an Ethernet frame carrying EtherType 0x88B6. Offsets in errors count from the
    /// start of the frame.
    public init(parsingFrame bytes: UnsafeRawBufferPointer) throws(WireError) {
        let ethernet = try EthernetFrame(parsing: bytes)
        guard ethernet.etherType == .frameworkNewIP else {
            throw .malformed(field: "ethertype", at: EthernetFrame.Field.etherType,
                             reason: "is \(ethernet.etherType), not the framework header's 0x88b6")
        }
        let rest = UnsafeRawBufferPointer(rebasing: bytes[EthernetFrame.payloadOffset...])
        do throws(WireError) {
            try self.init(parsing: rest)
        } catch {
            throw error.shifted(by: EthernetFrame.payloadOffset)
        }
    }

    /// Header then payload.
    public func encoded() -> [UInt8] { header.encoded() + payload }

    /// A complete Ethernet frame carrying this packet.
    public func frame(destination: EthernetAddress, source: EthernetAddress) -> [UInt8] {
        header.frame(destination: destination, source: source, payload: payload)
    }
}
