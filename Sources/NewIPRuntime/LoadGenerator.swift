import Foundation

/// The project's load generator for node benchmarks: one thread sends a fixed datagram as fast
/// as it can (or at `rate`) with `sendmmsg`, another counts what comes back with `recvmmsg`.
/// Plain sockets, no NIO and no allocation in either loop, so the generator costs as little
/// as the kernel lets it. Each thread can first enter a network namespace (`setns`), which
/// is how the kernel-forwarding reference is measured between namespaces a test created.
public enum LoadGenerator {
    public struct Result: Sendable, CustomStringConvertible {
        public var sent: Int
        public var received: Int
        /// Received in the measurement window (after the warm-up).
        public var windowReceived: Int
        public var windowSeconds: Double

        public var packetsPerSecond: Double { windowSeconds > 0 ? Double(windowReceived) / windowSeconds : 0 }

        public var description: String {
            String(format: "%.0f packets/s received (%d in %.2f s after warm-up); %d sent, %d received in all",
                   packetsPerSecond, windowReceived, windowSeconds, sent, received)
        }
    }

    public struct Endpoint: Sendable {
        public var host: String
        public var port: Int
        /// A network namespace name (`ip netns`) to open the socket in; nil: this one.
        public var namespace: String?

        public init(host: String, port: Int, namespace: String? = nil) {
            self.host = host
            self.port = port
            self.namespace = namespace
        }
    }

    /// Sends `datagram` from `source` to `target` for `duration` seconds and counts what arrives
    /// at `sink`; `rate` in datagrams per second, nil for as fast as possible.
    public static func run(source: Endpoint, target: Endpoint, sink: Endpoint, datagram: [UInt8],
                           duration: Double, warmup: Double = 1, rate: Double? = nil, batch: Int = 64) throws -> Result {
        let state = SharedState()
        let receiverReady = DispatchSemaphore(value: 0)
        let receiver = Thread {
            do {
                let fd = try openSocket(sink, bindToIt: true)
                defer { close(fd) }
                receiverReady.signal()
                try receive(fd: fd, state: state, warmup: warmup, duration: duration, batch: batch)
            } catch {
                state.fail(error)
                receiverReady.signal()
            }
        }
        receiver.start()
        receiverReady.wait()
        if let error = state.error { throw error }
        let sender = Thread {
            do {
                let fd = try openSocket(source, bindToIt: true)
                defer { close(fd) }
                try send(fd: fd, to: target, datagram: datagram, state: state, rate: rate, batch: batch)
            } catch {
                state.fail(error)
            }
        }
        sender.start()
        while !state.isFinished && state.error == nil { usleep(10_000) }
        if let error = state.error { throw error }
        return state.result
    }

    // MARK: Threads

    private final class SharedState: @unchecked Sendable {
        private let lock = NSLock()
        private var stopped = false
        private var finished = false
        private var sent = 0
        private var failure: Error?
        var result = Result(sent: 0, received: 0, windowReceived: 0, windowSeconds: 0)

        var shouldStop: Bool { lock.withLock { stopped } }
        var isFinished: Bool { lock.withLock { finished } }
        func stop() { lock.withLock { stopped = true } }
        var error: Error? { lock.withLock { failure } }
        func fail(_ error: Error) {
            lock.withLock {
                failure = error
                stopped = true
            }
        }
        func senderDone(_ count: Int) { lock.withLock { sent = count } }

        func receiverDone(_ partial: Result) {
            lock.withLock {
                stopped = true
                result = partial
            }
            // Let the sender see the flag and report its count.
            usleep(100_000)
            lock.withLock {
                result.sent = sent
                finished = true
            }
        }
    }

    private static func receive(fd: Int32, state: SharedState, warmup: Double, duration: Double, batch: Int) throws {
        var buffers = [UInt8](repeating: 0, count: batch * 2048)
        var vectors = [iovec](repeating: iovec(), count: batch)
        var messages = [MMsgHdr](repeating: MMsgHdr(), count: batch)
        var timeout = timeval(tv_sec: 0, tv_usec: 50_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var received = 0
        var windowStart: (count: Int, time: UInt64)?
        let start = DispatchTime.now().uptimeNanoseconds
        let warmupEnd = start + UInt64(warmup * 1e9)
        let end = warmupEnd + UInt64(duration * 1e9)
        buffers.withUnsafeMutableBytes { raw in
            vectors.withUnsafeMutableBufferPointer { iov in
                messages.withUnsafeMutableBufferPointer { msgs in
                    for i in 0..<batch {
                        iov[i] = iovec(iov_base: raw.baseAddress! + i * 2048, iov_len: 2048)
                        msgs[i].msg_hdr.msg_iov = iov.baseAddress! + i
                        msgs[i].msg_hdr.msg_iovlen = 1
                    }
                    while true {
                        let n = Syscalls.recvmmsg(fd, UnsafeMutableRawPointer(msgs.baseAddress), UInt32(batch), 0, nil)
                        if n > 0 { received += Int(n) }
                        let now = DispatchTime.now().uptimeNanoseconds
                        if windowStart == nil && now >= warmupEnd { windowStart = (received, now) }
                        if now >= end { break }
                    }
                }
            }
        }
        let now = DispatchTime.now().uptimeNanoseconds
        let window = windowStart ?? (0, now)
        state.receiverDone(Result(sent: 0, received: received, windowReceived: received - window.count,
                                  windowSeconds: Double(now - window.time) / 1e9))
    }

    private static func send(fd: Int32, to target: Endpoint, datagram: [UInt8], state: SharedState,
                             rate: Double?, batch: Int) throws {
        var address = try socketAddress(target)
        var payload = datagram
        var vectors = [iovec](repeating: iovec(), count: batch)
        var messages = [MMsgHdr](repeating: MMsgHdr(), count: batch)
        var sent = 0
        let start = DispatchTime.now().uptimeNanoseconds
        payload.withUnsafeMutableBytes { bytes in
            withUnsafeMutablePointer(to: &address) { addressPointer in
                vectors.withUnsafeMutableBufferPointer { iov in
                    messages.withUnsafeMutableBufferPointer { msgs in
                        for i in 0..<batch {
                            iov[i] = iovec(iov_base: bytes.baseAddress, iov_len: bytes.count)
                            msgs[i].msg_hdr.msg_iov = iov.baseAddress! + i
                            msgs[i].msg_hdr.msg_iovlen = 1
                            msgs[i].msg_hdr.msg_name = UnsafeMutableRawPointer(addressPointer)
                            msgs[i].msg_hdr.msg_namelen = socklen_t(MemoryLayout<sockaddr_in>.size)
                        }
                        var iteration = 0
                        while true {
                            iteration += 1
                            if iteration & 15 == 0, state.shouldStop { break }
                            if let rate {
                                let due = start + UInt64(Double(sent) / rate * 1e9)
                                let now = DispatchTime.now().uptimeNanoseconds
                                if due > now { usleep(UInt32(min(1000, (due - now) / 1000))) ; continue }
                            }
                            let n = Syscalls.sendmmsg(fd, UnsafeMutableRawPointer(msgs.baseAddress), UInt32(batch), 0)
                            if n > 0 { sent += Int(n) }
                        }
                    }
                }
            }
        }
        state.senderDone(sent)
    }

    // MARK: Sockets

    private static func openSocket(_ endpoint: Endpoint, bindToIt: Bool) throws -> Int32 {
        if let namespace = endpoint.namespace {
            let nsfd = open("/var/run/netns/\(namespace)", O_RDONLY)
            guard nsfd >= 0, Syscalls.setns(nsfd, 0x4000_0000) == 0 else {  // CLONE_NEWNET
                throw ToolError("cannot enter network namespace \(namespace): \(String(cString: strerror(errno)))")
            }
            close(nsfd)
        }
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw ToolError("socket: \(String(cString: strerror(errno)))") }
        var size: Int32 = 8 << 20
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        if bindToIt {
            var address = try socketAddress(endpoint)
            let result = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard result == 0 else {
                close(fd)
                throw ToolError("bind \(endpoint.host):\(endpoint.port): \(String(cString: strerror(errno)))")
            }
        }
        return fd
    }

    private static func socketAddress(_ endpoint: Endpoint) throws -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(endpoint.port).bigEndian
        guard inet_pton(AF_INET, endpoint.host, &address.sin_addr) == 1 else { throw ToolError("not an IPv4 address: \(endpoint.host)") }
        return address
    }
}

/// `struct mmsghdr`, which Glibc's Swift overlay does not import.
struct MMsgHdr {
    var msg_hdr = msghdr()
    var msg_len: UInt32 = 0
}

/// `sendmmsg` and `recvmmsg`, looked up at run time since the Swift overlay lacks them.
enum Syscalls {
    typealias SendFunction = @convention(c) (Int32, UnsafeMutableRawPointer?, UInt32, Int32) -> Int32
    typealias ReceiveFunction = @convention(c) (Int32, UnsafeMutableRawPointer?, UInt32, Int32, UnsafeMutableRawPointer?) -> Int32

    nonisolated(unsafe) static let sendmmsg: SendFunction = unsafeBitCast(dlsym(dlopen(nil, RTLD_NOW), "sendmmsg"), to: SendFunction.self)
    typealias SetNamespaceFunction = @convention(c) (Int32, Int32) -> Int32

    nonisolated(unsafe) static let setns: SetNamespaceFunction = unsafeBitCast(dlsym(dlopen(nil, RTLD_NOW), "setns"), to: SetNamespaceFunction.self)
    nonisolated(unsafe) static let recvmmsg: ReceiveFunction = unsafeBitCast(dlsym(dlopen(nil, RTLD_NOW), "recvmmsg"), to: ReceiveFunction.self)
}
