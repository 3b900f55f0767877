import Foundation
import XCTest
@testable import NewIPWire

final class IPAddressTests: XCTestCase {
    // MARK: IPv4

    func testIPv4ParseAndPrint() {
        let address = IPv4Address("10.0.1.2")
        XCTAssertEqual(address, IPv4Address(10, 0, 1, 2))
        XCTAssertEqual(address?.rawValue, 0x0A00_0102)
        XCTAssertEqual(address?.description, "10.0.1.2")
        XCTAssertEqual(IPv4Address("0.0.0.0"), .any)
        XCTAssertEqual(IPv4Address("255.255.255.255"), .broadcast)
        XCTAssertEqual(IPv4Address(rawValue: 0xC0A8_0001).description, "192.168.0.1")
        XCTAssertEqual(IPv4Address(1, 2, 3, 4)[octet: 3], 4)
    }

    func testIPv4RejectsBadText() {
        for text in ["", "1.2.3", "1.2.3.4.5", "256.0.0.1", "01.2.3.4", "1.02.3.4", "1..2.3", ".1.2.3", "1.2.3.",
                     " 1.2.3.4", "1.2.3.4 ", "a.b.c.d", "1.2.3.-4", "1.2.3.4/8", "1000.1.1.1", "0x1.2.3.4", "::1"] {
            XCTAssertNil(IPv4Address(text), text)
        }
    }

    func testIPv4OrderAndBytes() {
        XCTAssertLessThan(IPv4Address(9, 255, 255, 255), IPv4Address(10, 0, 0, 0))
        var bytes = [UInt8](repeating: 0xA5, count: 6)
        bytes.withUnsafeMutableBytes { IPv4Address(10, 0, 2, 2).encode(into: $0, at: 1) }
        XCTAssertEqual(bytes, [0xA5, 10, 0, 2, 2, 0xA5])
        bytes.withUnsafeBytes { raw in
            XCTAssertEqual(IPv4Address(loading: raw, at: 1), IPv4Address(10, 0, 2, 2))
            XCTAssertNil(IPv4Address(loading: raw, at: 3))
            XCTAssertNil(IPv4Address(loading: raw, at: -1))
        }
    }

    func testIPv4Prefix() throws {
        let net = try XCTUnwrap(IPv4Prefix("10.0.0.0/8"))
        XCTAssertEqual(net.description, "10.0.0.0/8")
        XCTAssertEqual(net.netmask.description, "255.0.0.0")
        XCTAssertTrue(net.contains(IPv4Address(10, 255, 1, 2)))
        XCTAssertFalse(net.contains(IPv4Address(11, 0, 0, 0)))
        XCTAssertTrue(net.contains(try XCTUnwrap(IPv4Prefix("10.1.0.0/16"))))
        XCTAssertTrue(net.contains(net))
        XCTAssertFalse(net.contains(try XCTUnwrap(IPv4Prefix("0.0.0.0/0"))))
        XCTAssertTrue(try XCTUnwrap(IPv4Prefix("0.0.0.0/0")).contains(.broadcast))
        let host = try XCTUnwrap(IPv4Prefix("10.0.1.2/32"))
        XCTAssertTrue(host.contains(IPv4Address(10, 0, 1, 2)))
        XCTAssertFalse(host.contains(IPv4Address(10, 0, 1, 3)))
        XCTAssertEqual(IPv4Prefix(address: IPv4Address(10, 1, 2, 3), length: 12)?.description, "10.0.0.0/12")
        XCTAssertNil(IPv4Prefix(address: .any, length: 33))
        XCTAssertNil(IPv4Prefix(address: .any, length: -1))
        for text in ["10.0.0.1/8", "10.0.0.0/33", "10.0.0.0/08", "10.0.0.0/", "10.0.0.0", "/8", "10.0.0.0/8/8", "10.0.0.0/+8"] {
            XCTAssertNil(IPv4Prefix(text), text)
        }
    }

    // MARK: IPv6

    func testIPv6CanonicalText() {
        let cases: [(String, String)] = [
            ("::", "::"),
            ("::1", "::1"),
            ("1::", "1::"),
            ("1:0:0:1:0:0:0:1", "1:0:0:1::1"),
            ("0010:0000:0000:0000:0000:0000:0002:0002", "10::2:2"),
            ("10::2:2", "10::2:2"),
            ("2001:DB8::1", "2001:db8::1"),
            ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),    // tie: the first run
            ("1:0:0:0:1:0:0:0", "1::1:0:0:0"),
            ("1:0:1:0:1:0:1:0", "1:0:1:0:1:0:1:0"),              // single zero groups stay
            ("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"),
            ("0:0:1:0:0:0:0:0", "0:0:1::"),
            ("1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0"),
            ("::2:3:4:5:6:7:8", "0:2:3:4:5:6:7:8"),
            ("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"),
            ("::ffff:10.0.0.1", "::ffff:10.0.0.1"),
            ("::ffff:a00:1", "::ffff:10.0.0.1"),
            ("::10.0.0.1", "::a00:1"),
            ("64:ff9b::1.2.3.4", "64:ff9b::102:304"),
            ("1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:102:304"),
            ("fe80::0001:02", "fe80::1:2"),
        ]
        for (input, expected) in cases {
            guard let address = IPv6Address(input) else { XCTFail("refused \(input)"); continue }
            XCTAssertEqual(address.description, expected, input)
            XCTAssertEqual(IPv6Address(expected), address, expected)
        }
    }

    func testIPv6RejectsBadText() {
        for text in ["", ":", ":::", "1:::2", "1::2::3", "12345::", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7",
                     "1:2:3:4:5:6:7:8::", "::1:2:3:4:5:6:7:8", ":1::", "1::2:", ":1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8:",
                     "g::", "fe80::1%eth0", "::1.2.3", "1.2.3.4", "::1.2.3.4.5", "::256.0.0.0", "::01.2.3.4",
                     "1:2:3:4:5:6:7:1.2.3.4", "::1.2.3.4:5", " ::1", "::1 ", "[::1]", "::-1"] {
            XCTAssertNil(IPv6Address(text), text)
        }
    }

    func testIPv6GroupsBytesAndOrder() {
        let address = IPv6Address(0x10, 0, 0, 0, 0, 0, 2, 2)
        XCTAssertEqual(address, IPv6Address("10::2:2"))
        XCTAssertEqual(address[group: 0], 0x10)
        XCTAssertEqual(address[group: 7], 2)
        XCTAssertEqual(address[byte: 1], 0x10)
        XCTAssertEqual(address[byte: 15], 2)
        XCTAssertLessThan(IPv6Address.unspecified, IPv6Address.loopback)
        XCTAssertLessThan(IPv6Address(high: 0, low: .max), IPv6Address(high: 1, low: 0))
        XCTAssertEqual(IPv6Address(ipv4Mapped: IPv4Address(1, 2, 3, 4)).ipv4Mapped, IPv4Address(1, 2, 3, 4))
        XCTAssertNil(IPv6Address.loopback.ipv4Mapped)
        var bytes = [UInt8](repeating: 0xA5, count: 18)
        bytes.withUnsafeMutableBytes { address.encode(into: $0, at: 1) }
        XCTAssertEqual(bytes, [0xA5, 0, 0x10] + [UInt8](repeating: 0, count: 10) + [0, 2, 0, 2, 0xA5])
        bytes.withUnsafeBytes { raw in
            XCTAssertEqual(IPv6Address(loading: raw, at: 1), address)
            XCTAssertNil(IPv6Address(loading: raw, at: 3))
        }
    }

    /// Agrees with the C library: our text parses with `inet_pton` to the same bytes, and
    /// `inet_ntop`'s text parses with ours; the texts are equal except for the deprecated
    /// IPv4-compatible form `::a.b.c.d` that glibc still prints.
    func testIPv6AgreesWithLibc() throws {
        var rng = FrameworkTestSupport.SplitMix64(seed: 0x1F6)
        for _ in 0..<5000 {
            var groups = [UInt16](repeating: 0, count: 8)
            for i in 0..<8 {
                switch rng.next() % 4 {
                case 0, 1: groups[i] = 0
                case 2: groups[i] = UInt16(rng.next() % 16)
                default: groups[i] = UInt16(truncatingIfNeeded: rng.next())
                }
            }
            if rng.next() % 10 == 0 { groups[0...4] = [0, 0, 0, 0, 0]; groups[5] = 0xFFFF }
            let address = IPv6Address(groups[0], groups[1], groups[2], groups[3], groups[4], groups[5], groups[6], groups[7])
            var raw = in6_addr()
            withUnsafeMutableBytes(of: &raw) { buffer in address.encode(into: buffer, at: 0) }
            var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
            XCTAssertNotNil(inet_ntop(AF_INET6, &raw, &text, socklen_t(text.count)))
            let libcText = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            XCTAssertEqual(IPv6Address(libcText), address, libcText)
            var back = in6_addr()
            XCTAssertEqual(inet_pton(AF_INET6, address.description, &back), 1, address.description)
            XCTAssertEqual(withUnsafeBytes(of: &back) { Array($0) }, withUnsafeBytes(of: &raw) { Array($0) })
            let compatible = address.high == 0 && address.low >> 32 == 0 && address.low > 0xFFFF
            if !compatible { XCTAssertEqual(address.description, libcText) }
        }
    }

    func testIPv6Prefix() throws {
        let net = try XCTUnwrap(IPv6Prefix("2001:db8::/32"))
        XCTAssertEqual(net.description, "2001:db8::/32")
        XCTAssertTrue(net.contains(try XCTUnwrap(IPv6Address("2001:db8:ffff::1"))))
        XCTAssertFalse(net.contains(try XCTUnwrap(IPv6Address("2001:db9::1"))))
        XCTAssertTrue(net.contains(try XCTUnwrap(IPv6Prefix("2001:db8:1::/48"))))
        XCTAssertFalse(net.contains(try XCTUnwrap(IPv6Prefix("2001::/16"))))
        XCTAssertTrue(try XCTUnwrap(IPv6Prefix("::/0")).contains(.loopback))
        XCTAssertTrue(try XCTUnwrap(IPv6Prefix("::1/128")).contains(.loopback))
        XCTAssertFalse(try XCTUnwrap(IPv6Prefix("::1/128")).contains(.unspecified))
        let all = IPv6Address(high: .max, low: .max)
        for length in [0, 1, 63, 64, 65, 127, 128] {
            let prefix = try XCTUnwrap(IPv6Prefix(address: all, length: length))
            XCTAssertEqual(prefix.address.high.nonzeroBitCount + prefix.address.low.nonzeroBitCount, length)
            XCTAssertTrue(prefix.contains(all))
            XCTAssertEqual(IPv6Prefix(prefix.description), prefix)
        }
        XCTAssertNil(IPv6Prefix(address: all, length: 129))
        for text in ["2001:db8::1/32", "::/129", "::/01", "::", "::/", "2001:db8::/32/1", "1.2.3.4/8"] {
            XCTAssertNil(IPv6Prefix(text), text)
        }
    }
}
