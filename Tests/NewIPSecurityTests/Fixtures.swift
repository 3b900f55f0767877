import Crypto
import FoundationEssentials
@testable import NewIPSecurity
import NewIPWire

/// Shared inputs of the known-answer tests (their expected values are computed independently
/// by known_answers.py with Python's `cryptography` and `hashlib`).
enum Fixture {
    /// Ed25519 seed 00 01 … 1f.
    static let identity = try! DeviceIdentity(seed: Array(0...31))
    /// First-hop secret 00 01 … 0f, epoch 7.
    static let secret = FirstHopSecret(epoch: 7, key: SymmetricKey(data: Array<UInt8>(0...15)))
    static let source = CompactAddress(value: 5)!
    static let destination = CompactAddress(value: 300)!
    static let payload = Array("hello, new ip".utf8)
    /// Monday 2030-01-07 00:00:00 UTC in nanoseconds.
    static let now: UInt64 = 1_894_060_800 * 1_000_000_000

    /// A compact packet: LBF clause item, authenticator item, payload spec item, then the payload.
    static func compactPacket(timestamp: UInt32 = 0x0102_0304, keyProof: SourceAuthenticatorItem.KeyProof? = nil,
                              source: CompactAddress = source, spec: Bool = true) -> [UInt8] {
        let lbf = CompactExtensions.item(for: .latencyBased(LatencyBasedContract(minDelay: 10, maxDelay: 50)))
        let auth = SourceAuthenticatorItem(epoch: 7, timestamp: timestamp, keyProof: keyProof).extensionItem
        let payloadSpec = spec ? PayloadSpec(chunks: [.init(significance: 0, length: 5), .init(significance: 1, length: 8)]).extensionItem : []
        let extensions = lbf + auth + payloadSpec
        let header = CompactHeader(ttl: 64, nextHeader: .udp, destination: destination, source: source, extensionLength: extensions.count)
        return header.bytes(extensions: extensions) + payload
    }

    /// A framework packet: ping clause, authenticator clause, max-delay clause, payload spec last.
    static func frameworkPacket(timestamp: UInt32 = 0x0102_0304) -> [UInt8] {
        let auth = SourceAuthenticatorItem(epoch: 7, timestamp: timestamp).clause
        let packet = NewIPPacket(dialect: .framework, source: .compact(source), destination: .ipv6(IPv6Address(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1)),
                                 ttl: nil, nextHeader: nil, cast: .unicast,
                                 clauses: [.ping(PingContract(hops: 0, timestamp: 42)), auth, .maxDelay(MaxDelayContract(maxAllowedDelay: 100))],
                                 payloadSpec: PayloadSpec(chunks: [.init(significance: 0, length: 13)]), payload: payload)
        return try! packet.encoded()
    }

    /// Seals `bytes` with the source key of `Fixture.source` under `Fixture.secret`.
    static func sealed(_ bytes: [UInt8], dialect: PacketDialect, timestamp: UInt32) -> [UInt8] {
        var bytes = bytes
        let key = secret.sourceKey(for: .compact(source))
        try! bytes.withUnsafeMutableBytes { try SourceAuthSender.seal($0, dialect: dialect, key: key, timestamp: timestamp) }
        return bytes
    }
}

func hexBytes(_ text: String) -> [UInt8] { parseHexBytes(text.filter { !$0.isWhitespace })! }

/// RFC 4493 section 4's example: the key, the message, and the MACs of its first 0, 16, 40 and
/// 64 bytes.
enum RFC4493 {
    static let key = hexBytes("2b7e151628aed2a6abf7158809cf4f3c")
    static let message = hexBytes("""
        6bc1bee22e409f96e93d7e117393172a ae2d8a571e03ac9c9eb76fac45af8e51
        30c81c46a35ce411e5fbc1191a0a52ef f69f2445df4f9b17ad2b417be66c3710
        """)
    static let macs: [(length: Int, mac: String)] = [
        (0, "bb1d6929e95937287fa37d129b756746"),
        (16, "070a16b46b4d4144f79bdd9dd04a287c"),
        (40, "dfa66747de9ae63030ca32611497c827"),
        (64, "51f0bebf7e3b9d92fc49741779363cfe"),
    ]
}
