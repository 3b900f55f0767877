import Crypto
import Foundation
import XCTest
@testable import NewIPSecurity
import NewIPWire
#if canImport(Glibc)
import Glibc
#endif

final class IdentityTests: XCTestCase {
    func testFixedSeedGivesFixedKeyAndAddresses() throws {
        XCTAssertEqual(hex(Fixture.identity.publicKey), KnownAnswer.publicKey)
        XCTAssertEqual(Fixture.identity.keyID.description, String(hex(SHA256.hash(data: Fixture.identity.publicKey)).prefix(16)))
        // Compact 8-byte address under 0xFE/8: the first 56 bits of the hash.
        let (compact, modifier) = try XCTUnwrap(SelfCertifyingAddress.generate(prefix: CompactAddressPrefix("0xFE/8")!, publicKey: Fixture.identity.publicKey))
        XCTAssertEqual(modifier, 0)
        XCTAssertEqual(compact.hex, KnownAnswer.compactSelfCertified)
        XCTAssertTrue(SelfCertifyingAddress.verify(.compact(compact), prefixLength: 8, publicKey: Fixture.identity.publicKey, modifier: 0))
        XCTAssertFalse(SelfCertifyingAddress.verify(.compact(compact), prefixLength: 8, publicKey: Fixture.identity.publicKey, modifier: 1))
        // IPv6 /64.
        let prefix = FrameworkAddress.ipv6(IPv6Address(0x2001, 0xdb8, 0, 0x42, 0xffff, 0, 0, 0))
        let (ipv6, m6) = try XCTUnwrap(SelfCertifyingAddress.generate(prefix: prefix, prefixLength: 64, publicKey: Fixture.identity.publicKey))
        XCTAssertEqual(m6, 0)
        XCTAssertEqual("\(ipv6)", KnownAnswer.ipv6SelfCertified)
        XCTAssertTrue(SelfCertifyingAddress.verify(ipv6, prefixLength: 64, publicKey: Fixture.identity.publicKey, modifier: 0))
        XCTAssertFalse(SelfCertifyingAddress.verify(ipv6, prefixLength: 64, publicKey: DeviceIdentity.generate().publicKey, modifier: 0))
    }

    func testCompactAddressesStayCanonical() throws {
        // 5-byte addresses (F2): bytes 2-3 must not both be zero; a prefix covering them as zero
        // can never work, one that leaves them to the hash always ends in a canonical address.
        for _ in 0..<50 {
            let key = DeviceIdentity.generate().publicKey
            let (address, modifier) = try XCTUnwrap(SelfCertifyingAddress.generate(prefix: CompactAddressPrefix("0xF2/8")!, publicKey: key))
            XCTAssertEqual(address.encodedLength, 5)
            XCTAssertNoThrow(try CompactAddress(encoded: address.bytes))
            XCTAssertTrue(SelfCertifyingAddress.verify(.compact(address), prefixLength: 8, publicKey: key, modifier: modifier))
        }
        XCTAssertNil(SelfCertifyingAddress.generate(prefix: CompactAddressPrefix("0xF20000/24")!, publicKey: Fixture.identity.publicKey))
        XCTAssertNil(SelfCertifyingAddress.generate(prefix: CompactAddressPrefix("0xFF/8")!, publicKey: Fixture.identity.publicKey))
        XCTAssertNil(SelfCertifyingAddress.generate(prefix: CompactAddressPrefix.all, publicKey: Fixture.identity.publicKey))
    }

    // MARK: certificates

    static let registrar = try! DeviceIdentity(seed: Array(repeating: 0x42, count: 32))

    func certificate() -> AddressCertificate {
        var certificate = AddressCertificate(subject: .compact(CompactAddress(value: 0x1234)!), subjectKey: Fixture.identity.publicKey,
                                             domain: "sensors.example", serial: 1, notBefore: 1_893_456_000, notAfter: 1_924_992_000,
                                             issuer: Self.registrar.keyID)
        certificate.sign(with: Self.registrar)
        return certificate
    }

    func testCertificateEncodingIsFixed() throws {
        let certificate = certificate()
        XCTAssertEqual(hex(certificate.signedBytes), KnownAnswer.certificateSignedBytes)
        XCTAssertEqual(certificate.encoded.count, certificate.signedBytes.count + 64)
        XCTAssertTrue(verifyEd25519(signature: certificate.signature, message: AddressCertificate.signingContext + certificate.signedBytes,
                                    publicKey: Self.registrar.publicKey))
        XCTAssertEqual(try AddressCertificate(parsing: certificate.encoded), certificate)
        XCTAssertTrue(certificate.covers(.compact(CompactAddress(value: 0x1234)!)))
        XCTAssertFalse(certificate.covers(.compact(CompactAddress(value: 0x1235)!)))
    }

    func testCertificateVerdicts() {
        let certificate = certificate()
        let key = Self.registrar.publicKey
        XCTAssertEqual(certificate.verify(registrarKey: key, domain: "sensors.example", now: 1_900_000_000), .valid)
        XCTAssertEqual(certificate.verify(registrarKey: key, domain: "sensors.example", now: 1_924_992_001), .expired)
        XCTAssertEqual(certificate.verify(registrarKey: key, domain: "sensors.example", now: 1_924_992_000), .valid)
        XCTAssertEqual(certificate.verify(registrarKey: key, domain: "sensors.example", now: 1_893_455_999), .notYetValid)
        XCTAssertEqual(certificate.verify(registrarKey: key, domain: "cameras.example", now: 1_900_000_000), .wrongDomain)
        XCTAssertEqual(certificate.verify(registrarKey: Fixture.identity.publicKey, domain: "sensors.example", now: 1_900_000_000), .wrongIssuer)
        var tampered = certificate
        tampered.serial = 2
        XCTAssertEqual(tampered.verify(registrarKey: key, domain: "sensors.example", now: 1_900_000_000), .badSignature)
        var stretched = certificate
        stretched.notAfter += 1
        XCTAssertEqual(stretched.verify(registrarKey: key, domain: "sensors.example", now: 1_900_000_000), .badSignature)
    }

    func testCertificateDecoderErrorsSayWhatAndWhere() {
        let bytes = certificate().encoded
        func error(_ bytes: [UInt8]) -> WireError? {
            do { _ = try AddressCertificate(parsing: bytes); return nil } catch { return error }
        }
        // Every cut is a truncation at or before the cut.
        for cut in 0..<bytes.count {
            guard case .truncated(let at, _)? = error(Array(bytes[..<cut])) else { return XCTFail("cut \(cut) not truncated") }
            XCTAssertLessThanOrEqual(at, cut)
        }
        XCTAssertEqual(error(bytes + [0])?.offset, bytes.count)
        var version = bytes; version[0] = 2
        XCTAssertEqual(error(version)?.offset, 0)
        var type = bytes; type[1] = 9
        XCTAssertEqual(error(type)?.offset, 1)
        var prefix = bytes; prefix[2] = 17  // a 2-byte address has 16 bits
        XCTAssertEqual(error(prefix)?.offset, 2)
        var domain = bytes; domain[4 + 2 + 32 + 1] = UInt8(ascii: "S")  // upper case
        XCTAssertEqual(error(domain)?.offset, 4 + 2 + 32)
        var address = bytes; address[4] = 0xF4  // invalid compact first byte
        XCTAssertEqual(error(address)?.offset, 4)
    }

    // MARK: key file

    func temporaryFolder() -> String {
        let path = "/tmp/nip-security-tests-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
        mkdir(path, 0o700)
        addTeardownBlock { _ = try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    func testKeyFileRoundTripWithMode0600() throws {
        let path = temporaryFolder() + "/device.key"
        try KeyFile.write(Fixture.identity, to: path)
        var status = stat()
        XCTAssertEqual(stat(path, &status), 0)
        XCTAssertEqual(status.st_mode & 0o777, 0o600)
        XCTAssertEqual(try KeyFile.read(path).publicKey, Fixture.identity.publicKey)
        XCTAssertEqual(KeyFile.text(of: Fixture.identity),
                       "swift-newip device key v1\nprivate-key: \(hex(Array(0...31)))\npublic-key: \(KnownAnswer.publicKey)\n")
        // No temporary file is left beside it.
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: (path as NSString).deletingLastPathComponent), ["device.key"])
    }

    func testKeyFileIsNotReplacedWithoutForce() throws {
        let path = temporaryFolder() + "/device.key"
        try KeyFile.write(Fixture.identity, to: path)
        let other = DeviceIdentity.generate()
        XCTAssertThrowsError(try KeyFile.write(other, to: path)) { error in
            XCTAssertTrue("\(error)".contains("--force"), "\(error)")
        }
        XCTAssertEqual(try KeyFile.read(path).publicKey, Fixture.identity.publicKey)
        try KeyFile.write(other, to: path, force: true)
        XCTAssertEqual(try KeyFile.read(path).publicKey, other.publicKey)
    }

    func testReadableKeyFileIsRefusedNamingPathAndFix() throws {
        let path = temporaryFolder() + "/device.key"
        try KeyFile.write(Fixture.identity, to: path)
        chmod(path, 0o644)
        XCTAssertThrowsError(try KeyFile.read(path)) { error in
            XCTAssertEqual("\(error)", "\(path): holds a private key but its mode is 644, readable by others; run `chmod 600 \(path)`")
        }
        chmod(path, 0o640)
        XCTAssertThrowsError(try KeyFile.read(path))
    }

    func testDamagedKeyFilesAreRefused() {
        let good = KeyFile.text(of: Fixture.identity)
        for (text, needle) in [("hello\n", "line 1"), (good.replacingOccurrences(of: "public-key: 0", with: "public-key: 1"), "does not match"),
                               ("swift-newip device key v1\nprivate-key: 00\n", "64 hex digits"),
                               ("swift-newip device key v1\n", "no private-key")] {
            XCTAssertThrowsError(try KeyFile.parse(text, path: "k")) { XCTAssertTrue("\($0)".contains(needle), "\($0)") }
        }
    }
}
