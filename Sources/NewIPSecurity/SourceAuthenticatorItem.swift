import NewIPWire

/// The source authenticator a packet carries: which first-hop secret epoch the sender's key
/// comes from, when it was sent, and a truncated AES-CMAC over the packet's invariant bytes
/// (docs/wire.md, "Source authenticator"). Optionally it also carries the sender's Ed25519
/// public key and address modifier, so that any router can check that an open-mode
/// (self-certifying) source address belongs to that key.
///
/// This is a swift-newip extension: neither the OpenHarmony nor the Network 2030 code has it.
///
/// Body (the same bytes in both dialects):
///
/// ```
/// epoch (1) | modifier (1) | timestamp (4, big-endian µs mod 2^32) | MAC (8) [| public key (32)]
/// ```
///
/// Compact: extension item type 3, length 14 or 46. Framework: contract clause type `0x0011`
/// (16 bytes, no key) or `0x0012` (48 bytes, with key): the 16-bit type, then the body.
public struct SourceAuthenticatorItem: Hashable, Sendable {
    /// Index of the first-hop secret the sender's key was derived from.
    public var epoch: UInt8
    /// Send time: microseconds since the Unix epoch, modulo 2^32 (wraps every 71.6 minutes;
    /// a verifier resolves it against its own clock). Strictly increasing per sender.
    public var timestamp: UInt32
    /// The first 8 bytes of the AES-CMAC, big-endian.
    public var mac: UInt64
    /// The sender's key and address modifier, for open-mode address checks.
    public var keyProof: KeyProof?

    public struct KeyProof: Hashable, Sendable {
        /// Raw Ed25519 public key, 32 bytes.
        public var publicKey: [UInt8]
        /// The modifier of the self-certifying address (see `SelfCertifyingAddress`).
        public var modifier: UInt8

        public init(publicKey: [UInt8], modifier: UInt8) {
            precondition(publicKey.count == 32, "an Ed25519 public key is 32 bytes")
            self.publicKey = publicKey
            self.modifier = modifier
        }
    }

    public init(epoch: UInt8, timestamp: UInt32, mac: UInt64 = 0, keyProof: KeyProof? = nil) {
        self.epoch = epoch
        self.timestamp = timestamp
        self.mac = mac
        self.keyProof = keyProof
    }

    /// Compact extension item type.
    public static let extensionType: UInt8 = 3
    /// Framework clause type without a key (16 bytes, type included).
    public static let contractType = ContractType.sourceAuthenticator
    /// Framework clause type with the sender's public key (48 bytes, type included).
    public static let contractTypeWithKey = ContractType.sourceAuthenticatorWithKey

    /// Body lengths.
    public static let bodyLength = 14
    public static let bodyLengthWithKey = 46

    /// Body offsets.
    public enum Field {
        public static let epoch = 0
        public static let modifier = 1
        public static let timestamp = 2
        public static let mac = 6
        public static let macLength = 8
        public static let publicKey = 14
    }

    public var encodedBodyLength: Int { keyProof == nil ? Self.bodyLength : Self.bodyLengthWithKey }

    /// Decodes a body that fills `body` exactly (14 or 46 bytes). Errors point into `body`.
    public init(parsingBody body: UnsafeRawBufferPointer) throws(WireError) {
        switch body.count {
        case Self.bodyLength, Self.bodyLengthWithKey:
            break
        case ..<Self.bodyLength:
            throw .truncated(at: body.count, needed: Self.bodyLength - body.count)
        default:
            throw .malformed(field: "source authenticator", at: 0,
                             reason: "is \(body.count) bytes; it must be \(Self.bodyLength) (no key) or \(Self.bodyLengthWithKey) (with key)")
        }
        var timestamp: UInt32 = 0
        for i in 0..<4 { timestamp = timestamp << 8 | UInt32(body[Field.timestamp + i]) }
        var mac: UInt64 = 0
        for i in 0..<8 { mac = mac << 8 | UInt64(body[Field.mac + i]) }
        var proof: KeyProof? = nil
        if body.count == Self.bodyLengthWithKey {
            proof = KeyProof(publicKey: Array(body[Field.publicKey..<(Field.publicKey + 32)]), modifier: body[Field.modifier])
        } else if body[Field.modifier] != 0 {
            throw .malformed(field: "source authenticator modifier", at: Field.modifier,
                             reason: "is \(body[Field.modifier]) but no key follows; it must be 0")
        }
        self.init(epoch: body[Field.epoch], timestamp: timestamp, mac: mac, keyProof: proof)
    }

    /// Writes the body at `offset`; the caller guarantees `encodedBodyLength` bytes of room.
    public func encodeBody(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) {
        buffer[offset + Field.epoch] = epoch
        buffer[offset + Field.modifier] = keyProof?.modifier ?? 0
        for i in 0..<4 { buffer[offset + Field.timestamp + i] = UInt8(truncatingIfNeeded: timestamp >> (24 - 8 * i)) }
        for i in 0..<8 { buffer[offset + Field.mac + i] = UInt8(truncatingIfNeeded: mac >> (56 - 8 * i)) }
        if let keyProof {
            for i in 0..<32 { buffer[offset + Field.publicKey + i] = keyProof.publicKey[i] }
        }
    }

    /// The body bytes.
    public var body: [UInt8] {
        var bytes = [UInt8](repeating: 0, count: encodedBodyLength)
        bytes.withUnsafeMutableBytes { encodeBody(into: $0, at: 0) }
        return bytes
    }

    /// The compact extension item: type 3, length, body.
    public var extensionItem: [UInt8] { [Self.extensionType, UInt8(encodedBodyLength)] + body }

    /// The framework contract clause (any position in the contract: its length is fixed by its type).
    public var clause: ContractClause {
        .unknown(type: keyProof == nil ? Self.contractType : Self.contractTypeWithKey, body: body)
    }

    /// Where the authenticator of a packet lies: the body's range in the packet's bytes.
    /// `nil` when the packet carries none; throws when it carries a damaged one or more than
    /// one (errors point into the packet's bytes).
    public static func locate(in packet: NewIPPacketView) throws(WireError) -> Range<Int>? {
        var found: Range<Int>? = nil
        switch packet.header {
        case .compact(let view):
            guard view.secondBitmap & CompactBitmap.extensions != 0 else { return nil }
            try CompactExtensions.forEachItem(in: view.bytes, range: view.extensionRange) { (type, value) throws(WireError) in
                guard type == extensionType else { return }
                guard value.count == bodyLength || value.count == bodyLengthWithKey else {
                    throw .malformed(field: "source authenticator", at: value.lowerBound - 1,
                                     reason: "item length \(value.count); it must be \(bodyLength) (no key) or \(bodyLengthWithKey) (with key)")
                }
                guard found == nil else {
                    throw .malformed(field: "source authenticator", at: value.lowerBound - 2, reason: "a second authenticator item")
                }
                found = value
            }
        case .framework(let view):
            for clause in view.clauses where clause.type == contractType || clause.type == contractTypeWithKey {
                // The view walked the contract with the registered lengths, so the clause is whole.
                guard found == nil else {
                    throw .malformed(field: "source authenticator", at: clause.range.lowerBound, reason: "a second authenticator clause")
                }
                found = (clause.range.lowerBound + 2)..<clause.range.upperBound
            }
        }
        if let found, found.count == bodyLength, packet.bytes[found.lowerBound + Field.modifier] != 0 {
            throw .malformed(field: "source authenticator modifier", at: found.lowerBound + Field.modifier,
                             reason: "is \(packet.bytes[found.lowerBound + Field.modifier]) but no key follows; it must be 0")
        }
        return found
    }
}
