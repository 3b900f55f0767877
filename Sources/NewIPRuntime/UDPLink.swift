import NIOCore
import NIOPosix
import NewIPDataPlane
import NewIPTopology

/// How the node sends on one interface: the UDP underlay or raw Ethernet.
protocol LinkPort: AnyObject {
    /// Queues `bytes` (one New IP packet) for sending; `false` when the link refused it.
    func send(_ bytes: UnsafeRawBufferPointer) -> Bool
    /// Hands everything queued by `send` to the kernel.
    func flush()
    /// `false` while the socket's send buffer is full: leave packets in the New IP queue.
    var isWritable: Bool { get }
    func close()
    /// Blocks until the link's own threads (if any) are gone; after `close`, off the event loop.
    func waitUntilClosed()
    /// After a drain: when the queue's head may leave (`nil`: the queue is empty), for a link
    /// that emulates its rate (`LinkEmulation.readyAt`).
    func queueWaits(from time: Nanoseconds?)
}

extension LinkPort {
    func waitUntilClosed() {}
    func queueWaits(from time: Nanoseconds?) {}
}

/// Outgoing datagram buffers reused once the channel has written them.
///
/// A slot's `ByteBuffer` is shared with NIO's pending-write queue until the datagram is on
/// the wire; `modifyIfUniquelyOwned` tells when NIO let go, so in the steady state a
/// forwarded packet is copied into a buffer that already exists and nothing is allocated.
struct DatagramBufferRing {
    private var slots: [ByteBuffer]
    private var next = 0
    let allocator: ByteBufferAllocator

    init(count: Int, allocator: ByteBufferAllocator) {
        self.allocator = allocator
        slots = (0..<count).map { _ in allocator.buffer(capacity: 2048) }
    }

    /// A slot holding a copy of `bytes`, ready for `append` and `buffer`.
    mutating func start(copying bytes: UnsafeRawBufferPointer) -> Int {
        let index = next
        next = next + 1 == slots.count ? 0 : next + 1
        let reused: Bool? = slots[index].modifyIfUniquelyOwned { buffer in
            buffer.clear()
            buffer.writeBytes(bytes)
            return true
        }
        if reused == nil {
            var fresh = allocator.buffer(capacity: Swift.max(2048, bytes.count))
            fresh.writeBytes(bytes)
            slots[index] = fresh
        }
        return index
    }

    /// Adds `bytes` to the slot `start` returned (before its `buffer` was taken).
    mutating func append(_ bytes: UnsafeRawBufferPointer, to index: Int) {
        slots[index].writeBytes(bytes)
    }

    /// The slot's bytes, shared with the slot until the channel has written them.
    func buffer(_ index: Int) -> ByteBuffer { slots[index] }
}

/// A New IP interface over UDP: the packets are the payloads of datagrams exchanged with
/// one peer socket. Reads are batched (`recvmmsg`, `datagramVectorReadMessageCount`), and
/// writes too: NIO sends everything flushed together with `sendmmsg`, and consecutive packets
/// of the same length go out as one UDP GSO write (`UDP_SEGMENT`, per message), which the
/// kernel cuts back into one datagram per packet, so the receiver sees the same datagrams.
final class UDPLinkPort: LinkPort, @unchecked Sendable {
    let peer: SocketAddress
    var context: ChannelHandlerContext?
    var channel: Channel?
    private var ring: DatagramBufferRing
    /// Consecutive same-length packets waiting to go out as one GSO write.
    private var run: Int?
    private var runLength = 0
    private var runCount = 0
    /// Off when the kernel refused a segmented write; then every packet is its own write.
    var segmentation = true
    static let maximumSegments = 64

    /// The link's rate, delay and loss, spent here (`emulate-link`); `nil`: the socket as it is.
    var emulation: LinkEmulation?
    /// Called on the loop when the emulated link has finished serialising: drain the queue.
    var onFree: (() -> Void)?
    /// Called when the emulated link lost a packet it sent.
    var onLoss: ((UnsafeRawBufferPointer) -> Void)?
    private var freeTask: Scheduled<Void>?
    private var lineTask: Scheduled<Void>?

    init(peer: SocketAddress, ringSize: Int) {
        self.peer = peer
        ring = DatagramBufferRing(count: ringSize, allocator: ByteBufferAllocator())
    }

    func send(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard context != nil else { return false }
        if emulation != nil { return sendEmulated(bytes) }
        return sendNow(bytes)
    }

    /// Serialises, loses or delays the packet as the link says (`LinkEmulation`).
    private func sendEmulated(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let now = Node.now()
        let due = emulation!.transmit(count: bytes.count, now: now)
        armFree(now: now)
        guard let due else {
            onLoss?(bytes)
            return true
        }
        if emulation!.line.isEmpty, due <= now { return sendNow(bytes) }
        var buffer = ring.allocator.buffer(capacity: bytes.count)
        buffer.writeBytes(bytes)
        emulation!.line.append((due, buffer))
        armLine()
        return true
    }

    /// Wakes the node when the link has finished serialising.
    private func armFree(now: Nanoseconds) {
        guard freeTask == nil, let busyUntil = emulation?.busyUntil, busyUntil > now, let loop = context?.eventLoop else { return }
        freeTask = loop.scheduleTask(deadline: .uptimeNanoseconds(UInt64(busyUntil))) { [self] in
            freeTask = nil
            // Overdue while the node sent again by another path (a read batch, an LBF timer):
            // the link is busy with that packet, so wake up when it is done.
            let now = Node.now()
            if let emulation, !emulation.isFree(at: now) { return armFree(now: now) }
            onFree?()
        }
    }

    /// Writes the delay line's head when it is due.
    private func armLine() {
        guard lineTask == nil, let head = emulation?.line.first, let loop = context?.eventLoop else { return }
        lineTask = loop.scheduleTask(deadline: .uptimeNanoseconds(UInt64(head.due))) { [self] in
            lineTask = nil
            releaseDue()
        }
    }

    /// Writes every datagram due by now, in one flush.
    private func releaseDue() {
        guard let context else { return }
        let now = Node.now()
        var wrote = false
        while let head = emulation?.line.first, head.due <= now {
            emulation!.line.removeFirst()
            context.write(NIOAny(AddressedEnvelope(remoteAddress: peer, data: head.bytes)), promise: nil)
            wrote = true
        }
        if wrote { context.flush() }
        armLine()
    }

    private func sendNow(_ bytes: UnsafeRawBufferPointer) -> Bool {
        if segmentation, let run, bytes.count == runLength, runCount < Self.maximumSegments {
            ring.append(bytes, to: run)
            runCount += 1
            return true
        }
        emitRun()
        run = ring.start(copying: bytes)
        runLength = bytes.count
        runCount = 1
        return true
    }

    private func emitRun() {
        guard let slot = run, let context else { return }
        run = nil
        let buffer = ring.buffer(slot)
        let metadata = runCount > 1 ? AddressedEnvelope<ByteBuffer>.Metadata(ecnState: .transportNotCapable, packetInfo: nil,
                                                                             segmentSize: runLength) : nil
        context.write(NIOAny(AddressedEnvelope(remoteAddress: peer, data: buffer, metadata: metadata)), promise: nil)
    }

    func flush() {
        emitRun()
        context?.flush()
    }

    var isWritable: Bool {
        guard let context, context.channel.isWritable else { return false }
        guard let emulation else { return true }
        return emulation.isFree(at: Node.now())
    }

    func queueWaits(from time: Nanoseconds?) {
        if emulation != nil { emulation!.readyAt = time }
    }

    /// Stops the emulated link's wake-ups (on the loop).
    func cancelEmulation() {
        freeTask?.cancel()
        lineTask?.cancel()
        freeTask = nil
        lineTask = nil
    }

    func close() { channel?.close(promise: nil) }
}

/// The channel handler of a UDP interface: hands datagrams from the peer to the node.
final class UDPLinkHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    unowned let node: Node
    let index: Int
    let port: UDPLinkPort

    init(node: Node, index: Int, port: UDPLinkPort) {
        self.node = node
        self.index = index
        self.port = port
    }

    func handlerAdded(context: ChannelHandlerContext) {
        port.context = context
        port.channel = context.channel
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        port.cancelEmulation()
        port.context = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        guard envelope.remoteAddress == port.peer else {
            node.linkReceivedForeign(index)
            return
        }
        envelope.data.withUnsafeReadableBytes { node.linkReceived(index, $0) }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        node.endOfReadBatch()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { node.linkBecameWritable(index) }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        // A datagram socket reports ICMP errors (peer not up yet) here; the link stays open.
        if port.segmentation, let io = error as? IOError, io.errnoCode == EIO || io.errnoCode == EINVAL {
            port.segmentation = false  // a kernel without UDP GSO: one write per packet from now on
        }
        node.linkError(index, error)
    }
}

extension SocketAddress {
    /// A numeric address as written (`127.0.0.1` stays IPv4 even where the resolver would map
    /// it to `::ffff:127.0.0.1`), otherwise the name resolved.
    static func literalOrResolved(_ endpoint: NodeConfig.Endpoint) throws -> SocketAddress {
        if let address = try? SocketAddress(ipAddress: endpoint.host, port: endpoint.port) { return address }
        return try SocketAddress.makeAddressResolvingHost(endpoint.host, port: endpoint.port)
    }
}

extension Node {
    /// Binds a socket of the node (`what`: "interface eth0 (UDP)", "the control endpoint (TCP)"),
    /// turning a failure into one line that names the address and what to do. Link and
    /// application sockets are bound without address reuse, so a second process cannot share
    /// (and inject into) a node's port.
    func bind<Result>(_ what: String, _ endpoint: NodeConfig.Endpoint, _ body: (SocketAddress) throws -> Result) throws -> Result {
        let address: SocketAddress
        do { address = try SocketAddress.literalOrResolved(endpoint) } catch {
            throw ToolError("\(what): cannot resolve \(endpoint): \(error)")
        }
        do { return try body(address) } catch let error as IOError where error.errnoCode == EADDRINUSE {
            throw ToolError("\(what): \(endpoint) is already in use by another process (another node, or a second `nip up`?) — "
                + "stop it or choose other ports")
        } catch let error as IOError where error.errnoCode == EADDRNOTAVAIL {
            throw ToolError("\(what): \(endpoint) is not an address of this host")
        } catch let error as IOError where error.errnoCode == EACCES {
            throw ToolError("\(what): binding \(endpoint) is not permitted (a port below 1024 needs root)")
        } catch {
            throw ToolError("\(what): cannot bind \(endpoint): \(error)")
        }
    }
}
