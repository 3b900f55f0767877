import Foundation
import NIOCore

/// A thread that reads packets from a non-blocking descriptor (a packet socket or a TUN device)
/// and hands them to the node's event loop in batches.
///
/// It waits in `poll`, reads a batch into one of two preallocated `ReceiveBatch`es and hands it
/// to the loop as one task, then fills the other while the loop works; it reuses a batch only
/// once the loop has given it back, so packets are copied once and nothing is allocated per
/// packet. `stop` ends the thread, which closes the descriptor once the loop is done with
/// every batch.
final class BatchReceiver: @unchecked Sendable {
    enum Mode { case recvmmsg, read }
    static let batch = 64

    private let stopping = NIOLockedFlag()
    private let finished = DispatchSemaphore(value: 0)

    /// `handle` runs on `loop` for each packet, `endOfBatch` after each batch.
    init(fd: Int32, name: String, loop: EventLoop, frameCapacity: Int, mode: Mode,
         handle: @escaping @Sendable (UnsafeRawBufferPointer) -> Void, endOfBatch: @escaping @Sendable () -> Void) {
        let batches = (0..<2).map { _ in ReceiveBatch(count: Self.batch, frameCapacity: frameCapacity) }
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
    private let frames: UnsafeMutableRawBufferPointer
    private let vectors: UnsafeMutableBufferPointer<iovec>
    private let messages: UnsafeMutableBufferPointer<MMsgHdr>
    private let frameCapacity: Int
    private var received = 0
    private let free = DispatchSemaphore(value: 1)

    init(count: Int, frameCapacity: Int) {
        self.frameCapacity = frameCapacity
        frames = .allocate(byteCount: count * frameCapacity, alignment: 16)
        vectors = .allocate(capacity: count)
        messages = .allocate(capacity: count)
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
    }

    func waitUntilFree() { free.wait() }
    func release() { free.signal() }

    func receive(fd: Int32, mode: BatchReceiver.Mode) -> Int {
        switch mode {
        case .recvmmsg:
            let n = Syscalls.recvmmsg(fd, UnsafeMutableRawPointer(messages.baseAddress), UInt32(messages.count),
                                      Int32(MSG_DONTWAIT), nil)
            received = max(0, Int(n))
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

    func forEach(_ body: (UnsafeRawBufferPointer) -> Void) {
        for i in 0..<received {
            let length = min(Int(messages[i].msg_len), frameCapacity)
            body(UnsafeRawBufferPointer(start: frames.baseAddress! + i * frameCapacity, count: length))
        }
    }
}

final class NIOLockedFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() { lock.withLock { value = true } }
    var isSet: Bool { lock.withLock { value } }
}

