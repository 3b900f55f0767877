import NewIPDataPlane
import NewIPSecurity
import NewIPWire

/// What proves that a router's public key may announce a prefix: a certificate from the
/// domain's registrar (registered domains), or an address derived from the key itself (open
/// self-certifying domains, `SelfCertifyingAddress`).
public enum RouterCredential: Hashable, Sendable {
    /// The registrar's certificate for the router's block; its subject key is the router's key.
    case certificate(AddressCertificate)
    /// The self-certifying address the key owns under its first `prefixLength` bits.
    case selfCertifying(address: FrameworkAddress, prefixLength: Int, modifier: UInt8)

    enum Kind: UInt8 {
        case certificate = 1
        case selfCertifying = 2
    }

    var kind: Kind {
        switch self {
        case .certificate: .certificate
        case .selfCertifying: .selfCertifying
        }
    }

    /// The credential's bytes in a signature trailer (docs/wire.md): the certificate's
    /// encoding, or prefix length (1), modifier (1), address type (1), address length (1), address.
    var encoded: [UInt8] {
        switch self {
        case .certificate(let certificate): return certificate.encoded
        case .selfCertifying(let address, let prefixLength, let modifier):
            let bytes = [UInt8(prefixLength), modifier, address.type.rawValue, UInt8(address.encodedLength)]
            var raw = [UInt8](repeating: 0, count: address.encodedLength)
            raw.withUnsafeMutableBytes { address.encode(into: $0, at: 0) }
            return bytes + raw
        }
    }

    init(kind: Kind, parsing bytes: [UInt8]) throws(WireError) {
        switch kind {
        case .certificate: self = .certificate(try AddressCertificate(parsing: bytes))
        case .selfCertifying:
            guard bytes.count >= 4 else { throw .truncated(at: bytes.count, needed: 4 - bytes.count) }
            let type = FrameworkAddressType(rawValue: bytes[2])
            let length = Int(bytes[3])
            guard bytes.count == 4 + length else {
                throw .malformed(field: "self-certifying address length", at: 3,
                                 reason: "\(length) bytes announced, \(bytes.count - 4) present")
            }
            let address = try bytes.withUnsafeBytes { buffer -> Result<FrameworkAddress, WireError> in
                do throws(WireError) {
                    let checked = try FrameworkAddress.length(of: type, in: buffer, at: 4, field: "self-certifying address")
                    guard checked == length else {
                        return .failure(.malformed(field: "self-certifying address length", at: 3, reason: "is \(length); the address encodes in \(checked)"))
                    }
                    return .success(FrameworkAddress(unchecked: type, in: buffer, at: 4))
                } catch { return .failure(error) }
            }.get()
            guard Int(bytes[0]) <= 8 * length else {
                throw .malformed(field: "self-certifying prefix length", at: 0, reason: "\(bytes[0]) bits is longer than the \(length)-byte address")
            }
            self = .selfCertifying(address: address, prefixLength: Int(bytes[0]), modifier: bytes[1])
        }
    }

    /// The block the credential gives its key: the certificate's subject to its prefix length,
    /// or the one self-certifying address.
    public var ownedPrefix: RoutePrefixOwnership {
        switch self {
        case .certificate(let certificate): RoutePrefixOwnership(subject: certificate.subject, prefixLength: certificate.prefixLength)
        case .selfCertifying(let address, _, _): RoutePrefixOwnership(subject: address, prefixLength: 8 * address.encodedLength)
        }
    }
}

/// An address or block a router's credential proves it owns, against which the prefixes it
/// originates are checked.
public struct RoutePrefixOwnership: Hashable, Sendable {
    public var subject: FrameworkAddress
    public var prefixLength: Int

    /// Whether every address of `prefix` lies in the owned block.
    public func owns(_ prefix: RoutePrefix) -> Bool {
        switch (subject, prefix) {
        case (.compact(let address), .compact(let inner)):
            guard let outer = CompactAddressPrefix(address, length: prefixLength) else { return false }
            return outer.contains(inner)
        default:
            return prefixLength == 8 * subject.encodedLength && RoutePrefix(exactly: subject) == prefix
        }
    }
}

/// Whom a router believes about prefix ownership: a registrar's key for its domain (registered
/// mode: certificates it signed), or anyone's self-certifying address (open mode).
public enum RoutingTrust: Hashable, Sendable {
    case registrar(publicKey: [UInt8], domain: String)
    case selfCertifying

    /// Whether `credential` gives `publicKey` what it claims at Unix time `unixTime`.
    public func vouches(for credential: RouterCredential, publicKey: [UInt8], unixTime: UInt64) -> Bool {
        switch (self, credential) {
        case (.registrar(let registrar, let domain), .certificate(let certificate)):
            certificate.subjectKey == publicKey && certificate.verify(registrarKey: registrar, domain: domain, now: unixTime) == .valid
        case (.selfCertifying, .selfCertifying(let address, let prefixLength, let modifier)):
            SelfCertifyingAddress.verify(address, prefixLength: prefixLength, publicKey: publicKey, modifier: modifier)
        default: false
        }
    }
}

/// The signature trailer of a routing packet (docs/wire.md):
///
///     0     1                  3            35                35+n
///     kind  credential length  public key   credential (n)    Ed25519 signature (64)
///
/// The signature covers the signing context, the header, the messages and the trailer up to
/// the signature, so neither the credential nor the key can be swapped under it.
public struct RoutingSignature: Hashable, Sendable {
    public var publicKey: [UInt8]
    public var credential: RouterCredential
    public var signature: [UInt8]

    public init(publicKey: [UInt8], credential: RouterCredential, signature: [UInt8]) {
        self.publicKey = publicKey
        self.credential = credential
        self.signature = signature
    }

    public static let signingContext: [UInt8] = Array("swift-newip routing packet v1".utf8) + [0]
    static let keyLength = 32
    static let signatureLength = 64
    static let fixedLength = 1 + 2 + keyLength + signatureLength

    /// The trailer's bytes before the signature.
    var signedPart: [UInt8] {
        let credential = credential.encoded
        return [self.credential.kind.rawValue, UInt8(credential.count >> 8), UInt8(credential.count & 0xFF)] + publicKey + credential
    }

    public var encoded: [UInt8] { signedPart + signature }

    /// Whether the signature is the public key's over the packet `bytes` (header, messages and
    /// this trailer; `bytes` ends where the trailer does).
    public func isValid(for bytes: UnsafeRawBufferPointer) -> Bool {
        let signed = bytes[0..<(bytes.count - Self.signatureLength)]
        return verifyEd25519(signature: signature, message: Self.signingContext + signed, publicKey: publicKey)
    }

    public var encodedLength: Int { Self.fixedLength + credential.encoded.count }

    /// Checks that `bytes` (the whole trailer) is laid out as the header says; returns where
    /// the credential ends. Offsets in errors are relative to `bytes`.
    static func checkLayout(_ bytes: UnsafeRawBufferPointer.SubSequence) throws(WireError) -> Int {
        let start = bytes.startIndex
        guard bytes.count >= fixedLength else { throw .truncated(at: bytes.count, needed: fixedLength - bytes.count) }
        guard RouterCredential.Kind(rawValue: bytes[start]) != nil else {
            throw .malformed(field: "signature credential kind", at: 0,
                             reason: "\(bytes[start]) is neither 1 (certificate) nor 2 (self-certifying address)")
        }
        let length = Int(bytes[start + 1]) << 8 | Int(bytes[start + 2])
        guard fixedLength + length == bytes.count else {
            throw .malformed(field: "signature credential length", at: 1,
                             reason: "\(length) bytes of credential leave \(bytes.count - 3 - keyLength - length) for a \(signatureLength)-byte signature")
        }
        return 3 + keyLength + length
    }

    /// Decodes a trailer `checkLayout` accepted.
    init(parsing bytes: UnsafeRawBufferPointer.SubSequence) throws(WireError) {
        let credentialEnd = try Self.checkLayout(bytes)
        let raw = Array(bytes)
        let credential: RouterCredential
        do throws(WireError) {
            credential = try RouterCredential(kind: RouterCredential.Kind(rawValue: raw[0])!, parsing: Array(raw[(3 + Self.keyLength)..<credentialEnd]))
        } catch {
            throw error.shifted(by: 3 + Self.keyLength)
        }
        self.init(publicKey: Array(raw[3..<(3 + Self.keyLength)]), credential: credential, signature: Array(raw[credentialEnd...]))
    }
}

/// A router's signing identity: its Ed25519 key and the credential for it.
public struct RouterIdentity: Sendable {
    public let identity: DeviceIdentity
    public let credential: RouterCredential

    public init(identity: DeviceIdentity, credential: RouterCredential) {
        self.identity = identity
        self.credential = credential
    }

    /// Bytes the signature trailer adds to each packet.
    public var trailerLength: Int { RoutingSignature.fixedLength + credential.encoded.count }

    /// `packet`'s bytes with this identity's signature trailer (any trailer it had is replaced).
    public func seal(_ packet: RoutingPacket) -> [UInt8] {
        var unsigned = packet
        unsigned.mac = nil
        unsigned.signature = nil
        var trailer = RoutingSignature(publicKey: identity.publicKey, credential: credential, signature: [])
        let signed = unsigned.encoded + trailer.signedPart
        trailer.signature = identity.sign(RoutingSignature.signingContext + signed)
        return signed + trailer.signature
    }
}

/// Signature mode of the routing protocol: the router signs its packets with `identity`, and
/// takes only packets signed by keys whose credentials `trust` accepts.
public struct RoutingSigning: Sendable {
    public var identity: RouterIdentity
    public var trust: RoutingTrust
    /// The Unix time (seconds) at the core's time 0, against which certificates' validity is
    /// checked: the driver's wall clock, since the core reads none.
    public var unixTimeAtZero: UInt64

    public init(identity: RouterIdentity, trust: RoutingTrust, unixTimeAtZero: UInt64) {
        self.identity = identity
        self.trust = trust
        self.unixTimeAtZero = unixTimeAtZero
    }

    func unixTime(at now: Nanoseconds) -> UInt64 { unixTimeAtZero &+ UInt64(max(now, 0) / 1_000_000_000) }
}
