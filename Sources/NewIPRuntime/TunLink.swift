import Foundation
import NIOCore
import NewIPDataPlane
import NewIPWire

/// A gateway's IP side: a Linux TUN device. The kernel hands the node every IPv4 and IPv6
/// packet it routes into the device, and takes every packet the node writes as if it had
/// arrived on it, so the gateway's IP neighbours are ordinary Linux hosts and sockets (on
/// this machine, in a namespace, or beyond a real router).
///
/// The node creates the device (`TUNSETIFF`, no packet-information header), brings it up with
/// the interface's address (a /32 or /128) and MTU, and adds a kernel route into it for each
/// configured prefix; the device disappears when the node closes it. Opening a TUN device
/// needs `CAP_NET_ADMIN`.
///
/// Receiving: a `BatchReceiver` thread `read`s packets (a TUN descriptor is not a socket, so
/// no `recvmmsg`). Sending: one `write` per packet, on the event loop; a packet the device
/// refuses (its queue full) is lost, as on a busy wire.
final class TunLinkPort: LinkPort, @unchecked Sendable {
    private let fd: Int32
    private unowned let node: Node
    private let index: Int
    private var receiver: BatchReceiver!

    init(node: Node, index: Int, device: String, address: FrameworkAddress?, routes: [RoutePrefix], mtu: Int,
         namespace: String?) throws {
        self.node = node
        self.index = index
        fd = try NetworkNamespace.run(namespace) { try Self.openTun(device) }
        do {
            try Self.configure(device: device, address: address, routes: routes, mtu: mtu, namespace: namespace)
        } catch {
            Glibc.close(fd)
            throw error
        }
        receiver = BatchReceiver(fd: fd, name: device, loop: node.loop, frameCapacity: mtu, mode: .read) {
            [unowned node] packet, _ in node.tunReceived(index, packet)
        } endOfBatch: { [unowned node] in
            node.endOfReadBatch()
        }
    }

    /// Opens `/dev/net/tun` and attaches it to a new (or existing) device named `device`.
    private static func openTun(_ device: String) throws -> Int32 {
        let fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { throw ToolError("cannot open /dev/net/tun: \(String(cString: strerror(errno)))") }
        // struct ifreq: 16 bytes of name, then `short ifr_flags`.
        var request = [UInt8](repeating: 0, count: 40)
        request.replaceSubrange(0..<min(15, device.utf8.count), with: device.utf8.prefix(15))
        let flags: UInt16 = 0x0001 | 0x1000  // IFF_TUN | IFF_NO_PI
        request[16] = UInt8(flags & 0xFF)
        request[17] = UInt8(flags >> 8)
        let TUNSETIFF: UInt = 0x4004_54CA
        guard request.withUnsafeMutableBytes({ ioctl(fd, TUNSETIFF, $0.baseAddress!) }) == 0 else {
            let reason = String(cString: strerror(errno))
            Glibc.close(fd)
            throw ToolError("cannot create TUN device \(device): \(reason) (needs CAP_NET_ADMIN: run as root or in a namespace you own)")
        }
        return fd
    }

    /// Brings the device up with `address`, `mtu` and the kernel routes into it (`ip`).
    private static func configure(device: String, address: FrameworkAddress?, routes: [RoutePrefix], mtu: Int,
                                  namespace: String?) throws {
        let ip = namespace.map { "ip -n \($0)" } ?? "ip"
        // No link-local address, so no router solicitations into the device. (A forwarding kernel
        // still reports its multicast groups there; the node counts those as `multicast`.)
        var commands = ["\(ip) link set dev \(device) addrgenmode none", "\(ip) link set dev \(device) mtu \(mtu) up"]
        switch address {
        case .ipv4(let a)?: commands.append("\(ip) addr replace \(a)/32 dev \(device)")
        case .ipv6(let a)?: commands.append("\(ip) -6 addr replace \(a)/128 dev \(device) nodad")
        default: break
        }
        for route in routes {
            commands.append("\(ip) \(route.isIPv6 ? "-6" : "-4") route replace \(route) dev \(device)")
        }
        for command in commands {
            let result = ProcessControl.shell(command)
            guard result.status == 0 else {
                throw ToolError("TUN device \(device): `\(command)` failed: \(result.output.trimmingCharacters(in: .whitespacesAndNewlines))")
            }
        }
    }

    func send(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard Glibc.write(fd, bytes.baseAddress, bytes.count) == bytes.count else {
            node.counters[index].drops.record(.linkRefused)
            return false
        }
        return true
    }

    func flush() {}

    var isWritable: Bool { true }

    func close() { receiver.stop() }

    func waitUntilClosed() { receiver.waitUntilStopped() }
}

extension RoutePrefix {
    var isIPv6: Bool {
        if case .ipv6 = self { return true }
        return false
    }
}
