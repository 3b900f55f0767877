import NewIPSecurity
import NewIPWire

/// The bytes a packet spends on proving its source: New IP's source authenticator (a
/// swift-newip extension, docs/wire.md) against the best non-New-IP way, IPsec AH (RFC 4302)
/// over IPv4 and IPv6.
///
/// The New IP and plain IP headers are the lengths this project's encoders write. AH has no
/// encoder here: its length is computed from RFC 4302's layout (12 fixed bytes + ICV, padded
/// to a multiple of 4 bytes on IPv4 and 8 on IPv6), and the table says so.
public struct SourceAuthenticationOverhead: Sendable {
    public enum Sizing: String, Sendable {
        case encoded = "encoded"
        case computedAH = "computed from RFC 4302's layout"
    }

    public struct Row: Hashable, Sendable {
        public var name: String
        /// Network-layer header bytes (IP header plus AH, or the whole New IP header).
        public var headerBytes: Int
        /// Of these, the bytes that authenticate the source (0 for the unauthenticated rows).
        public var authenticationBytes: Int
        public var sizing: Sizing
        public var note: String

        /// Header bytes over packet bytes for `payload` bytes after the network header.
        public func overhead(payload: Int) -> Double { Double(headerBytes) / Double(headerBytes + payload) }
        /// Authentication bytes over packet bytes for `payload` bytes after the network header.
        public func authenticationShare(payload: Int) -> Double { Double(authenticationBytes) / Double(headerBytes + payload) }
    }

    /// An AH integrity algorithm: its name, where it is specified, and its ICV length.
    public struct AHAlgorithm: Hashable, Sendable {
        public var name: String
        public var reference: String
        public var icvBytes: Int

        public static let aesXCBCMAC96 = AHAlgorithm(name: "AES-XCBC-MAC-96", reference: "RFC 3566", icvBytes: 12)
        public static let hmacSHA256128 = AHAlgorithm(name: "HMAC-SHA-256-128", reference: "RFC 4868", icvBytes: 16)
    }

    /// RFC 4302 section 2: next header, payload length, reserved (2), SPI (4), sequence number (4).
    public static let ahFixedBytes = 12

    /// AH's length with `algorithm`'s ICV: RFC 4302 section 2.6 pads the header to a multiple of
    /// 32 bits on IPv4 and 64 bits on IPv6.
    public static func ahBytes(_ algorithm: AHAlgorithm, ipv6: Bool) -> Int {
        let alignment = ahAlignment(ipv6: ipv6)
        return (ahFixedBytes + algorithm.icvBytes + alignment - 1) / alignment * alignment
    }

    /// AH's length is a multiple of this many bytes.
    public static func ahAlignment(ipv6: Bool) -> Int { ipv6 ? 8 : 4 }

    /// Payloads (bytes after the network header): an IoT reading and a bulk-sized packet.
    public static let payloads = [64, 1000]

    /// The authenticator as the sender writes it (no public key): compact extension item and
    /// framework clause.
    static let authenticator = SourceAuthenticatorItem(epoch: 1, timestamp: 0)

    public var rows: [Row] = []

    public init() {
        let item = Self.authenticator.extensionItem
        // Compact: the encoder's header with and without the item (the item brings the second
        // bitmap and the header-length byte when it is the first extension).
        for addressBytes in [1, 8] {
            let address = CompactAddress(value: addressBytes == 1 ? 7 : 1 << 50)!
            let plain = CompactHeader(ttl: 64, nextHeader: .udp, destination: address, source: address)
            let authenticated = CompactHeader(ttl: 64, nextHeader: .udp, destination: address, source: address,
                                              extensionLength: item.count)
            let plainBytes = plain.bytes().count
            let authenticatedBytes = authenticated.bytes(extensions: item).count
            let name = "compact UDP, \(addressBytes)-byte addresses"
            rows.append(Row(name: name, headerBytes: plainBytes, authenticationBytes: 0, sizing: .encoded,
                            note: plain.alignmentPadding > 0 ? "+\(plain.alignmentPadding) B alignment bitmap" : ""))
            rows.append(Row(name: name + " + authenticator", headerBytes: authenticatedBytes,
                            authenticationBytes: authenticatedBytes - plainBytes, sizing: .encoded,
                            note: "\(item.count) B item + second bitmap and header length"))
        }
        for (type, address) in [(FrameworkAddressType.ipv4, FrameworkAddress.ipv4(IPv4Address(10, 0, 0, 1))),
                                (FrameworkAddressType.ipv6, FrameworkAddress.ipv6(.loopback))] {
            let plain = FrameworkHeader(source: address, destination: address, contracts: []).encoded().count
            let authenticated = FrameworkHeader(source: address, destination: address, contracts: [Self.authenticator.clause])
                .encoded().count
            let name = "framework, \(type.name) addresses"
            rows.append(Row(name: name, headerBytes: plain, authenticationBytes: 0, sizing: .encoded, note: "no contract"))
            rows.append(Row(name: name + " + authenticator", headerBytes: authenticated, authenticationBytes: authenticated - plain,
                            sizing: .encoded, note: "authenticator clause"))
        }
        for (ipv6, variant) in [(false, NetworkHeaderVariant.ipv4), (true, NetworkHeaderVariant.ipv6)] {
            rows.append(Row(name: variant.name, headerBytes: variant.headerBytes, authenticationBytes: 0, sizing: .encoded,
                            note: variant.note))
            for algorithm in [AHAlgorithm.aesXCBCMAC96, .hmacSHA256128] {
                let ah = Self.ahBytes(algorithm, ipv6: ipv6)
                let padding = ah - Self.ahFixedBytes - algorithm.icvBytes
                rows.append(Row(name: "\(variant.name) + AH, \(algorithm.name)", headerBytes: variant.headerBytes + ah,
                                authenticationBytes: ah, sizing: .computedAH,
                                note: "transport mode; \(Self.ahFixedBytes) B + \(algorithm.icvBytes) B ICV (\(algorithm.reference))"
                                    + (padding > 0 ? " + \(padding) B padding" : "")))
            }
        }
    }

    func row(_ name: String) -> Row { rows.first { $0.name == name }! }

    /// Sentences built from the rows.
    public var verdict: [String] {
        let compact = row("compact UDP, 1-byte addresses + authenticator")
        let compactWide = row("compact UDP, 8-byte addresses + authenticator")
        let framework4 = row("framework, ipv4 addresses + authenticator")
        let framework6 = row("framework, ipv6 addresses + authenticator")
        let v4 = row("IPv4 + AH, AES-XCBC-MAC-96"), v4sha = row("IPv4 + AH, HMAC-SHA-256-128")
        let v6 = row("IPv6 + AH, AES-XCBC-MAC-96"), v6sha = row("IPv6 + AH, HMAC-SHA-256-128")
        let small = Self.payloads[0], large = Self.payloads[1]
        let macBits = SourceAuthenticatorItem.Field.macLength * 8
        return [
            "Authenticating the source costs \(compact.authenticationBytes) B in a compact header "
                + "(\(compact.headerBytes - compact.authenticationBytes) → \(compact.headerBytes) B with 1-byte addresses), "
                + "\(framework4.authenticationBytes) B in a framework header, and \(v4.authenticationBytes)–\(v4sha.authenticationBytes) B "
                + "of AH on IPv4 or \(v6.authenticationBytes)–\(v6sha.authenticationBytes) B on IPv6 "
                + "(\(AHAlgorithm.aesXCBCMAC96.name) to \(AHAlgorithm.hmacSHA256128.name)).",
            "With a \(small)-byte payload the network header is \(percent(compact.overhead(payload: small))) of the packet "
                + "for authenticated compact New IP with 1-byte addresses (\(percent(compactWide.overhead(payload: small))) with 8-byte addresses), "
                + "against \(percent(v4.overhead(payload: small))) for IPv4 + AH and \(percent(v6.overhead(payload: small))) for IPv6 + AH "
                + "with the smaller ICV (\(AHAlgorithm.aesXCBCMAC96.name)); "
                + "framework New IP with the authenticator: \(percent(framework4.overhead(payload: small))) (IPv4 addresses), "
                + "\(percent(framework6.overhead(payload: small))) (IPv6 addresses).",
            "With a \(large)-byte payload the same headers are \(percent(compact.overhead(payload: large))), "
                + "\(percent(compactWide.overhead(payload: large))), \(percent(v4.overhead(payload: large))) and "
                + "\(percent(v6.overhead(payload: large))) of the packet; the bytes authentication adds are "
                + "\(percent(compact.authenticationShare(payload: large))) (compact) to "
                + "\(percent(v6sha.authenticationShare(payload: large))) (IPv6 + AH, \(AHAlgorithm.hmacSHA256128.name)).",
            "Not the same protection: the New IP authenticator carries a \(macBits)-bit MAC, AH a "
                + "\(AHAlgorithm.aesXCBCMAC96.icvBytes * 8)- or \(AHAlgorithm.hmacSHA256128.icvBytes * 8)-bit ICV.",
        ]
    }

    /// The section of docs/claims.md.
    public func markdown() -> String {
        let a = AHAlgorithm.aesXCBCMAC96, b = AHAlgorithm.hmacSHA256128
        var out = """
        ## Source authentication: bytes per packet

        What proving a packet's source costs in header bytes: New IP's source authenticator (a swift-newip
        extension: docs/wire.md, "Source authenticator"; no key carried) against the best non-New-IP way,
        IPsec AH in transport mode (RFC 4302) over IPv4 and IPv6. New IP and plain IP headers are the
        lengths the encoders write; AH has no encoder in this project, so its rows are computed from RFC
        4302's layout (\(Self.ahFixedBytes) fixed bytes + ICV, padded to a multiple of \(Self.ahAlignment(ipv6: false)) bytes on IPv4 and \(Self.ahAlignment(ipv6: true)) on
        IPv6) with \(a.name) (\(a.reference), \(a.icvBytes)-byte ICV) or \(b.name) (\(b.reference), \(b.icvBytes)-byte ICV).
        "Auth bytes" is what authentication adds to the same header without it; overhead is header bytes
        over packet bytes for a payload of that many bytes after the network header.


        """
        out += "| network header | sized | header bytes | auth bytes | "
            + Self.payloads.map { "overhead, \($0) B payload" }.joined(separator: " | ") + " | note |\n"
        out += "|---|---|---:|---:|" + Self.payloads.map { _ in "---:|" }.joined() + "---|\n"
        for row in rows {
            out += "| \(row.name) | \(row.sizing.rawValue) | \(row.headerBytes) | \(row.authenticationBytes) | "
                + Self.payloads.map { percent(row.overhead(payload: $0)) }.joined(separator: " | ") + " | \(row.note) |\n"
        }
        out += "\n### Verdict\n\n" + verdict.map { "- \($0)" }.joined(separator: "\n") + "\n"
        out += """

        ### What the comparison does not capture

        - Where the proof is checked. AH is verified end to end, by the receiver, with keys agreed per pair of
          hosts: each peer needs a security association (in practice negotiated by IKE), and AH's sequence
          number gives replay protection per association. The New IP authenticator is checked at the first
          hop only, with keys derived from that first hop's secret (no state per sender); routers further on
          and the receiver cannot check it.
        - Who can check it. AH's ICV lets the receiver check the payload and the header's invariant fields;
          the New IP MAC covers the packet's invariant bytes too, but only the first hop can derive the key,
          so a packet altered after the first hop is not detected by this check.
        - Strength and cost of the MAC, key management traffic, and the bytes of link layers around the packet.

        """
        return out
    }
}
