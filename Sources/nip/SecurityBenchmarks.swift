import Crypto
import NewIPSecurity
import NewIPWire

/// Per-packet source authentication at a first-hop router (NewIPSecurity): derive K_src from
/// the epoch secret, recompute the packet's AES-CMAC, check the window and the replay filter.
enum SecurityBenchmarks {
    /// One instant for every packet: 2030-01-07 00:00:00 UTC.
    static let now: UInt64 = 1_894_060_800 * 1_000_000_000

    static func all() -> [Benchmark] {
        let secret = FirstHopSecret(epoch: 1, key: SymmetricKey(data: Array<UInt8>(0...15)))
        var packets: [[UInt8]] = []
        // 256 senders, compact addresses, 64-byte payloads with an LBF clause: a sensor-sized packet.
        for i in 0..<256 {
            let source = CompactAddress(value: UInt64(300 + i))!
            let lbf = CompactExtensions.item(for: .latencyBased(LatencyBasedContract(minDelay: 5, maxDelay: 50)))
            let extensions = lbf + SourceAuthenticatorItem(epoch: 1, timestamp: 0).extensionItem
            let header = CompactHeader(ttl: 64, nextHeader: .udp, destination: CompactAddress(value: 7)!, source: source,
                                       extensionLength: extensions.count)
            var bytes = header.bytes(extensions: extensions) + (0..<64).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ i) }
            try! bytes.withUnsafeMutableBytes {
                try SourceAuthSender.seal($0, dialect: .compact, key: secret.sourceKey(for: .compact(source)),
                                          timestamp: SourceTime.timestamp(now: now) &- UInt32(i))
            }
            packets.append(bytes)
        }
        let length = packets[0].count
        let sources = packets.map { bytes in bytes.withUnsafeBytes { try! NewIPPacketView($0, dialect: .compact).source! } }
        return [
            Benchmark(name: "security: derive K_src (AES-CMAC of the source address)", inputs: "256 compact sources",
                      DeriveSourceKey(secret: secret, sources: sources)),
            Benchmark(name: "security: packet MAC (AES-CMAC, \(length) B packet)", inputs: "256 compact packets",
                      MACOnly(packets: packets, keys: sources.map { secret.sourceKey(for: $0) })),
            Benchmark(name: "security: verify (parse + derive + MAC + window + replay)", inputs: "256 compact \(length) B packets",
                      VerifyPacket(packets: packets, verifier: SourceAuthVerifier(secrets: [secret], window: 1_000_000_000, now: now))),
        ]
    }
}

struct DeriveSourceKey: BenchOperation {
    let secret: FirstHopSecret
    let sources: [FrameworkAddress]
    var count: Int { sources.count }
    func run(_ i: Int) -> Int { secret.sourceKey(for: sources[i]).key.withUnsafeBytes { Int($0[0]) } }
}

struct MACOnly: BenchOperation {
    let packets: [[UInt8]]
    let keys: [SourceKey]
    var count: Int { packets.count }
    func run(_ i: Int) -> Int {
        packets[i].withUnsafeBytes { raw in
            let view = try! NewIPPacketView(raw, dialect: .compact)
            let location = try! SourceAuthenticatorItem.locate(in: view)!
            return Int(truncatingIfNeeded: try! PacketMAC.compute(view, authenticator: location, key: keys[i].key))
        }
    }
}

/// The whole first-hop check. After the first pass every packet is a replay; the work is the
/// same (the filter is consulted only after the MAC matched), and the verdict is checked.
struct VerifyPacket: BenchOperation {
    let packets: [[UInt8]]
    var verifier: SourceAuthVerifier
    var count: Int { packets.count }
    mutating func run(_ i: Int) -> Int {
        packets[i].withUnsafeBytes { raw in
            let verdict = verifier.verify(try! NewIPPacketView(raw, dialect: .compact), now: SecurityBenchmarks.now)
            precondition(verdict == .valid || verdict == .replay, "benchmark packet refused: \(verdict)")
            return verdict == .valid ? 1 : 2
        }
    }
}
