import NewIPDataPlane
@testable import NewIPEmulator
import NewIPTopology
import XCTest

/// The faults a run schedules as events (down periods, crashes) and the delay schedules it
/// does not: each link direction takes a new delay when it next finishes a packet.
final class FaultSchedulesTests: XCTestCase {
    static let ms: Nanoseconds = 1_000_000

    /// h1 — r1 — h2 over 1 Gbps links, h1–r1's delay `delay`, r1–h2's 1 ms; one 500-byte packet
    /// a millisecond from h1 to h2 for 20 ms.
    private func line(delay: String, faults: String = "", crash: String = "") throws -> Topology {
        try parse("""
        name: line
        seed: 1
        duration: 20ms
        nodes:
          h1: {kind: host, interfaces: {eth0: "0x01"}}
          r1: {kind: router, interfaces: {eth0: "0x02", eth1: "0x03"}\(crash)}
          h2: {kind: host, interfaces: {eth0: "0x04"}}
        links:
          - {endpoints: [h1:eth0, r1:eth0], rate: 1Gbps, delay: \(delay)\(faults)}
          - {endpoints: [r1:eth1, h2:eth0], rate: 1Gbps, delay: 1ms}
        flows:
          - {name: f, from: h1, to: h2, rate: 1000pps, size: 500}
        """)
    }

    func testADelayScheduleIsNoScheduledChange() throws {
        let scheduled = try line(delay: "{0s: 1ms, 5ms: 1ms}")
        XCTAssertTrue(FaultSchedules(scheduled).changes.isEmpty)
        // A schedule that keeps 1 ms runs exactly the events of a fixed 1 ms.
        let fixed = try Emulation(topology: line(delay: "1ms")).run()
        let same = try Emulation(topology: scheduled).run()
        XCTAssertEqual(same.events, fixed.events)
        XCTAssertEqual(same.flows[0].delivered, fixed.flows[0].delivered)
    }

    /// Down periods and crashes are changes in time order, links before nodes at a tie.
    func testDownPeriodsAndCrashesAreChangesInTimeOrder() throws {
        let topology = try line(delay: "{0s: 1ms, 5ms: 3ms}", faults: ", faults: {down: [4ms, 6ms]}",
                                crash: ", faults: {crash: [6ms, 8ms]}")
        let changes = FaultSchedules(topology).changes.map { change -> String in
            switch change.change {
            case .down(let link): "\(change.at) down \(link)"
            case .up(let link): "\(change.at) up \(link)"
            case .crash(let node): "\(change.at) crash \(node)"
            case .restart(let node): "\(change.at) restart \(node)"
            }
        }
        XCTAssertEqual(changes, ["4000000 down 0", "6000000 up 0", "6000000 crash 1", "8000000 restart 1"])
    }

    /// The delay still changes at 5 ms: packets sent before take 1 ms + 1 ms of propagation and
    /// two 4 µs serialisations (2.008 ms), those from 5 ms on 3 ms + 1 ms (4.008 ms).
    func testADelayChangeAppliesFromItsTimeOn() throws {
        let results = try Emulation(topology: line(delay: "{0s: 1ms, 5ms: 3ms}")).run()
        XCTAssertEqual(results.flows[0].latency?.min, 2_008_000)
        XCTAssertEqual(results.flows[0].latency?.max, 4_008_000)
    }
}
