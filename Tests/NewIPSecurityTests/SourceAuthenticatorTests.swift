import Crypto
import Foundation
import _CryptoExtras
import XCTest
@testable import NewIPSecurity
import NewIPWire

final class SourceAuthenticatorTests: XCTestCase {
    /// RFC 4493 section 4: AES-CMAC of the four example messages under 2b7e1516 28aed2a6 abf71588 09cf4f3c,
    /// through swift-crypto's `AES.CMAC`, which the source keys and packet MACs use.
    func testAESCMACMatchesRFC4493() throws {
        let key = SymmetricKey(data: RFC4493.key)
        for (length, expected) in RFC4493.macs {
            var cmac = try AES.CMAC(key: key)
            RFC4493.message[0..<length].withUnsafeBytes { cmac.update(bufferPointer: $0) }
            XCTAssertEqual(hex(cmac.finalize().withUnsafeBytes { Array($0) }), expected, "Mlen \(length)")
        }
    }

    /// The per-packet CMAC assembled from `AES.permute`: RFC 4493 vectors, and equal to
    /// swift-crypto's `AES.CMAC` for every length 0…100 and several keys.
    func testBlockCMACMatchesRFC4493AndSwiftCrypto() throws {
        let key = SymmetricKey(data: RFC4493.key)
        let message = RFC4493.message
        func tag(_ cmac: BlockCMAC, _ bytes: ArraySlice<UInt8>) -> String {
            let t = Array(bytes).withUnsafeBytes { cmac.tag($0) }
            return String(format: "%016llx%016llx", t.0, t.1)
        }
        let block = BlockCMAC(key: key)
        for (length, expected) in RFC4493.macs { XCTAssertEqual(tag(block, message[0..<length]), expected, "Mlen \(length)") }
        for _ in 0..<4 {
            let key = SymmetricKey(size: .bits128)
            let block = BlockCMAC(key: key)
            let data = (0..<100).map { _ in UInt8.random(in: 0...255) }
            for length in 0...100 {
                var reference = try AES.CMAC(key: key)
                data[0..<length].withUnsafeBytes { reference.update(bufferPointer: $0) }
                XCTAssertEqual(tag(block, data[0..<length]), hex(reference.finalize().withUnsafeBytes { Array($0) }), "length \(length)")
            }
        }
    }

    func testSourceKeyKnownAnswer() {
        // AES-CMAC(00..0f, 01 03 01 05): purpose, compact type, length 1, address 05.
        XCTAssertEqual(hex(Fixture.secret.sourceKey(for: .compact(Fixture.source)).bytes), KnownAnswer.sourceKeyCompact05)
        // An IPv6 source: 01 01 10 + 16 bytes (two CMAC blocks).
        let ipv6 = FrameworkAddress.ipv6(IPv6Address(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1))
        XCTAssertEqual(hex(Fixture.secret.sourceKey(for: ipv6).bytes), KnownAnswer.sourceKeyIPv6)
        XCTAssertEqual(Fixture.secret.sourceKey(for: ipv6).epoch, 7)
    }

    func testItemEncodingByteForByte() throws {
        let item = SourceAuthenticatorItem(epoch: 7, timestamp: 0x0102_0304, mac: 0x1122_3344_5566_7788)
        XCTAssertEqual(hex(item.extensionItem), "030e" + "07" + "00" + "01020304" + "1122334455667788")
        XCTAssertEqual(item.clause, .unknown(type: ContractType(rawValue: 0x0011), body: hexBytes("0700010203041122334455667788")))
        let keyed = SourceAuthenticatorItem(epoch: 1, timestamp: 2, mac: 3,
                                            keyProof: .init(publicKey: Array(repeating: 0xAB, count: 32), modifier: 9))
        XCTAssertEqual(hex(keyed.extensionItem), "032e0109000000020000000000000003" + String(repeating: "ab", count: 32))
        XCTAssertEqual(keyed.clause.encodedLength, 48)
        for value in [item, keyed] {
            XCTAssertEqual(try value.body.withUnsafeBytes { try SourceAuthenticatorItem(parsingBody: $0) }, value)
        }
    }

    func testItemDecoderErrorsSayWhatAndWhere() {
        func parse(_ bytes: [UInt8]) -> WireError? {
            do { _ = try bytes.withUnsafeBytes { try SourceAuthenticatorItem(parsingBody: $0) }; return nil } catch { return error as? WireError }
        }
        XCTAssertEqual(parse(Array(repeating: 0, count: 10)), .truncated(at: 10, needed: 4))
        XCTAssertEqual(parse(Array(repeating: 0, count: 15))?.offset, 0)
        var nonzeroModifier = [UInt8](repeating: 0, count: 14)
        nonzeroModifier[1] = 5
        XCTAssertEqual(parse(nonzeroModifier)?.offset, 1)
    }

    func testCompactPacketMACKnownAnswer() throws {
        let packet = Fixture.compactPacket()
        XCTAssertEqual(hex(packet), KnownAnswer.compactPacketUnsealed)
        let sealed = Fixture.sealed(packet, dialect: .compact, timestamp: 0x0102_0304)
        XCTAssertEqual(hex(sealed), KnownAnswer.compactPacketSealed)
    }

    func testFrameworkPacketMACKnownAnswer() throws {
        let packet = Fixture.frameworkPacket()
        XCTAssertEqual(hex(packet), KnownAnswer.frameworkPacketUnsealed)
        let sealed = Fixture.sealed(packet, dialect: .framework, timestamp: 0x0102_0304)
        XCTAssertEqual(hex(sealed), KnownAnswer.frameworkPacketSealed)
        // The framework view walks past the authenticator to the payload spec behind the max-delay clause.
        let decoded = try sealed.withUnsafeBytes { try NewIPPacket(parsing: $0, dialect: .framework) }
        XCTAssertEqual(decoded.payloadSpec?.chunks.count, 1)
        XCTAssertEqual(decoded.clauses.map(\.type), [.ping, .sourceAuthenticator, .maxDelay])
        XCTAssertEqual(try decoded.encoded(), sealed)
    }

    // MARK: verifier outcomes

    func verifier(window: UInt64 = 1_000_000_000, prefix: Int? = nil) -> SourceAuthVerifier {
        SourceAuthVerifier(secrets: [Fixture.secret], window: window, selfCertifiedPrefixLength: prefix, now: Fixture.now)
    }

    func verdict(_ bytes: [UInt8], _ dialect: PacketDialect, _ verifier: inout SourceAuthVerifier, now: UInt64 = Fixture.now) -> SourceAuthVerdict {
        bytes.withUnsafeBytes { verifier.verify(try! NewIPPacketView($0, dialect: dialect), now: now) }
    }

    func freshPacket(_ dialect: PacketDialect, at now: UInt64 = Fixture.now) -> [UInt8] {
        let timestamp = SourceTime.timestamp(now: now)
        return Fixture.sealed(dialect == .compact ? Fixture.compactPacket() : Fixture.frameworkPacket(), dialect: dialect, timestamp: timestamp)
    }

    func testFreshPacketIsValidThenAReplay() {
        for dialect in [PacketDialect.compact, .framework] {
            var v = verifier()
            let packet = freshPacket(dialect)
            XCTAssertEqual(verdict(packet, dialect, &v), .valid, "\(dialect)")
            XCTAssertEqual(verdict(packet, dialect, &v, now: Fixture.now + 500_000_000), .replay, "\(dialect)")
        }
    }

    func testTamperingAnyCoveredByteIsBadMAC() {
        for dialect in [PacketDialect.compact, .framework] {
            let packet = freshPacket(dialect)
            let mutable = mutableOffsets(packet, dialect)
            var checked = 0
            for offset in packet.indices where !mutable.contains(offset) {
                var tampered = packet
                tampered[offset] ^= 0x01
                var v = verifier()
                let result: SourceAuthVerdict? = tampered.withUnsafeBytes {
                    guard let view = try? NewIPPacketView($0, dialect: dialect) else { return nil }
                    return v.verify(view, now: Fixture.now)
                }
                // A flip may make the packet unparseable or move the authenticator; otherwise the MAC must fail.
                guard let result else { continue }
                switch result {
                case .badMAC, .missing, .malformed, .unknownEpoch, .stale: checked += 1
                default: XCTFail("\(dialect): flipping byte \(offset) gave \(result)")
                }
            }
            XCTAssertGreaterThan(checked, packet.count / 2, "\(dialect)")
            // Every byte of the payload, in particular, is covered.
            let payloadStart = packet.count - Fixture.payload.count
            for offset in payloadStart..<packet.count {
                var tampered = packet
                tampered[offset] ^= 0x80
                var v = verifier()
                XCTAssertEqual(verdict(tampered, dialect, &v), .badMAC, "\(dialect) payload byte \(offset)")
            }
        }
    }

    /// The offsets routers rewrite: compact TTL, LBF experienced/fib fields, ping hops, MDF delay_exp.
    func mutableOffsets(_ packet: [UInt8], _ dialect: PacketDialect) -> Set<Int> {
        packet.withUnsafeBytes { raw in
            let view = try! NewIPPacketView(raw, dialect: dialect)
            var offsets = Set<Int>()
            if let ttl = view.ttlOffset { offsets.insert(ttl) }
            try! view.forEachContractItem { item in
                guard case .clause(let type, let range) = item else { return }
                let fields: [Int] = switch type {
                case .latencyBased: [6, 8, 10]
                case .ping: [4]
                case .maxDelay: [4]
                default: []
                }
                for field in fields { offsets.formUnion([range.lowerBound + field, range.lowerBound + field + 1]) }
            }
            return offsets
        }
    }

    func testRewritingMutableFieldsKeepsItValid() {
        for dialect in [PacketDialect.compact, .framework] {
            var packet = freshPacket(dialect)
            for offset in mutableOffsets(packet, dialect) { packet[offset] &+= 3 }
            var v = verifier()
            XCTAssertEqual(verdict(packet, dialect, &v), .valid, "\(dialect)")
        }
        // Concretely: the compact hop limit.
        var packet = freshPacket(.compact)
        XCTAssertEqual(packet[2], 64)  // after two bitmap bytes
        packet[2] = 1
        var v = verifier()
        XCTAssertEqual(verdict(packet, .compact, &v), .valid)
    }

    func testOldOrFutureTimestampIsStale() {
        for dialect in [PacketDialect.compact, .framework] {
            var v = verifier(window: 1_000_000_000)
            XCTAssertEqual(verdict(freshPacket(dialect, at: Fixture.now - 1_500_000_000), dialect, &v), .stale)
            XCTAssertEqual(verdict(freshPacket(dialect, at: Fixture.now + 1_500_000_000), dialect, &v), .stale)
            XCTAssertEqual(verdict(freshPacket(dialect, at: Fixture.now - 900_000_000), dialect, &v), .valid)
            // An hour old: wraps the 32-bit microsecond field only after 71.6 minutes.
            XCTAssertEqual(verdict(freshPacket(dialect, at: Fixture.now - 3_600_000_000_000), dialect, &v), .stale)
        }
    }

    func testMissingUnknownEpochAndWrongKey() {
        var v = verifier()
        let bare = Array(CompactHeader(ttl: 9, nextHeader: .udp, destination: Fixture.destination, source: Fixture.source).bytes() + [1, 2])
        XCTAssertEqual(verdict(bare, .compact, &v), .missing)

        var otherEpoch = freshPacket(.compact)
        otherEpoch = Fixture.sealed(otherEpoch, dialect: .compact, timestamp: SourceTime.timestamp(now: Fixture.now))
        var keyOfEpoch9 = otherEpoch
        try! keyOfEpoch9.withUnsafeMutableBytes {
            try SourceAuthSender.seal($0, dialect: .compact,
                                      key: FirstHopSecret(epoch: 9, key: SymmetricKey(data: Array<UInt8>(0...15))).sourceKey(for: .compact(Fixture.source)),
                                      timestamp: SourceTime.timestamp(now: Fixture.now))
        }
        XCTAssertEqual(verdict(keyOfEpoch9, .compact, &v), .unknownEpoch)

        // A host that claims another source address: its key is not that address's key.
        var claimed = Fixture.compactPacket(source: CompactAddress(value: 6)!)
        try! claimed.withUnsafeMutableBytes {
            try SourceAuthSender.seal($0, dialect: .compact, key: Fixture.secret.sourceKey(for: .compact(Fixture.source)),
                                      timestamp: SourceTime.timestamp(now: Fixture.now))
        }
        XCTAssertEqual(verdict(claimed, .compact, &v), .badMAC)
    }

    func testSecondAuthenticatorIsMalformed() {
        let auth = SourceAuthenticatorItem(epoch: 7, timestamp: 0).extensionItem
        let header = CompactHeader(ttl: 9, nextHeader: .udp, destination: Fixture.destination, source: Fixture.source,
                                   extensionLength: 2 * auth.count)
        let packet = header.bytes(extensions: auth + auth) + [1]
        var v = verifier()
        guard case .malformed(let error) = verdict(packet, .compact, &v) else { return XCTFail("not malformed") }
        XCTAssertEqual(error.offset, header.extensionOffset + auth.count)
    }

    func testSpoofedSelfCertifiedSource() throws {
        let prefix = CompactAddressPrefix("0xFE/8")!
        let (address, modifier) = try XCTUnwrap(SelfCertifyingAddress.generate(prefix: prefix, publicKey: Fixture.identity.publicKey))
        let proof = SourceAuthenticatorItem.KeyProof(publicKey: Fixture.identity.publicKey, modifier: modifier)
        let key = Fixture.secret.sourceKey(for: .compact(address))
        func sealed(_ source: CompactAddress, _ proof: SourceAuthenticatorItem.KeyProof) -> [UInt8] {
            var bytes = Fixture.compactPacket(keyProof: proof, source: source)
            let key = Fixture.secret.sourceKey(for: .compact(source))
            try! bytes.withUnsafeMutableBytes { try SourceAuthSender.seal($0, dialect: .compact, key: key, timestamp: SourceTime.timestamp(now: Fixture.now)) }
            return bytes
        }
        XCTAssertEqual(key.epoch, 7)
        var v = verifier(prefix: 8)
        XCTAssertEqual(verdict(sealed(address, proof), .compact, &v), .valid)
        // Another address under the same prefix, with a valid source key, but not the key's address.
        let other = try CompactAddress(encoded: [0xFE, 1, 2, 3, 4, 5, 6, 7])
        var v2 = verifier(prefix: 8)
        XCTAssertEqual(verdict(sealed(other, proof), .compact, &v2), .spoofed)
        // Another key for the right address.
        let stranger = SourceAuthenticatorItem.KeyProof(publicKey: DeviceIdentity.generate().publicKey, modifier: modifier)
        var v3 = verifier(prefix: 8)
        XCTAssertEqual(verdict(sealed(address, stranger), .compact, &v3), .spoofed)
        // Without an open-mode prefix the carried key is not checked.
        var v4 = verifier()
        XCTAssertEqual(verdict(sealed(other, proof), .compact, &v4), .valid)
    }

    /// A host that seals with its own source key and carries its own key, but claims another
    /// address: the binding is checked before the MAC, so it is told it spoofed (not bad-mac).
    func testAHostClaimingAnotherAddressWithItsOwnKeysIsSpoofed() throws {
        let prefix = CompactAddressPrefix("0xFE/8")!
        let (own, modifier) = try XCTUnwrap(SelfCertifyingAddress.generate(prefix: prefix, publicKey: Fixture.identity.publicKey))
        let victim = try CompactAddress(encoded: [0xFE, 1, 2, 3, 4, 5, 6, 7])
        var bytes = Fixture.compactPacket(keyProof: .init(publicKey: Fixture.identity.publicKey, modifier: modifier), source: victim)
        try bytes.withUnsafeMutableBytes {
            try SourceAuthSender.seal($0, dialect: .compact, key: Fixture.secret.sourceKey(for: .compact(own)),
                                      timestamp: SourceTime.timestamp(now: Fixture.now))
        }
        var v = verifier(prefix: 8)
        XCTAssertEqual(verdict(bytes, .compact, &v), .spoofed)
        var plain = verifier()
        XCTAssertEqual(verdict(bytes, .compact, &plain), .badMAC, "without the open-mode check only the MAC speaks")
    }

    /// The first hop's in-place check agrees with deriving the address, for every address
    /// family, matching and not (a flipped bit anywhere past the prefix, another modifier).
    func testInPlaceBindingCheckAgreesWithDerivation() throws {
        let prefixes: [(FrameworkAddress, Int)] = [
            (FrameworkAddress("0xFE01000000000001")!, 16), (FrameworkAddress("0xFE01000000000001")!, 8),
            (FrameworkAddress("0xF2AB000001")!, 8), (.ipv6(IPv6Address(0x2001, 0xdb8, 0, 0x42, 0, 0, 0, 0)), 64),
            (.ipv4(IPv4Address(10, 1, 0, 0)), 16),
        ]
        for seed in 0..<8 {
            let key = try DeviceIdentity(seed: (0..<32).map { UInt8(truncatingIfNeeded: $0 * 7 + seed) }).publicKey
            for (prefix, length) in prefixes {
                let (address, modifier) = try XCTUnwrap(SelfCertifyingAddress.generate(prefix: prefix, prefixLength: length, publicKey: key))
                XCTAssertTrue(SelfCertifyingAddress.verify(address, prefixLength: length, publicKey: key, modifier: modifier), "\(address)")
                XCTAssertFalse(SelfCertifyingAddress.verify(address, prefixLength: length, publicKey: key, modifier: modifier &+ 1), "\(address)")
                var bytes = [UInt8](repeating: 0, count: address.encodedLength)
                bytes.withUnsafeMutableBytes { address.encode(into: $0, at: 0) }
                bytes[bytes.count - 1] ^= 1
                let flipped: FrameworkAddress
                switch address {
                case .ipv4: flipped = .ipv4(IPv4Address(bytes[0], bytes[1], bytes[2], bytes[3]))
                case .ipv6: flipped = .ipv6(try XCTUnwrap(bytes.withUnsafeBytes { IPv6Address(loading: $0, at: 0) }))
                default: flipped = .compact(try CompactAddress(encoded: bytes))
                }
                XCTAssertFalse(SelfCertifyingAddress.verify(flipped, prefixLength: length, publicKey: key, modifier: modifier), "\(flipped)")
            }
        }
    }

    func testSenderTimestampsNeverRepeat() {
        var sender = SourceAuthSender(key: Fixture.secret.sourceKey(for: .compact(Fixture.source)))
        let first = sender.nextTimestamp(now: Fixture.now)
        XCTAssertEqual(sender.nextTimestamp(now: Fixture.now), first &+ 1)
        XCTAssertEqual(sender.nextTimestamp(now: Fixture.now + 100), first &+ 2)
        XCTAssertEqual(sender.nextTimestamp(now: Fixture.now + 10_000), first &+ 10)
        // Two identical packets sealed by the sender are both valid (distinct MACs).
        var v = verifier()
        for _ in 0..<2 {
            var bytes = Fixture.compactPacket()
            try! bytes.withUnsafeMutableBytes { try sender.seal($0, dialect: .compact, now: Fixture.now) }
            XCTAssertEqual(verdict(bytes, .compact, &v), .valid)
        }
    }

    // MARK: replay filter

    func testReplayFilterRemembersForAPeriodWithFixedMemory() {
        var filter = ReplayFilter(period: 1000, capacity: 1000, now: 0)
        XCTAssertEqual(filter.capacity, 1024)
        XCTAssertEqual(filter.memoryBytes, 16 * 1024)
        XCTAssertTrue(filter.insert(42, now: 0))
        XCTAssertFalse(filter.insert(42, now: 999))
        XCTAssertFalse(filter.insert(42, now: 1500))   // in the previous set
        XCTAssertTrue(filter.insert(43, now: 1500))
        XCTAssertTrue(filter.insert(42, now: 2000))    // two periods on: forgotten
        XCTAssertFalse(filter.insert(43, now: 2999))
        XCTAssertTrue(filter.insert(43, now: 10_000))  // a long gap empties both
        // Overfilling one bucket evicts, never refuses a new tag.
        var small = ReplayFilter(period: 1000, capacity: 4, now: 0)
        for tag in UInt64(1)...8 { XCTAssertTrue(small.insert(tag << 8, now: 0)) }
        XCTAssertEqual(small.evictions, 4)
    }
}
