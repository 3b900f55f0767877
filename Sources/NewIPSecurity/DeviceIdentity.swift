import Crypto

/// A device's identity: an Ed25519 key pair (swift-crypto's `Curve25519.Signing`).
public struct DeviceIdentity: Sendable {
    public let privateKey: Curve25519.Signing.PrivateKey

    public init(privateKey: Curve25519.Signing.PrivateKey) { self.privateKey = privateKey }

    /// A new random identity.
    public static func generate() -> DeviceIdentity { DeviceIdentity(privateKey: Curve25519.Signing.PrivateKey()) }

    /// The identity of a 32-byte Ed25519 seed (the private key's raw representation).
    public init(seed: [UInt8]) throws(SecurityError) {
        do { privateKey = try Curve25519.Signing.PrivateKey(rawRepresentation: seed) } catch {
            throw .invalidKey("an Ed25519 private key is a 32-byte seed, not \(seed.count) bytes")
        }
    }

    public var seed: [UInt8] { Array(privateKey.rawRepresentation) }
    public var publicKey: [UInt8] { Array(privateKey.publicKey.rawRepresentation) }
    public var keyID: KeyID { KeyID(publicKey: publicKey) }

    public func sign(_ message: [UInt8]) -> [UInt8] { Array(try! privateKey.signature(for: message)) }
}

/// A short name for a public key: the first 8 bytes of SHA-256 of the 32 raw key bytes.
public struct KeyID: Hashable, Sendable, CustomStringConvertible {
    public let bytes: [UInt8]

    public init(publicKey: [UInt8]) { bytes = Array(SHA256.hash(data: publicKey).prefix(8)) }

    /// 8 bytes as they appear in a certificate.
    public init?(bytes: [UInt8]) {
        guard bytes.count == 8 else { return nil }
        self.bytes = bytes
    }

    public var description: String { hex(bytes) }
}

/// Whether `signature` is `publicKey`'s Ed25519 signature of `message`; false for a malformed key.
public func verifyEd25519(signature: [UInt8], message: [UInt8], publicKey: [UInt8]) -> Bool {
    guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: publicKey) else { return false }
    return key.isValidSignature(signature, for: message)
}

/// Lower-case hex of `bytes`.
public func hex(_ bytes: some Sequence<UInt8>) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var out: [UInt8] = []
    for byte in bytes {
        out.append(digits[Int(byte >> 4)])
        out.append(digits[Int(byte & 15)])
    }
    return String(decoding: out, as: UTF8.self)
}

/// Errors of keys and key files; each says what is wrong and, for files, which path and how to fix it.
public enum SecurityError: Error, Hashable, Sendable, CustomStringConvertible {
    case invalidKey(String)
    case keyFile(path: String, problem: String)

    public var description: String {
        switch self {
        case .invalidKey(let why): "invalid key: \(why)"
        case .keyFile(let path, let problem): "\(path): \(problem)"
        }
    }
}
