import Crypto
import _CryptoExtras
import FoundationEssentials
import NewIPDataPlane
import NewIPNode
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
        // The swift-crypto path (a CPU without AES-NI, and the state before CNewIPAES): BlockCMAC
        // on AES.permute, one key schedule per block.
        let swiftCrypto = FirstHopSecret(epoch: 1, key: secret.key, allowAESNI: false)
        let keys = sources.map { secret.sourceKey(for: $0) }
        let engine = secret.usesAESNI ? "AES-NI" : "swift-crypto, no AES-NI on this CPU"
        return [
            Benchmark(name: "security: derive K_src (AES-CMAC of the source address)", inputs: "256 compact sources (\(engine))",
                      DeriveSourceKey(secret: secret, sources: sources)),
            Benchmark(name: "security: packet MAC (AES-CMAC, \(length) B packet)", inputs: "256 compact packets (\(engine))",
                      MACOnly(packets: packets, keys: keys)),
            Benchmark(name: "security: verify (parse + derive + MAC + window + replay)", inputs: "256 compact \(length) B packets (\(engine))",
                      VerifyPacket(packets: packets, verifier: SourceAuthVerifier(secrets: [secret], window: 1_000_000_000, now: now))),
            selfCertifiedVerify(secret: secret),
            firstHopForward(secret: secret, verified: true),
            firstHopForward(secret: secret, verified: false),
            Benchmark(name: "security: verify, swift-crypto path (BlockCMAC on AES.permute)", inputs: "the same packets",
                      VerifyPacket(packets: packets, verifier: SourceAuthVerifier(secrets: [swiftCrypto], window: 1_000_000_000, now: now))),
            Benchmark(name: "security: swift-crypto AES.CMAC of \(length) B", inputs: "the same packets' bytes, keys as K_src",
                      SwiftCryptoCMAC(packets: packets, keys: keys)),
            Benchmark(name: "security: swift-crypto AES._CBC of \((length + 15) / 16 * 16) B (one call)", inputs: "the same packets' bytes, zero-padded",
                      SwiftCryptoCBC(packets: packets.map { $0 + [UInt8](repeating: 0, count: (16 - $0.count % 16) % 16) }, keys: keys)),
        ]
    }
}

extension SecurityBenchmarks {
    /// `verify` in an open self-certifying domain: each packet carries its sender's public key
    /// (48-byte authenticator) and its source is that key's address under 0xFE/8, so the
    /// first hop also hashes key and address (SHA-256) before the MAC.
    static func selfCertifiedVerify(secret: FirstHopSecret) -> Benchmark {
        var packets: [[UInt8]] = []
        for i in 0..<256 {
            let identity = try! DeviceIdentity(seed: (0..<32).map { UInt8(truncatingIfNeeded: $0 &+ i) })
            let (source, modifier) = SelfCertifyingAddress.generate(prefix: CompactAddressPrefix("0xFE/8")!, publicKey: identity.publicKey)!
            let item = SourceAuthenticatorItem(epoch: secret.epoch, timestamp: 0,
                                               keyProof: .init(publicKey: identity.publicKey, modifier: modifier)).extensionItem
            let header = CompactHeader(ttl: 64, nextHeader: .udp, destination: CompactAddress(value: 7)!, source: source,
                                       extensionLength: item.count)
            var bytes = header.bytes(extensions: item) + (0..<64).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ i) }
            try! bytes.withUnsafeMutableBytes {
                try SourceAuthSender.seal($0, dialect: .compact, key: secret.sourceKey(for: .compact(source)),
                                          timestamp: SourceTime.timestamp(now: now) &- UInt32(i))
            }
            packets.append(bytes)
        }
        return Benchmark(name: "security: verify with a self-certifying key (+ SHA-256 of key and address)",
                         inputs: "256 compact \(packets[0].count) B packets, 256 keys under 0xFE/8",
                         VerifyPacket(packets: packets, verifier: SourceAuthVerifier(secrets: [secret], window: 1_000_000_000,
                                                                                     selfCertifiedPrefixLength: 8, now: now)))
    }

    /// The whole forwarding step of a first-hop router, beside `forward-compact`: a `NodeCore`
    /// receives each packet on its host-facing interface 0 and transmits it from the egress
    /// queue its route picks, with the registered-mode source check or without any.
    static func firstHopForward(secret: FirstHopSecret, verified: Bool) -> Benchmark {
        let ms: Nanoseconds = 1_000_000
        var table = ForwardingTable()
        var packets: [[UInt8]] = []
        let item = SourceAuthenticatorItem(epoch: secret.epoch, timestamp: 0).extensionItem
        for i in 0..<256 {
            let destination = CompactAddress(value: 0x1_0000 + UInt64(i) * 977)!
            _ = table.insert(Route(nextHop: NextHop(interface: 1 + i % 3, neighbour: NeighbourID(rawValue: 1))),
                             for: .compact(CompactAddressPrefix(exactly: destination)))
            let source = CompactAddress(value: UInt64(300 + i))!
            let header = CompactHeader(ttl: 64, nextHeader: .udp, destination: destination, source: source,
                                       extensionLength: item.count)
            var bytes = header.bytes(extensions: item) + [UInt8](repeating: 0xAB, count: 64)
            try! bytes.withUnsafeMutableBytes {
                try SourceAuthSender.seal($0, dialect: .compact, key: secret.sourceKey(for: .compact(source)),
                                          timestamp: SourceTime.timestamp(now: now) &- UInt32(i))
            }
            packets.append(bytes)
        }
        let replayCapacity = 1024
        let authentication = SourceAuthentication(
            admission: .registered,
            verifier: SourceAuthVerifier(secrets: [secret], window: 60_000 * UInt64(ms), replayCapacity: replayCapacity, now: now),
            firstHopInterfaces: [0], clockOffset: now)
        let core = NodeCore(NodeCore.Setup(
            dialect: .compact, forwards: true, networks: [.newIP, .newIP, .newIP, .newIP], table: table,
            queues: (0..<4).map { _ in EgressQueue(QueueSpec()) }, linkDelays: [ms, ms, ms, ms],
            ownAddresses: [.compact(CompactAddress("0x10")!)],
            sourceAuthentication: verified ? authentication : nil))
        let length = packets[0].count
        let engine = secret.usesAESNI ? "AES-NI" : "swift-crypto, no AES-NI on this CPU"
        return verified
            ? Benchmark(name: "security: forward-compact through a NodeCore first hop, source verified",
                        inputs: "256 sealed compact UDP packets, \(length) B, 256 sources (\(engine)): receive (registered mode) + transmit; "
                            + "each pass over the 256 moves the clock on by one wrap of the µs timestamp (2^32 µs): timestamps fresh again, "
                            + "replay filter (\(replayCapacity) slots) emptied, i.e. a verifier reset per pass, counted in the time",
                        FirstHopForward(core: core, packets: packets))
            : Benchmark(name: "security: forward-compact through a NodeCore first hop, no source check",
                        inputs: "the same packets and clock, the same NodeCore without source authentication",
                        FirstHopForward(core: core, packets: packets))
    }
}

/// Receive + transmit through a `NodeCore`, each buffer reused: restored from its original bytes
/// as a packet would arrive, handed to the core, and taken back when the core transmits it.
struct FirstHopForward: BenchOperation {
    let core: NodeCore
    var buffers: [PacketBuffer?]
    let originals: [[UInt8]]
    var now: Nanoseconds = 0
    var count: Int { originals.count }

    /// One wrap of the authenticator's timestamp (2^32 µs), in nanoseconds: a timestamp read at
    /// `now + wrap` has the same age as at `now`, and both replay periods have ended.
    static let wrap: Nanoseconds = (1 << 32) * 1000

    init(core: NodeCore, packets: [[UInt8]]) {
        self.core = core
        originals = packets
        buffers = packets.map { PacketBuffer(bytes: $0) }
    }

    @inline(__always) mutating func run(_ i: Int) -> Int {
        if i == 0 { now &+= Self.wrap }
        var buffer = buffers[i].take()!
        let original = originals[i]
        buffer.receive { raw in
            original.withUnsafeBytes { raw.copyMemory(from: $0) }
            return original.count
        }
        switch core.receive(consume buffer, on: 0, now: now) {
        case .queued(let egress):
            guard let sent = core.transmit(on: egress, now: now, discarded: { _, reason in
                preconditionFailure("benchmark packet discarded: \(reason.label)")
            }) else { preconditionFailure("benchmark packet not sent") }
            buffers[i] = sent
            return egress
        case .delivered: preconditionFailure("benchmark packet delivered locally")
        case .dropped(let reason, _): preconditionFailure("benchmark packet dropped: \(reason.label)")
        }
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

/// The best swift-crypto offers for one MAC: `AES.CMAC` (a BoringSSL context per MAC, the result
/// in a `Data`).
struct SwiftCryptoCMAC: BenchOperation {
    let packets: [[UInt8]]
    let keys: [SourceKey]
    var count: Int { packets.count }
    func run(_ i: Int) -> Int {
        var cmac = try! AES.CMAC(key: keys[i].key)
        packets[i].withUnsafeBytes { cmac.update(bufferPointer: $0) }
        return cmac.finalize().withUnsafeBytes { Int($0[0]) }
    }
}

/// `AES._CBC` over the whole packet in one call (the key expanded once): what a CMAC built on
/// it would cost at least (its last block is the MAC, after K1/K2 on the final block).
struct SwiftCryptoCBC: BenchOperation {
    let packets: [[UInt8]]
    let keys: [SourceKey]
    let iv = try! AES._CBC.IV(ivBytes: [UInt8](repeating: 0, count: 16))
    var count: Int { packets.count }
    func run(_ i: Int) -> Int {
        let ciphertext = try! AES._CBC.encrypt(packets[i], using: keys[i].key, iv: iv, noPadding: true)
        return Int(ciphertext[ciphertext.count - 1])
    }
}
