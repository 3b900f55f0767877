import NIOCore
import NIOPosix
import NewIPDataPlane
import NewIPNode
import NewIPTopology
import NewIPWire

/// The application port protocol between a node and the applications on its machine (the
/// host socket API, `nip send/listen/ping/traceroute`): small UDP datagrams on loopback.
/// Layout in docs/node.md.
public enum AppProtocol {
    public static let magic: UInt8 = 0x4E
    public static let bind: UInt8 = 0x01
    public static let unbind: UInt8 = 0x02
    public static let send: UInt8 = 0x03
    public static let info: UInt8 = 0x04
    public static let bound: UInt8 = 0x81
    public static let infoReply: UInt8 = 0x84
    public static let deliver: UInt8 = 0x10
    /// `4E 20 length token(length) op …`: the message `4E op …` with the node's token
    /// (`auth-token:`); a node that requires a token refuses every message without it.
    public static let authenticated: UInt8 = 0x20

    public static let kindUDP: UInt8 = 0
    public static let kindControl: UInt8 = 1
    /// The packets of topology flows that carry the probe straight after the header (no UDP):
    /// what `nip run` receives its flows' packets with. Port 0 only.
    public static let kindProbe: UInt8 = 2

    /// Applications refresh their bindings more often than this.
    public static let lease: Nanoseconds = 30_000_000_000

    public static let statusOK: UInt8 = 0
    public static let statusInUse: UInt8 = 1
    public static let statusBadRequest: UInt8 = 2
    /// The node requires its token (`4E 20 …`) and the message did not carry it, or the wrong one.
    public static let statusUnauthorized: UInt8 = 3

    /// The start of every message to a node: `4E op`, or `4E 20 length token op` with `token`.
    public static func header(_ op: UInt8, token: String?) -> [UInt8] {
        guard let token else { return [magic, op] }
        let bytes = Array(token.utf8.prefix(255))
        return [magic, authenticated, UInt8(bytes.count)] + bytes + [op]
    }
}

final class AppPortHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    unowned let node: Node

    init(node: Node) { self.node = node }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        node.appMessage(envelope.data, from: envelope.remoteAddress)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        node.logProblem(node.appIndex, "application port: \(error)", now: Node.now())
    }
}

extension Node {
    func startAppPort(_ endpoint: NodeConfig.Endpoint) throws {
        let bootstrap = DatagramBootstrap(group: loop)
            .channelOption(.socketOption(.so_rcvbuf), value: 4 << 20)
            .channelOption(.socketOption(.so_sndbuf), value: 4 << 20)
            .channelOption(.datagramVectorReadMessageCount, value: 32)
            .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 32 * 2048))
            .channelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(AppPortHandler(node: self)) }
            }
        let channel = try bind("the application port (UDP)", endpoint) { try bootstrap.bind(to: $0).wait() }
        appChannel = channel
        appAddress = channel.localAddress
    }

    /// The address applications send from by default: the first local address.
    var defaultSource: FrameworkAddress? { config.localAddresses.first }

    func appMessage(_ message: ByteBuffer, from application: SocketAddress) {
        let now = Self.now()
        guard message.readableBytes >= 2, message.getInteger(at: message.readerIndex, as: UInt8.self) == AppProtocol.magic,
              var op = message.getInteger(at: message.readerIndex + 1, as: UInt8.self) else {
            counters[appIndex].drops.record(.badFrame)
            logProblem(appIndex, "application port: a datagram that is not the application protocol", now: now)
            return
        }
        // Where the operation's byte is: after `4E`, or after `4E 20 length token`.
        var base = message.readerIndex + 1
        var tokenValid = false
        if op == AppProtocol.authenticated {
            guard let length = message.getInteger(at: base + 1, as: UInt8.self), message.readableBytes >= 4 + Int(length),
                  let inner = message.getInteger(at: base + 2 + Int(length), as: UInt8.self) else {
                counters[appIndex].drops.record(.badFrame)
                reply(to: application, op: AppProtocol.bound, status: AppProtocol.statusBadRequest, port: 0)
                return
            }
            if let expected = security.authToken {
                tokenValid = message.withUnsafeReadableBytes { bytes in
                    let start = base + 2 - message.readerIndex
                    return NodeAuth.matches(bytes[start..<(start + Int(length))], expected)
                }
            }
            base += 2 + Int(length)
            op = inner
        }
        if security.authToken != nil && !tokenValid {
            // Refused with a status the sender can read; a packet is counted as a bad frame.
            security.appRefused += 1
            if op == AppProtocol.send { counters[appIndex].drops.record(.badFrame) }
            logProblem(appIndex, "application port: a message without this node's token (see docs/node.md, Authentication)", now: now)
            reply(to: application, op: op == AppProtocol.info ? AppProtocol.infoReply : AppProtocol.bound,
                  status: AppProtocol.statusUnauthorized, port: 0)
            return
        }
        switch op {
        case AppProtocol.send:
            message.withUnsafeReadableBytes { bytes in
                let packet = UnsafeRawBufferPointer(rebasing: bytes[(base + 1 - message.readerIndex)...])
                counters[appIndex].rxPackets &+= 1
                counters[appIndex].rxBytes &+= packet.count
                // Applications send from the node's own addresses only: a packet that claims
                // another source is refused (`foreign-source`), before it is sealed; unless the
                // node is an experiment's spoofer.
                guard config.spoofer || sourceIsOwn(packet) else {
                    counters[appIndex].drops.record(.foreignSource)
                    chargeForeignSource(packet)
                    logProblem(appIndex, "application port: a packet whose source is not one of this node's addresses", now: now)
                    return
                }
                func enqueue(_ packet: UnsafeRawBufferPointer) {
                    guard let buffer = dataPlane.buffer(copying: packet) else {
                        counters[appIndex].drops.record(.badFrame)
                        return
                    }
                    arrive(buffer, ingress: appIndex, fromNetwork: false, now: now)
                }
                // An enrolled host is its applications' stack: it seals every packet they send
                // (slow path: the packet is rebuilt with an authenticator when it has none).
                guard security.seals else { return enqueue(packet) }
                guard let sealed = security.seal(packet, dialect: config.dialect, now: now) else {
                    counters[appIndex].drops.record(.badAuthenticator)
                    logProblem(appIndex, "application port: a packet that cannot be sealed (not a whole New IP packet)", now: now)
                    return
                }
                sealed.withUnsafeBytes { enqueue($0) }
            }
            endOfReadBatch()
        case AppProtocol.bind, AppProtocol.unbind:
            guard message.readerIndex + message.readableBytes >= base + 4,
                  let kind = message.getInteger(at: base + 1, as: UInt8.self).flatMap(LocalPort.Kind.init(rawValue:)),
                  let port = message.getInteger(at: base + 2, as: UInt16.self) else {
                reply(to: application, op: AppProtocol.bound, status: AppProtocol.statusBadRequest, port: 0)
                return
            }
            let key = LocalPort(kind: kind, port: port)
            if op == AppProtocol.unbind {
                appBindings.unbind(key, owner: application)
                return
            }
            switch appBindings.bind(key, owner: application, now: now) {
            case .bound(let chosen): reply(to: application, op: AppProtocol.bound, status: AppProtocol.statusOK, port: chosen)
            case .inUse(let chosen): reply(to: application, op: AppProtocol.bound, status: AppProtocol.statusInUse, port: chosen)
            }
        case AppProtocol.info:
            reply(to: application, op: AppProtocol.infoReply, status: AppProtocol.statusOK, port: 0)
        default:
            counters[appIndex].drops.record(.badFrame)
        }
    }

    /// Whether the packet's source address is one of the node's own (a packet without a source,
    /// or one that does not parse, is left to the data plane to judge).
    func sourceIsOwn(_ packet: UnsafeRawBufferPointer) -> Bool {
        guard let view = try? NewIPPacketView(packet, dialect: config.dialect), let source = view.source else { return true }
        return security.ownAddresses.contains(source)
    }

    /// A flow's packet (its probe after the header) refused at the application port: charged to
    /// the flow, as every other drop is (`nip run`).
    func chargeForeignSource(_ packet: UnsafeRawBufferPointer) {
        attributeToFlow(packet, .foreignSource)
    }

    /// `magic, op, status, dialect (0 compact, 1 framework), port (2), source address as text`.
    private func reply(to application: SocketAddress, op: UInt8, status: UInt8, port: UInt16) {
        guard let channel = appChannel else { return }
        var buffer = channel.allocator.buffer(capacity: 64)
        buffer.writeInteger(AppProtocol.magic)
        buffer.writeInteger(op)
        buffer.writeInteger(status)
        buffer.writeInteger(UInt8(config.dialect == .compact ? 0 : 1))
        buffer.writeInteger(port)
        buffer.writeString(defaultSource?.description ?? "")
        channel.writeAndFlush(AddressedEnvelope(remoteAddress: application, data: buffer), promise: nil)
    }

    /// Hands a delivered packet to the application bound to `key`; `false` when none is.
    func forwardToApplication(_ port: LocalPort, _ packet: borrowing PacketBuffer) -> Bool {
        guard let application = appBindings.owner(of: port), let channel = appChannel else { return false }
        var buffer = channel.allocator.buffer(capacity: packet.count + 2)
        buffer.writeInteger(AppProtocol.magic)
        buffer.writeInteger(AppProtocol.deliver)
        _ = packet.withUnsafeBytes { buffer.writeBytes($0) }
        counters[appIndex].txPackets &+= 1
        counters[appIndex].txBytes &+= packet.count
        channel.writeAndFlush(AddressedEnvelope(remoteAddress: application, data: buffer), promise: nil)
        return true
    }

    func sweepBindings() {
        let now = Self.now()
        appBindings.expire(now: now)
        captures.removeAll { now > $0.expires }
    }
}
