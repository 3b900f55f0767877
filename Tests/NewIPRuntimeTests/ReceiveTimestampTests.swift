import Foundation
import NewIPDataPlane
@testable import NewIPRuntime
import XCTest

/// `ReceiveBatch` with the kernel's receive times: datagrams on a loopback UDP socket with
/// `SO_TIMESTAMPNS` on come with a stamp on the node's monotonic clock, between the send and the
/// read; without the option they come with none.
final class ReceiveTimestampTests: XCTestCase {
    /// A bound loopback UDP socket (port chosen by the kernel) and a socket sending to it.
    func sockets(timestamps: Bool) throws -> (receiver: Int32, sender: Int32, address: sockaddr_in) {
        let receiver = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0), sender = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(receiver, $0, length) == 0 && getsockname(receiver, $0, &length) == 0 }
        }
        XCTAssertTrue(bound)
        if timestamps {
            var one: Int32 = 1
            XCTAssertEqual(setsockopt(receiver, SOL_SOCKET, ReceiveBatch.timestampOption, &one, socklen_t(MemoryLayout<Int32>.size)), 0)
            // The first socket that asks turns the kernel's stamping on from a work queue, a
            // moment later; a datagram that arrives before is stamped when it is read.
            usleep(100_000)
        }
        return (receiver, sender, address)
    }

    func send(_ bytes: [UInt8], from sender: Int32, to address: sockaddr_in) {
        var address = address
        let sent = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { target in
                bytes.withUnsafeBytes { sendto(sender, $0.baseAddress, bytes.count, 0, target, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        }
        XCTAssertEqual(sent, bytes.count)
    }

    /// Reads what is waiting into a batch: each datagram's bytes and stamp.
    func receive(_ fd: Int32, timestamps: Bool) -> [(bytes: [UInt8], stamp: Nanoseconds?)] {
        var pollfd = Glibc.pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        XCTAssertEqual(poll(&pollfd, 1, 1000), 1)
        let batch = ReceiveBatch(count: 4, frameCapacity: 64, timestamps: timestamps)
        XCTAssertEqual(batch.receive(fd: fd, mode: .recvmmsg(timestamps: timestamps)), 2)
        var received: [(bytes: [UInt8], stamp: Nanoseconds?)] = []
        batch.forEach { received.append((Array($0), $1)) }
        return received
    }

    func testDatagramsCarryTheKernelsReceiveTimeOnTheNodesClock() throws {
        let (receiver, sender, address) = try sockets(timestamps: true)
        defer { close(receiver); close(sender) }
        let before = Node.now()
        send([1, 2, 3], from: sender, to: address)
        send([4], from: sender, to: address)
        usleep(20_000)
        let received = receive(receiver, timestamps: true)
        let after = Node.now()
        XCTAssertEqual(received.map(\.bytes), [[1, 2, 3], [4]])
        for (index, item) in received.enumerated() {
            let stamp = try XCTUnwrap(item.stamp, "datagram \(index) has no stamp")
            // The stamp lies between the send and the read, on the monotonic clock (the wall
            // clock's offset moved out); the batch was read 20 ms after the send, so the stamp
            // is before the read by at least that much, which the loop's time would not be.
            XCTAssertGreaterThanOrEqual(stamp, before - 1_000_000, "datagram \(index)")
            XCTAssertLessThan(stamp, after - 10_000_000, "datagram \(index): the kernel's time, not the read's")
        }
        XCTAssertLessThanOrEqual(received[0].stamp!, received[1].stamp!)
    }

    func testWithoutTheOptionDatagramsCarryNoStamp() throws {
        let (receiver, sender, address) = try sockets(timestamps: false)
        defer { close(receiver); close(sender) }
        send([1], from: sender, to: address)
        send([2], from: sender, to: address)
        let received = receive(receiver, timestamps: true)
        XCTAssertEqual(received.map(\.bytes), [[1], [2]])
        XCTAssertEqual(received.map { $0.stamp == nil }, [true, true], "no control message, no stamp")
    }
}
