import NIOCore
import NIOPosix
import NewIPDataPlane
import NewIPNode
import NewIPTopology
import NewIPWire

/// A datagram received by a `NewIPDatagramSocket`.
public struct NewIPDatagram: Sendable {
    public var source: FrameworkAddress?
    public var sourcePort: UInt16
    public var destination: FrameworkAddress
    public var destinationPort: UInt16
    public var data: [UInt8]
    /// The contract clauses the packet arrived with (their per-hop fields as routers left them).
    public var clauses: [ContractClause]
}

public struct HostSocketError: Error, CustomStringConvertible, Sendable {
    public var description: String
    init(_ description: String) { self.description = description }
}

/// The link between an application and its node: the application port protocol
/// (`AppProtocol`) over a UDP socket on loopback. One binding (a UDP port or a ping
/// identifier) per connection; packets for it arrive on `packets`.
public final class NodeConnection: Sendable {
    public let node: SocketAddress
    public let dialect: PacketDialect
    /// The node's default source address.
    public let localAddress: FrameworkAddress?
    public let port: UInt16
    public let packets: AsyncStream<[UInt8]>
    private let channel: Channel
    private let refresher: RepeatedTask
    private let kind: UInt8
    private let token: String?

    /// Connects to the node's application port and binds `port` (0: the node picks one) of `kind`
    /// (`AppProtocol.kindUDP` or `.kindControl`). Every message carries `token` (default: the
    /// run state's, `NodeAuth.token`) when there is one.
    public static func connect(node: NodeConfig.Endpoint, kind: UInt8 = AppProtocol.kindUDP, port: UInt16 = 0,
                               timeout: TimeAmount = .seconds(3), token: String? = NodeAuth.token) async throws -> NodeConnection {
        let nodeAddress = try SocketAddress.literalOrResolved(node)
        let (packets, continuation) = AsyncStream<[UInt8]>.makeStream(bufferingPolicy: .bufferingNewest(1 << 16))
        let group = MultiThreadedEventLoopGroup.singleton
        let replies = ReplyBox(group.next())
        let channel = try await DatagramBootstrap(group: group)
            .channelOption(.socketOption(.so_rcvbuf), value: 4 << 20)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(AppClientHandler(packets: continuation, replies: replies))
                }
            }
            .bind(to: try SocketAddress(ipAddress: nodeAddress.protocol == .inet6 ? "::1" : "127.0.0.1", port: 0)).get()
        let bindRequest = Self.request(AppProtocol.bind, kind: kind, port: port, token: token, allocator: channel.allocator)
        let reply: AppReply
        do {
            reply = try await replies.next(timeout: timeout) {
                channel.writeAndFlush(AddressedEnvelope(remoteAddress: nodeAddress, data: bindRequest), promise: nil)
            }
        } catch {
            try? await channel.close()
            throw HostSocketError("no answer from the node's application port \(node) (is the node running with `app:` set?)")
        }
        guard reply.status == AppProtocol.statusOK else {
            try? await channel.close()
            switch reply.status {
            case AppProtocol.statusInUse: throw HostSocketError("port \(port) is in use on the node")
            case AppProtocol.statusUnauthorized:
                throw HostSocketError(token == nil
                    ? "the node requires its token (auth-token): give --token-file, or use --node with the state of `nip up`"
                    : "the node refused the token: it is not the one of its auth-token file")
            default: throw HostSocketError("the node refused the binding")
            }
        }
        let refresh = Self.request(AppProtocol.bind, kind: kind, port: reply.port, token: token, allocator: channel.allocator)
        let refresher = channel.eventLoop.scheduleRepeatedTask(initialDelay: .seconds(10), delay: .seconds(10)) { _ in
            channel.writeAndFlush(AddressedEnvelope(remoteAddress: nodeAddress, data: refresh), promise: nil)
        }
        return NodeConnection(node: nodeAddress, dialect: reply.dialect, localAddress: reply.address, port: reply.port,
                              packets: packets, channel: channel, refresher: refresher, kind: kind, token: token)
    }

    private init(node: SocketAddress, dialect: PacketDialect, localAddress: FrameworkAddress?, port: UInt16,
                 packets: AsyncStream<[UInt8]>, channel: Channel, refresher: RepeatedTask, kind: UInt8, token: String?) {
        self.token = token
        self.node = node
        self.dialect = dialect
        self.localAddress = localAddress
        self.port = port
        self.packets = packets
        self.channel = channel
        self.refresher = refresher
        self.kind = kind
    }

    private static func request(_ op: UInt8, kind: UInt8, port: UInt16, token: String?, allocator: ByteBufferAllocator) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: 5)
        buffer.writeBytes(AppProtocol.header(op, token: token))
        buffer.writeInteger(kind)
        buffer.writeInteger(port)
        return buffer
    }

    /// Hands a whole New IP packet to the node, which routes it as if this node sent it. The
    /// future completes when the datagram is with the kernel (await the last before `close`).
    @discardableResult
    public func send(packet: [UInt8]) -> EventLoopFuture<Void> {
        var buffer = channel.allocator.buffer(capacity: packet.count + 260)
        buffer.writeBytes(AppProtocol.header(AppProtocol.send, token: token))
        buffer.writeBytes(packet)
        return channel.writeAndFlush(AddressedEnvelope(remoteAddress: node, data: buffer))
    }

    public func close() async {
        refresher.cancel()
        channel.writeAndFlush(AddressedEnvelope(remoteAddress: node, data: Self.request(
            AppProtocol.unbind, kind: kind, port: port, token: token, allocator: channel.allocator)), promise: nil)
        try? await channel.close()
    }
}

/// UDP over New IP for applications: bind an address and port on a node, send and receive
/// datagrams, with a contract for the whole socket or for one message.
///
/// ```swift
/// let socket = try await NewIPDatagramSocket.bind(node: .init(host: "127.0.0.1", port: 9111), port: 5000,
///                                                 contract: .latencyBased(min: 0, max: 50_000_000))
/// try socket.send(Array("hello".utf8), to: .compact(CompactAddress("0x02")!), port: 5000)
/// for await datagram in socket.datagrams { print(datagram.data) }
/// ```
public final class NewIPDatagramSocket: Sendable {
    public let connection: NodeConnection
    /// Put on every datagram this socket sends, unless `send` names another.
    public let contract: Contract?
    public let source: FrameworkAddress
    public var localPort: UInt16 { connection.port }
    public var dialect: PacketDialect { connection.dialect }
    /// What arrives for the socket's port, in order; iterate it from one task.
    public let datagrams: AsyncStream<NewIPDatagram>

    /// Binds `port` (0: any free one) on the node whose application port is `node`, sending
    /// from `address` (default: the node's first address).
    public static func bind(node: NodeConfig.Endpoint, address: FrameworkAddress? = nil, port: UInt16 = 0,
                            contract: Contract? = nil) async throws -> NewIPDatagramSocket {
        let connection = try await NodeConnection.connect(node: node, kind: AppProtocol.kindUDP, port: port)
        guard let source = address ?? connection.localAddress else {
            await connection.close()
            throw HostSocketError("the node has no address to send from")
        }
        return NewIPDatagramSocket(connection: connection, source: source, contract: contract)
    }

    private init(connection: NodeConnection, source: FrameworkAddress, contract: Contract?) {
        self.connection = connection
        self.source = source
        self.contract = contract
        let dialect = connection.dialect
        let packets = connection.packets
        datagrams = AsyncStream { continuation in
            let task = Task {
                for await bytes in packets {
                    guard let parsed = bytes.withUnsafeBytes({ ParsedPacket($0, dialect: dialect) }),
                          let udp = PacketBuilder.udpDatagram(bytes, dialect: dialect) else { continue }
                    continuation.yield(NewIPDatagram(source: parsed.source, sourcePort: udp.sourcePort,
                                                     destination: parsed.destination, destinationPort: udp.destinationPort,
                                                     data: udp.data, clauses: parsed.clauses))
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// Sends `data` to `destination`:`port`, with `contract` (default: the socket's). The
    /// future completes when the datagram is with the kernel.
    @discardableResult
    public func send(_ data: [UInt8], to destination: FrameworkAddress, port: UInt16, contract: Contract? = nil,
                     ttl: UInt8 = PacketBuilder.defaultTTL) throws -> EventLoopFuture<Void> {
        guard let packet = PacketBuilder.udp(dialect: dialect, source: source, sourcePort: localPort, destination: destination,
                                             destinationPort: port, ttl: ttl, clauses: (contract ?? self.contract).map { [$0.clause] } ?? [], data: data) else {
            throw HostSocketError("cannot build a \(dialect) packet from \(source) to \(destination) with \(data.count) bytes")
        }
        return connection.send(packet: packet)
    }

    public func close() async { await connection.close() }
}

struct AppReply: Sendable {
    var status: UInt8
    var dialect: PacketDialect
    var port: UInt16
    var address: FrameworkAddress?
}

/// Waits for the node's answer to a request, resending it until the timeout.
final class ReplyBox: @unchecked Sendable {
    private let loop: EventLoop
    private var waiting: EventLoopPromise<AppReply>?
    private var early: AppReply?

    init(_ loop: EventLoop) { self.loop = loop }

    func deliver(_ reply: AppReply) {
        loop.execute { [self] in
            if let waiting {
                self.waiting = nil
                waiting.succeed(reply)
            } else {
                early = reply
            }
        }
    }

    func next(timeout: TimeAmount, send: @escaping @Sendable () -> Void) async throws -> AppReply {
        let future: EventLoopFuture<AppReply> = try await loop.submit { [self] in
            let promise = loop.makePromise(of: AppReply.self)
            if let early {
                self.early = nil
                promise.succeed(early)
                return promise.futureResult
            }
            waiting = promise
            send()
            let resend = loop.scheduleRepeatedTask(initialDelay: .milliseconds(250), delay: .milliseconds(250)) { _ in send() }
            let expiry = loop.scheduleTask(in: timeout) { [self] in
                if let waiting = self.waiting {
                    self.waiting = nil
                    waiting.fail(HostSocketError("timeout"))
                }
            }
            promise.futureResult.whenComplete { _ in
                resend.cancel()
                expiry.cancel()
            }
            return promise.futureResult
        }.get()
        return try await future.get()
    }
}

final class AppClientHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    let packets: AsyncStream<[UInt8]>.Continuation
    let replies: ReplyBox

    init(packets: AsyncStream<[UInt8]>.Continuation, replies: ReplyBox) {
        self.packets = packets
        self.replies = replies
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data).data
        guard let magic = buffer.readInteger(as: UInt8.self), magic == AppProtocol.magic,
              let op = buffer.readInteger(as: UInt8.self) else { return }
        switch op {
        case AppProtocol.deliver:
            packets.yield(buffer.readBytes(length: buffer.readableBytes) ?? [])
        case AppProtocol.bound, AppProtocol.infoReply:
            guard let status = buffer.readInteger(as: UInt8.self), let dialectByte = buffer.readInteger(as: UInt8.self),
                  let port = buffer.readInteger(as: UInt16.self) else { return }
            let text = buffer.readString(length: buffer.readableBytes) ?? ""
            let dialect: PacketDialect = dialectByte == 0 ? .compact : .framework
            let address = dialect == .compact ? CompactAddress(text).map(FrameworkAddress.compact) : FrameworkAddress(text)
            replies.deliver(AppReply(status: status, dialect: dialect, port: port, address: address))
        default:
            break
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        packets.finish()
    }
}
