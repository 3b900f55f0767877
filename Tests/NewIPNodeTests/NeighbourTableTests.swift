import NewIPDataPlane
import NewIPWire
import XCTest
@testable import NewIPNode

/// The table driven by a test clock: every output and state at hand-computed times.
final class NeighbourTableTests: XCTestCase {
    let ms: Nanoseconds = 1_000_000
    let s: Nanoseconds = 1_000_000_000
    let a5 = CompactAddress(value: 5)!, a7 = CompactAddress(value: 7)!
    let mac: [UInt8] = [2, 0, 0, 0, 0, 1]

    func table() -> NeighbourTable {
        NeighbourTable(timers: .init(reachableTime: 30 * s, retransmitTimer: s, maxSolicitations: 3, downRetention: 10 * s))
    }

    func testUnansweredResolutionRetransmitsThenGoesDownThenIsForgotten() {
        var table = table()
        XCTAssertEqual(table.resolve(a5, on: 0, now: 0), [.changed(address: a5, interface: 0, from: nil, to: .incomplete), .solicit(target: a5, interface: 0)])
        XCTAssertEqual(table.resolve(a5, on: 0, now: 100 * ms), [], "already being resolved")
        XCTAssertEqual(table.nextDeadline, s)
        XCTAssertEqual(table.poll(now: 999 * ms), [])
        XCTAssertEqual(table.poll(now: s), [.solicit(target: a5, interface: 0)])
        XCTAssertEqual(table.poll(now: 2 * s), [.solicit(target: a5, interface: 0)])
        XCTAssertEqual(table.neighbour(a5, on: 0)?.solicitations, 3)
        XCTAssertEqual(table.poll(now: 3 * s), [.changed(address: a5, interface: 0, from: .incomplete, to: .down)])
        XCTAssertEqual(table.nextDeadline, 13 * s)
        XCTAssertEqual(table.neighbours(on: 0).map(\.state), [.down])
        XCTAssertEqual(table.poll(now: 13 * s), [])
        XCTAssertEqual(table.neighbours(), [])
        XCTAssertNil(table.nextDeadline)
    }

    func testAnsweredResolutionIsReachableThenStaleThenProbedBack() {
        var table = table()
        _ = table.resolve(a5, on: 1, now: 0)
        XCTAssertEqual(table.advertisementReceived(from: a5, linkLayerAddress: mac, on: 1, now: 400 * ms),
                       [.changed(address: a5, interface: 1, from: .incomplete, to: .reachable)])
        let entry = table.neighbour(a5, on: 1)!
        XCTAssertEqual(entry.confirmed, 400 * ms)
        XCTAssertEqual(entry.linkLayerAddress, mac)
        XCTAssertEqual(table.nextDeadline, 30 * s + 400 * ms)
        XCTAssertEqual(table.poll(now: 30 * s + 399 * ms), [])
        XCTAssertEqual(table.poll(now: 30 * s + 400 * ms),
                       [.changed(address: a5, interface: 1, from: .reachable, to: .stale), .solicit(target: a5, interface: 1)])
        XCTAssertEqual(table.advertisementReceived(from: a5, linkLayerAddress: mac, on: 1, now: 30 * s + 900 * ms),
                       [.changed(address: a5, interface: 1, from: .stale, to: .reachable)])
        XCTAssertEqual(table.neighbour(a5, on: 1)?.since, 30 * s + 900 * ms)
    }

    func testHelloHoldTimeThenProbesThenDown() {
        var table = table()
        XCTAssertEqual(table.advertisementReceived(from: a7, linkLayerAddress: [], holdTime: 3 * s, on: 0, now: 0),
                       [.changed(address: a7, interface: 0, from: nil, to: .reachable)])
        XCTAssertEqual(table.advertisementReceived(from: a7, linkLayerAddress: [], holdTime: 3 * s, on: 0, now: 2 * s), [], "a refresh changes nothing")
        XCTAssertEqual(table.nextDeadline, 5 * s)
        XCTAssertEqual(table.poll(now: 5 * s), [.changed(address: a7, interface: 0, from: .reachable, to: .stale), .solicit(target: a7, interface: 0)])
        XCTAssertEqual(table.poll(now: 6 * s), [.solicit(target: a7, interface: 0)])
        XCTAssertEqual(table.poll(now: 7 * s), [.solicit(target: a7, interface: 0)])
        XCTAssertEqual(table.poll(now: 8 * s), [.changed(address: a7, interface: 0, from: .stale, to: .down)])
        // A hello brings it back.
        XCTAssertEqual(table.advertisementReceived(from: a7, linkLayerAddress: [], holdTime: 3 * s, on: 0, now: 9 * s),
                       [.changed(address: a7, interface: 0, from: .down, to: .reachable)])
    }

    func testSolicitationRecordsTheSolicitorAsStale() {
        var table = table()
        XCTAssertEqual(table.solicitationReceived(from: a5, linkLayerAddress: mac, on: 0, now: 0),
                       [.changed(address: a5, interface: 0, from: nil, to: .stale), .solicit(target: a5, interface: 0)])
        XCTAssertEqual(table.neighbour(a5, on: 0)?.linkLayerAddress, mac)
        _ = table.advertisementReceived(from: a5, linkLayerAddress: mac, on: 0, now: 10 * ms)
        XCTAssertEqual(table.solicitationReceived(from: a5, linkLayerAddress: mac, on: 0, now: 20 * ms), [], "same link-layer address: unchanged")
        XCTAssertEqual(table.neighbour(a5, on: 0)?.state, .reachable)
        XCTAssertEqual(table.solicitationReceived(from: a5, linkLayerAddress: [9], on: 0, now: 30 * ms),
                       [.changed(address: a5, interface: 0, from: .reachable, to: .stale), .solicit(target: a5, interface: 0)])
        XCTAssertEqual(table.neighbour(a5, on: 0)?.linkLayerAddress, [9])
    }

    func testInterfacesAreSeparate() {
        var table = table()
        _ = table.advertisementReceived(from: a5, linkLayerAddress: [], on: 0, now: 0)
        _ = table.resolve(a5, on: 1, now: 0)
        XCTAssertEqual(table.neighbours().map { "\($0.interface) \($0.address) \($0.state)" }, ["0 0x05 reachable", "1 0x05 incomplete"])
        table.removeAll(on: 0)
        XCTAssertEqual(table.neighbours().map(\.interface), [1])
    }
}
