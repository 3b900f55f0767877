import Foundation
import XCTest
import NewIPWire
@testable import NewIPAnalysis

final class HeaderOverheadStudyTests: XCTestCase {
    func testHeaderSizesComeFromTheCodecs() {
        XCTAssertEqual(NetworkHeaderVariant.ipv4.headerBytes, 20)
        XCTAssertEqual(NetworkHeaderVariant.ipv6.headerBytes, 40)
        // bitmap + TTL + next header + 1 + 1 = 5, padded to 6 by the reference's alignment rule.
        XCTAssertEqual(NetworkHeaderVariant.compact(addressBytes: 1, common: false).headerBytes, 6)
        XCTAssertEqual(NetworkHeaderVariant.compact(addressBytes: 1, common: false, aligned: false).headerBytes, 5)
        XCTAssertEqual(NetworkHeaderVariant.compact(addressBytes: 2, common: false).headerBytes, 8)
        XCTAssertEqual(NetworkHeaderVariant.compact(addressBytes: 8, common: true).headerBytes, 22)
        // offsets 3 + types and cast 3 + 4 + 4, and + 12 with a latency-based contract.
        XCTAssertEqual(NetworkHeaderVariant.framework(.ipv4, latencyContract: false).headerBytes, 14)
        XCTAssertEqual(NetworkHeaderVariant.framework(.ipv4, latencyContract: true).headerBytes, 26)
        XCTAssertEqual(NetworkHeaderVariant.framework(.ipv6, latencyContract: false).headerBytes, 38)
    }

    func testPublishedClaimNeedsTheUnalignedFiveByteHeader() {
        let study = HeaderOverheadStudy()
        XCTAssertEqual(study.claimReproducingHeaderBytes, 5)
        let row = HeaderOverheadStudy.Row(variant: .compact(addressBytes: 1, common: false), link: .wifi)
        // 44 B against 58 B and 78 B.
        XCTAssertEqual(row.frameOverhead, 44)
        XCTAssertEqual(row.saving(against: .ipv4), 14.0 / 58.0, accuracy: 1e-12)
        XCTAssertEqual(row.saving(against: .ipv6), 34.0 / 78.0, accuracy: 1e-12)
        XCTAssertTrue(study.verdict.contains { $0.hasPrefix("compact UDP, 1-byte addresses (6 B)") && $0.hasSuffix("does not hold.") })
        XCTAssertTrue(study.verdict.contains { $0.hasPrefix("compact UDP, 1-byte addresses, unaligned (5 B)") && $0.hasSuffix("claim holds.") })
    }

    func testMarkdownHasEveryVariantForEveryLink() {
        let markdown = HeaderOverheadStudy().markdown()
        for variant in NetworkHeaderVariant.studied {
            XCTAssertEqual(markdown.components(separatedBy: "| \(variant.name) |").count - 1, 2, variant.name)
        }
    }
}

final class ClaimsDocumentTests: XCTestCase {
    /// docs/claims.md is generated; its header-overhead part must match what the codecs compute
    /// today (the whole document, emulations included, is checked against `nip claims` by
    /// NipCommandTests.testClaimsDocumentIsWhatNipClaimsWrites).
    func testClaimsDocumentStartsWithTodaysHeaderOverheadStudy() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/claims.md")
        let committed = try String(contentsOf: path, encoding: .utf8)
        XCTAssertTrue(committed.hasPrefix(HeaderOverheadStudy().markdown() + "\n"),
                      "docs/claims.md is stale: run `swift run -c release nip claims --output docs/claims.md`")
    }
}

final class SourceAuthenticationOverheadTests: XCTestCase {
    func testAuthenticatorBytesComeFromTheEncodersAndAHFromRFC4302sLayout() {
        let study = SourceAuthenticationOverhead()
        func row(_ name: String) -> SourceAuthenticationOverhead.Row { study.rows.first { $0.name == name }! }
        // The 16-byte item plus the second bitmap byte and the header-length byte it brings (6 → 23),
        // where the 1-byte-address header's alignment byte is the second bitmap already.
        XCTAssertEqual(row("compact UDP, 1-byte addresses").headerBytes, 6)
        XCTAssertEqual(row("compact UDP, 1-byte addresses + authenticator").headerBytes, 23)
        XCTAssertEqual(row("compact UDP, 1-byte addresses + authenticator").authenticationBytes, 17)
        // The framework clause is the 16 bytes, type included.
        XCTAssertEqual(row("framework, ipv4 addresses + authenticator").authenticationBytes, 16)
        // AH: 12 + 12 = 24 on either; 12 + 16 = 28 on IPv4, padded to 32 on IPv6 (64-bit multiple).
        XCTAssertEqual(row("IPv4 + AH, AES-XCBC-MAC-96").headerBytes, 44)
        XCTAssertEqual(row("IPv4 + AH, HMAC-SHA-256-128").headerBytes, 48)
        XCTAssertEqual(row("IPv6 + AH, AES-XCBC-MAC-96").headerBytes, 64)
        XCTAssertEqual(row("IPv6 + AH, HMAC-SHA-256-128").headerBytes, 72)
        XCTAssertEqual(row("IPv6 + AH, HMAC-SHA-256-128").sizing, .computedAH)
        XCTAssertTrue(study.rows.filter { $0.name.contains("AH") }.allSatisfy { $0.sizing == .computedAH })
        XCTAssertTrue(study.rows.filter { !$0.name.contains("AH") }.allSatisfy { $0.sizing == .encoded })
        XCTAssertEqual(row("compact UDP, 1-byte addresses + authenticator").overhead(payload: 64), 23.0 / 87.0, accuracy: 1e-12)
        let markdown = study.markdown()
        XCTAssertTrue(markdown.contains("| IPv6 + AH, HMAC-SHA-256-128 | computed from RFC 4302's layout | 72 | 32 |"), markdown)
    }
}
