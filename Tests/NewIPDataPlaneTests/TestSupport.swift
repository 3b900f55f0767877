import NewIPRandom
import NewIPWire
@testable import NewIPDataPlane

/// The shared seeded generator, under the name these tests use.
typealias SeededGenerator = SplitMix64

/// A route out of `interface` to neighbour `interface`.
func route(_ interface: Int, toDelay: Nanoseconds = 0, toHops: Int = 1) -> Route {
    Route(nextHop: NextHop(interface: interface, neighbour: NeighbourID(rawValue: UInt64(interface))),
          toDelay: toDelay, toHops: toHops)
}

let localRoute = Route(nextHop: .local)

func ms(_ milliseconds: Int64) -> Nanoseconds { milliseconds * 1_000_000 }

func compact(_ text: String) -> CompactAddress { CompactAddress(text)! }

func compactPrefix(_ text: String) -> RoutePrefix { .compact(CompactAddressPrefix(text)!) }

func ipv4(_ text: String) -> IPv4Address { IPv4Address(text)! }

func ipv6(_ text: String) -> IPv6Address { IPv6Address(text)! }

/// A compact UDP packet: header (with `extensions`), UDP header with a valid checksum, data.
func compactUDPPacket(ttl: UInt8 = 64, source: CompactAddress = compact("0x11"), destination: CompactAddress,
                      sourcePort: UInt16 = 5000, destinationPort: UInt16 = 6000,
                      extensions: [UInt8] = [], totalLength: Bool = false, data: [UInt8]) -> [UInt8] {
    var header = CompactHeader(ttl: ttl, nextHeader: .udp, destination: destination, source: source,
                               extensionLength: extensions.count)
    let udpLength = 8 + data.count
    if totalLength { header.totalLength = UInt16(header.encodedLength + 2 + udpLength) }
    var datagram = [UInt8](repeating: 0, count: udpLength)
    datagram.withUnsafeMutableBytes { raw in
        _ = UDPHeader(sourcePort: sourcePort, destinationPort: destinationPort, length: UInt16(udpLength)).encode(into: raw)
    }
    datagram.replaceSubrange(8..., with: data)
    let checksum = datagram.withUnsafeBytes {
        CompactChecksum.compute(source: source, destination: destination, nextHeader: .udp, data: $0)
    }
    datagram[6] = UInt8(checksum >> 8)
    datagram[7] = UInt8(checksum & 0xFF)
    return header.bytes(extensions: extensions) + datagram
}

/// A framework packet with `contracts` and `payload`.
func frameworkPacket(source: FrameworkAddress = .eightBit(1), destination: FrameworkAddress,
                     contracts: [ContractClause] = [], payload: [UInt8]) -> [UInt8] {
    FrameworkPacket(header: FrameworkHeader(source: source, destination: destination, contracts: contracts),
                    payload: payload).encoded()
}

extension PacketBuffer {
    init(_ bytes: [UInt8]) { self.init(bytes: bytes, headroom: 64, tailroom: 64) }
}

/// Why a queue refused a packet (`nil`: it took it).
func droppedReason(_ result: EnqueueResult) -> DropReason? {
    if case .dropped(let reason, _) = result { return reason }
    return nil
}

/// A queued packet of `size` bytes whose first byte is `tag`, with an LBF window; `urgent` and
/// `maxDelay` mark it as carrying an LBF or MDF clause, as the router's metadata would.
func queuedPacket(_ tag: UInt8, size: Int = 10, urgent: Bool = false, maxDelay: Bool = false,
                  earliest: Nanoseconds = 0, deadline: Nanoseconds = .max) -> PacketBuffer {
    var packet = PacketBuffer([tag] + [UInt8](repeating: 0, count: size - 1))
    if urgent { packet.metadata.contracts.latencyBased = 0 }
    if maxDelay { packet.metadata.contracts.maxDelay = 0 }
    packet.metadata.earliestDeparture = earliest
    packet.metadata.deadline = deadline
    return packet
}

/// The tags of the packets `queue` lets go at `now`, in order.
func dequeueTags<Q: QueueDiscipline>(_ queue: inout Q, at now: Nanoseconds) -> [UInt8] {
    var tags: [UInt8] = []
    while let packet = queue.dequeue(now: now) { tags.append(packet.bytes[0]) }
    return tags
}
