import Crypto
import Foundation

/// A SHA-256 Merkle tree hash (RFC 9162 §2.1.1).
public struct LogHash: Hashable, Sendable, CustomStringConvertible {
    public static let byteCount = 32
    public let bytes: [UInt8]

    public init?(_ bytes: some Collection<UInt8>) {
        guard bytes.count == Self.byteCount else { return nil }
        self.bytes = Array(bytes)
    }

    private init(digest: SHA256Digest) { bytes = Array(digest) }

    public init?(base64: some StringProtocol) {
        guard let data = Data(base64Encoded: String(base64)), let hash = LogHash(data) else { return nil }
        self = hash
    }

    /// The root of the empty tree: SHA-256 of nothing.
    public static let empty = LogHash(digest: SHA256.hash(data: [UInt8]()))

    /// SHA-256(0x00 ‖ entry).
    public static func leaf(_ entry: some DataProtocol) -> LogHash {
        var hasher = SHA256()
        hasher.update(data: [0])
        hasher.update(data: entry)
        return LogHash(digest: hasher.finalize())
    }

    /// SHA-256(0x01 ‖ left ‖ right).
    public static func node(_ left: LogHash, _ right: LogHash) -> LogHash {
        var hasher = SHA256()
        hasher.update(data: [1])
        hasher.update(data: left.bytes)
        hasher.update(data: right.bytes)
        return LogHash(digest: hasher.finalize())
    }

    public var base64: String { Data(bytes).base64EncodedString() }
    public var description: String { base64 }
}
