import NewIPWire

/// Registered mode: a domain registrar's statement that a public key may use an address (or a
/// prefix) in its domain for a period, signed with the registrar's Ed25519 key.
///
/// Canonical encoding (all integers big-endian; docs/keys.md):
///
/// ```
/// version (1) = 1
/// subject address type (1) | subject prefix length in bits (1) | address length (1) | address (n)
/// subject public key (32)
/// domain length (1, 1…253) | domain (lower-case letters, digits, '-', '.')
/// serial (8) | not-before (8) | not-after (8)      seconds since the Unix epoch, inclusive
/// issuer key id (8)                                the registrar key's KeyID
/// signature (64)                                   Ed25519 over context ‖ all bytes before it
/// ```
///
/// The context is `"swift-newip address certificate v1"` followed by a zero byte, so a
/// registrar's signature over a certificate cannot be taken for one over anything else.
public struct AddressCertificate: Hashable, Sendable {
    public var subject: FrameworkAddress
    /// Bits of `subject` the certificate covers: its whole length for one address.
    public var prefixLength: Int
    public var subjectKey: [UInt8]
    public var domain: String
    public var serial: UInt64
    public var notBefore: UInt64
    public var notAfter: UInt64
    public var issuer: KeyID
    /// 64 bytes; empty before `sign`.
    public var signature: [UInt8]

    public static let version: UInt8 = 1
    public static let signingContext: [UInt8] = Array("swift-newip address certificate v1".utf8) + [0]

    public init(subject: FrameworkAddress, prefixLength: Int? = nil, subjectKey: [UInt8], domain: String, serial: UInt64,
                notBefore: UInt64, notAfter: UInt64, issuer: KeyID, signature: [UInt8] = []) {
        self.subject = subject
        self.prefixLength = prefixLength ?? 8 * subject.encodedLength
        self.subjectKey = subjectKey
        self.domain = domain
        self.serial = serial
        self.notBefore = notBefore
        self.notAfter = notAfter
        self.issuer = issuer
        self.signature = signature
    }

    /// Whether `domain` is a valid domain name for a certificate: 1…253 bytes of lower-case
    /// letters, digits, '-' and '.', no empty label.
    public static func isValidDomain(_ domain: String) -> Bool {
        let utf8 = Array(domain.utf8)
        guard (1...253).contains(utf8.count), utf8.first != 0x2E, utf8.last != 0x2E else { return false }
        var previousDot = false
        for byte in utf8 {
            switch byte {
            case 0x61...0x7A, 0x30...0x39, 0x2D: previousDot = false
            case 0x2E:
                if previousDot { return false }
                previousDot = true
            default: return false
            }
        }
        return true
    }

    /// The bytes the signature covers (without the context).
    public var signedBytes: [UInt8] {
        precondition(Self.isValidDomain(domain), "invalid certificate domain \(domain)")
        precondition(subjectKey.count == 32, "the subject key is 32 bytes")
        precondition(prefixLength >= 0 && prefixLength <= 8 * subject.encodedLength, "prefix longer than the address")
        var out: [UInt8] = [Self.version, subject.type.rawValue, UInt8(prefixLength), UInt8(subject.encodedLength)]
        var address = [UInt8](repeating: 0, count: subject.encodedLength)
        address.withUnsafeMutableBytes { subject.encode(into: $0, at: 0) }
        out += address
        out += subjectKey
        out.append(UInt8(domain.utf8.count))
        out += Array(domain.utf8)
        for value in [serial, notBefore, notAfter] {
            for i in 0..<8 { out.append(UInt8(truncatingIfNeeded: value >> (56 - 8 * i))) }
        }
        out += issuer.bytes
        return out
    }

    /// The whole encoding: `signedBytes` then the signature.
    public var encoded: [UInt8] {
        precondition(signature.count == 64, "sign the certificate before encoding it")
        return signedBytes + signature
    }

    /// Signs with the registrar's identity (sets `issuer` to its key id).
    public mutating func sign(with registrar: DeviceIdentity) {
        issuer = registrar.keyID
        signature = registrar.sign(Self.signingContext + signedBytes)
    }

    /// Decodes a certificate that fills `bytes` exactly (no signature check: see `verify`).
    public init(parsing bytes: [UInt8]) throws(WireError) {
        var at = 0
        func take(_ count: Int, _ field: String) throws(WireError) -> ArraySlice<UInt8> {
            guard at + count <= bytes.count else { throw .truncated(at: at, needed: at + count - bytes.count) }
            defer { at += count }
            return bytes[at..<(at + count)]
        }
        func integer(_ field: String) throws(WireError) -> UInt64 {
            try take(8, field).reduce(0) { $0 << 8 | UInt64($1) }
        }
        let version = try take(1, "version").first!
        guard version == Self.version else {
            throw .malformed(field: "certificate version", at: 0, reason: "is \(version); this decoder reads version \(Self.version)")
        }
        let typeAt = at
        let type = FrameworkAddressType(rawValue: try take(1, "subject address type").first!)
        let prefixAt = at
        let prefixLength = Int(try take(1, "subject prefix length").first!)
        let lengthAt = at
        let length = Int(try take(1, "subject address length").first!)
        let expected: Int?
        switch type {
        case .ipv4: expected = 4
        case .ipv6: expected = 16
        case .eightBit: expected = 1
        case .compact: expected = nil
        default: throw .malformed(field: "subject address type", at: typeAt, reason: "unknown address type \(type.rawValue)")
        }
        if let expected, expected != length {
            throw .malformed(field: "subject address length", at: lengthAt, reason: "is \(length); a \(type.name) address is \(expected) bytes")
        }
        let addressAt = at
        let addressBytes = try take(length, "subject address")
        let raw = Array(addressBytes)
        let subject: FrameworkAddress
        switch type {
        case .ipv4: subject = .ipv4(IPv4Address(raw[0], raw[1], raw[2], raw[3]))
        case .ipv6: subject = .ipv6(raw.withUnsafeBytes { IPv6Address(loading: $0, at: 0)! })
        case .eightBit: subject = .eightBit(raw[0])
        default:
            let address: CompactAddress
            do throws(WireError) { address = try CompactAddress(encoded: raw) } catch { throw error.shifted(by: addressAt) }
            subject = .compact(address)
        }
        guard prefixLength <= 8 * length else {
            throw .malformed(field: "subject prefix length", at: prefixAt, reason: "\(prefixLength) bits is longer than the \(length)-byte address")
        }
        let subjectKey = Array(try take(32, "subject public key"))
        let domainAt = at
        let domainLength = Int(try take(1, "domain length").first!)
        let domainBytes = try take(domainLength, "domain")
        let domain = String(decoding: domainBytes, as: UTF8.self)
        guard Self.isValidDomain(domain), Array(domain.utf8) == Array(domainBytes) else {
            throw .malformed(field: "domain", at: domainAt,
                             reason: "must be 1 to 253 bytes of lower-case letters, digits, '-' and '.' without empty labels")
        }
        let serial = try integer("serial")
        let notBeforeAt = at
        let notBefore = try integer("not-before")
        let notAfter = try integer("not-after")
        guard notBefore <= notAfter else {
            throw .malformed(field: "validity", at: notBeforeAt, reason: "not-before \(notBefore) is after not-after \(notAfter)")
        }
        let issuer = KeyID(bytes: Array(try take(8, "issuer key id")))!
        let signature = Array(try take(64, "signature"))
        guard at == bytes.count else {
            throw .malformed(field: "certificate", at: at, reason: "\(bytes.count - at) byte(s) after the signature")
        }
        self.init(subject: subject, prefixLength: prefixLength, subjectKey: subjectKey, domain: domain, serial: serial,
                  notBefore: notBefore, notAfter: notAfter, issuer: issuer, signature: signature)
    }

    /// Checks the certificate against the registrar's public key, the domain it should be for
    /// and the time `now` (seconds since the Unix epoch). Order: issuer, signature, domain, time.
    public func verify(registrarKey: [UInt8], domain: String, now: UInt64) -> CertificateVerdict {
        guard issuer == KeyID(publicKey: registrarKey) else { return .wrongIssuer }
        guard signature.count == 64, Self.isValidDomain(self.domain), subjectKey.count == 32,
              verifyEd25519(signature: signature, message: Self.signingContext + signedBytes, publicKey: registrarKey) else {
            return .badSignature
        }
        guard self.domain == domain else { return .wrongDomain }
        if now < notBefore { return .notYetValid }
        if now > notAfter { return .expired }
        return .valid
    }

    /// Whether `address` lies in the certified address or prefix.
    public func covers(_ address: FrameworkAddress) -> Bool {
        guard address.type == subject.type, address.encodedLength == subject.encodedLength else { return false }
        var a = [UInt8](repeating: 0, count: address.encodedLength), s = a
        a.withUnsafeMutableBytes { address.encode(into: $0, at: 0) }
        s.withUnsafeMutableBytes { subject.encode(into: $0, at: 0) }
        for bit in 0..<prefixLength where (a[bit / 8] ^ s[bit / 8]) & (0x80 >> UInt8(bit % 8)) != 0 { return false }
        return true
    }
}

/// The outcome of `AddressCertificate.verify`.
public enum CertificateVerdict: Hashable, Sendable {
    case valid
    case expired
    case notYetValid
    case badSignature
    case wrongDomain
    /// The certificate names another registrar key.
    case wrongIssuer
}
