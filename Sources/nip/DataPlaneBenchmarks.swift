import NewIPDataPlane
import NewIPNode
import NewIPRandom
import NewIPRuntime
import NewIPWire

/// Longest-prefix match over a 100,000-route table, probed with addresses that hit.
struct CompactLookup: BenchOperation {
    let table: ForwardingTable
    let probes: UnsafeBufferPointer<CompactAddress>
    var count: Int { probes.count }
    @inline(__always) func run(_ i: Int) -> Int { table.lookup(probes[i])?.nextHop.interface ?? -1 }
}

struct IPv4Lookup: BenchOperation {
    let table: ForwardingTable
    let probes: UnsafeBufferPointer<IPv4Address>
    var count: Int { probes.count }
    @inline(__always) func run(_ i: Int) -> Int { table.lookup(probes[i])?.nextHop.interface ?? -1 }
}

/// Packets processed again and again, each restored first (a few bytes copied into its buffer)
/// as a new packet would arrive in a receive buffer.
struct ReplayedPackets {
    var buffers: [PacketBuffer]
    let originals: [[UInt8]]

    init(_ packets: [[UInt8]]) {
        originals = packets
        buffers = packets.map { PacketBuffer(bytes: $0) }
    }

    @inline(__always) mutating func arrive(_ i: Int) {
        let original = originals[i]
        buffers[i].receive { raw in
            original.withUnsafeBytes { raw.copyMemory(from: $0) }
            return original.count
        }
    }
}

/// The per-packet work of a router without its queue: parse and validate, route lookup, TTL or
/// hop limit, contract clauses on arrival, and the departure step that rewrites the delay
/// clauses.
struct ForwardPipeline: BenchOperation {
    var engine: ForwardingEngine
    var packets: ReplayedPackets
    let dialect: PacketDialect
    var count: Int { packets.buffers.count }

    init(table: ForwardingTable, packets: [[UInt8]], dialect: PacketDialect) {
        engine = ForwardingEngine(table: table)
        self.packets = ReplayedPackets(packets)
        self.dialect = dialect
    }

    @inline(__always) mutating func run(_ i: Int) -> Int {
        packets.arrive(i)
        switch engine.process(&packets.buffers[i], dialect: dialect, ingress: 0, now: 1_000_000) {
        case .forward(let egress, _, _):
            return engine.depart(&packets.buffers[i], now: 1_200_000, linkDelay: 500_000) ? egress : -2
        case .deliver: return -3
        case .drop: return -4
        }
    }
}

/// A gateway's translation of one UDP datagram in place (checksum verified, header replaced,
/// checksum recomputed).
struct GatewayTranslation: BenchOperation {
    let gateway: Gateway
    var packets: ReplayedPackets
    let toIP: Bool
    var count: Int { packets.buffers.count }

    init(gateway: Gateway, packets: [[UInt8]], toIP: Bool) {
        self.gateway = gateway
        self.packets = ReplayedPackets(packets)
        self.toIP = toIP
    }

    @inline(__always) mutating func run(_ i: Int) -> Int {
        packets.arrive(i)
        do {
            _ = toIP ? try gateway.compactToIP(&packets.buffers[i]) : try gateway.ipToCompact(&packets.buffers[i])
            return packets.buffers[i].count
        } catch {
            return -1
        }
    }

    /// 256 sensors on 1- and 2-byte addresses sending 64-byte readings to an IPv6 server
    /// (`0xF11400` ↔ `2001:db8::10`, sensors embedded in `2001:db8:f::/64`), and the same
    /// datagrams as the server's IPv6 answers.
    static func make() -> (compactToIPv6: GatewayTranslation, ipv6ToCompact: GatewayTranslation) {
        var mapping = GatewayMapping(ipv6Prefix: IPv6Prefix("2001:db8:f::/64")!)
        let server = CompactAddress("0xF11400")!
        mapping.bind(server, to: IPv6Address("2001:db8::10")!)
        let gateway = Gateway(mapping: mapping)
        var compact: [[UInt8]] = []
        var ipv6: [[UInt8]] = []
        for i in 0..<256 {
            let sensor = CompactAddress(value: UInt64(i < 128 ? i : 0x100 + i))!
            let packet = PacketBuilder.udp(dialect: .compact, source: .compact(sensor), sourcePort: 6000, destination: .compact(server),
                                           destinationPort: 5000, clauses: [], data: [UInt8](repeating: UInt8(i), count: 64))!
            compact.append(packet)
            var translated = PacketBuffer(bytes: packet)
            _ = try! gateway.compactToIP(&translated)
            ipv6.append(translated.withUnsafeBytes { Array($0) })
        }
        return (GatewayTranslation(gateway: gateway, packets: compact, toIP: true),
                GatewayTranslation(gateway: gateway, packets: ipv6, toIP: false))
    }
}

enum DataPlaneBenchmarks {
    static let routeCount = 100_000

    /// 100,000 compact routes spread over the byte lengths compact islands route on
    /// (/16, /24, /32, /40), and probes that each match one of them.
    static func compactTable() -> (ForwardingTable, [CompactAddress]) {
        var random = SplitMix64(seed: 42)
        var table = ForwardingTable()
        var probes: [CompactAddress] = []
        let lengths = [16, 24, 32, 40]
        while table.count < routeCount {
            let address = CompactAddress(value: 0x1_0000_0000 + random.next() % 0xFFFF_0000_0000)!  // 7-byte form
            let length = lengths[Int(random.next() % 4)]
            let prefix = CompactAddressPrefix(address, length: length)!
            _ = table.insert(Route(nextHop: NextHop(interface: Int(random.next() % 8), neighbour: NeighbourID(rawValue: 1))),
                             for: .compact(prefix))
            probes.append(address)
        }
        return (table, probes)
    }

    static func ipv4Table() -> (ForwardingTable, [IPv4Address]) {
        var random = SplitMix64(seed: 43)
        var table = ForwardingTable()
        var probes: [IPv4Address] = []
        let lengths = [8, 16, 20, 24, 32]
        while table.count < routeCount {
            let address = IPv4Address(rawValue: UInt32(truncatingIfNeeded: random.next()))
            let length = lengths[Int(random.next() % UInt64(lengths.count))]
            let prefix = IPv4Prefix(address: address, length: length)!
            _ = table.insert(Route(nextHop: NextHop(interface: Int(random.next() % 8), neighbour: NeighbourID(rawValue: 1))),
                             for: .ipv4(prefix))
            probes.append(address)
        }
        return (table, probes)
    }

    static func all() -> [Benchmark] {
        let (compact, compactProbes) = compactTable()
        let (ipv4, ipv4Probes) = ipv4Table()
        let compactProbeBuffer = UnsafeMutableBufferPointer<CompactAddress>.allocate(capacity: compactProbes.count)
        _ = compactProbeBuffer.initialize(from: compactProbes)
        let ipv4ProbeBuffer = UnsafeMutableBufferPointer<IPv4Address>.allocate(capacity: ipv4Probes.count)
        _ = ipv4ProbeBuffer.initialize(from: ipv4Probes)

        // Forwarding: 256 destinations routed on one compact table / one IPv4 table.
        var random = SplitMix64(seed: 44)
        var forwardTable = ForwardingTable()
        var compactPackets: [[UInt8]] = []
        var frameworkPackets: [[UInt8]] = []
        for i in 0..<256 {
            let destination = CompactAddress(value: 0x1_0000 + UInt64(i) * 977)!
            _ = forwardTable.insert(Route(nextHop: NextHop(interface: i % 4, neighbour: NeighbourID(rawValue: 1)),
                                          toDelay: 2_000_000, toHops: 2),
                                    for: .compact(CompactAddressPrefix(exactly: destination)))
            let ipv4 = IPv4Address(rawValue: 0x0A00_0000 | UInt32(i) << 8)
            _ = forwardTable.insert(Route(nextHop: NextHop(interface: i % 4, neighbour: NeighbourID(rawValue: 1)),
                                          toDelay: 2_000_000, toHops: 2),
                                    for: .ipv4(IPv4Prefix(address: ipv4, length: 24)!))
            let source = random.address()
            let header = CompactHeader(ttl: 64, nextHeader: .udp, destination: destination, source: source)
            compactPackets.append(header.bytes() + [UInt8](repeating: 0xAB, count: 64))
            let framework = FrameworkHeader(
                source: .ipv4(IPv4Address(10, 9, 9, 9)), destination: .ipv4(IPv4Address(rawValue: ipv4.rawValue | 7)),
                contracts: [.latencyBased(LatencyBasedContract(minDelay: 0, maxDelay: 50, experiencedDelay: 3,
                                                               fibToDelay: 2, fibToHops: 2))])
            frameworkPackets.append(framework.encoded() + [UInt8](repeating: 0xAB, count: 64))
        }
        // The same tables probed with 1,024 destinations only: the working set of a router whose
        // traffic goes to few destinations stays in cache.
        let hotCompact = UnsafeBufferPointer(rebasing: compactProbeBuffer[0..<1024])
        let hotIPv4 = UnsafeBufferPointer(rebasing: ipv4ProbeBuffer[0..<1024])
        let gateway = GatewayTranslation.make()
        return [
            Benchmark(name: "lookup-compact-100k", inputs: "100,000 routes in /16, /24, /32, /40; one probe per route",
                      CompactLookup(table: compact, probes: UnsafeBufferPointer(compactProbeBuffer))),
            Benchmark(name: "lookup-compact-100k-hot", inputs: "the same table, 1,024 destinations",
                      CompactLookup(table: compact, probes: hotCompact)),
            Benchmark(name: "lookup-ipv4-100k", inputs: "100,000 routes in /8, /16, /20, /24, /32; one probe per route",
                      IPv4Lookup(table: ipv4, probes: UnsafeBufferPointer(ipv4ProbeBuffer))),
            Benchmark(name: "lookup-ipv4-100k-hot", inputs: "the same table, 1,024 destinations",
                      IPv4Lookup(table: ipv4, probes: hotIPv4)),
            Benchmark(name: "forward-compact", inputs: "256 UDP packets, 64 B payload: parse, lookup, TTL, depart",
                      ForwardPipeline(table: forwardTable, packets: compactPackets, dialect: .compact)),
            Benchmark(name: "forward-framework-lbf", inputs: "256 packets with an LBF clause: parse, lookup, budget, depart",
                      ForwardPipeline(table: forwardTable, packets: frameworkPackets, dialect: .framework)),
            Benchmark(name: "gateway-compact-to-ipv6", inputs: "256 compact UDP datagrams, 64 B: verify, map, IPv6 header, checksum",
                      gateway.compactToIPv6),
            Benchmark(name: "gateway-ipv6-to-compact", inputs: "the same datagrams as IPv6 answers, translated back",
                      gateway.ipv6ToCompact),
        ]
    }
}
