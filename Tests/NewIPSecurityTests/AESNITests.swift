import Crypto
import Foundation
import _CryptoExtras
import XCTest
@testable import NewIPSecurity
import NewIPWire

/// CNewIPAES, the project's one hand-written primitive (AES-128 and AES-CMAC on AES-NI), proved
/// equal to the standards and to swift-crypto; and the verifier's two paths (AES-NI and
/// swift-crypto) proved to give the same keys, MACs and verdicts.
final class AESNITests: XCTestCase {
    /// A fixed generator (SplitMix64), so a failure names a case that can be replayed.
    struct Seeded: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func bytes(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8.random(in: 0...255, using: &self) } }
    }

    override func setUpWithError() throws {
        try XCTSkipUnless(AESNI.available, "this CPU has no AES-NI: NewIPSecurity uses swift-crypto only")
    }

    func tagHex(_ tag: (UInt64, UInt64)) -> String { String(format: "%016llx%016llx", tag.0, tag.1) }

    func swiftCryptoCMAC(_ key: [UInt8], _ message: ArraySlice<UInt8>) throws -> String {
        var cmac = try AES.CMAC(key: SymmetricKey(data: key))
        message.withUnsafeBytes { cmac.update(bufferPointer: $0) }
        return hex(cmac.finalize().withUnsafeBytes { Array($0) })
    }

    /// FIPS-197 appendix C.1: AES-128 of 00112233…ff under 00010203…0f.
    func testAESBlockMatchesFIPS197() {
        let key = Array<UInt8>(0...15).withUnsafeBytes { AESNI.key($0) }
        XCTAssertEqual(hex(AESNI.encrypt(key, hexBytes("00112233445566778899aabbccddeeff"))), "69c4e0d86a7b0430d8cdb78070b4c55a")
        // Appendix A.1's key expansion: the last round key.
        XCTAssertEqual(hex(withUnsafeBytes(of: key.round_keys) { Array($0[160..<176]) }), "13111d7fe3944a17f307a78b4d2b30c5")
    }

    /// RFC 4493 section 4: the subkeys and the four example MACs.
    func testCMACMatchesRFC4493() {
        let key = RFC4493.key.withUnsafeBytes { AESNI.key($0) }
        XCTAssertEqual(hex(withUnsafeBytes(of: key.k1) { Array($0) }), "fbeed618357133667c85e08f7236a8de")
        XCTAssertEqual(hex(withUnsafeBytes(of: key.k2) { Array($0) }), "f7ddac306ae266ccf90bc11ee46d513b")
        for (length, expected) in RFC4493.macs {
            XCTAssertEqual(tagHex(RFC4493.message[0..<length].withUnsafeBytes { AESNI.tag(key, $0) }), expected, "Mlen \(length)")
        }
    }

    /// 40 seeded random keys × every length 0…300 (12,040 MACs), at every alignment of the
    /// message: equal to swift-crypto's `AES.CMAC` and to `BlockCMAC` (`AES.permute`).
    func testCMACEqualsSwiftCryptoForRandomKeysAndLengths() throws {
        var random = Seeded(state: 0x5EC0_12E1)
        var cases = 0
        for keyIndex in 0..<40 {
            let keyBytes = random.bytes(16)
            let key = keyBytes.withUnsafeBytes { AESNI.key($0) }
            let block = BlockCMAC(key: SymmetricKey(data: keyBytes))
            let data = random.bytes(316)
            for length in 0...300 {
                let start = (length &* 7 &+ keyIndex) % 16  // unaligned starts
                let message = data[start..<(start + length)]
                let expected = try swiftCryptoCMAC(keyBytes, message)
                let tag = message.withUnsafeBytes { AESNI.tag(key, $0) }
                XCTAssertEqual(tagHex(tag), expected, "key \(hex(keyBytes)) length \(length)")
                if length % 10 == 0 || length < 40 {
                    XCTAssertEqual(tagHex(message.withUnsafeBytes { block.tag($0) }), expected, "BlockCMAC, length \(length)")
                }
                cases += 1
            }
        }
        XCTAssertEqual(cases, 12_040)
    }

    /// The verifier's one-call derivation and MAC equals the two-step computation (derive K_src,
    /// then AES-CMAC under it) on both paths, for every address type and seeded messages.
    func testDerivedMACEqualsTwoStepComputationOnBothPaths() throws {
        var random = Seeded(state: 0xD12E_7E57)
        for round in 0..<200 {
            let secretBytes = random.bytes(16)
            let fast = FirstHopSecret(epoch: 3, key: SymmetricKey(data: secretBytes))
            let slow = FirstHopSecret(epoch: 3, key: SymmetricKey(data: secretBytes), allowAESNI: false)
            XCTAssertTrue(fast.usesAESNI)
            XCTAssertFalse(slow.usesAESNI)
            let source: FrameworkAddress
            switch round % 4 {
            case 0: source = .compact(CompactAddress(value: UInt64.random(in: 0...0xFFFF_FFFF, using: &random))!)
            case 1: source = .ipv4(IPv4Address(UInt8(round), 2, 3, 4))
            case 2: source = .ipv6(random.bytes(16).withUnsafeBytes { IPv6Address(loading: $0, at: 0)! })
            default: source = .eightBit(UInt8(truncatingIfNeeded: round))
            }
            let sourceKey = slow.sourceKey(for: source)
            XCTAssertEqual(fast.sourceKey(for: source).bytes, sourceKey.bytes, "\(source)")
            let message = random.bytes(Int.random(in: 0...200, using: &random))
            var reference = try AES.CMAC(key: sourceKey.key)
            message.withUnsafeBytes { reference.update(bufferPointer: $0) }
            let expected = reference.finalize().withUnsafeBytes { $0.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) } }
            XCTAssertEqual(message.withUnsafeBytes { fast.mac(of: $0, source: source) }, expected, "\(source)")
            XCTAssertEqual(message.withUnsafeBytes { slow.mac(of: $0, source: source) }, expected, "\(source)")
        }
    }

    /// The known answers and the verdicts hold on the swift-crypto path too (a CPU without AES-NI).
    func testSwiftCryptoPathGivesTheKnownAnswersAndVerdicts() {
        let slow = FirstHopSecret(epoch: 7, key: Fixture.secret.key, allowAESNI: false)
        XCTAssertEqual(hex(slow.sourceKey(for: .compact(Fixture.source)).bytes), KnownAnswer.sourceKeyCompact05)
        for dialect in [PacketDialect.compact, .framework] {
            let now = Fixture.now
            let packet = Fixture.sealed(dialect == .compact ? Fixture.compactPacket() : Fixture.frameworkPacket(), dialect: dialect,
                                        timestamp: SourceTime.timestamp(now: now))
            var tampered = packet
            tampered[tampered.count - 1] ^= 1
            for secret in [Fixture.secret, slow] {
                var verifier = SourceAuthVerifier(secrets: [secret], window: 1_000_000_000, now: now)
                func verdict(_ bytes: [UInt8]) -> SourceAuthVerdict {
                    bytes.withUnsafeBytes { verifier.verify(try! NewIPPacketView($0, dialect: dialect), now: now) }
                }
                XCTAssertEqual(verdict(tampered), .badMAC, "\(dialect), AES-NI \(secret.usesAESNI)")
                XCTAssertEqual(verdict(packet), .valid, "\(dialect), AES-NI \(secret.usesAESNI)")
                XCTAssertEqual(verdict(packet), .replay, "\(dialect), AES-NI \(secret.usesAESNI)")
            }
        }
    }
}
