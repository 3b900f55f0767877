import Crypto
import _CryptoExtras
import XCTest
@testable import NewIPSecurity
import NewIPWire

/// Key rotation: epoch secrets derived from a master, the epochs a verifier holds around a
/// boundary, and what it says of a packet under each.
final class KeyEpochsTests: XCTestCase {
    /// 10 s epochs, 2 s grace; `Fixture.now` (2030-01-07 00:00:00 UTC) is a boundary.
    let epochs = KeyEpochs(master: SymmetricKey(data: Array<UInt8>(0...15)), period: 10_000_000_000, grace: 2_000_000_000)
    let second: UInt64 = 1_000_000_000

    func testEpochSecretIsTheMastersCMACOfTheEpochNumber() throws {
        let number = epochs.number(at: Fixture.now)
        XCTAssertEqual(number, 189_406_080)
        var cmac = try AES.CMAC(key: epochs.master)
        [UInt8]([0x02, 0, 0, 0, 0, 0x0B, 0x4A, 0x1B, 0x80]).withUnsafeBytes { cmac.update(bufferPointer: $0) }
        let expected = cmac.finalize().withUnsafeBytes { Array($0) }
        let secret = epochs.secret(number: number)
        XCTAssertEqual(secret.key.withUnsafeBytes { Array($0) }, expected)
        XCTAssertEqual(secret.epoch, 0x80)
        XCTAssertEqual(epochs.secret(number: number, allowAESNI: false).sourceKey(for: .compact(Fixture.source)).bytes,
                       secret.sourceKey(for: .compact(Fixture.source)).bytes)
    }

    func testHeldEpochsAroundABoundary() {
        let n = epochs.number(at: Fixture.now)
        let start = Fixture.now
        XCTAssertEqual(epochs.held(at: start).numbers, [n, n - 1])
        XCTAssertEqual(epochs.held(at: start).until, start + 2 * second)
        XCTAssertEqual(epochs.held(at: start + 2 * second).numbers, [n])
        XCTAssertEqual(epochs.held(at: start + 2 * second).until, start + 8 * second)
        XCTAssertEqual(epochs.held(at: start + 8 * second).numbers, [n, n + 1])
        XCTAssertEqual(epochs.held(at: start + 8 * second).until, start + 10 * second)
        XCTAssertEqual(epochs.held(at: start + 10 * second).numbers, [n + 1, n])
    }

    /// A packet from `Fixture.source` sealed with its key of epoch `number`, stamped `at`.
    func packet(epoch number: UInt64, at clock: UInt64) -> [UInt8] {
        var bytes = Fixture.compactPacket()
        let key = epochs.secret(number: number).sourceKey(for: .compact(Fixture.source))
        try! bytes.withUnsafeMutableBytes {
            try SourceAuthSender.seal($0, dialect: .compact, key: key, timestamp: SourceTime.timestamp(now: clock))
        }
        return bytes
    }

    func verdict(_ bytes: [UInt8], _ verifier: inout SourceAuthVerifier, at clock: UInt64) -> SourceAuthVerdict {
        bytes.withUnsafeBytes { verifier.verify(try! NewIPPacketView($0, dialect: .compact), now: clock) }
    }

    func testPreviousEpochWithinGraceIsValidAfterItStale() {
        let n = epochs.number(at: Fixture.now)
        // The verifier starts mid-epoch n - 1 and moves on as packets arrive.
        var v = SourceAuthVerifier(rotating: epochs, window: 2 * second, now: Fixture.now - 5 * second)
        XCTAssertEqual(v.secrets.map(\.epoch), [KeyEpochs.index(of: n - 1)])
        XCTAssertEqual(verdict(packet(epoch: n - 1, at: Fixture.now - 5 * second), &v, at: Fixture.now - 5 * second), .valid)
        // The next epoch is held from 2 s before its boundary (a sender whose clock runs ahead).
        XCTAssertEqual(verdict(packet(epoch: n, at: Fixture.now - second), &v, at: Fixture.now - second), .valid)
        // Sealed just before the boundary, arriving 1.5 s after it: within the grace.
        XCTAssertEqual(verdict(packet(epoch: n - 1, at: Fixture.now - 1), &v, at: Fixture.now + 1_500_000_000), .valid)
        // A sender that kept the old key, with a fresh timestamp: accepted until the grace ends…
        let lastInGrace = Fixture.now + 2 * second - 1
        XCTAssertEqual(verdict(packet(epoch: n - 1, at: lastInGrace), &v, at: lastInGrace), .valid)
        // …and refused as stale from then on.
        let afterGrace = Fixture.now + 2 * second
        XCTAssertEqual(verdict(packet(epoch: n - 1, at: afterGrace), &v, at: afterGrace), .staleEpoch)
        XCTAssertEqual(v.secrets.map(\.epoch), [KeyEpochs.index(of: n)])
        XCTAssertEqual(verdict(packet(epoch: n - 2, at: afterGrace + 1000), &v, at: afterGrace + 1000), .staleEpoch)
        // Epochs ahead (beyond the next) were never handed out: unknown, not stale.
        XCTAssertEqual(verdict(packet(epoch: n + 5, at: afterGrace + 2000), &v, at: afterGrace + 2000), .unknownEpoch)
        XCTAssertEqual(verdict(packet(epoch: n, at: afterGrace + 3000), &v, at: afterGrace + 3000), .valid)
    }

    func testWithoutASchedulePastEpochsAreUnknown() {
        var v = SourceAuthVerifier(secrets: [epochs.secret(number: 5)], window: 2 * second, now: Fixture.now)
        XCTAssertEqual(verdict(packet(epoch: 4, at: Fixture.now), &v, at: Fixture.now), .unknownEpoch)
    }
}
