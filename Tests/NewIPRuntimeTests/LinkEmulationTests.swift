import NIOCore
import NewIPTopology
@testable import NewIPRuntime
import XCTest

/// The emulated link's delay changed at run time (`POST /interfaces/shape`): a datagram takes
/// the delay in force when it is sent, and a shorter delay does not let it overtake one still
/// in the delay line. 8 Mbit/s: a byte is on the wire for 1 µs, so 100 bytes for 100 µs.
final class LinkEmulationTests: XCTestCase {
    func testAChangedDelayAppliesToLaterDatagramsAndKeepsTheLineFirstInFirstOut() {
        var link = LinkEmulation(rate: BitRate(bitsPerSecond: 8_000_000), delay: 10_000_000, loss: 0, seed: 1)
        // 0 + 100 µs serialisation + 10 ms.
        XCTAssertEqual(link.transmit(count: 100, now: 0), 10_100_000)
        link.line.append((10_100_000, ByteBuffer()))

        // 1 ms now, but the first datagram is still propagating: the second waits for it.
        link.delay = 1_000_000
        XCTAssertEqual(link.transmit(count: 100, now: 200_000), 10_100_000, "not before the datagram sent first")

        // The line emptied: 400 µs + 100 µs + 1 ms.
        link.line.removeAll()
        XCTAssertEqual(link.transmit(count: 100, now: 400_000), 1_500_000)

        // Raised to 20 ms: 600 µs + 100 µs + 20 ms.
        link.delay = 20_000_000
        XCTAssertEqual(link.transmit(count: 100, now: 600_000), 20_700_000)
    }
}
