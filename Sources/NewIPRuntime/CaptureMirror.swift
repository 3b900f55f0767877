import Foundation
import NIOCore
import NIOPosix

/// A capture client of one interface: the node mirrors every packet the interface sends or
/// receives to `sink` as a UDP datagram (`CaptureRecord`), until the lease runs out.
struct CaptureSink {
    var interface: Int
    var sink: SocketAddress
    var expires: Int64
}

/// One mirrored packet: `direction (0 in, 1 out), 3 zero bytes, flags (4), wall-clock time in
/// nanoseconds since 1970 (8, big-endian)`, then the packet: New IP, or IPv4/IPv6 (flag `ip`,
/// a gateway's TUN interface).
public struct CaptureRecord: Sendable {
    public static let headerLength = 16
    static let ipFlag: UInt8 = 1
    public var outgoing: Bool
    /// The packet is IPv4 or IPv6, not New IP.
    public var isIP: Bool
    public var timestamp: UInt64
    public var packet: [UInt8]

    public init?(_ bytes: [UInt8]) {
        guard bytes.count >= Self.headerLength else { return nil }
        outgoing = bytes[0] == 1
        isIP = bytes[7] & Self.ipFlag != 0
        timestamp = bytes[8..<16].reduce(0) { $0 << 8 | UInt64($1) }
        packet = Array(bytes[Self.headerLength...])
    }
}

extension Node {
    /// Capture leases last this long; `nip capture` renews them every few seconds.
    static let captureLease: Int64 = 6_000_000_000

    /// The socket mirrored packets leave from.
    func startCaptureChannel() throws {
        captureChannel = try DatagramBootstrap(group: loop)
            .channelOption(.socketOption(.so_sndbuf), value: 4 << 20)
            .bind(to: try SocketAddress(ipAddress: "127.0.0.1", port: 0)).wait()
    }

    func addCapture(interface: Int, sink: SocketAddress) {
        let expires = Self.now() + Self.captureLease
        if let index = captures.firstIndex(where: { $0.interface == interface && $0.sink == sink }) {
            captures[index].expires = expires
        } else {
            captures.append(CaptureSink(interface: interface, sink: sink, expires: expires))
        }
    }

    func removeCapture(interface: Int, sink: SocketAddress) {
        captures.removeAll { $0.interface == interface && $0.sink == sink }
    }

    func capture(_ interface: Int, outgoing: Bool, _ bytes: UnsafeRawBufferPointer) {
        guard let channel = captureChannel else { return }
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        let stamp = UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
        var sent = false
        for sink in captures where sink.interface == interface {
            var buffer = channel.allocator.buffer(capacity: CaptureRecord.headerLength + bytes.count)
            buffer.writeInteger(UInt8(outgoing ? 1 : 0))
            buffer.writeRepeatingByte(0, count: 6)
            buffer.writeInteger(isTun[interface] ? CaptureRecord.ipFlag : 0)
            buffer.writeInteger(stamp)
            buffer.writeBytes(bytes)
            channel.write(AddressedEnvelope(remoteAddress: sink.sink, data: buffer), promise: nil)
            sent = true
        }
        if sent { channel.flush() }
    }
}
