import NewIPDataPlane
@testable import NewIPEmulator
import NewIPTopology
import XCTest

/// Send times of each pattern, from the flow's own stream.
final class TrafficTests: XCTestCase {
    private func sendTimes(_ pattern: TrafficPattern, size: PacketSize = .fixed(1000), stop: Nanoseconds,
                           start: Nanoseconds = 0) -> [Nanoseconds] {
        let flow = Topology.Flow(name: "f", source: .init(node: 0, interface: 0), destination: .init(node: 1, interface: 0),
                                 pattern: pattern, size: size, start: start, stop: stop)
        var source = TrafficSource(flow: flow, seed: 1)
        var times: [Nanoseconds] = []
        while let time = source.nextSendTime {
            times.append(time)
            source.advance(sent: source.nextSize())
        }
        return times
    }

    func testConstantPacketRate() {
        XCTAssertEqual(sendTimes(.constant(.packetsPerSecond(1000)), stop: 5_000_000, start: 500),
                       [500, 1_000_500, 2_000_500, 3_000_500, 4_000_500])
    }

    func testConstantBitRateSpacesPacketsByTheirOwnSize() {
        // 8 Mbps: a 1000-byte packet takes 1 ms, a 500-byte one 0.5 ms.
        XCTAssertEqual(sendTimes(.constant(.bitsPerSecond(8_000_000)), stop: 3_000_000), [0, 1_000_000, 2_000_000])
        let varying = sendTimes(.constant(.bitsPerSecond(8_000_000)), size: .uniform(500...1500), stop: 100_000_000)
        XCTAssertEqual(Double(varying.count), 100, accuracy: 15)
    }

    func testOnOffSkipsTheOffPeriods() {
        // 1000 pps while on for 2 ms, then 3 ms off.
        XCTAssertEqual(sendTimes(.onOff(.packetsPerSecond(1000), on: 2_000_000, off: 3_000_000), stop: 12_000_000),
                       [0, 1_000_000, 5_000_000, 6_000_000, 10_000_000, 11_000_000])
    }

    func testPoissonHasTheRequestedMeanAndIsReproducible() {
        let times = sendTimes(.poisson(.packetsPerSecond(10_000)), stop: 1_000_000_000)
        XCTAssertEqual(Double(times.count), 10_000, accuracy: 300)
        XCTAssertEqual(times, sendTimes(.poisson(.packetsPerSecond(10_000)), stop: 1_000_000_000))
        let gaps = zip(times.dropFirst(), times).map { $0 - $1 }
        XCTAssertNotEqual(Set(gaps).count, 1, "gaps vary")
    }
}
