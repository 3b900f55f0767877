import Crypto
import Foundation

/// Ed25519 keys of signed notes, in the text forms of golang.org/x/mod/sumdb/note:
/// verifier `name+hex(keyhash4)+base64(type ‖ pubkey)`, signer
/// `PRIVATE+KEY+name+hex(keyhash4)+base64(type ‖ seed)`.
public enum NoteKeyType: UInt8, Sendable {
    /// A log's checkpoint signature (signed-note Ed25519).
    case ed25519 = 0x01
    /// A witness cosignature (tlog-cosignature cosignature/v1).
    case cosignature = 0x04
}

/// SHA-256(name ‖ "\n" ‖ type ‖ pubkey)[:4] as a big-endian integer.
func noteKeyHash(name: String, type: NoteKeyType, publicKey: Data) -> UInt32 {
    var hasher = SHA256()
    hasher.update(data: Data((name + "\n").utf8))
    hasher.update(data: [type.rawValue])
    hasher.update(data: publicKey)
    return hasher.finalize().prefix(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
}

func validKeyName(_ name: some StringProtocol) -> Bool {
    !name.isEmpty && !name.contains("+") && !name.contains(where: { $0.isWhitespace || $0.unicodeScalars.contains { $0.value < 0x20 } })
}

public struct NoteVerifier: Sendable, Equatable {
    public let name: String
    public let type: NoteKeyType
    public let keyHash: UInt32
    let publicKey: Data

    init(name: String, type: NoteKeyType, publicKey: Data) {
        self.name = name
        self.type = type
        self.publicKey = publicKey
        keyHash = noteKeyHash(name: name, type: type, publicKey: publicKey)
    }

    public init(parsing text: String) throws {
        func bad(_ why: String) -> LogError { .malformed("verifier key \"\(text)\"", why) }
        // The base64 key may itself hold "+".
        let parts = text.split(separator: "+", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3 else { throw bad("not name+hash+key") }
        guard validKeyName(parts[0]) else { throw bad("bad name") }
        guard parts[1].count == 8, let hash = UInt32(parts[1], radix: 16) else { throw bad("key hash is not 8 hex digits") }
        guard let raw = Data(base64Encoded: String(parts[2])), raw.count == 33 else { throw bad("key is not the base64 of a type byte and 32 bytes") }
        guard let type = NoteKeyType(rawValue: raw[raw.startIndex]) else { throw bad("unknown key type \(raw[raw.startIndex])") }
        self.init(name: String(parts[0]), type: type, publicKey: raw.dropFirst())
        guard keyHash == hash else { throw bad("key hash \(parts[1]) does not match the key (\(String(format: "%08x", keyHash)))") }
    }

    public var text: String { "\(name)+\(String(format: "%08x", keyHash))+\(Data([type.rawValue] + publicKey).base64EncodedString())" }

    /// Whether `signature` (from a note line of this key) signs `body`: plainly for a log key;
    /// for a cosignature, as 8-byte timestamp ‖ Ed25519 over the cosignature/v1 message.
    public func verify(_ signature: Note.Signature, body: String) -> Bool {
        guard signature.name == name, signature.keyHash == keyHash,
              let key = try? Curve25519.Signing.PublicKey(rawRepresentation: publicKey) else { return false }
        switch type {
        case .ed25519:
            return key.isValidSignature(signature.bytes, for: Data(body.utf8))
        case .cosignature:
            guard signature.bytes.count == 72 else { return false }
            let time = signature.bytes.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            guard time <= UInt64(Int64.max) else { return false }
            return key.isValidSignature(signature.bytes.dropFirst(8), for: Data(cosignedMessage(time: time, body: body).utf8))
        }
    }
}

func cosignedMessage(time: UInt64, body: String) -> String { "cosignature/v1\ntime \(time)\n" + body }

public struct NoteSigner: Sendable {
    public let verifier: NoteVerifier
    let key: Curve25519.Signing.PrivateKey

    public init(name: String, type: NoteKeyType, key: Curve25519.Signing.PrivateKey = .init()) throws {
        guard validKeyName(name) else { throw LogError.malformed("key name \"\(name)\"", "empty, or holds \"+\", a space or a control character") }
        self.key = key
        verifier = NoteVerifier(name: name, type: type, publicKey: key.publicKey.rawRepresentation)
    }

    public init(parsing text: String) throws {
        func bad(_ why: String) -> LogError { .malformed("signer key", why) }
        let parts = text.split(separator: "+", maxSplits: 4, omittingEmptySubsequences: false)
        guard parts.count == 5, parts[0] == "PRIVATE", parts[1] == "KEY" else { throw bad("not PRIVATE+KEY+name+hash+key") }
        guard let raw = Data(base64Encoded: String(parts[4])), raw.count == 33,
              let type = NoteKeyType(rawValue: raw[raw.startIndex]),
              let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: raw.dropFirst()) else {
            throw bad("key is not the base64 of a type byte and a 32-byte Ed25519 seed")
        }
        try self.init(name: String(parts[2]), type: type, key: key)
        guard String(format: "%08x", verifier.keyHash) == parts[3] else { throw bad("key hash \(parts[3]) does not match the key") }
    }

    public var text: String {
        "PRIVATE+KEY+\(verifier.name)+\(String(format: "%08x", verifier.keyHash))+\(Data([verifier.type.rawValue] + key.rawRepresentation).base64EncodedString())"
    }

    /// The signature line of this key over `body`; `time` (POSIX seconds) only for cosignatures.
    public func sign(_ body: String, time: UInt64 = 0) throws -> Note.Signature {
        let bytes: [UInt8]
        switch verifier.type {
        case .ed25519:
            bytes = Array(try key.signature(for: Data(body.utf8)))
        case .cosignature:
            let stamp = withUnsafeBytes(of: time.bigEndian) { Array($0) }
            bytes = stamp + Array(try key.signature(for: Data(cosignedMessage(time: time, body: body).utf8)))
        }
        return Note.Signature(name: verifier.name, keyHash: verifier.keyHash, bytes: bytes)
    }
}
