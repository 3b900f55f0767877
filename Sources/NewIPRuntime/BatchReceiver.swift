import Foundation
import NIOCore
import NewIPDataPlane

/// A thread that reads packets from a non-blocking descriptor (a packet socket or a TUN device)
/// and hands them to the node's event loop in batches.
///
/// It waits in `poll`, reads a batch into one of two preallocated `ReceiveBatch`es and hands it
/// to the loop as one task, then fills the other while the loop works; it reuses a batch only
/// once the loop has given it back, so packets are copied once and nothing is allocated per
/// packet. `stop` ends the thread, which closes the descriptor once the loop is done with
/// every batch.
final class BatchReceiver: @unchecked Sendable {
    /// `recvmmsg` on a socket (with the kernel's receive times when `timestamps`, the socket
    /// having `SO_TIMESTAMPNS` on), or `read` on a descriptor that is not a socket.
    enum Mode { case recvmmsg(timestamps: Bool), read }
    static let batch = 64

    private let stopping = NIOLockedFlag()
    private let finished = DispatchSemaphore(value: 0)

    /// `handle` runs on `loop` for each packet, with the kernel's receive time on the node's
    /// monotonic clock when the mode asks for it (else `nil`); `endOfBatch` after each batch.
    init(fd: Int32, name: String, loop: EventLoop, frameCapacity: Int, mode: Mode,
         handle: @escaping @Sendable (UnsafeRawBufferPointer, Nanoseconds?) -> Void, endOfBatch: @escaping @Sendable () -> Void) {
        let timestamps = if case .recvmmsg(true) = mode { true } else { false }
        let batches = (0..<2).map { _ in ReceiveBatch(count: Self.batch, frameCapacity: frameCapacity, timestamps: timestamps) }
        let thread = Thread { [stopping, finished] in
            var which = 0
            while !stopping.isSet {
                var pollfd = Glibc.pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                guard poll(&pollfd, 1, 100) > 0 else { continue }
                let batch = batches[which]
                batch.waitUntilFree()
                guard batch.receive(fd: fd, mode: mode) > 0, !stopping.isSet else {
                    batch.release()
                    continue
                }
                loop.execute {
                    batch.forEach(handle)
                    batch.release()
                    endOfBatch()
                }
                which ^= 1
            }
            // Let the loop finish the batches it was handed before the descriptor goes.
            for batch in batches {
                batch.waitUntilFree()
                batch.release()
            }
            Glibc.close(fd)
            finished.signal()
        }
        thread.name = "newip-rx-\(name)"
        thread.start()
    }

    func stop() { stopping.set() }

    /// Blocks until the thread has closed the descriptor; off the event loop.
    func waitUntilStopped() {
        finished.wait()
        finished.signal()
    }
}

/// Packets read in one go (one `recvmmsg`, or `read`s until the descriptor is empty), in
/// preallocated storage handed between the receive thread and the event loop.
final class ReceiveBatch: @unchecked Sendable {
    /// Room for one `SCM_TIMESTAMPNS` control message: a 16-byte `cmsghdr` and a `timespec`.
    static let controlCapacity = 32
    /// `SO_TIMESTAMPNS` (and its control message's type, `SCM_TIMESTAMPNS`) on 64-bit Linux;
    /// glibc's macro for it is a conditional the Swift importer drops.
    static let timestampOption: Int32 = 35
    private let frames: UnsafeMutableRawBufferPointer
    private let vectors: UnsafeMutableBufferPointer<iovec>
    private let messages: UnsafeMutableBufferPointer<MMsgHdr>
    /// Per message, its control buffer (`nil`: no timestamps asked for).
    private let controls: UnsafeMutableRawBufferPointer?
    /// Per message, the kernel's receive time moved to the node's monotonic clock.
    private let receivedAt: UnsafeMutableBufferPointer<Nanoseconds>
    private let frameCapacity: Int
    private var received = 0
    private let free = DispatchSemaphore(value: 1)

    init(count: Int, frameCapacity: Int, timestamps: Bool) {
        self.frameCapacity = frameCapacity
        frames = .allocate(byteCount: count * frameCapacity, alignment: 16)
        vectors = .allocate(capacity: count)
        messages = .allocate(capacity: count)
        controls = timestamps ? .allocate(byteCount: count * Self.controlCapacity, alignment: 8) : nil
        receivedAt = .allocate(capacity: count)
        for i in 0..<count {
            vectors[i] = iovec(iov_base: frames.baseAddress! + i * frameCapacity, iov_len: frameCapacity)
            var message = MMsgHdr()
            message.msg_hdr.msg_iov = vectors.baseAddress! + i
            message.msg_hdr.msg_iovlen = 1
            messages[i] = message
        }
    }

    deinit {
        frames.deallocate()
        vectors.deallocate()
        messages.deallocate()
        controls?.deallocate()
        receivedAt.deallocate()
    }

    func waitUntilFree() { free.wait() }
    func release() { free.signal() }

    func receive(fd: Int32, mode: BatchReceiver.Mode) -> Int {
        switch mode {
        case .recvmmsg:
            if let controls {
                for i in 0..<messages.count {
                    messages[i].msg_hdr.msg_control = controls.baseAddress! + i * Self.controlCapacity
                    messages[i].msg_hdr.msg_controllen = Self.controlCapacity
                }
            }
            let n = Syscalls.recvmmsg(fd, UnsafeMutableRawPointer(messages.baseAddress), UInt32(messages.count),
                                      Int32(MSG_DONTWAIT), nil)
            received = max(0, Int(n))
            if controls != nil, received > 0 { readTimestamps() }
        case .read:
            // A TUN descriptor is not a socket: one `read` per packet, until it would block.
            received = 0
            while received < messages.count {
                let n = Glibc.read(fd, vectors[received].iov_base, frameCapacity)
                guard n > 0 else { break }
                messages[received].msg_len = UInt32(n)
                received += 1
            }
        }
        return received
    }

    /// The kernel stamps packets with the wall clock (`CLOCK_REALTIME`); the node's clock is
    /// monotonic, so each stamp is moved by the two clocks' difference, read once per batch.
    /// A message without a stamp (the option off, a truncated control buffer) gets `0`.
    private func readTimestamps() {
        var wall = timespec()
        clock_gettime(CLOCK_REALTIME, &wall)
        let offset = Node.now() - (Nanoseconds(wall.tv_sec) * 1_000_000_000 + Nanoseconds(wall.tv_nsec))
        for i in 0..<received {
            receivedAt[i] = 0
            let header = messages[i].msg_hdr
            guard header.msg_controllen >= Self.controlCapacity, let control = header.msg_control else { continue }
            // struct cmsghdr: cmsg_len (size_t), cmsg_level, cmsg_type (int32); data from byte 16.
            guard control.load(fromByteOffset: 8, as: Int32.self) == SOL_SOCKET,
                  control.load(fromByteOffset: 12, as: Int32.self) == Self.timestampOption else { continue }
            let seconds = control.load(fromByteOffset: 16, as: Int64.self)
            let nanoseconds = control.load(fromByteOffset: 24, as: Int64.self)
            receivedAt[i] = Nanoseconds(seconds) * 1_000_000_000 + Nanoseconds(nanoseconds) + offset
        }
    }

    func forEach(_ body: (UnsafeRawBufferPointer, Nanoseconds?) -> Void) {
        for i in 0..<received {
            let length = min(Int(messages[i].msg_len), frameCapacity)
            let stamp = controls != nil && receivedAt[i] != 0 ? receivedAt[i] : nil
            body(UnsafeRawBufferPointer(start: frames.baseAddress! + i * frameCapacity, count: length), stamp)
        }
    }
}

final class NIOLockedFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() { lock.withLock { value = true } }
    var isSet: Bool { lock.withLock { value } }
}

