import Foundation
import NIOCore
import NewIPDataPlane
import NewIPWire

/// A New IP interface on a Linux Ethernet device: an `AF_PACKET` `SOCK_RAW` socket bound to the
/// device and to the dialect's EtherType (0xEADD compact, 0x88B6 framework).
///
/// Why not SwiftNIO's channels: NIO has no packet-socket channel, and wrapping the descriptor
/// with `NIOPipeBootstrap` is wrong for frames: a pipe channel is a byte stream, and when two or
/// more buffers are flushed together its `PendingStreamWritesManager` writes them with one
/// `writev`, which on a packet socket is one frame holding both packets. So:
///
/// - receiving: a `BatchReceiver` thread reads up to 64 frames per `recvmmsg` and hands each
///   batch to the node's event loop;
/// - sending: on the event loop, frames are laid out back to back in a preallocated buffer and
///   `flush` hands them to the kernel with one `sendmmsg`, one `mmsghdr` per frame, so frames
///   never merge.
final class EthernetLinkPort: LinkPort, @unchecked Sendable {
    static let batch = 64
    static let frameCapacity = 2048

    let etherType: EtherType
    let ownMAC: EthernetAddress
    let peerMAC: EthernetAddress
    let device: String
    private let fd: Int32
    private let ifindex: Int32
    private unowned let node: Node
    private let index: Int

    // Transmit side, used on the event loop only.
    private var txFrames: UnsafeMutableRawBufferPointer
    private var txVectors: UnsafeMutableBufferPointer<iovec>
    private var txMessages: UnsafeMutableBufferPointer<MMsgHdr>
    private var txAddress: UnsafeMutablePointer<SockaddrLL>
    private var txCount = 0

    private var receiver: BatchReceiver!

    init(node: Node, index: Int, device: String, peer: EthernetAddress?, dialect: PacketDialect,
         namespace: String? = nil) throws {
        self.node = node
        self.index = index
        self.device = device
        etherType = dialect == .compact ? .compactNewIP : .frameworkNewIP
        peerMAC = peer ?? .broadcast
        // A socket belongs to the namespace it was opened in, so a device in another namespace
        // is opened from a thread that enters it; the rest of the node stays where it is.
        let etherType = etherType
        let opened = try NetworkNamespace.run(namespace) { () throws -> (fd: Int32, ifindex: Int32, mac: EthernetAddress) in
            try Self.openPacketSocket(device: device, etherType: etherType)
        }
        fd = opened.fd
        ifindex = opened.ifindex
        ownMAC = opened.mac
        var one: Int32 = 1
        setsockopt(fd, Int32(SOL_PACKET), 23, &one, socklen_t(MemoryLayout<Int32>.size))  // PACKET_IGNORE_OUTGOING
        var size: Int32 = 4 << 20
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        // The kernel's receive time for each frame, so a routing probe's delay does not count
        // the time the frame waited for the receive thread and the loop.
        let timestamps = node.kernelReceiveTimestamps
            && setsockopt(fd, SOL_SOCKET, ReceiveBatch.timestampOption, &one, socklen_t(MemoryLayout<Int32>.size)) == 0

        txFrames = .allocate(byteCount: Self.batch * Self.frameCapacity, alignment: 16)
        txVectors = .allocate(capacity: Self.batch)
        txMessages = .allocate(capacity: Self.batch)
        txAddress = .allocate(capacity: 1)
        txAddress.initialize(to: SockaddrLL(family: UInt16(AF_PACKET), protocolNumber: etherType.rawValue.bigEndian,
                                            ifindex: ifindex))
        for i in 0..<Self.batch {
            txVectors[i] = iovec(iov_base: txFrames.baseAddress! + i * Self.frameCapacity, iov_len: 0)
            var message = MMsgHdr()
            message.msg_hdr.msg_iov = txVectors.baseAddress! + i
            message.msg_hdr.msg_iovlen = 1
            message.msg_hdr.msg_name = UnsafeMutableRawPointer(txAddress)
            message.msg_hdr.msg_namelen = socklen_t(MemoryLayout<SockaddrLL>.size)
            txMessages[i] = message
        }
        let ownMAC = ownMAC
        receiver = BatchReceiver(fd: fd, name: device, loop: node.loop, frameCapacity: Self.frameCapacity, mode: .recvmmsg(timestamps: timestamps)) {
            [unowned node] frame, receivedAt in node.linkReceivedFrame(index, frame, etherType: etherType, own: ownMAC, receivedAt: receivedAt)
        } endOfBatch: { [unowned node] in
            node.endOfReadBatch()
        }
    }

    /// Opens and binds the packet socket in the calling thread's namespace; finds the device's
    /// index and MAC address there (ioctls, not sysfs, which shows the mount's namespace).
    private static func openPacketSocket(device: String, etherType: EtherType) throws -> (fd: Int32, ifindex: Int32, mac: EthernetAddress) {
        let fd = socket(AF_PACKET, Int32(SOCK_RAW.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue),
                        Int32(etherType.rawValue.bigEndian))
        guard fd >= 0 else {
            throw ToolError("cannot open a packet socket for \(device): \(String(cString: strerror(errno))) (needs CAP_NET_RAW)")
        }
        // struct ifreq: 16 bytes of name, then the union (ifindex or a sockaddr holding the MAC).
        var request = [UInt8](repeating: 0, count: 40)
        let name = Array(device.utf8.prefix(15))
        request.replaceSubrange(0..<name.count, with: name)
        let SIOCGIFINDEX: UInt = 0x8933, SIOCGIFHWADDR: UInt = 0x8927
        guard request.withUnsafeMutableBytes({ ioctl(fd, SIOCGIFINDEX, $0.baseAddress!) }) == 0 else {
            Glibc.close(fd)
            throw ToolError("no network interface `\(device)` (`ip link` lists the devices)")
        }
        let ifindex = request.withUnsafeBytes { $0.load(fromByteOffset: 16, as: Int32.self) }
        var mac = EthernetAddress(0, 0, 0, 0, 0, 0)
        if request.withUnsafeMutableBytes({ ioctl(fd, SIOCGIFHWADDR, $0.baseAddress!) }) == 0 {
            mac = EthernetAddress(request[18], request[19], request[20], request[21], request[22], request[23])
        }
        var address = SockaddrLL(family: UInt16(AF_PACKET), protocolNumber: etherType.rawValue.bigEndian, ifindex: ifindex)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<SockaddrLL>.size)) }
        }
        guard bound == 0 else {
            Glibc.close(fd)
            throw ToolError("cannot bind a packet socket to \(device): \(String(cString: strerror(errno)))")
        }
        return (fd, ifindex, mac)
    }

    deinit {
        txFrames.deallocate()
        txVectors.deallocate()
        txMessages.deallocate()
        txAddress.deallocate()
    }

    // MARK: Sending (event loop)

    func send(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let length = EthernetFrame.headerLength + bytes.count
        guard length <= Self.frameCapacity else { return false }
        if txCount == Self.batch { flush() }
        let frame = UnsafeMutableRawBufferPointer(rebasing: txFrames[(txCount * Self.frameCapacity)...])
        EthernetFrame(destination: peerMAC, source: ownMAC, etherType: etherType).encode(into: frame, at: 0)
        UnsafeMutableRawBufferPointer(rebasing: frame[EthernetFrame.headerLength..<length]).copyMemory(from: bytes)
        txVectors[txCount].iov_len = length
        txCount += 1
        return true
    }

    func flush() {
        var sent = 0
        while sent < txCount {
            let n = Syscalls.sendmmsg(fd, UnsafeMutableRawPointer(txMessages.baseAddress! + sent), UInt32(txCount - sent), 0)
            if n <= 0 {
                // The device queue is full (or down): these frames are lost, as on a busy wire.
                node.counters[index].drops.record(.linkRefused, count: txCount - sent)
                break
            }
            sent += Int(n)
        }
        txCount = 0
    }

    var isWritable: Bool { true }

    /// Whether the device is up with its carrier (`IFF_UP` and `IFF_RUNNING`: a veth whose
    /// peer is down has no carrier), asked of the socket's own namespace with `SIOCGIFFLAGS`;
    /// `nil` when the device cannot be asked (gone, or the socket closed).
    func hasCarrier() -> Bool? {
        var request = [UInt8](repeating: 0, count: 40)
        let name = Array(device.utf8.prefix(15))
        request.replaceSubrange(0..<name.count, with: name)
        let SIOCGIFFLAGS: UInt = 0x8913, IFF_UP: Int16 = 0x1, IFF_RUNNING: Int16 = 0x40
        guard request.withUnsafeMutableBytes({ ioctl(fd, SIOCGIFFLAGS, $0.baseAddress!) }) == 0 else { return nil }
        let flags = request.withUnsafeBytes { $0.load(fromByteOffset: 16, as: Int16.self) }
        return flags & IFF_UP != 0 && flags & IFF_RUNNING != 0
    }

    func close() { receiver.stop() }

    func waitUntilClosed() { receiver.waitUntilStopped() }
}

/// `struct sockaddr_ll` (netpacket/packet.h), which the Swift overlay does not import.
struct SockaddrLL {
    var family: UInt16
    var protocolNumber: UInt16
    var ifindex: Int32
    var hatype: UInt16 = 0
    var pkttype: UInt8 = 0
    var halen: UInt8 = 0
    var address: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0, 0, 0, 0, 0)

    init(family: UInt16, protocolNumber: UInt16, ifindex: Int32) {
        self.family = family
        self.protocolNumber = protocolNumber
        self.ifindex = ifindex
    }
}

extension Node {
    /// A frame from an Ethernet interface: checks the EtherType and the destination MAC, then
    /// runs the packet after the 14-byte header through the data plane.
    func linkReceivedFrame(_ index: Int, _ frame: UnsafeRawBufferPointer, etherType: EtherType, own: EthernetAddress,
                           receivedAt: Nanoseconds?) {
        guard frame.count > EthernetFrame.headerLength,
              UInt16(frame[12]) << 8 | UInt16(frame[13]) == etherType.rawValue else {
            counters[index].drops.record(.badFrame)
            return
        }
        var destination: UInt64 = 0
        for i in 0..<6 { destination = destination << 8 | UInt64(frame[i]) }
        guard destination == own.rawValue || destination == EthernetAddress.broadcast.rawValue else {
            counters[index].drops.record(.badFrame)
            return
        }
        linkReceived(index, UnsafeRawBufferPointer(rebasing: frame[EthernetFrame.headerLength...]), receivedAt: receivedAt)
    }
}
