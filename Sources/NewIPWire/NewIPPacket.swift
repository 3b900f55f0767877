/// A New IP packet of either dialect as a value: the fields `NewIPPacketView` reads, decoded,
/// and an encoder that writes them back. Fields one dialect lacks are `nil` in it (the
/// framework header has no TTL or next header; the compact one no cast, and its source is
/// optional). The compact total length is not kept: parsing cuts the payload at it, encoding
/// leaves it out (as the reference's UDP headers do).
public struct NewIPPacket: Hashable, Sendable {
    public var dialect: PacketDialect
    public var source: FrameworkAddress?
    public var destination: FrameworkAddress
    /// Compact only.
    public var ttl: UInt8?
    /// Compact only.
    public var nextHeader: NextHeader?
    /// Framework only.
    public var cast: AddressCast?
    /// The contract in wire order, without the payload spec.
    public var clauses: [ContractClause]
    public var payloadSpec: PayloadSpec?
    public var payload: [UInt8]

    public init(dialect: PacketDialect, source: FrameworkAddress?, destination: FrameworkAddress,
                ttl: UInt8? = nil, nextHeader: NextHeader? = nil, cast: AddressCast? = nil,
                clauses: [ContractClause] = [], payloadSpec: PayloadSpec? = nil, payload: [UInt8]) {
        self.dialect = dialect
        self.source = source
        self.destination = destination
        self.ttl = ttl
        self.nextHeader = nextHeader
        self.cast = cast
        self.clauses = clauses
        self.payloadSpec = payloadSpec
        self.payload = payload
    }

    /// Parses a whole packet (a node's view: a compact header must be complete and its total
    /// length fit; every contract item must be well formed). Offsets count from `bytes`.
    public init(parsing bytes: UnsafeRawBufferPointer, dialect: PacketDialect) throws(NewIPPacketError) {
        let view = try NewIPPacketView(bytes, dialect: dialect)
        do throws(WireError) { try self.init(view) } catch { throw .wire(error) }
    }

    /// Copies a checked view out, checking what the view leaves to its readers.
    public init(_ view: NewIPPacketView) throws(WireError) {
        let bytes = view.bytes
        let end = try view.packetEnd()
        var clauses: [ContractClause] = []
        var payloadSpec: PayloadSpec? = nil
        try view.forEachContractItem { (item) throws(WireError) in
            switch item {
            case .clause(_, let range):
                clauses.append(ContractClause(unchecked: bytes, at: range.lowerBound, length: range.count))
            case .payloadSpec(let body) where payloadSpec == nil:
                do throws(WireError) {
                    payloadSpec = try PayloadSpec(parsingBody: UnsafeRawBufferPointer(rebasing: bytes[body]))
                } catch {
                    throw error.shifted(by: body.lowerBound)
                }
            case .payloadSpec(let body):
                throw .malformed(field: "payload spec", at: body.lowerBound, reason: "a packet carries one payload spec")
            }
        }
        var cast: AddressCast? = nil
        if case .framework(let framework) = view.header { cast = framework.cast }
        self.init(dialect: view.dialect, source: view.source, destination: view.destination, ttl: view.ttl,
                  nextHeader: view.nextHeader, cast: cast, clauses: clauses, payloadSpec: payloadSpec,
                  payload: Array(bytes[view.headerLength..<end]))
    }

    /// The packet's bytes. Throws when the fields do not fit the dialect or the header would
    /// exceed its one-byte length; offsets are those the field would have in the encoding.
    public func encoded() throws(WireError) -> [UInt8] {
        switch dialect {
        case .compact: try encodedCompact()
        case .framework: try encodedFramework()
        }
    }

    private func encodedCompact() throws(WireError) -> [UInt8] {
        guard let ttl else { throw .malformed(field: "TTL", at: 1, reason: "a compact packet needs one") }
        guard let nextHeader else { throw .malformed(field: "next header", at: 1, reason: "a compact packet needs one") }
        guard cast == nil else { throw .malformed(field: "cast", at: 0, reason: "a compact packet has none") }
        guard case .compact(let destination) = destination else {
            throw .malformed(field: "destination address", at: 0, reason: "\(self.destination) is not a compact address")
        }
        var compactSource: CompactAddress? = nil
        if let source {
            guard case .compact(let address) = source else {
                throw .malformed(field: "source address", at: 0, reason: "\(source) is not a compact address")
            }
            compactSource = address
        }
        guard !payload.isEmpty else {
            throw .malformed(field: "payload", at: 0, reason: "a compact header must be followed by at least one payload byte")
        }
        var extensions: [UInt8] = []
        for clause in clauses {
            guard clause.encodedLength <= 255 else {
                throw .malformed(field: "\(clause.type.name) clause", at: extensions.count,
                                 reason: "\(clause.encodedLength) bytes do not fit an extension item")
            }
            extensions += CompactExtensions.item(for: clause)
        }
        if let payloadSpec {
            guard payloadSpec.bodyLength <= 255 else {
                throw .malformed(field: "payload spec", at: extensions.count,
                                 reason: "\(payloadSpec.chunks.count) chunks do not fit an extension item")
            }
            extensions += payloadSpec.extensionItem
        }
        let header = CompactHeader(ttl: ttl, nextHeader: nextHeader, destination: destination, source: compactSource,
                                   extensionLength: extensions.count)
        guard header.encodedLength <= 255 else {
            throw .malformed(field: "header length", at: header.extensionOffset - 1,
                             reason: "the header would be \(header.encodedLength) bytes; the one-byte field allows 255")
        }
        return header.bytes(extensions: extensions) + payload
    }

    private func encodedFramework() throws(WireError) -> [UInt8] {
        guard ttl == nil, nextHeader == nil else {
            throw .malformed(field: ttl == nil ? "next header" : "TTL", at: 0, reason: "a framework packet has none")
        }
        guard let source else { throw .malformed(field: "source address", at: FrameworkHeaderView.Field.source, reason: "a framework packet needs one") }
        let header = FrameworkHeader(source: source, destination: destination, cast: cast ?? .unicast,
                                     contracts: clauses + (payloadSpec.map { [$0.clause] } ?? []))
        try header.checkEncodable()
        return header.encoded() + payload
    }
}
