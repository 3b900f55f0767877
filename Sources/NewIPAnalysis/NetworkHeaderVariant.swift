import NewIPWire

/// One way of addressing a packet, with its network-header size measured by encoding a real
/// header with this project's codecs (never a number typed in).
public struct NetworkHeaderVariant: Hashable, Sendable {
    public var name: String
    /// Network-header bytes as the codec writes them.
    public var headerBytes: Int
    public var note: String

    public init(name: String, headerBytes: Int, note: String = "") {
        self.name = name
        self.headerBytes = headerBytes
        self.note = note
    }

    public static let ipv4 = NetworkHeaderVariant(
        name: "IPv4", headerBytes: IPv4Header(source: IPv4Address(10, 0, 0, 1), destination: IPv4Address(10, 0, 0, 2),
                                              protocolNumber: 17, payloadLength: 0).encodedLength,
        note: "no options")
    public static let ipv6 = NetworkHeaderVariant(
        name: "IPv6", headerBytes: IPv6Header(source: .loopback, destination: .loopback, nextHeader: 17,
                                              payloadLength: 0).encodedLength,
        note: "no extension headers")

    /// Compact headers with both addresses `addressBytes` long.
    public static func compact(addressBytes: Int, common: Bool, aligned: Bool = true) -> NetworkHeaderVariant {
        let value: UInt64 = switch addressBytes {
        case 1: 7
        case 2: 300
        case 3: 6000
        case 5: 70000
        case 7: 1 << 40
        default: 1 << 50
        }
        let address = CompactAddress(value: value)!
        let header = CompactHeader(ttl: 64, totalLength: common ? 0 : nil, nextHeader: .udp,
                                   destination: address, source: address)
        let bytes = header.encodedLength - (aligned ? 0 : header.alignmentPadding)
        return NetworkHeaderVariant(
            name: "compact \(common ? "common" : "UDP"), \(addressBytes)-byte addresses\(aligned ? "" : ", unaligned")",
            headerBytes: bytes,
            note: (common ? "with total length" : "no total length")
                + (aligned ? (header.alignmentPadding > 0 ? "; +1 B alignment bitmap" : "") : "; reference alignment switched off"))
    }

    /// Framework headers with both addresses of `type`, optionally carrying an LBF contract.
    public static func framework(_ type: FrameworkAddressType, latencyContract: Bool) -> NetworkHeaderVariant {
        let address: FrameworkAddress = switch type {
        case .ipv4: .ipv4(IPv4Address(10, 0, 0, 1))
        case .ipv6: .ipv6(.loopback)
        case .compact: .compact(CompactAddress(value: 7)!)
        default: .eightBit(7)
        }
        let contracts: [ContractClause] = latencyContract
            ? [.latencyBased(LatencyBasedContract(minDelay: 0, maxDelay: 100))] : []
        let header = FrameworkHeader(source: address, destination: address, contracts: contracts)
        return NetworkHeaderVariant(
            name: "framework, \(type.name) addresses\(latencyContract ? " + LBF" : "")",
            headerBytes: header.encodedLength,
            note: latencyContract ? "12 B latency-based contract" : "no contract")
    }

    /// The variants the overhead study compares.
    public static let studied: [NetworkHeaderVariant] = [
        .ipv4, .ipv6,
        .compact(addressBytes: 1, common: false, aligned: false),
        .compact(addressBytes: 1, common: false),
        .compact(addressBytes: 2, common: false),
        .compact(addressBytes: 8, common: false),
        .compact(addressBytes: 1, common: true),
        .compact(addressBytes: 2, common: true),
        .compact(addressBytes: 8, common: true),
        .framework(.eightBit, latencyContract: false),
        .framework(.compact, latencyContract: false),
        .framework(.ipv4, latencyContract: false),
        .framework(.ipv4, latencyContract: true),
        .framework(.ipv6, latencyContract: false),
        .framework(.ipv6, latencyContract: true),
    ]
}
